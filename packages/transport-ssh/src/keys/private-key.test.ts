import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecKitError, InvalidOptionsError } from '@execkit/core';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidKeyError, KeyNotPermittedError } from '../errors.js';
import { KEY_NOT_PERMITTED_MESSAGE, MAX_KDF_ROUNDS, loadPrivateKey } from './index.js';

const PASSPHRASE = 'correct horse battery staple';
const WRONG = 'wrong passphrase 12345';

let dir: string;
/** Every message of every error these tests provoke, checked against secrets at the end. */
const messages: string[] = [];

function keygen(name: string, args: string[], passphrase: string): string {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', ...args, '-N', passphrase, '-C', `comment-${name}`, '-f', path], { stdio: 'ignore' });
  return path;
}

/** The SSH wire-format public key from a `.pub` file. */
function publicBlobOf(privatePath: string): Buffer {
  const fields = readFileSync(`${privatePath}.pub`, 'utf8').trim().split(/\s+/);
  return Buffer.from(fields[1]!, 'base64');
}

async function keyError(promise: Promise<unknown>): Promise<InvalidKeyError> {
  try {
    await promise;
  } catch (error) {
    messages.push((error as Error).message);
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect(ExecKitError.isInstance(error) && error.code).toBe('INVALID_KEY');
    return error as InvalidKeyError;
  }
  throw new Error('expected InvalidKeyError');
}

