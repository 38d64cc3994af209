import { createHash } from 'node:crypto';
import { ExecKitError, InvalidOptionsError } from '@execkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestKey, generateKey, makeTempDir, opensshFingerprint } from './__fixtures__/keys.js';
import {
  fingerprintMatches,
  formatFingerprint,
  keyTypeOf,
  md5Fingerprint,
  parseFingerprint,
  sha256Fingerprint,
} from './index.js';

let temp: ReturnType<typeof makeTempDir>;
let keys: TestKey[];

beforeAll(() => {
  temp = makeTempDir();
  keys = [
    generateKey(temp.dir, 'ed25519', 'ed'),
    generateKey(temp.dir, 'rsa', 'rsa'),
    generateKey(temp.dir, 'ecdsa', 'ecdsa'),
  ];
});

afterAll(() => temp.cleanup());

function expectFingerprintError(text: string): void {
  let caught: unknown;
  try {
    parseFingerprint(text);
  } catch (error) {
    caught = error;
  }
  expect(caught, `parseFingerprint(${JSON.stringify(text)}) should throw`).toBeInstanceOf(InvalidOptionsError);
  expect((caught as InvalidOptionsError).field).toBe('fingerprint');
  expect((caught as InvalidOptionsError).code).toBe('INVALID_OPTIONS');
  expect(ExecKitError.isInstance(caught)).toBe(true);
}

describe('fingerprints agree with ssh-keygen -l', () => {
  it('SHA256 and MD5 for ed25519, rsa and ecdsa keys', () => {
    for (const key of keys) {
      expect(sha256Fingerprint(key.blob)).toBe(opensshFingerprint(key.pubPath, 'sha256'));
      expect(md5Fingerprint(key.blob)).toBe(opensshFingerprint(key.pubPath, 'md5'));
      expect(sha256Fingerprint(key.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(md5Fingerprint(key.blob)).toMatch(/^MD5:[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
    }
  });

  it('keyTypeOf reads the type string at the start of the blob', () => {
    expect(keys.map((key) => keyTypeOf(key.blob))).toEqual(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256']);
  });
});

describe('keyTypeOf rejects malformed blobs', () => {
  const cases: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['shorter than a length', Buffer.from([0, 0, 1])],
    ['zero-length type', Buffer.from([0, 0, 0, 0, 1, 2, 3])],
    ['length beyond the blob', Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ssh-ed25519')])],
    ['type but no key data', Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519')])],
    ['huge length', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(16)])],
    ['non-printable type', Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('a b'), Buffer.alloc(4)])],
  ];
  for (const [name, blob] of cases) {
    it(name, () => {
      expect(() => keyTypeOf(blob)).toThrow(InvalidOptionsError);
      try {
        keyTypeOf(blob);
      } catch (error) {
        expect((error as InvalidOptionsError).field).toBe('keyBlob');
      }
    });
  }

  it('truncated, padded or inconsistent real keys', () => {
    const [ed, rsa, ecdsa] = keys as [TestKey, TestKey, TestKey];
    for (const key of keys) {
      expect(() => keyTypeOf(key.blob.subarray(0, key.blob.length - 1)), key.type).toThrow(InvalidOptionsError);
      expect(() => keyTypeOf(Buffer.concat([key.blob, Buffer.from([0])])), key.type).toThrow(InvalidOptionsError);
    }
    // Ed25519 public key of 31 bytes
    const shortEd = Buffer.concat([ed.blob.subarray(0, 15), Buffer.from([0, 0, 0, 31]), ed.blob.subarray(19, 50)]);
    expect(() => keyTypeOf(shortEd)).toThrow(/32/);
    // ECDSA blob whose curve field disagrees with its type
    const wrongCurve = Buffer.from(ecdsa.blob);
    wrongCurve.write('nistp384', 4 + 19 + 4, 'latin1');
    expect(() => keyTypeOf(wrongCurve)).toThrow(/curve/);
    // RSA blob missing the modulus
    const eLength = rsa.blob.readUInt32BE(11);
    expect(() => keyTypeOf(rsa.blob.subarray(0, 11 + 4 + eLength))).toThrow(InvalidOptionsError);
    // An unknown type is only checked up to its name.
    expect(keyTypeOf(Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('x-new@y'), Buffer.from([1])]))).toBe('x-new@y');
  });

  it('a non-Buffer', () => {
    expect(() => keyTypeOf('ssh-ed25519 AAAA' as unknown as Buffer)).toThrow(InvalidOptionsError);
  });
});

