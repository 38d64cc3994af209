import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidOptionsError } from '@execkit/core';

/** Hash algorithm of a host key fingerprint. */
export type FingerprintAlgorithm = 'sha256' | 'md5';

/** A fingerprint parsed by {@link parseFingerprint}: the algorithm and the raw digest bytes. */
export interface ParsedFingerprint {
  /** `sha256` (32-byte digest) or `md5` (16-byte digest). */
  readonly algorithm: FingerprintAlgorithm;
  /** The raw digest of the public key blob: 32 bytes for `sha256`, 16 for `md5`. */
  readonly digest: Buffer;
}

/** Longest key type name accepted (RFC 4251 §6 limits algorithm names to 64 characters). */
const MAX_KEY_TYPE_LENGTH = 64;

/**
 * Layout after the type string of the public key formats whose structure is checked: each entry
 * is one RFC 4251 `string`/`mpint` field; a number fixes that field's length; a string fixes its
 * value. The blob must end after the last field.
 */
const KEY_LAYOUTS: Readonly<Record<string, readonly (number | string | null)[]>> = {
  'ssh-ed25519': [32],
  'ssh-rsa': [null, null], // e, n (RFC 4253 §6.6)
  'ssh-dss': [null, null, null, null], // p, q, g, y
  'ecdsa-sha2-nistp256': ['nistp256', null], // RFC 5656 §3.1: curve name, Q
  'ecdsa-sha2-nistp384': ['nistp384', null],
  'ecdsa-sha2-nistp521': ['nistp521', null],
  'sk-ssh-ed25519@openssh.com': [32, null], // OpenSSH PROTOCOL.u2f: key, application
  'sk-ecdsa-sha2-nistp256@openssh.com': ['nistp256', null, null],
};

/**
 * The key type named at the start of a public key blob, e.g. `ssh-ed25519`, `ssh-rsa`,
 * `ecdsa-sha2-nistp256`.
 *
 * A public key blob is the SSH wire encoding of a public key (RFC 4253 §6.6): a `string` (uint32
 * big-endian length, then that many bytes) holding the key type, followed by the type-specific
 * fields. It is what ssh2 passes to `hostVerifier` and what known_hosts stores in base64.
 *
 * The type string must be 1–64 printable US-ASCII characters without spaces and be followed by
 * key data. For `ssh-ed25519`, `ssh-rsa`, `ssh-dss`, `ecdsa-sha2-nistp256/384/521` and the
 * OpenSSH `sk-` types the fields are checked too (each complete, Ed25519 keys 32 bytes, the ECDSA
 * curve name consistent with the type, nothing after the last field); other types (certificates,
 * future algorithms) are checked only up to the type string.
 *
 * @param keyBlob - The public key blob.
 * @returns The key type name.
 * @throws InvalidOptionsError (field `keyBlob`) when the blob is not a Buffer or is malformed.
 */
export function keyTypeOf(keyBlob: Buffer): string {
  if (!Buffer.isBuffer(keyBlob)) {
    throw new InvalidOptionsError('keyBlob', 'must be a Buffer holding an SSH public key blob');
  }
  if (keyBlob.length < 4) {
    throw new InvalidOptionsError('keyBlob', `is ${keyBlob.length} bytes, too short for an SSH public key blob`);
  }
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || length > MAX_KEY_TYPE_LENGTH) {
    throw new InvalidOptionsError('keyBlob', `key type length ${length} is out of range (1–${MAX_KEY_TYPE_LENGTH})`);
  }
  if (4 + length >= keyBlob.length) {
    throw new InvalidOptionsError('keyBlob', 'is truncated: the key type or the key data that follows it is missing');
  }
  const name = keyBlob.toString('latin1', 4, 4 + length);
  if (!/^[\x21-\x7e]+$/.test(name)) {
    throw new InvalidOptionsError('keyBlob', 'key type is not printable ASCII');
  }
  const layout = KEY_LAYOUTS[name];
  if (layout !== undefined) checkLayout(keyBlob, 4 + length, name, layout);
  return name;
}

function checkLayout(blob: Buffer, start: number, name: string, layout: readonly (number | string | null)[]): void {
  let offset = start;
  for (const expected of layout) {
    if (offset + 4 > blob.length) throw new InvalidOptionsError('keyBlob', `is truncated: ${name} key data is incomplete`);
    const length = blob.readUInt32BE(offset);
    offset += 4;
    if (length > blob.length - offset) throw new InvalidOptionsError('keyBlob', `is truncated: ${name} key data is incomplete`);
    const field = blob.subarray(offset, offset + length);
    offset += length;
    if (typeof expected === 'number' && length !== expected) {
      throw new InvalidOptionsError('keyBlob', `${name} key field is ${length} bytes, expected ${expected}`);
    }
    if (typeof expected === 'string' && field.toString('latin1') !== expected) {
      throw new InvalidOptionsError('keyBlob', `${name} key names a different curve`);
    }
    if (expected === null && length === 0) {
      throw new InvalidOptionsError('keyBlob', `${name} key has an empty field`);
    }
  }
  if (offset !== blob.length) {
    throw new InvalidOptionsError('keyBlob', `has ${blob.length - offset} unexpected bytes after the ${name} key`);
  }
}

