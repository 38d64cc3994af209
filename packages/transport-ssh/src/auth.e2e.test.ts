import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecKitError, Session, type Transport } from '@execkit/core';
import { createSshTransport, type SshTransportOptions } from './index.js';
import { authorizeKeys, startSshAgent, startSshTestbed, type SshAgent, type SshdFixture, type SshTestbed, type TestUsers } from './test-support/index.js';

let bed: SshTestbed;
let sshd: SshdFixture;
let users: TestUsers;
let knownHostsPath: string;
let agent: SshAgent;
const opened: Transport[] = [];

beforeAll(async () => {
  bed = await startSshTestbed();
  ({ sshd, users, knownHostsPath } = bed);
  agent = await startSshAgent([users.keys.ed25519.path]);
});
afterAll(async () => {
  for (const transport of opened) await transport.close();
  await agent?.stop();
  await bed?.dispose();
});

function transport(options: Partial<SshTransportOptions>): Transport {
  const created = createSshTransport({
    host: sshd.host,
    port: sshd.port,
    user: users.bash.name,
    keyDir: users.keys.dir,
    knownHostsPath,
    hostKeyPolicy: 'strict',
    sshConfigPath: false,
    agent: false,
    ...options,
  });
  opened.push(created);
  return created;
}

async function whoami(options: Partial<SshTransportOptions>): Promise<string> {
  const session = await Session.open(transport(options));
  try {
    return (await session.exec('id -un')).stdout.trim();
  } finally {
    await session.close();
  }
}

async function failure(options: Partial<SshTransportOptions>): Promise<ExecKitError> {
  const error = await Session.open(transport(options)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ExecKitError.isInstance(error)).toBe(true);
  return error as ExecKitError;
}

/** Every secret the tests use; none may appear in any error. */
function secrets(): string[] {
  const keyLines = users.keys.all.flatMap((key) => readFileSync(key.path, 'utf8').split('\n').filter((line) => line.length > 20 && !line.startsWith('-----')));
  return [users.bash.password, users.dash.password, ...users.keys.all.flatMap((key) => (key.passphrase ? [key.passphrase] : [])), ...keyLines];
}

function expectNoSecrets(error: Error): void {
  const text = `${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}`;
  for (const secret of secrets()) expect(text).not.toContain(secret);
}

describe('authentication', () => {
  it('logs in with a password', async () => {
    expect(await whoami({ password: users.bash.password })).toBe(users.bash.name);
  });

  it('logs in with each key format, with and without passphrase', async () => {
    const { ed25519, rsaPem, ed25519Encrypted, rsaPemEncrypted } = users.keys;
    expect(await whoami({ privateKeyPath: ed25519.path })).toBe(users.bash.name);
    expect(await whoami({ privateKeyPath: rsaPem.path })).toBe(users.bash.name);
    expect(await whoami({ privateKeyPath: ed25519Encrypted.path, passphrase: ed25519Encrypted.passphrase! })).toBe(users.bash.name);
    expect(await whoami({ privateKeyPath: rsaPemEncrypted.path, passphrase: rsaPemEncrypted.passphrase! })).toBe(users.bash.name);
  });

  it('sends a key file\'s request signed at once (RFC 4252 §7), and still asks first for agent keys', async () => {
    for (const key of [users.keys.ed25519, users.keys.rsaPem]) {
      const mark = sshd.logMark();
      expect(await whoami({ privateKeyPath: key.path })).toBe(users.bash.name);
      await sshd.waitForLog(`Accepted publickey for ${users.bash.name}`, { sinceMark: mark });
      // sshd logs an unsigned query it accepts as "Postponed publickey".
      expect(sshd.logs(mark)).not.toMatch(/Postponed publickey/);
    }
    const mark = sshd.logMark();
    expect(await whoami({ agent: agent.socketPath })).toBe(users.bash.name);
    await sshd.waitForLog(`Accepted publickey for ${users.bash.name}`, { sinceMark: mark });
    expect(sshd.logs(mark)).toMatch(/Postponed publickey/);
  });

  it('takes a key path relative to the key directory', async () => {
    const name = users.keys.ed25519.path.split('/').at(-1)!;
    expect(await whoami({ privateKeyPath: name })).toBe(users.bash.name);
  });

  it('logs in through ssh-agent', async () => {
    expect(await whoami({ agent: agent.socketPath })).toBe(users.bash.name);
  });

  it('refuses a wrong password with AUTHENTICATION_FAILED and no secret in the error', async () => {
    const error = await failure({ password: `${users.bash.password}x` });
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.message).toContain(`${users.bash.name}@127.0.0.1:${sshd.port}`);
    expect(error.message).toContain('password');
    expectNoSecrets(error);
  });

  it('refuses a key the server does not know', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'execkit-ssh-otherkey-'));
    const other = join(dir, 'other');
    copyFileSync(users.keys.ed25519.path, other);
    chmodSync(other, 0o600);
    await authorizeKeys(sshd, users, { keys: [users.keys.rsaPem], users: [users.dash.name] });
    try {
      const error = await failure({ user: users.dash.name, privateKeyPath: other, keyDir: dir });
      expect(error.code).toBe('AUTHENTICATION_FAILED');
      expectNoSecrets(error);
    } finally {
      await authorizeKeys(sshd, users);
    }
  });

  it('says an encrypted key needs its passphrase, and refuses a wrong one', async () => {
    const encrypted = users.keys.ed25519Encrypted;
    const missing = await failure({ privateKeyPath: encrypted.path });
    expect(missing.code).toBe('INVALID_KEY');
    expect(missing.message).toMatch(/passphrase/i);
    const wrong = await failure({ privateKeyPath: encrypted.path, passphrase: 'not-the-passphrase' });
    expect(wrong.code).toBe('INVALID_KEY');
    expectNoSecrets(missing);
    expectNoSecrets(wrong);
  });

  it('refuses an unparseable key file', async () => {
    const garbage = join(users.keys.dir, 'garbage');
    writeFileSync(garbage, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
    const error = await failure({ privateKeyPath: garbage });
    expect(error.code).toBe('INVALID_KEY');
    expect(error.message).not.toContain('not a key');
  });

  it('refuses key paths outside the key directory with one generic message', async () => {
    const messages = new Set<string>();
    for (const path of ['../../etc/shadow', '/etc/passwd', 'does-not-exist', '/root/.ssh/id_ed25519']) {
      const error = await failure({ privateKeyPath: path });
      expect(error.code).toBe('KEY_NOT_PERMITTED');
      messages.add(error.message);
    }
    expect(messages.size).toBe(1);
  });

  it('refuses a private key readable by others, in OpenSSH words', async () => {
    const open = join(users.keys.dir, 'too-open');
    copyFileSync(users.keys.ed25519.path, open);
    chmodSync(open, 0o644);
    const error = await failure({ privateKeyPath: open });
    expect(error.code).toBe('KEY_NOT_PERMITTED');
    expect(error.message).toMatch(/Permissions 0644 for '.*too-open' are too open/);
  });
});
