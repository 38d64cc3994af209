import { isAbsolute, resolve, sep } from 'node:path';
import { realpath, stat } from 'node:fs/promises';
import { InvalidOptionsError } from '@execkit/core';
import { KeyNotPermittedError } from '../errors.js';
import { homeDirectory } from '../config/home.js';
import { KEY_NOT_PERMITTED_MESSAGE, keyNotPermitted, openRegularFile, type OpenedRegularFile } from './safe-open.js';

export { KEY_NOT_PERMITTED_MESSAGE };

/** Longest key path accepted from a caller (PATH_MAX). */
const MAX_KEY_PATH_LENGTH = 4096;

function isInside(path: string, dir: string): boolean {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  return path !== dir && path.startsWith(prefix);
}

/** `~` or `~/…` → the home directory; `~user…` is not supported. */
function expandHome(path: string): string | undefined {
  if (path === '~' || path.startsWith('~/')) return homeDirectory() + path.slice(1);
  if (path.startsWith('~')) return undefined;
  return path;
}

/** The real path of the key directory. */
async function keyDirectory(keyDir: string): Promise<{ real: string }> {
  if (typeof keyDir !== 'string' || keyDir === '' || keyDir.includes('\0')) {
    throw new InvalidOptionsError('keyDir', 'must be a non-empty path.');
  }
  const expanded = expandHome(keyDir);
  if (expanded === undefined || !isAbsolute(expanded)) throw new InvalidOptionsError('keyDir', 'must be an absolute path.');
  const given = resolve(expanded);
  try {
    const real = await realpath(given);
    if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
    return { real };
  } catch {
    throw new InvalidOptionsError('keyDir', 'must be an existing directory.');
  }
}

/**
 * Confines a private key path chosen by an untrusted caller to the key directory.
 *
 * `requested` may be absolute or relative to `keyDir`; a leading `~` or `~/` means the home
 * directory ({@link homeDirectory}). It is accepted only if, with every symlink resolved
 * (realpath(3) of the file and of `keyDir`), it names a regular file strictly inside `keyDir`.
 * Symlinks are fine as long as their target stays inside (also a path reaching the directory
 * through another symlinked name). After resolving, the file is lstat'ed (a FIFO, socket,
 * device or directory is refused without being opened), opened with `O_NOFOLLOW | O_NONBLOCK`
 * and fstat'ed to confirm it is the same regular file.
 *
 * Every refusal — traversal, an absolute path elsewhere, a symlink escaping the directory, a
 * missing file, a directory, a FIFO, a NUL byte, `~user` — throws the same
 * {@link KeyNotPermittedError} with {@link KEY_NOT_PERMITTED_MESSAGE}, which never echoes the
 * path or what it resolves to, so existence outside the directory is not revealed.
 *
 * The returned real path can still be swapped by someone with write access inside `keyDir`
 * before it is read; `loadPrivateKey()` re-checks when it opens the file.
 *
 * @param requested The caller's path (untrusted).
 * @param keyDir The directory keys must live in: absolute (or `~/…`), existing (trusted).
 * @returns The real (symlink-free, absolute) path of the key file.
 * @throws {KeyNotPermittedError} (code `KEY_NOT_PERMITTED`) when `requested` is not permitted.
 * @throws {InvalidOptionsError} field `keyPath` when `requested` is not a string; field `keyDir`
 *   when `keyDir` is not an absolute path of an existing directory.
 */
export async function resolvePermittedKeyPath(requested: string, keyDir: string): Promise<string> {
  if (typeof requested !== 'string') throw new InvalidOptionsError('keyPath', 'must be a string.');
  const dir = await keyDirectory(keyDir);
  if (requested === '' || requested.length > MAX_KEY_PATH_LENGTH || requested.includes('\0')) throw keyNotPermitted();
  const expanded = expandHome(requested);
  if (expanded === undefined) throw keyNotPermitted();
  const candidate = resolve(dir.real, expanded);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw keyNotPermitted();
  }
  if (!isInside(real, dir.real)) throw keyNotPermitted();
  const { handle } = await openRegularFile(real);
  await handle.close();
  return real;
}

/**
 * OpenSSH's refusal of a private key file that group or others may access
 * (sshkey_perm_ok() in authfile.c), same wording.
 *
 * @param mode The file's mode bits (only `0o777` is looked at).
 * @internal
 */
export function tooOpenError(path: string, mode: number): KeyNotPermittedError {
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return new KeyNotPermittedError(
    `Permissions ${octal} for '${path}' are too open. It is required that your private key files are NOT accessible by others. This private key will be ignored.`,
  );
}

/**
 * Refuses a private key file readable, writable or executable by group or others
 * (`mode & 0o077`), as ssh(1) does (it ignores such keys). Symlinks in `path` are followed; the
 * file itself is opened with `O_NOFOLLOW | O_NONBLOCK` after an lstat, never blocking on a FIFO,
 * and its mode read with fstat(2).
 *
 * Call it on a path from {@link resolvePermittedKeyPath} (or one the operator configured): the
 * "too open" message names `path`.
 *
 * @param path Path of the private key file.
 * @throws {KeyNotPermittedError} (code `KEY_NOT_PERMITTED`) with OpenSSH's message
 *   `Permissions 0644 for '<path>' are too open. It is required that your private key files are
 *   NOT accessible by others. This private key will be ignored.`; or with
 *   {@link KEY_NOT_PERMITTED_MESSAGE} when the file is missing or not a regular file.
 * @throws {InvalidOptionsError} field `keyPath` when `path` is not a non-empty string.
 */
export async function checkPrivateKeyPermissions(path: string): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new InvalidOptionsError('keyPath', 'must be a non-empty string.');
  if (path.includes('\0')) throw keyNotPermitted();
  const { handle } = await openPrivateKeyFile(path);
  await handle.close();
}

/**
 * Opens a private key file for reading after following symlinks in `path`: a regular file
 * (see {@link openRegularFile}) that group and others cannot access. The caller closes `handle`.
 *
 * @throws {KeyNotPermittedError} as {@link checkPrivateKeyPermissions} describes
 * @internal
 */
export async function openPrivateKeyFile(path: string): Promise<OpenedRegularFile> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw keyNotPermitted();
  }
  const opened = await openRegularFile(real);
  const mode = Number(opened.stats.mode);
  if ((mode & 0o077) !== 0) {
    await opened.handle.close();
    throw tooOpenError(path, mode);
  }
  return opened;
}