/**
 * The SHA-256 fingerprint of a public key blob in OpenSSH's format, as `ssh-keygen -l` prints it:
 * `SHA256:` followed by the unpadded base64 of SHA-256 over the blob (RFC 4253 §6.6 encoding).
 *
 * @param keyBlob - The public key blob (not validated; any bytes are hashed).
 * @returns e.g. `SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s`.
 */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The MD5 fingerprint of a public key blob in OpenSSH's format, as `ssh-keygen -l -E md5` prints
 * it (the legacy RFC 4716 §4 colon-separated hex form, with OpenSSH's `MD5:` prefix).
 *
 * @param keyBlob - The public key blob (not validated; any bytes are hashed).
 * @returns e.g. `MD5:0b:1a:…` (16 lowercase hex pairs).
 */
export function md5Fingerprint(keyBlob: Buffer): string {
  return `MD5:${colonHex(createHash('md5').update(keyBlob).digest())}`;
}

/**
 * Formats a parsed fingerprint the way OpenSSH prints it: `SHA256:<base64 without padding>` or
 * `MD5:aa:bb:…`.
 */
export function formatFingerprint(parsed: ParsedFingerprint): string {
  return parsed.algorithm === 'sha256'
    ? `SHA256:${parsed.digest.toString('base64').replace(/=+$/, '')}`
    : `MD5:${colonHex(parsed.digest)}`;
}

/**
 * Parses a host key fingerprint given by a user (for example a pinned fingerprint).
 *
 * Accepted forms (surrounding whitespace is ignored; prefixes and hex digits are
 * case-insensitive):
 * - `SHA256:<base64>` as printed by `ssh-keygen -l` (OpenSSH ≥ 6.8); the trailing `=` padding is
 *   optional. The base64 must decode to exactly 32 bytes.
 * - A bare SHA-256 digest as 64 hex digits, either contiguous or as 32 colon-separated pairs.
 * - `MD5:aa:bb:…` as printed by `ssh-keygen -l -E md5`: 16 colon-separated hex pairs (or 32
 *   contiguous hex digits after `MD5:`).
 *
 * An unprefixed 16-pair hex string (the pre-6.8 OpenSSH form) is rejected rather than guessed.
 *
 * @param text - The fingerprint text.
 * @returns The algorithm and raw digest.
 * @throws InvalidOptionsError (field `fingerprint`) when the text is none of the forms above.
 */
export function parseFingerprint(text: string): ParsedFingerprint {
  if (typeof text !== 'string') {
    throw new InvalidOptionsError('fingerprint', 'must be a string');
  }
  const value = text.trim();

  const sha256 = /^sha256:([A-Za-z0-9+/]{43})=?$/i.exec(value);
  if (sha256) {
    const body = sha256[1] ?? '';
    const digest = Buffer.from(body, 'base64');
    // Reject non-canonical base64 (stray low bits in the last character): it would name a
    // different string than ssh-keygen prints for the same digest.
    if (digest.length === 32 && digest.toString('base64').replace(/=+$/, '') === body) {
      return { algorithm: 'sha256', digest };
    }
  }

  if (/^[0-9a-f]{64}$/i.test(value) || /^[0-9a-f]{2}(?::[0-9a-f]{2}){31}$/i.test(value)) {
    return { algorithm: 'sha256', digest: Buffer.from(value.replaceAll(':', ''), 'hex') };
  }

  const md5 = /^md5:([0-9a-f]{2}(?::[0-9a-f]{2}){15}|[0-9a-f]{32})$/i.exec(value);
  if (md5) {
    return { algorithm: 'md5', digest: Buffer.from((md5[1] ?? '').replaceAll(':', ''), 'hex') };
  }

  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  throw new InvalidOptionsError(
    'fingerprint',
    `${JSON.stringify(shown)} is not a host key fingerprint; expected "SHA256:<base64>" as ` +
      '`ssh-keygen -lf <key>.pub` prints it, 64 hex digits of a SHA-256 digest, or "MD5:xx:xx:…" (16 pairs)',
  );
}

/**
 * Whether a public key blob has the given fingerprint (digest compared in constant time).
 *
 * @param parsed - A fingerprint from {@link parseFingerprint}.
 * @param keyBlob - The public key blob (RFC 4253 §6.6 encoding).
 */
export function fingerprintMatches(parsed: ParsedFingerprint, keyBlob: Buffer): boolean {
  const actual = createHash(parsed.algorithm).update(keyBlob).digest();
  return actual.length === parsed.digest.length && timingSafeEqual(actual, parsed.digest);
}

function colonHex(digest: Buffer): string {
  return (digest.toString('hex').match(/../g) ?? []).join(':');
}
