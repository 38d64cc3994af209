import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The SSH test fixtures (a real sshd on loopback, test users and keys) live with the transport.
import { startSshTestbed, type SshdFixture, type SshTestbed, type TestUsers } from '../../../packages/transport-ssh/src/test-support/index.js';
import { PACKAGE_DIR, call, callOk, spawnServer, textOf, type SpawnedServer } from './__fixtures__/helpers.js';
import type { ExecToolResult } from './tools/session-exec.js';

let bed: SshTestbed;
let sshd: SshdFixture;
let users: TestUsers;
let server: SpawnedServer;
let dir: string;

beforeAll(async () => {
  bed = await startSshTestbed();
  ({ sshd, users, dir } = bed);
  writeFileSync(
    join(dir, 'config'),
    ['Host box', '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  User ${users.bash.name}`, 'Host other', '  HostName 127.0.0.2', ''].join('\n'),
    { mode: 0o600 },
  );
  server = await spawnServer({
    EXECKIT_MCP_KEY_DIR: users.keys.dir,
    EXECKIT_MCP_KNOWN_HOSTS: join(dir, 'known_hosts'),
    EXECKIT_MCP_SSH_CONFIG: join(dir, 'config'),
    EXECKIT_MCP_HOST_KEY_POLICY: 'strict',
  });
});
afterAll(async () => {
  await server?.client.close();
  await bed?.dispose();
});

describe('execkit-mcp with ssh', () => {
  it('lists the ssh_config hosts by name, without secrets', async () => {
    const { hosts } = await callOk<{ hosts: unknown[] }>(server.client, 'host_list');
    expect(hosts).toEqual([
      { name: 'box', hostname: '127.0.0.1', user: users.bash.name, port: sshd.port },
      { name: 'other', hostname: '127.0.0.2' },
    ]);
  });

  it('runs a session on an ssh_config alias with a key from the key directory', async () => {
    const { session_id } = await callOk<{ session_id: string }>(server.client, 'session_create', {
      transport: 'ssh',
      host: 'box',
      key_path: basename(users.keys.ed25519.path),
    });
    expect(session_id).toMatch(/^\d+_ssh$/);
    await callOk(server.client, 'session_exec', { session_id, command: 'cd /tmp && export EK_MCP=1' });
    const result = await callOk<ExecToolResult>(server.client, 'session_exec', { session_id, command: 'id -un; echo "$PWD $EK_MCP"; echo err >&2' });
    expect(result).toMatchObject({ stdout: `${users.bash.name}\n/tmp 1\n`, stderr: 'err\n', exit_code: 0, cwd: '/tmp', reconnected: false });
    const { sessions } = await callOk<{ sessions: Array<{ session_id: string; transport: string }> }>(server.client, 'session_list');
    expect(sessions).toContainEqual(expect.objectContaining({ session_id, transport: 'ssh' }));
    expect(await callOk(server.client, 'session_destroy', { session_id })).toEqual({ destroyed: true });
  });

  it('logs in with a password given by address and port', async () => {
    const { session_id } = await callOk<{ session_id: string }>(server.client, 'session_create', {
      transport: 'ssh',
      host: '127.0.0.1',
      port: sshd.port,
      user: users.dash.name,
      password: users.dash.password,
    });
    const result = await callOk<ExecToolResult>(server.client, 'session_exec', { session_id, command: 'id -un' });
    expect(result.stdout).toBe(`${users.dash.name}\n`);
    await callOk(server.client, 'session_destroy', { session_id });
  });

  it('answers bad requests with clear tool errors that carry no secret', async () => {
    const wrong = await call(server.client, 'session_create', { transport: 'ssh', host: 'box', password: 'wrong-password-4711' });
    expect(wrong.isError).toBe(true);
    expect(textOf(wrong)).toMatch(/^AUTHENTICATION_FAILED: /);
    expect(textOf(wrong)).not.toContain('wrong-password-4711');

    const escape = await call(server.client, 'session_create', { transport: 'ssh', host: 'box', key_path: '../../etc/shadow' });
    expect(textOf(escape)).toMatch(/^KEY_NOT_PERMITTED: /);

    const unknownHost = await call(server.client, 'session_create', { transport: 'ssh', host: '127.0.0.1', port: sshd.port + 0, user: 'x', fingerprint: 'nonsense' });
    expect(textOf(unknownHost)).toMatch(/^INVALID_OPTIONS: /);

    const noHost = await call(server.client, 'session_create', { transport: 'ssh' });
    expect(textOf(noHost)).toMatch(/needs host/);
    const localWithHost = await call(server.client, 'session_create', { transport: 'local', host: 'box' });
    expect(textOf(localWithHost)).toMatch(/only apply to transport "ssh"/);
    const badPort = await call(server.client, 'session_create', { transport: 'ssh', host: 'box', port: 70_000 });
    expect(badPort.isError).toBe(true);
    expect(server.stderr()).not.toContain('wrong-password-4711');
  });

  it('refuses a host whose key is not in known_hosts under the strict policy', async () => {
    // 127.0.0.1 on port 22 is a different known_hosts name than [127.0.0.1]:port.
    const result = await call(server.client, 'session_create', { transport: 'ssh', host: '127.0.0.1', port: sshd.port, user: users.bash.name, password: users.bash.password });
    expect(result.isError).toBeFalsy();
    const strict = await spawnServer({ EXECKIT_MCP_KNOWN_HOSTS: join(dir, 'empty_known_hosts'), EXECKIT_MCP_HOST_KEY_POLICY: 'strict', EXECKIT_MCP_KEY_DIR: users.keys.dir });
    try {
      const refused = await call(strict.client, 'session_create', { transport: 'ssh', host: '127.0.0.1', port: sshd.port, user: users.bash.name, password: users.bash.password });
      expect(textOf(refused)).toMatch(/^HOST_KEY_REJECTED: /);
      expect(textOf(refused)).toContain(sshd.hostPublicKeys[0]!.fingerprint);
    } finally {
      await strict.client.close();
    }
  });

  it('accepts any host key only when the operator opts in, writing nothing', async () => {
    const knownHosts = join(dir, 'insecure_known_hosts');
    writeFileSync(knownHosts, '', { mode: 0o600 });
    const insecure = await spawnServer({ EXECKIT_MCP_KNOWN_HOSTS: knownHosts, EXECKIT_MCP_INSECURE_ACCEPT_ANY_HOSTKEY: '1', EXECKIT_MCP_KEY_DIR: users.keys.dir });
    try {
      const created = await callOk<{ session_id: string }>(insecure.client, 'session_create', {
        transport: 'ssh',
        host: '127.0.0.1',
        port: sshd.port,
        user: users.bash.name,
        password: users.bash.password,
      });
      expect(created.session_id).toMatch(/_ssh$/);
      expect(readFileSync(knownHosts, 'utf8')).toBe('');
    } finally {
      await insecure.client.close();
    }
  });

  it('refuses to start with an unknown host key policy', () => {
    const run = spawnSync(process.execPath, ['bin/execkit-mcp.js'], { cwd: PACKAGE_DIR, env: { ...process.env, EXECKIT_MCP_HOST_KEY_POLICY: 'yolo' }, input: '', encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/EXECKIT_MCP_HOST_KEY_POLICY/);
    expect(run.stdout).toBe('');
  });
});
