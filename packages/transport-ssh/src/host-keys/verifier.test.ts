import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ExecKitError, InvalidOptionsError } from '@execkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostKeyError, type HostKeyRejection } from '../errors.js';
import { type TestKey, generateKey, makeTempDir, opensshFingerprint, opensshLookup } from './__fixtures__/keys.js';
import {
  type HostKeyPolicy,
  type VerifyHostKeyOptions,
  checkHostKey,
  formatKnownHostsLine,
  hashKnownHostName,
  md5Fingerprint,
  parseKnownHosts,
  sha256Fingerprint,
  verifyHostKey,
} from './index.js';

let temp: ReturnType<typeof makeTempDir>;
let ed: TestKey;
let ed2: TestKey;
let rsa: TestKey;
let ecdsa: TestKey;
let fileCounter = 0;

beforeAll(() => {
  temp = makeTempDir();
  ed = generateKey(temp.dir, 'ed25519', 'ed');
  ed2 = generateKey(temp.dir, 'ed25519', 'ed2');
  rsa = generateKey(temp.dir, 'rsa', 'rsa');
  ecdsa = generateKey(temp.dir, 'ecdsa', 'ecdsa');
});

afterAll(() => temp.cleanup());

/** A fresh known_hosts path, written with `content` unless it is undefined. */
function knownHosts(content?: string): string {
  const dir = join(temp.dir, `case-${++fileCounter}`);
  mkdirSync(dir);
  const path = join(dir, 'known_hosts');
  if (content !== undefined) writeFileSync(path, content);
  return path;
}

function snapshot(path: string): Buffer | null {
  return existsSync(path) ? readFileSync(path) : null;
}

