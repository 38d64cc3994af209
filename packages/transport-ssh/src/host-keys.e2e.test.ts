import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecKitError, Session, type Transport } from '@execkit/core';
import { createSshTransport, md5Fingerprint, sha256Fingerprint, type SshTransportOptions } from './index.js';
import { hashKnownHostsName, startSshTestbed, type SshdFixture, type SshTestbed, type TestUsers } from './test-support/index.js';

let bed: SshTestbed;
let sshd: SshdFixture;
let users: TestUsers;
const opened: Transport[] = [];

beforeAll(async () => {
  bed = await startSshTestbed({ hostKeyTypes: ['ed25519', 'rsa'] });
  ({ sshd, users } = bed);
});
afterAll(async () => {
  for (const transport of opened) await transport.close();
  await bed?.dispose();
});

function knownHosts(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'execkit-ssh-kh-')), 'known_hosts');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

function transport(options: Partial<SshTransportOptions>): Transport {
  const created = createSshTransport({
    host: sshd.host,
    port: sshd.port,
    user: users.bash.name,
    password: users.bash.password,
    keyDir: users.keys.dir,
    sshConfigPath: false,
    agent: false,
    ...options,
  });
  opened.push(created);
  return created;
}

async function connects(options: Partial<SshTransportOptions>): Promise<true | ExecKitError> {
  try {
    const session = await Session.open(transport(options));
    const whoami = (await session.exec('id -un')).stdout.trim();
    await session.close();
    expect(whoami).toBe(users.bash.name);
    return true;
  } catch (error) {
    if (!ExecKitError.isInstance(error)) throw error;
    return error;
  }
}

const name = () => `[127.0.0.1]:${sshd.port}`;
const ed25519 = () => sshd.hostPublicKeys.find((key) => key.type === 'ssh-ed25519')!;
const rsa = () => sshd.hostPublicKeys.find((key) => key.type === 'ssh-rsa')!;
const line = (host: string, key: { type: string; blob: Buffer }) => `${host} ${key.type} ${key.blob.toString('base64')}\n`;

/** Asserts the server saw no authentication attempt after `mark`. */
async function expectNoCredentialsSent(mark: number): Promise<void> {
  await sshd.waitForLog(/Connection (closed|reset)|Disconnected|disconnect/i, { sinceMark: mark, timeoutMs: 5_000 }).catch(() => undefined);
  expect(sshd.logs(mark)).not.toMatch(/Accepted|Failed (password|publickey)|Postponed|userauth/i);
}

describe('known_hosts matching', () => {
  it('accepts plain, hashed, [host]:port, comma-list and wildcard entries', async () => {
    for (const host of [name(), hashKnownHostsName(name()), `nothing,${name()}`, '[127.0.0.*]:*']) {
      const outcome = await connects({ knownHostsPath: knownHosts(line(host, ed25519())), hostKeyPolicy: 'strict' });
      expect(outcome, host).toBe(true);
    }
  });

  it('treats a port-22 name as another host, and honours negation', async () => {
    const wrongPort = await connects({ knownHostsPath: knownHosts(line('127.0.0.1', ed25519())), hostKeyPolicy: 'strict' });
    expect(wrongPort).toMatchObject({ code: 'HOST_KEY_REJECTED', rejection: 'unknown' });
    const negated = await connects({ knownHostsPath: knownHosts(line(`[127.0.0.*]:*,!${name()}`, ed25519())), hostKeyPolicy: 'strict' });
    expect(negated).toMatchObject({ code: 'HOST_KEY_REJECTED', rejection: 'unknown' });
  });

  it('reads CRLF files with comments, @cert-authority lines and no trailing newline', async () => {
    const text = `# hosts\r\n@cert-authority * ${rsa().type} ${rsa().blob.toString('base64')}\r\n${line(name(), ed25519()).trimEnd()} comment`;
    expect(await connects({ knownHostsPath: knownHosts(text), hostKeyPolicy: 'strict' })).toBe(true);
  });
});