const keys = {
  ed25519: '',
  ed25519Encrypted: '',
  rsaPem: '',
  rsaPemEncrypted: '',
  ecdsaPem: '',
  rsaPkcs8: '',
};

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'execkit-privkey-')));
  keys.ed25519 = keygen('id_ed25519', ['-t', 'ed25519'], '');
  keys.ed25519Encrypted = keygen('id_ed25519_enc', ['-t', 'ed25519'], PASSPHRASE);
  keys.rsaPem = keygen('id_rsa_pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], '');
  keys.rsaPemEncrypted = keygen('id_rsa_pem_enc', ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], PASSPHRASE);
  keys.ecdsaPem = keygen('id_ecdsa_pem', ['-t', 'ecdsa', '-m', 'PEM'], '');
  keys.rsaPkcs8 = keygen('id_rsa_pkcs8', ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8'], '');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadPrivateKey: formats', () => {
  it('sanity: the generated files have the expected formats', () => {
    expect(readFileSync(keys.ed25519, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(readFileSync(keys.rsaPem, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(readFileSync(keys.rsaPemEncrypted, 'utf8')).toMatch(/Proc-Type: 4,ENCRYPTED/);
    expect(readFileSync(keys.ecdsaPem, 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
  });

  it('loads an unencrypted ed25519 OpenSSH key', async () => {
    const key = await loadPrivateKey(keys.ed25519);
    expect(key.type).toBe('ssh-ed25519');
    expect(key.path).toBe(keys.ed25519);
    expect(key.data.equals(readFileSync(keys.ed25519))).toBe(true);
    expect(key.publicBlob.equals(publicBlobOf(keys.ed25519))).toBe(true);
  });

  it('loads an unencrypted RSA PEM key', async () => {
    const key = await loadPrivateKey(keys.rsaPem);
    expect(key.type).toBe('ssh-rsa');
    expect(key.publicBlob.equals(publicBlobOf(keys.rsaPem))).toBe(true);
  });

  it('loads an unencrypted ECDSA PEM key', async () => {
    const key = await loadPrivateKey(keys.ecdsaPem);
    expect(key.type).toBe('ecdsa-sha2-nistp256');
    expect(key.publicBlob.equals(publicBlobOf(keys.ecdsaPem))).toBe(true);
  });

  it('ignores a passphrase given for an unencrypted key', async () => {
    expect((await loadPrivateKey(keys.ed25519, 'unused')).type).toBe('ssh-ed25519');
  });

  it('refuses PKCS#8 with a hint', async () => {
    expect((await keyError(loadPrivateKey(keys.rsaPkcs8))).message).toMatch(/PKCS#8 keys are not supported/);
  });
});

describe.each([
  ['ed25519 OpenSSH', () => keys.ed25519Encrypted, 'ssh-ed25519'],
  ['RSA PEM', () => keys.rsaPemEncrypted, 'ssh-rsa'],
])('loadPrivateKey: encrypted %s', (_label, path, type) => {
  it('asks for the passphrase when none (or an empty one) is given', async () => {
    for (const passphrase of [undefined, '']) {
      const error = await keyError(loadPrivateKey(path(), passphrase));
      expect(error.message).toBe(`Load key '${path()}': the key is encrypted; give its passphrase.`);
    }
  });

  it('says the passphrase is wrong, without echoing it', async () => {
    const error = await keyError(loadPrivateKey(path(), WRONG));
    expect(error.message).toBe(`Load key '${path()}': incorrect passphrase supplied to decrypt the private key.`);
    expect(error.message).not.toContain(WRONG);
  });

  it('loads with the right passphrase', async () => {
    const key = await loadPrivateKey(path(), PASSPHRASE);
    expect(key.type).toBe(type);
    expect(key.publicBlob.equals(publicBlobOf(path()))).toBe(true);
    expect(key.data.equals(readFileSync(path()))).toBe(true);
  });
});

describe('loadPrivateKey: not a usable private key', () => {
  it('refuses a garbage file', async () => {
    const path = join(dir, 'garbage');
    writeFileSync(path, 'this is not a key\nat all\n', { mode: 0o600 });
    expect((await keyError(loadPrivateKey(path))).message).toBe(
      `Load key '${path}': not a private key in a supported format (OpenSSH, PEM or PuTTY v2).`,
    );
  });

  it('refuses an empty file', async () => {
    const path = join(dir, 'empty');
    writeFileSync(path, '', { mode: 0o600 });
    expect((await keyError(loadPrivateKey(path))).message).toMatch(/not a private key/);
  });

  it('refuses a public key given instead of the private key', async () => {
    for (const source of [keys.ed25519, keys.rsaPem]) {
      const path = `${source}.pub.copy`;
      copyFileSync(`${source}.pub`, path);
      chmodSync(path, 0o600);
      expect((await keyError(loadPrivateKey(path))).message).toMatch(/this is a public key; give the private key file/);
    }
  });

  it('does not pass on ssh2 messages that quote file contents', async () => {
    // ssh2 would answer "Unsupported OpenSSH key magic: <bytes of the file>".
    const body = Buffer.from('SECRETMAGIC-xyz-SECRETMAGIC-xyz-SECRETMAGIC-xyz').toString('base64');
    const path = join(dir, 'bad-header');
    writeFileSync(path, `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
    const raw = ssh2.utils.parseKey(readFileSync(path));
    expect(raw instanceof Error && raw.message).toContain('SECRETMAGIC');
    const error = await keyError(loadPrivateKey(path));
    expect(error.message).not.toMatch(/SECRETMAGIC|magic/i);
    expect(error.message).toMatch(/not a private key in a supported format/);
  });

  it('refuses a corrupted key', async () => {
    const lines = readFileSync(keys.ed25519, 'utf8').split('\n');
    const middle = Math.floor(lines.length / 2);
    lines[middle] = lines[middle]!.split('').reverse().join('');
    const path = join(dir, 'corrupted');
    writeFileSync(path, lines.join('\n'), { mode: 0o600 });
    await keyError(loadPrivateKey(path));
  });

  it('refuses an encrypted OpenSSH key demanding absurd KDF rounds without deriving its key', async () => {
    const text = readFileSync(keys.ed25519Encrypted, 'utf8');
    const body = text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    const data = Buffer.from(body, 'base64');
    // magic(15) | string cipher | string kdf | string kdfoptions{ string salt | uint32 rounds }
    let offset = 15;
    offset += 4 + data.readUInt32BE(offset);
    offset += 4 + data.readUInt32BE(offset);
    const kdfOptions = offset + 4;
    const roundsAt = kdfOptions + 4 + data.readUInt32BE(kdfOptions);
    expect(data.readUInt32BE(roundsAt)).toBe(16);
    data.writeUInt32BE(0xffffffff, roundsAt);
    const path = join(dir, 'many-rounds');
    const wrapped = data.toString('base64').replace(/.{1,70}/g, '$&\n');
    writeFileSync(path, `-----BEGIN OPENSSH PRIVATE KEY-----\n${wrapped}-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
    // ssh2 runs the KDF inside parseKey, synchronously: refused before it is called, the rounds are never run.
    const parseKey = vi.spyOn(ssh2.utils, 'parseKey');
    try {
      const error = await keyError(loadPrivateKey(path, PASSPHRASE));
      expect(error.message).toMatch(new RegExp(`more than ${MAX_KDF_ROUNDS} rounds`));
      expect(parseKey).not.toHaveBeenCalled();
      await loadPrivateKey(keys.ed25519Encrypted, PASSPHRASE);
      expect(parseKey).toHaveBeenCalledTimes(1);
    } finally {
      parseKey.mockRestore();
    }
  });

  it('refuses a file over 64 KiB', async () => {
    const path = join(dir, 'huge');
    writeFileSync(path, Buffer.alloc(70 * 1024, 0x41), { mode: 0o600 });
    expect((await keyError(loadPrivateKey(path))).message).toMatch(/larger than 65536 bytes/);
  });
});

describe('loadPrivateKey: file checks', () => {
  it('refuses a key readable by others with OpenSSH wording', async () => {
    const path = join(dir, 'open_key');
    copyFileSync(keys.ed25519, path);
    chmodSync(path, 0o644);
    const error = await loadPrivateKey(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyNotPermittedError);
    expect((error as Error).message).toBe(
      `Permissions 0644 for '${path}' are too open. It is required that your private key files are NOT accessible by others. This private key will be ignored.`,
    );
    messages.push((error as Error).message);
  });

  it('gives the generic refusal for a missing file and a FIFO, without hanging', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const path of [join(dir, 'missing'), fifo, dir]) {
      const error = await loadPrivateKey(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeyNotPermittedError);
      expect((error as Error).message).toBe(KEY_NOT_PERMITTED_MESSAGE);
    }
  });

  it('refuses non-string arguments', async () => {
    await expect(loadPrivateKey(keys.ed25519, 42 as unknown as string)).rejects.toMatchObject({ field: 'passphrase' });
    await expect(loadPrivateKey(undefined as unknown as string)).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});

describe('no secrets in messages', () => {
  it('no error message contains the passphrases or any line of key material', () => {
    expect(messages.length).toBeGreaterThanOrEqual(15);
    const secretLines = new Set<string>();
    for (const path of Object.values(keys)) {
      for (const file of [path, `${path}.pub`]) {
        for (const line of readFileSync(file, 'utf8').split('\n')) {
          const trimmed = line.trim();
          if (trimmed.length >= 8 && !trimmed.startsWith('-----')) secretLines.add(trimmed);
          for (const field of trimmed.split(/\s+/)) if (field.length >= 16) secretLines.add(field);
        }
      }
    }
    expect(secretLines.size).toBeGreaterThan(50);
    for (const message of messages) {
      expect(message).not.toContain(PASSPHRASE);
      expect(message).not.toContain(WRONG);
      for (const line of secretLines) expect(message.includes(line), `message leaks: ${message}`).toBe(false);
    }
  });
});