async function rejection(promise: Promise<unknown>, expected: HostKeyRejection): Promise<HostKeyError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a HostKeyError (${expected})`).toBeInstanceOf(HostKeyError);
  const error = caught as HostKeyError;
  expect(error.rejection).toBe(expected);
  expect(error.code).toBe('HOST_KEY_REJECTED');
  expect(ExecKitError.isInstance(error)).toBe(true);
  return error;
}

function options(path: string, policy: HostKeyPolicy, key: TestKey, extra: Partial<VerifyHostKeyOptions> = {}): VerifyHostKeyOptions {
  return { host: '127.0.0.1', port: 2222, keyBlob: key.blob, policy, knownHostsPath: path, ...extra };
}

const ALL_POLICIES: HostKeyPolicy[] = ['strict', 'accept-new', 'pinned', 'insecure-accept-any'];

describe('strict', () => {
  it('accepts a key known for the host (plain, hashed, [host]:port, wildcard, several keys per host)', async () => {
    const path = knownHosts(
      [
        '# my hosts',
        `[127.0.0.1]:2222 ${ed.text} first`,
        `[127.0.0.1]:2222 ${ecdsa.text}`,
        `${hashKnownHostName('hashed.example')} ${rsa.text}`,
        `*.wild.example,!no.wild.example ${ed.text}`,
        `Upper.Example ${ed2.text}`,
        'garbage line that is skipped',
        '',
      ].join('\r\n'),
    );
    const before = snapshot(path);
    await expect(verifyHostKey(options(path, 'strict', ed))).resolves.toEqual({ learned: false });
    await expect(verifyHostKey(options(path, 'strict', ecdsa))).resolves.toEqual({ learned: false });
    await expect(verifyHostKey({ ...options(path, 'strict', rsa), host: 'hashed.example', port: 22 })).resolves.toEqual({ learned: false });
    await expect(verifyHostKey({ ...options(path, 'strict', ed), host: 'a.wild.example', port: 22 })).resolves.toEqual({ learned: false });
    await expect(verifyHostKey({ ...options(path, 'strict', ed2), host: 'UPPER.example', port: 22 })).resolves.toEqual({ learned: false });
    await rejection(verifyHostKey({ ...options(path, 'strict', ed), host: 'no.wild.example', port: 22 }), 'unknown');
    // The port is part of the name: the same host on port 22 is unknown.
    await rejection(verifyHostKey({ ...options(path, 'strict', ed), port: 22 }), 'unknown');
    expect(snapshot(path)).toEqual(before);
  });

  it('refuses an unknown host, naming it and the fingerprint, and leaves the file alone', async () => {
    const content = `other.example ${ed.text}\n`;
    const path = knownHosts(content);
    const error = await rejection(verifyHostKey(options(path, 'strict', ed)), 'unknown');
    expect(error.host).toBe('[127.0.0.1]:2222');
    expect(error.offeredFingerprint).toBe(opensshFingerprint(ed.pubPath));
    expect(error.expectedFingerprints).toEqual([]);
    expect(error.message).toContain('[127.0.0.1]:2222');
    expect(error.message).toContain(opensshFingerprint(ed.pubPath));
    expect(error.message).toMatch(/strict/);
    expect(readFileSync(path, 'utf8')).toBe(content);

    const missing = knownHosts();
    await rejection(verifyHostKey(options(missing, 'strict', ed)), 'unknown');
    expect(existsSync(missing)).toBe(false);
  });
});

describe('changed keys', () => {
  for (const policy of ['strict', 'accept-new'] as const) {
    it(`refuses a changed key (${policy}) with both fingerprints, and keeps the file byte-identical`, async () => {
      const content = `# header\n[127.0.0.1]:2222 ${ed.text} old key\nno-newline.example ${rsa.text}`;
      const path = knownHosts(content);
      const before = snapshot(path);
      const error = await rejection(verifyHostKey(options(path, policy, ed2)), 'changed');
      const offered = opensshFingerprint(ed2.pubPath);
      const known = opensshFingerprint(ed.pubPath);
      expect(error.offeredFingerprint).toBe(offered);
      expect(error.expectedFingerprints).toEqual([known]);
      expect(error.message).toContain('[127.0.0.1]:2222');
      expect(error.message).toContain(offered);
      expect(error.message).toContain(known);
      expect(error.message).toContain('line 2');
      expect(error.message).toContain(`ssh-keygen -R '[127.0.0.1]:2222' -f ${path}`);
      expect(error.message).not.toContain(ed2.text.split(' ')[1]!); // fingerprints, not key material
      expect(snapshot(path)).toEqual(before);
    });

    it(`refuses a key-type downgrade (${policy}): ed25519 known, rsa offered`, async () => {
      const path = knownHosts(`[127.0.0.1]:2222 ${ed.text}\n[127.0.0.1]:2222 ${ecdsa.text}\n`);
      const before = snapshot(path);
      const error = await rejection(verifyHostKey(options(path, policy, rsa)), 'changed');
      expect(error.expectedFingerprints).toEqual([sha256Fingerprint(ed.blob), sha256Fingerprint(ecdsa.blob)]);
      expect(error.message).toContain(sha256Fingerprint(rsa.blob));
      expect(error.message).toContain(sha256Fingerprint(ed.blob));
      expect(error.message).toContain(sha256Fingerprint(ecdsa.blob));
      expect(error.message).toMatch(/ssh-rsa/);
      expect(error.message).toMatch(/downgrade/);
      expect(snapshot(path)).toEqual(before);
    });
  }

  it('a hashed entry for the host also makes another key "changed"', async () => {
    const path = knownHosts(`${formatKnownHostsLine('127.0.0.1', 2222, ed.blob, { hash: true })}\n`);
    await rejection(verifyHostKey(options(path, 'accept-new', ed2)), 'changed');
  });
});

