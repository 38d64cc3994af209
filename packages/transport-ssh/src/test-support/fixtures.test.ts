/**
 * Smoke test of the SSH test infrastructure against a real sshd, using ssh2's `Client` directly.
 */
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Client, ConnectConfig } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeKeys,
  closeClient,
  connectClient,
  ensureTestUsers,
  execCommand,
  isPortAccepting,
  isProcessAlive,
  openExec,
  startSshAgent,
  startSshd,
  startTcpProxy,
  type SshAgent,
  type SshdFixture,
  type TcpProxy,
  type TestUser,
  type TestUsers,
} from './index.js';

let users: TestUsers;
let sshd: SshdFixture;
const fixtures: SshdFixture[] = [];
const agents: SshAgent[] = [];
const proxies: TcpProxy[] = [];
const clients: Client[] = [];
/** Every pid any fixture ever reported, checked dead in afterAll. */
const seenPids = new Set<number>();

async function newSshd(options?: Parameters<typeof startSshd>[0]): Promise<SshdFixture> {
  const fixture = await startSshd(options);
  fixtures.push(fixture);
  if (fixture.pid !== undefined) seenPids.add(fixture.pid);
  await authorizeKeys(fixture, users);
  return fixture;
}

async function connect(fixture: { host: string; port: number }, user: TestUser, auth: ConnectConfig): Promise<Client> {
  const client = await connectClient({ host: fixture.host, port: fixture.port, username: user.name, ...auth });
  clients.push(client);
  return client;
}

function recordPids(fixture: SshdFixture): void {
  for (const pid of fixture.processIds()) seenPids.add(pid);
}

beforeAll(async () => {
  users = await ensureTestUsers();
  sshd = await newSshd();
});

afterAll(async () => {
  for (const fixture of fixtures) recordPids(fixture);
  for (const agent of agents) for (const pid of [agent.pid, ...agent.processIds()]) seenPids.add(pid);
  await Promise.all(clients.map((client) => closeClient(client, 500)));
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await Promise.all(agents.map((agent) => agent.stop()));
  await Promise.all(fixtures.map((fixture) => fixture.dispose()));
  const keyDir = users?.keys.dir;
  await users?.dispose();

  const alive = [...seenPids].filter((pid) => isProcessAlive(pid));
  expect(alive).toEqual([]);
  for (const fixture of fixtures) {
    expect(fixture.running).toBe(false);
    expect(existsSync(fixture.dir)).toBe(false);
    expect(await isPortAccepting(fixture.port)).toBe(false);
  }
  for (const agent of agents) expect(existsSync(agent.socketPath)).toBe(false);
  for (const proxy of proxies) {
    expect(proxy.connections()).toBe(0);
    expect(await isPortAccepting(proxy.port)).toBe(false);
  }
  if (keyDir) expect(existsSync(keyDir)).toBe(false);
});