describe('refusals happen before any credential is sent and leave known_hosts unchanged', () => {
  it('refuses a changed key (a machine in the middle) naming both fingerprints', async () => {
    const path = knownHosts(line(name(), ed25519()));
    expect(await connects({ knownHostsPath: path })).toBe(true);
    const before = readFileSync(path);
    const original = ed25519();
    const keep = sshd.hostKeyFiles.slice();
    await sshd.restart({ hostKeyTypes: ['ed25519'] });
    try {
      const mark = sshd.logMark();
      const error = await connects({ knownHostsPath: path });
      expect(error).toMatchObject({ code: 'HOST_KEY_REJECTED', rejection: 'changed' });
      const message = (error as Error).message;
      expect(message).toContain(name());
      expect(message).toContain(sha256Fingerprint(original.blob));
      expect(message).toContain(sha256Fingerprint(ed25519().blob));
      expect(message).not.toContain(users.bash.password);
      await expectNoCredentialsSent(mark);
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      await sshd.restart({ hostKeyFiles: keep });
    }
  });

  it('refuses a key-type downgrade (ed25519 known, server offers only rsa)', async () => {
    const path = knownHosts(line(name(), ed25519()));
    const keep = sshd.hostKeyFiles.slice();
    const rsaOnly = sshd.hostPublicKeys.filter((key) => key.type === 'ssh-rsa').map((key) => key.privateKeyFile);
    await sshd.restart({ hostKeyFiles: rsaOnly });
    try {
      const mark = sshd.logMark();
      const before = readFileSync(path);
      const error = await connects({ knownHostsPath: path });
      expect(error).toMatchObject({ code: 'HOST_KEY_REJECTED', rejection: 'changed' });
      await expectNoCredentialsSent(mark);
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      await sshd.restart({ hostKeyFiles: keep });
    }
  });

  it('refuses a @revoked key under every policy', async () => {
    const path = knownHosts(`@revoked ${line(name(), ed25519())}${line(name(), ed25519())}`);
    const before = readFileSync(path);
    for (const hostKeyPolicy of ['strict', 'accept-new', 'insecure-accept-any'] as const) {
      const mark = sshd.logMark();
      const error = await connects({ knownHostsPath: path, hostKeyPolicy });
      expect(error, hostKeyPolicy).toMatchObject({ code: 'HOST_KEY_REJECTED', rejection: 'revoked' });
      await expectNoCredentialsSent(mark);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses an unknown host in strict mode', async () => {
    const path = knownHosts('');
    const mark = sshd.logMark();
    expect(await connects({ knownHostsPath: path, hostKeyPolicy: 'strict' })).toMatchObject({ code: 'HOST_KEY_REJECTED', rejection: 'unknown' });
    await expectNoCredentialsSent(mark);
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});

describe('learning and pinning', () => {
  it('accept-new learns an unknown host with one well-formed line, then trusts it', async () => {
    const path = knownHosts('# mine, no trailing newline');
    expect(await connects({ knownHostsPath: path })).toBe(true);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[0]).toBe('# mine, no trailing newline');
    expect(lines[1]).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-(ed25519|rsa) AAAA[A-Za-z0-9+/=]+$`));
    expect(lines.slice(2)).toEqual(['']);
    expect(await connects({ knownHostsPath: path, hostKeyPolicy: 'strict' })).toBe(true);
  });

  it('two sessions learning the same host at once write one line', async () => {
    const path = knownHosts('');
    const outcomes = await Promise.all([connects({ knownHostsPath: path }), connects({ knownHostsPath: path }), connects({ knownHostsPath: path })]);
    expect(outcomes).toEqual([true, true, true]);
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(1);
  });

  it('pins a fingerprint given as SHA256, hex or MD5, and refuses another', async () => {
    // The server negotiates its ed25519 key (ssh2 prefers it): that is the key to pin.
    const path = knownHosts('');
    for (const key of [ed25519()]) {
      const hex = Buffer.from(sha256Fingerprint(key.blob).slice(7), 'base64').toString('hex');
      for (const fingerprint of [sha256Fingerprint(key.blob), hex, md5Fingerprint(key.blob)]) {
        expect(await connects({ knownHostsPath: path, fingerprint }), fingerprint).toBe(true);
      }
    }
    const mark = sshd.logMark();
    const wrong = await connects({ knownHostsPath: path, fingerprint: `SHA256:${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}` });
    expect(wrong).toMatchObject({ code: 'HOST_KEY_REJECTED', rejection: 'mismatch' });
    await expectNoCredentialsSent(mark);
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('accepts anything only with the explicit insecure policy, writing nothing', async () => {
    const path = knownHosts(line(name(), { type: 'ssh-ed25519', blob: Buffer.from(`${'\0\0\0\x0bssh-ed25519\0\0\0 '}${'x'.repeat(32)}`, 'latin1') }));
    const before = readFileSync(path);
    expect(await connects({ knownHostsPath: path })).toMatchObject({ code: 'HOST_KEY_REJECTED' });
    expect(await connects({ knownHostsPath: path, hostKeyPolicy: 'insecure-accept-any' })).toBe(true);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