describe('parseFingerprint', () => {
  it('accepts SHA256:<base64> with and without padding, and round-trips', () => {
    for (const key of keys) {
      const printed = opensshFingerprint(key.pubPath);
      const digest = createHash('sha256').update(key.blob).digest();
      for (const text of [printed, `${printed}=`, `  ${printed}\n`, printed.replace('SHA256', 'sha256')]) {
        const parsed = parseFingerprint(text);
        expect(parsed.algorithm).toBe('sha256');
        expect(parsed.digest.equals(digest)).toBe(true);
        expect(fingerprintMatches(parsed, key.blob)).toBe(true);
        expect(formatFingerprint(parsed)).toBe(printed);
      }
    }
  });

  it('accepts a bare SHA-256 hex digest, contiguous or colon-separated, any case', () => {
    const key = keys[0]!;
    const hex = createHash('sha256').update(key.blob).digest('hex');
    const colons = hex.match(/../g)!.join(':');
    for (const text of [hex, hex.toUpperCase(), colons, colons.toUpperCase()]) {
      const parsed = parseFingerprint(text);
      expect(parsed.algorithm).toBe('sha256');
      expect(fingerprintMatches(parsed, key.blob)).toBe(true);
      expect(fingerprintMatches(parsed, keys[1]!.blob)).toBe(false);
      expect(formatFingerprint(parsed)).toBe(sha256Fingerprint(key.blob));
    }
  });

  it('accepts MD5:aa:bb:… as ssh-keygen -E md5 prints it', () => {
    for (const key of keys) {
      const printed = opensshFingerprint(key.pubPath, 'md5');
      const parsed = parseFingerprint(printed);
      expect(parsed.algorithm).toBe('md5');
      expect(parsed.digest).toHaveLength(16);
      expect(fingerprintMatches(parsed, key.blob)).toBe(true);
      expect(formatFingerprint(parsed)).toBe(printed);
      expect(fingerprintMatches(parseFingerprint(printed.toUpperCase()), key.blob)).toBe(true);
    }
    const other = parseFingerprint(opensshFingerprint(keys[0]!.pubPath, 'md5'));
    expect(fingerprintMatches(other, keys[1]!.blob)).toBe(false);
  });

  it('does not match a different key', () => {
    const parsed = parseFingerprint(sha256Fingerprint(keys[0]!.blob));
    expect(fingerprintMatches(parsed, keys[1]!.blob)).toBe(false);
    expect(fingerprintMatches(parsed, keys[2]!.blob)).toBe(false);
  });

  it('rejects everything else with InvalidOptionsError(fingerprint)', () => {
    const good = sha256Fingerprint(keys[0]!.blob);
    const hex = createHash('sha256').update(keys[0]!.blob).digest('hex');
    const md5 = md5Fingerprint(keys[0]!.blob);
    const bad = [
      '',
      'nonsense',
      good.slice('SHA256:'.length), // base64 without the prefix
      `${good}==`, // too much padding
      good.slice(0, -1), // 31.x bytes
      `${good}A`, // too long
      `SHA256:${hex}`, // hex after SHA256:
      `SHA1:${good.slice(7)}`,
      hex.slice(0, 62),
      `${hex}00`,
      `${hex.slice(0, 63)}g`,
      hex.match(/../g)!.join('-'),
      md5.slice(4), // unprefixed MD5 (16 pairs) is ambiguous-looking legacy form: refused
      md5.slice(0, -3), // 15 bytes
      `${md5}:00`, // 17 bytes
      'MD5:zz:' + md5.slice(7),
      `SHA256:${'-'.repeat(43)}`,
      // 43 base64 characters whose last one carries stray low bits (not canonical)
      `SHA256:${'A'.repeat(42)}B`,
    ];
    for (const text of bad) expectFingerprintError(text);
    expect(() => parseFingerprint(42 as unknown as string)).toThrow(InvalidOptionsError);
  });

  it('the error message explains the accepted forms', () => {
    expect(() => parseFingerprint('nope')).toThrow(/SHA256:<base64>.*64 hex.*MD5:/);
  });
});