describe('sshd fixture', () => {
  it('listens on 127.0.0.1 and exposes its host key', () => {
    expect(sshd.host).toBe('127.0.0.1');
    expect(sshd.port).toBeGreaterThan(0);
    expect(sshd.hostKeyFiles).toHaveLength(1);
    const [key] = sshd.hostPublicKeys;
    expect(key?.type).toBe('ssh-ed25519');
    expect(sshd.knownHostsLine()).toBe(`[127.0.0.1]:${sshd.port} ssh-ed25519 ${key?.base64}\n`);
    expect(readFileSync(sshd.configPath, 'utf8')).toContain('UsePAM no');
  });

  it('logs in by password with the login shell of each user', async () => {
    for (const [user, shell] of [
      [users.bash, 'bash'],
      [users.dash, 'dash'],
    ] as const) {
      const client = await connect(sshd, user, { password: user.password });
      const result = await execCommand(client, 'echo $0; id -un');
      expect(result).toMatchObject({ stdout: `${shell}\n${user.name}\n`, stderr: '', code: 0 });
      await closeClient(client);
    }
  });

  it('logs in with each of the four key files', async () => {
    for (const key of users.keys.all) {
      const client = await connect(sshd, users.bash, {
        privateKey: readFileSync(key.path),
        ...(key.passphrase !== undefined ? { passphrase: key.passphrase } : {}),
      });
      expect((await execCommand(client, 'id -un')).stdout).toBe(`${users.bash.name}\n`);
      await closeClient(client);
    }
    expect(readFileSync(users.keys.rsaPem.path, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(readFileSync(users.keys.rsaPemEncrypted.path, 'utf8')).toMatch(/Proc-Type: 4,ENCRYPTED/);
    expect(readFileSync(users.keys.ed25519Encrypted.path, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  });

  it('rejects an encrypted key without passphrase before contacting the server', async () => {
    const mark = sshd.logMark();
    await expect(
      connect(sshd, users.bash, { privateKey: readFileSync(users.keys.ed25519Encrypted.path) }),
    ).rejects.toThrow(/passphrase/i);
    // A wrong password is refused by the server (and logged).
    await expect(connect(sshd, users.dash, { password: 'wrong' })).rejects.toThrow(/authentication methods failed/);
    await sshd.waitForLog(/Failed password for execkit-dash/, { sinceMark: mark });
    expect(sshd.logs(mark)).not.toMatch(/execkit-bash/);
  });

  it('logs in through the ssh-agent', async () => {
    const agent = await startSshAgent([users.keys.ed25519.path, users.keys.rsaPem.path]);
    agents.push(agent);
    expect(agent.publicKeys).toHaveLength(2);
    await expect(startSshAgent([users.keys.rsaPemEncrypted.path])).rejects.toThrow(/passphrase-less/);
    for (const user of users.users) {
      const client = await connect(sshd, user, { agent: agent.socketPath });
      expect((await execCommand(client, 'id -un')).stdout).toBe(`${user.name}\n`);
      await closeClient(client);
    }
  });
});

describe('host keys', () => {
  it('hostVerifier sees the fixture key; a restart on the same port can change it', async () => {
    const fixture = await newSshd();
    const seen: string[] = [];
    const verifier = { hostVerifier: (key: Buffer) => (seen.push(key.toString('base64')), true) };
    const first = await connect(fixture, users.bash, { password: users.bash.password, ...verifier });
    expect(seen).toEqual([fixture.hostPublicKeys[0]?.base64]);

    const port = fixture.port;
    const oldKey = fixture.hostPublicKeys[0]?.base64;
    const oldFiles = [...fixture.hostKeyFiles];
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    recordPids(fixture);
    await fixture.restart({ regenerateHostKeys: true });
    if (fixture.pid !== undefined) seenPids.add(fixture.pid);
    await firstClosed; // stop() kills established connections by default
    expect(fixture.port).toBe(port);
    const newKey = fixture.hostPublicKeys[0]?.base64;
    expect(newKey).not.toBe(oldKey);
    await connect(fixture, users.bash, { password: users.bash.password, ...verifier });
    expect(seen).toEqual([oldKey, newKey]);

    // Back to the original identity, with a connection that survives the restart.
    const survivor = await connect(fixture, users.dash, { password: users.dash.password });
    recordPids(fixture);
    await fixture.restart({ hostKeyFiles: oldFiles, keepConnections: true });
    expect((await execCommand(survivor, 'echo alive')).stdout).toBe('alive\n');
    await connect(fixture, users.bash, { password: users.bash.password, ...verifier });
    expect(seen).toEqual([oldKey, newKey, oldKey]);

    // Several key types: ssh2 picks by its own preference unless told. This restart (without
    // keepConnections) also ends the connection kept by the previous one.
    const survivorClosed = new Promise<void>((resolve) => survivor.once('close', () => resolve()));
    recordPids(fixture);
    await fixture.restart({ hostKeyTypes: ['ed25519', 'rsa', 'ecdsa'] });
    await survivorClosed;
    expect(fixture.hostPublicKeys.map((k) => k.type)).toEqual(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256']);
    const rsa = fixture.hostPublicKeys[1];
    await connect(fixture, users.bash, {
      password: users.bash.password,
      algorithms: { serverHostKey: ['rsa-sha2-512'] },
      ...verifier,
    });
    expect(seen.at(-1)).toBe(rsa?.base64);
    expect(fixture.knownHostsLines()).toHaveLength(3);
  });
});

describe('jump host', () => {
  it('reaches the target through forwardOut on a second sshd', async () => {
    const jump = await newSshd();
    const hop = await connect(jump, users.dash, { privateKey: readFileSync(users.keys.ed25519.path) });
    const stream = await new Promise<import('ssh2').ClientChannel>((resolve, reject) =>
      hop.forwardOut('127.0.0.1', 0, sshd.host, sshd.port, (error, channel) => (error ? reject(error) : resolve(channel))),
    );
    const seen: string[] = [];
    const target = await connect(sshd, users.bash, {
      sock: stream,
      password: users.bash.password,
      hostVerifier: (key: Buffer) => (seen.push(key.toString('base64')), true),
    });
    expect(seen).toEqual([sshd.hostPublicKeys[0]?.base64]);
    expect((await execCommand(target, 'echo $0; id -un')).stdout).toBe('bash\nexeckit-bash\n');
    await closeClient(target);
    await closeClient(hop);
  });
});

describe('tcp proxy', () => {
  it('forwards, then blackholes without closing, then resumes', async () => {
    const proxy = await startTcpProxy(sshd.port);
    proxies.push(proxy);
    // Our own socket, so the raw bytes arriving from the server can be watched.
    const sock = createConnection({ host: proxy.host, port: proxy.port });
    await once(sock, 'connect');
    let received = 0;
    sock.on('data', (chunk: Buffer) => (received += chunk.length));
    const client = await connect(proxy, users.bash, { sock, password: users.bash.password });
    expect(proxy.connections()).toBe(1);
    expect((await execCommand(client, 'echo before')).stdout).toBe('before\n');

    proxy.blackhole();
    let answered = false;
    let closed = false;
    client.once('close', () => (closed = true));
    const before = received;
    const pending = execCommand(client, 'echo after').finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(received).toBe(before); // not a single byte within 1 s
    expect(answered).toBe(false);
    expect(closed).toBe(false);
    expect(sock.destroyed).toBe(false);
    expect(proxy.connections()).toBe(1);

    proxy.resume();
    expect((await pending).stdout).toBe('after\n');

    proxy.blackhole();
    client.destroy();
    await proxy.close();
    expect(proxy.connections()).toBe(0);
  });
});

describe('MaxSessions', () => {
  it('refuses the third concurrent session channel with maxSessions: 2', async () => {
    const limited = await newSshd({ maxSessions: 2 });
    const client = await connect(limited, users.bash, { password: users.bash.password });
    // `cat` holds its channel open until stdin closes, and exits when it does.
    const one = await openExec(client, 'cat');
    const two = await openExec(client, 'cat');
    await expect(openExec(client, 'cat')).rejects.toThrow(/open failed/);
    // The slot frees only once the server has closed the channel, not when we send EOF.
    // ssh2 only emits 'close' once the channel's streams were consumed (resume()/'data').
    await Promise.all(
      [one, two].map((channel) => {
        channel.resume();
        channel.stderr.resume();
        channel.end();
        return once(channel, 'close');
      }),
    );
    // A non-pty command outlives its client (sshd does not kill it); the fixture still finds it.
    // ssh2's 'close' comes before sshd has processed our CHANNEL_CLOSE: wait for sshd to free both.
    await limited.waitForLog(/Close session: .* id 0$/);
    await limited.waitForLog(/Close session: .* id 1$/);
    await openExec(client, 'sleep 600');
    await closeClient(client);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const leftovers = limited.processIds();
    expect(leftovers.length).toBeGreaterThan(1); // listener + the orphaned `sleep 600`
    for (const pid of leftovers) seenPids.add(pid);
  });
});
