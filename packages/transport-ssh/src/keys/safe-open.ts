/**
 * Opening key files without following a final symlink and without ever blocking on a FIFO.
 *
 * @internal
 */

import { constants, type BigIntStats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { KeyNotPermittedError } from '../errors.js';

/**
 * The one message every refusal of a key path carries, whatever the reason (outside the key
 * directory, a symlink escaping it, missing, not a regular file, a NUL byte…), so that an
 * untrusted caller learns nothing about the file system from it.
 */
export const KEY_NOT_PERMITTED_MESSAGE = 'Key not permitted: keys must be regular files inside the key directory.';

/** A {@link KeyNotPermittedError} with {@link KEY_NOT_PERMITTED_MESSAGE}. */
export function keyNotPermitted(): KeyNotPermittedError {
  return new KeyNotPermittedError(KEY_NOT_PERMITTED_MESSAGE);
}

/** An open regular file and its fstat(2) result. The caller closes `handle`. */
export interface OpenedRegularFile {
  handle: FileHandle;
  stats: BigIntStats;
}

/**
 * Opens `path` for reading only if it is a regular file:
 * 1. lstat(2) first: anything but a regular file (a symlink, FIFO, socket, device, directory) is
 *    refused before any open, so a FIFO is never opened;
 * 2. open(2) with `O_NOFOLLOW | O_NONBLOCK`, so a file swapped for a symlink meanwhile fails and a
 *    FIFO swapped in does not block;
 * 3. fstat(2) of the descriptor must again be a regular file with the same device and inode.
 *
 * @param path Should already be a real path (symlinks resolved): a final symlink is refused.
 * @throws {KeyNotPermittedError} with {@link KEY_NOT_PERMITTED_MESSAGE} on any failure.
 */
export async function openRegularFile(path: string): Promise<OpenedRegularFile> {
  let before: BigIntStats;
  try {
    before = await lstat(path, { bigint: true });
  } catch {
    throw keyNotPermitted();
  }
  if (!before.isFile()) throw keyNotPermitted();
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    throw keyNotPermitted();
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile() || stats.dev !== before.dev || stats.ino !== before.ino) throw keyNotPermitted();
    return { handle, stats };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error instanceof KeyNotPermittedError ? error : keyNotPermitted();
  }
}