describe('@revoked', () => {
  it('is refused under every policy, including pinned to that very key and insecure-accept-any', async () => {
    const content = `[127.0.0.1]:2222 ${rsa.text}\n@revoked * ${rsa.text}\n`;
    const path = knownHosts(content);
    for (const policy of ALL_POLICIES) {
      const extra = policy === 'pinned' ? { fingerprint: sha256Fingerprint(rsa.blob) } : {};
      const error = await rejection(verifyHostKey(options(path, policy, rsa, extra)), 'revoked');
      expect(error.message).toContain('[127.0.0.1]:2222');
      expect(error.message).toContain(sha256Fingerprint(rsa.blob));
      expect(error.message).toContain('@revoked');
      expect(error.message).toContain('line 2');
    }
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('applies by host pattern (hashed too) and only to the listed key', async () => {
    const path = knownHosts(
      [`@revoked ${hashKnownHostName('[127.0.0.1]:2222')} ${ed2.text}`, `@revoked other.example ${ed.text}`, ''].join('\n'),
    );
    for (const policy of ALL_POLICIES) {
      const extra = policy === 'pinned' ? { fingerprint: sha256Fingerprint(ed2.blob) } : {};
      await rejection(verifyHostKey(options(path, policy, ed2, extra)), 'revoked');
    }
    // ed is revoked only for other.example; for this host it is simply unknown.
    await rejection(verifyHostKey(options(path, 'strict', ed)), 'unknown');
    await expect(verifyHostKey(options(path, 'insecure-accept-any', ed))).resolves.toEqual({ learned: false });
    await rejection(verifyHostKey({ ...options(path, 'insecure-accept-any', ed), host: 'other.example', port: 22 }), 'revoked');
  });

  it('revoked lines do not count as known keys for the host', async () => {
    const path = knownHosts(`@revoked [127.0.0.1]:2222 ${ed2.text}\n`);
    await rejection(verifyHostKey(options(path, 'strict', ed)), 'unknown');
    await expect(verifyHostKey(options(path, 'accept-new', ed))).resolves.toEqual({ learned: true });
  });
});

describe('@cert-authority', () => {
  it('is never used as a host key match', async () => {
    const content = `@cert-authority [127.0.0.1]:2222,* ${ed.text}\n`;
    const path = knownHosts(content);
    await rejection(verifyHostKey(options(path, 'strict', ed)), 'unknown');
    expect(checkHostKey(parseKnownHosts(content), '127.0.0.1', 2222, ed.blob)).toEqual({ status: 'unknown' });
    // and does not make a different key look "changed" either
    await expect(verifyHostKey(options(path, 'accept-new', rsa))).resolves.toEqual({ learned: true });
  });
});

describe('accept-new (trust on first use)', () => {
  it('appends exactly one well-formed line that ssh-keygen -F finds, then knows the key', async () => {
    const content = `# header\nother.example ${rsa.text}\n`;
    const path = knownHosts(content);
    await expect(verifyHostKey(options(path, 'accept-new', ed))).resolves.toEqual({ learned: true });
    const after = readFileSync(path, 'utf8');
    expect(after).toBe(`${content}[127.0.0.1]:2222 ${ed.text}\n`);
    expect(opensshLookup('[127.0.0.1]:2222', path)).toEqual([{ line: 3, tag: '' }]);
    await expect(verifyHostKey(options(path, 'accept-new', ed))).resolves.toEqual({ learned: false });
    await expect(verifyHostKey(options(path, 'strict', ed))).resolves.toEqual({ learned: false });
    expect(readFileSync(path, 'utf8')).toBe(after);
    // A different key for the now-known host is a changed key.
    await rejection(verifyHostKey(options(path, 'accept-new', ed2)), 'changed');
    expect(readFileSync(path, 'utf8')).toBe(after);
  });

  it('writes port 22 hosts without brackets, lowercased', async () => {
    const path = knownHosts('');
    await verifyHostKey({ ...options(path, 'accept-new', ecdsa), host: 'Server.Example', port: 22 });
    expect(readFileSync(path, 'utf8')).toBe(`server.example ${ecdsa.text}\n`);
    expect(opensshLookup('server.example', path)).toEqual([{ line: 1, tag: '' }]);
  });

  it('writes a hashed name when hashNewEntries is set', async () => {
    const path = knownHosts();
    await expect(verifyHostKey(options(path, 'accept-new', rsa, { hashNewEntries: true }))).resolves.toEqual({ learned: true });
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-rsa [A-Za-z0-9+/=]+\n$/);
    expect(text).not.toContain('127.0.0.1');
    expect(text.split(' ').slice(1).join(' ')).toBe(`${rsa.text}\n`);
    expect(opensshLookup('[127.0.0.1]:2222', path)).toEqual([{ line: 1, tag: '' }]);
    await expect(verifyHostKey(options(path, 'strict', rsa))).resolves.toEqual({ learned: false });
  });

  it('creates a missing file with mode 0600 and missing directories with 0700', async () => {
    const base = join(temp.dir, `case-${++fileCounter}`);
    const path = join(base, 'home', '.ssh', 'known_hosts');
    await expect(verifyHostKey(options(path, 'accept-new', ed))).resolves.toEqual({ learned: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(base, 'home', '.ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(join(base, 'home')).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, 'utf8')).toBe(`[127.0.0.1]:2222 ${ed.text}\n`);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('keeps an existing file mode', async () => {
    const path = knownHosts(`x.example ${rsa.text}\n`);
    const { chmodSync } = await import('node:fs');
    chmodSync(path, 0o644);
    await verifyHostKey(options(path, 'accept-new', ed));
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('starts the new line on its own line when the file lacks a final newline (LF and CRLF)', async () => {
    for (const content of [`# c\nother.example ${rsa.text}`, `# c\r\nother.example ${rsa.text} comment`]) {
      const path = knownHosts(content);
      await expect(verifyHostKey(options(path, 'accept-new', ed))).resolves.toEqual({ learned: true });
      const after = readFileSync(path, 'utf8');
      expect(after).toBe(`${content}\n[127.0.0.1]:2222 ${ed.text}\n`);
      expect(opensshLookup('[127.0.0.1]:2222', path)).toEqual([{ line: 3, tag: '' }]);
      expect(opensshLookup('other.example', path)).toEqual([{ line: 2, tag: '' }]);
      expect(parseKnownHosts(after)).toHaveLength(2);
    }
  });

  it('refusals of malformed options write nothing', async () => {
    const path = knownHosts();
    const bad: Array<[Partial<VerifyHostKeyOptions>, string]> = [
      [{ host: '*' }, 'host'],
      [{ host: 'a,b' }, 'host'],
      [{ host: '' }, 'host'],
      [{ port: 0 }, 'port'],
      [{ port: 70000 }, 'port'],
      [{ keyBlob: Buffer.from('not a key') }, 'keyBlob'],
      [{ keyBlob: ed.blob.subarray(0, 40) }, 'keyBlob'],
      [{ policy: 'yes' as HostKeyPolicy }, 'policy'],
      [{ knownHostsPath: '' }, 'knownHostsPath'],
      [{ hashNewEntries: 'yes' as unknown as boolean }, 'hashNewEntries'],
      [{ lockTimeoutMs: -1 }, 'lockTimeoutMs'],
    ];
    for (const [extra, field] of bad) {
      let caught: unknown;
      try {
        await verifyHostKey({ ...options(path, 'accept-new', ed), ...extra });
      } catch (error) {
        caught = error;
      }
      expect(caught, field).toBeInstanceOf(InvalidOptionsError);
      expect((caught as InvalidOptionsError).field).toBe(field);
    }
    expect(existsSync(path)).toBe(false);
  });
});

describe('pinned', () => {
  function forms(key: TestKey): string[] {
    const hex = createHash('sha256').update(key.blob).digest('hex');
    return [
      opensshFingerprint(key.pubPath),
      `${opensshFingerprint(key.pubPath)}=`,
      hex,
      hex.match(/../g)!.join(':').toUpperCase(),
      opensshFingerprint(key.pubPath, 'md5'),
      md5Fingerprint(key.blob),
    ];
  }

  it('accepts the pinned key in every fingerprint form, ignoring known_hosts and never writing', async () => {
    // known_hosts says the host has another key: pinned ignores that.
    const content = `[127.0.0.1]:2222 ${ed2.text}\n`;
    const path = knownHosts(content);
    const missing = knownHosts();
    for (const fingerprint of forms(ed)) {
      await expect(verifyHostKey(options(path, 'pinned', ed, { fingerprint })), fingerprint).resolves.toEqual({ learned: false });
      await expect(verifyHostKey(options(missing, 'pinned', ed, { fingerprint })), fingerprint).resolves.toEqual({ learned: false });
    }
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses any other key with rejection "mismatch", naming both fingerprints', async () => {
    const path = knownHosts(`[127.0.0.1]:2222 ${rsa.text}\n`); // even a key known_hosts trusts
    for (const fingerprint of forms(ed)) {
      const error = await rejection(verifyHostKey(options(path, 'pinned', rsa, { fingerprint })), 'mismatch');
      expect(error.offeredFingerprint).toBe(sha256Fingerprint(rsa.blob));
      expect(error.message).toContain(sha256Fingerprint(rsa.blob));
      expect(error.message).toContain('[127.0.0.1]:2222');
      const expected = fingerprint.toUpperCase().startsWith('MD5:') ? md5Fingerprint(ed.blob) : sha256Fingerprint(ed.blob);
      expect(error.expectedFingerprints).toEqual([expected]);
      expect(error.message).toContain(expected);
    }
  });

  it('requires a parseable fingerprint', async () => {
    const path = knownHosts();
    for (const fingerprint of [undefined, '', 'SHA256:tooshort', 'ab:cd']) {
      let caught: unknown;
      try {
        await verifyHostKey(options(path, 'pinned', ed, fingerprint === undefined ? {} : { fingerprint }));
      } catch (error) {
        caught = error;
      }
      expect(caught, String(fingerprint)).toBeInstanceOf(InvalidOptionsError);
      expect((caught as InvalidOptionsError).field).toBe('fingerprint');
    }
  });
});

describe('insecure-accept-any', () => {
  it('accepts unknown and changed keys without writing anything', async () => {
    const content = `[127.0.0.1]:2222 ${ed.text}\n`;
    const path = knownHosts(content);
    await expect(verifyHostKey(options(path, 'insecure-accept-any', ed2))).resolves.toEqual({ learned: false });
    await expect(verifyHostKey(options(path, 'insecure-accept-any', rsa))).resolves.toEqual({ learned: false });
    await expect(verifyHostKey({ ...options(path, 'insecure-accept-any', rsa), host: 'new.example' })).resolves.toEqual({ learned: false });
    expect(readFileSync(path, 'utf8')).toBe(content);
    const missing = knownHosts();
    await expect(verifyHostKey(options(missing, 'insecure-accept-any', rsa))).resolves.toEqual({ learned: false });
    expect(existsSync(missing)).toBe(false);
  });
});

describe('checkHostKey', () => {
  it('classifies revoked > known > changed > unknown', () => {
    const entries = parseKnownHosts(
      [`h.example ${ed.text}`, `h.example ${rsa.text}`, `@revoked h.example ${rsa.text}`, `@cert-authority * ${ecdsa.text}`].join('\n'),
    );
    expect(checkHostKey(entries, 'h.example', 22, rsa.blob)).toMatchObject({ status: 'revoked', entry: { line: 3 } });
    expect(checkHostKey(entries, 'h.example', 22, ed.blob)).toMatchObject({ status: 'known', entry: { line: 1 } });
    const changed = checkHostKey(entries, 'h.example', 22, ecdsa.blob);
    expect(changed.status).toBe('changed');
    if (changed.status === 'changed') expect(changed.knownEntries.map((entry) => entry.line)).toEqual([1, 2]);
    expect(checkHostKey(entries, 'other.example', 22, ecdsa.blob)).toEqual({ status: 'unknown' });
  });
});
