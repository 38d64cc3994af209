import { InvalidOptionsError } from '@execkit/core';
import ssh2 from 'ssh2';
import { InvalidKeyError } from '../errors.js';
import { openPrivateKeyFile } from './key-path.js';
import { keyNotPermitted } from './safe-open.js';

/** Largest private key file read (bytes). A 16384-bit RSA key in PEM is about 13 KiB. */
export const MAX_PRIVATE_KEY_BYTES = 64 * 1024;

/**
 * Most bcrypt_pbkdf rounds accepted for an encrypted OpenSSH key (`ssh-keygen -a`, default 16).
 * ssh2 derives the key synchronously, about 14 ms per round, so a file claiming billions of rounds
 * would otherwise stall the process.
 */
export const MAX_KDF_ROUNDS = 1024;

/** A private key read from disk and checked. */
export interface LoadedPrivateKey {
  /** The path as given to {@link loadPrivateKey}. */
  path: string;
  /**
   * The file's bytes, unchanged (still encrypted if the key is): hand them to ssh2 as
   * `privateKey` together with the same passphrase.
   */
  data: Buffer;
  /** SSH key type, e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  type: string;
  /** The public key in SSH wire format (RFC 4253 §6.6), as in authorized_keys after base64 decoding. */
  publicBlob: Buffer;
}

type Format = 'openssh' | 'pem' | 'pkcs8' | 'ppk' | 'public' | 'unknown';

interface Envelope {
  format: Format;
  encrypted: boolean;
  kdfRounds?: number;
}

/** Reads an SSH `string` (uint32 length + bytes) at `offset`. */
function readSshString(data: Buffer, offset: number): { value: Buffer; next: number } | undefined {
  if (offset + 4 > data.length) return undefined;
  const length = data.readUInt32BE(offset);
  const end = offset + 4 + length;
  if (end > data.length) return undefined;
  return { value: data.subarray(offset + 4, end), next: end };
}

/** The cipher and KDF of an `openssh-key-v1` key (PROTOCOL.key in OpenSSH). */
function inspectOpenSsh(text: string): Envelope {
  const body = text
    .replace(/^-----BEGIN OPENSSH PRIVATE KEY-----/, '')
    .replace(/-----END OPENSSH PRIVATE KEY-----$/, '')
    .replace(/\s+/g, '');
  const data = Buffer.from(body, 'base64');
  const magic = 'openssh-key-v1\0';
  if (data.subarray(0, magic.length).toString('latin1') !== magic) return { format: 'unknown', encrypted: false };
  const cipher = readSshString(data, magic.length);
  const kdf = cipher && readSshString(data, cipher.next);
  const kdfOptions = kdf && readSshString(data, kdf.next);
  if (!cipher || !kdf || !kdfOptions) return { format: 'unknown', encrypted: false };
  const envelope: Envelope = { format: 'openssh', encrypted: cipher.value.toString('latin1') !== 'none' };
  if (kdf.value.toString('latin1') === 'bcrypt') {
    const salt = readSshString(kdfOptions.value, 0);
    if (salt && salt.next + 4 <= kdfOptions.value.length) envelope.kdfRounds = kdfOptions.value.readUInt32BE(salt.next);
  }
  return envelope;
}

