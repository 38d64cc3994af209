import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The SSH test fixtures (a real sshd on loopback, test users and keys) live with the transport.
import { startSshTestbed, type SshdFixture, type SshTestbed, type TestUsers } from '../../../packages/transport-ssh/src/test-support/index.js';
import { runCli } from './test-support/cli.js';

let bed: SshTestbed;
let sshd: SshdFixture;
let users: TestUsers;
let home: string;

beforeAll(async () => {
  bed = await startSshTestbed();
  ({ sshd, users } = bed);
  // A home of its own, so known_hosts learning never touches the real ~/.ssh.
  home = join(bed.dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
});
afterAll(async () => {
  await bed?.dispose();
});

const env = () => ({ HOME: home, SSH_AUTH_SOCK: undefined });
const destination = () => `${users.bash.name}@127.0.0.1:${sshd.port}`;

describe('execkit --ssh', () => {
  it('exec runs one command on the remote host, learns its key and passes the exit status through', async () => {
    const run = await runCli(['exec', '--ssh', destination(), '-i', users.keys.ed25519.path, '--', 'id -un; echo err >&2; exit 3'], { env: env() });
    expect(run).toMatchObject({ code: 3, stdout: `${users.bash.name}\n`, stderr: 'err\n' });
    expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `);
  });

  it('exec --json gives the structured result', async () => {
    const run = await runCli(['exec', '--json', '--cwd', '/tmp', '--ssh', destination(), '-i', users.keys.ed25519.path, '--', 'pwd'], { env: env() });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ stdout: '/tmp\n', cwd: '/tmp', exit_code: 0, reconnected: false });
  });

  it('reads a password only from the environment variable named by --password-env', async () => {
    const run = await runCli(['exec', '--ssh', `${users.dash.name}@127.0.0.1:${sshd.port}`, '--password-env', 'EK_TEST_PASSWORD', '--', 'id -un'], {
      env: { ...env(), EK_TEST_PASSWORD: users.dash.password },
    });
    expect(run).toMatchObject({ code: 0, stdout: `${users.dash.name}\n` });
    const unset = await runCli(['exec', '--ssh', destination(), '--password-env', 'EK_NOT_SET', '--', 'true'], { env: env() });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/EK_NOT_SET/);
  });

  it('refuses a changed host key with exit 125 and a message naming both fingerprints', async () => {
    const knownHosts = join(home, '.ssh', 'known_hosts');
    const fake = `[127.0.0.1]:${sshd.port} ssh-ed25519 ${Buffer.from(`\0\0\0\x0bssh-ed25519\0\0\0 ${'y'.repeat(32)}`, 'latin1').toString('base64')}\n`;
    writeFileSync(knownHosts, fake, { mode: 0o600 });
    const run = await runCli(['exec', '--ssh', destination(), '-i', users.keys.ed25519.path, '--', 'echo never'], { env: env() });
    expect(run.code).toBe(125);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(sshd.hostPublicKeys[0]!.fingerprint);
    expect(run.stderr).toMatch(/HOST_KEY_REJECTED/);
    expect(readFileSync(knownHosts, 'utf8')).toBe(fake);
    writeFileSync(knownHosts, '', { mode: 0o600 });
    const strict = await runCli(['exec', '--strict-host-keys', '--ssh', destination(), '-i', users.keys.ed25519.path, '--', 'echo never'], { env: env() });
    expect(strict.code).toBe(125);
    expect(strict.stderr).toMatch(/HOST_KEY_REJECTED/);
  });

  it('shell keeps one remote session across lines', async () => {
    const run = await runCli(['shell', '--ssh', destination(), '-i', users.keys.ed25519.path], { env: env(), input: 'cd /tmp\nexport A=1\necho "$PWD $A"\nexit 4\n' });
    expect(run.code).toBe(4);
    expect(run.stdout).toContain('/tmp 1\n');
  });

  it('refuses ssh options without --ssh, and a malformed destination', async () => {
    expect((await runCli(['exec', '-i', users.keys.ed25519.path, '--', 'true'])).code).toBe(2);
    const bad = await runCli(['exec', '--ssh', 'user@-oProxyCommand=x', '--', 'true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\[user@\]host\[:port\]/);
  });
});
