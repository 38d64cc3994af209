import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLostError, Session, type Transport } from '@execkit/core';
import { createSshTransport, type SshTransportOptions } from './index.js';
import { authorizeKeys, startSshd, startSshTestbed, startTcpProxy, type SshdFixture, type SshTestbed, type TestUsers } from './test-support/index.js';

let bed: SshTestbed;
let sshd: SshdFixture;
let users: TestUsers;
const opened: Transport[] = [];

beforeAll(async () => {
  bed = await startSshTestbed({ maxSessions: 10 });
  ({ sshd, users } = bed);
});
afterAll(async () => {
  for (const transport of opened) await transport.close();
  await bed?.dispose();
});

function transport(options: Partial<SshTransportOptions> = {}): Transport {
  const created = createSshTransport({
    host: sshd.host,
    port: sshd.port,
    user: users.bash.name,
    privateKeyPath: users.keys.ed25519.path,
    keyDir: users.keys.dir,
    knownHostsPath: join(mkdtempSync(join(tmpdir(), 'execkit-ssh-health-')), 'known_hosts'),
    sshConfigPath: false,
    agent: false,
    ...options,
  });
  opened.push(created);
  return created;
}

/** Session shells of the test user still running on the server. */
async function remoteShells(via: Transport): Promise<number> {
  const result = await via.runSideCommand(`ps -u ${users.bash.name} -o args= | grep -c -- '^bash --noprofile --norc --noediting -i' || true`);
  return Number.parseInt(result.stdout.trim(), 10);
}

describe('connection health', () => {
  it('fails a running command with CONNECTION_LOST when the peer goes silent, then reconnects and restores cwd and exports', async () => {
    const proxy = await startTcpProxy(sshd.port);
    try {
      const keepaliveIntervalMs = 300;
      const via = transport({ port: proxy.port, keepaliveIntervalMs, keepaliveCountMax: 3 });
      const session = await Session.open(via);
      await session.exec('cd /tmp && export EK_RECONNECT=kept && ek_unexported=gone && ek_fn() { :; }');
      setTimeout(() => proxy.blackhole(), 200);
      // The blackholed link carries nothing until resume() below (bytes are held, not dropped, and
      // no FIN or RST arrives), so only the unanswered keepalives can end this command.
      const lost = await session.exec('echo started; sleep 30').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(lost).toBeInstanceOf(ConnectionLostError);
      expect((lost as ConnectionLostError).code).toBe('CONNECTION_LOST');
      expect((lost as ConnectionLostError).message).toMatch(/outcome is unknown/);
      expect((lost as ConnectionLostError).partial).toMatchObject({ stdout: 'started\n', exitCode: null });
      expect(session.closed).toBe(false);

      const oldShell = session.info().shellPid;
      proxy.dropConnections();
      proxy.resume();
      const after = await session.exec('echo "$PWD $EK_RECONNECT ${ek_unexported-unset}"; type ek_fn >/dev/null 2>&1 || echo no-fn');
      expect(after).toMatchObject({ stdout: '/tmp kept unset\nno-fn\n', exitCode: 0, reconnected: true });
      // The old shell (still in `sleep 30` on the server) was ended (a zombie counts as ended:
      // this machine's init does not reap orphans).
      const state = await via.runSideCommand(`s=$(sed 's/.*) //' /proc/${oldShell}/stat 2>/dev/null | cut -d' ' -f1); case "$s" in ''|Z) echo gone;; *) echo "alive $s";; esac`);
      expect(state.stdout).toBe('gone\n');
      const next = await session.exec('echo again');
      expect(next).toMatchObject({ stdout: 'again\n', reconnected: false });
      await session.close();
      await expect(session.exec('true')).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    } finally {
      await proxy.close();
    }
  });

  it('gives up connecting to a silent host after connectTimeoutMs', async () => {
    const proxy = await startTcpProxy(sshd.port);
    try {
      proxy.blackhole();
      const error = await Session.open(transport({ port: proxy.port, connectTimeoutMs: 500 })).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'TRANSPORT_START_FAILED' });
      // The connect timer gave up (the silent host itself never answers or closes).
      expect((error as Error).message).toMatch(/no SSH handshake within 500 ms/);
    } finally {
      await proxy.close();
    }
  });

  it('runs more sessions than MaxSessions over extra connections, and leaks no shell after close', async () => {
    const via = transport();
    const sessions = await Promise.all(Array.from({ length: 15 }, () => Session.open(via)));
    const pids = await Promise.all(sessions.map(async (session) => (await session.exec('echo $$')).stdout.trim()));
    expect(new Set(pids).size).toBe(15);
    const timed = await sessions[14]!.exec('sleep 30', { timeoutMs: 300 });
    expect(timed).toMatchObject({ timedOut: true, sessionClosed: false });
    expect(await remoteShells(via)).toBe(15);
    await Promise.all(sessions.map((session) => session.close()));
    expect(await remoteShells(via)).toBe(0);
  });

  it('copes with a server that allows fewer channels than assumed', async () => {
    const small = await startSshd({ maxSessions: 3 });
    try {
      await authorizeKeys(small, users);
      const via = transport({ port: small.port });
      const sessions = await Promise.all(Array.from({ length: 7 }, () => Session.open(via)));
      const outputs = await Promise.all(sessions.map((session, index) => session.exec(`echo ${index}`)));
      expect(outputs.map((result) => result.stdout)).toEqual(Array.from({ length: 7 }, (_, index) => `${index}\n`));
      await Promise.all(sessions.map((session) => session.close()));
    } finally {
      await small.dispose();
    }
  });
});