/** Recognises the container format without parsing the key itself. */
function inspect(data: Buffer): Envelope {
  const text = data.toString('latin1').trim();
  if (text.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----')) return inspectOpenSsh(text);
  if (/^-----BEGIN (RSA|DSA|EC) PRIVATE KEY-----/.test(text)) {
    return { format: 'pem', encrypted: /^Proc-Type:[ \t]*4,ENCRYPTED/m.test(text) };
  }
  if (text.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')) return { format: 'pkcs8', encrypted: true };
  if (text.startsWith('-----BEGIN PRIVATE KEY-----')) return { format: 'pkcs8', encrypted: false };
  if (text.startsWith('PuTTY-User-Key-File-')) {
    const encryption = /^Encryption:[ \t]*(\S+)/m.exec(text)?.[1];
    return { format: 'ppk', encrypted: encryption !== undefined && encryption !== 'none' };
  }
  if (
    /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)[ \t]+[A-Za-z0-9+/=]+/.test(text) ||
    text.startsWith('---- BEGIN SSH2 PUBLIC KEY ----') ||
    text.startsWith('-----BEGIN PUBLIC KEY-----') ||
    text.startsWith('-----BEGIN RSA PUBLIC KEY-----')
  ) {
    return { format: 'public', encrypted: false };
  }
  return { format: 'unknown', encrypted: false };
}

async function readKeyFile(path: string): Promise<Buffer> {
  const { handle, stats } = await openPrivateKeyFile(path);
  try {
    if (stats.size > BigInt(MAX_PRIVATE_KEY_BYTES)) {
      throw new InvalidKeyError(`Load key '${path}': larger than ${MAX_PRIVATE_KEY_BYTES} bytes, not a private key.`);
    }
    const buffer = Buffer.alloc(MAX_PRIVATE_KEY_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_PRIVATE_KEY_BYTES) {
      throw new InvalidKeyError(`Load key '${path}': larger than ${MAX_PRIVATE_KEY_BYTES} bytes, not a private key.`);
    }
    return Buffer.from(buffer.subarray(0, length));
  } finally {
    await handle.close();
  }
}

/**
 * Reads and checks a private key file with ssh2's `utils.parseKey`: OpenSSH format
 * (`-----BEGIN OPENSSH PRIVATE KEY-----`, ssh-keygen's default), PEM (`-----BEGIN RSA|EC|DSA
 * PRIVATE KEY-----`, `ssh-keygen -m PEM`) and PuTTY `.ppk` v2, unencrypted or
 * passphrase-encrypted. The key is test-signed to make sure it (and the passphrase) really work.
 *
 * Like ssh(1) (sshkey_perm_ok), a key file accessible by group or others is refused. The file is
 * opened as in `resolvePermittedKeyPath()`: symlinks in `path` are resolved first, then the file
 * is lstat'ed (a FIFO is never opened), opened with `O_NOFOLLOW | O_NONBLOCK` and fstat'ed.
 * This function does not confine `path` to a directory: pass it a path from
 * `resolvePermittedKeyPath()` when the path comes from an untrusted caller.
 *
 * Error messages name `path` but never contain key material, the passphrase or ssh2's own error
 * text (which can quote bytes of the file).
 *
 * @param path Private key file.
 * @param passphrase Passphrase of an encrypted key (an empty string counts as none). Ignored for
 *   unencrypted keys.
 * @returns The file's bytes, key type and public key; see {@link LoadedPrivateKey}.
 * @throws {InvalidKeyError} (code `INVALID_KEY`) when the key is encrypted and no passphrase was
 *   given ("…is encrypted; give its passphrase"), the passphrase is wrong, the file is a public
 *   key, uses PKCS#8 or an unsupported cipher, cannot be parsed, or exceeds
 *   {@link MAX_PRIVATE_KEY_BYTES} bytes or {@link MAX_KDF_ROUNDS} KDF rounds.
 * @throws {KeyNotPermittedError} (code `KEY_NOT_PERMITTED`) when the file is missing or not a
 *   regular file (generic message), or is accessible by group or others (OpenSSH's message).
 * @throws {InvalidOptionsError} field `keyPath` or `passphrase` when they are not strings.
 */
export async function loadPrivateKey(path: string, passphrase?: string): Promise<LoadedPrivateKey> {
  if (typeof path !== 'string' || path === '') throw new InvalidOptionsError('keyPath', 'must be a non-empty string.');
  if (passphrase !== undefined && typeof passphrase !== 'string') {
    throw new InvalidOptionsError('passphrase', 'must be a string.');
  }
  if (path.includes('\0')) throw keyNotPermitted();
  const data = await readKeyFile(path);
  const where = `Load key '${path}'`;
  const envelope = inspect(data);
  const hasPassphrase = passphrase !== undefined && passphrase !== '';

  if (envelope.format === 'public') {
    throw new InvalidKeyError(`${where}: this is a public key; give the private key file.`);
  }
  if (envelope.format === 'pkcs8') {
    throw new InvalidKeyError(
      `${where}: PKCS#8 keys are not supported; convert it with ssh-keygen -p (OpenSSH format) or ssh-keygen -p -m PEM.`,
    );
  }
  if (envelope.encrypted && !hasPassphrase) {
    throw new InvalidKeyError(`${where}: the key is encrypted; give its passphrase.`);
  }
  if (envelope.kdfRounds !== undefined && envelope.kdfRounds > MAX_KDF_ROUNDS) {
    throw new InvalidKeyError(`${where}: the key's KDF asks for more than ${MAX_KDF_ROUNDS} rounds.`);
  }

  const parsed = ssh2.utils.parseKey(data, hasPassphrase ? passphrase : undefined);
  if (parsed instanceof Error) {
    // ssh2's message is only inspected to pick one of these fixed messages, never passed on.
    const reason = parsed.message;
    if (/no passphrase given/i.test(reason)) {
      throw new InvalidKeyError(`${where}: the key is encrypted; give its passphrase.`);
    }
    if (/not supported|unsupported (cipher|kdf)/i.test(reason) && envelope.encrypted) {
      throw new InvalidKeyError(`${where}: the key is encrypted with a cipher that is not supported.`);
    }
    if (envelope.encrypted) {
      throw new InvalidKeyError(`${where}: incorrect passphrase supplied to decrypt the private key.`);
    }
    throw new InvalidKeyError(`${where}: not a private key in a supported format (OpenSSH, PEM or PuTTY v2).`);
  }
  const key = Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
  if (key === undefined || key === null || typeof key !== 'object') {
    throw new InvalidKeyError(`${where}: not a private key in a supported format (OpenSSH, PEM or PuTTY v2).`);
  }
  const parsedKey = key as ssh2.ParsedKey;
  if (!parsedKey.isPrivateKey()) {
    throw new InvalidKeyError(`${where}: this is a public key; give the private key file.`);
  }
  // A wrongly decrypted PEM key can occasionally parse; a signature that verifies cannot lie.
  const probe = Buffer.from('execkit private key self-test');
  let works = false;
  try {
    const signature: unknown = parsedKey.sign(probe);
    works = Buffer.isBuffer(signature) && parsedKey.verify(probe, signature) === true;
  } catch {
    works = false;
  }
  if (!works) {
    throw new InvalidKeyError(
      envelope.encrypted
        ? `${where}: incorrect passphrase supplied to decrypt the private key.`
        : `${where}: the private key is damaged or of an unsupported type.`,
    );
  }
  return { path, data, type: parsedKey.type, publicBlob: Buffer.from(parsedKey.getPublicSSH()) };
}
