import { open, stat, unlink } from 'node:fs/promises';
import { TransportStartError } from '@execkit/core';

/** How long to wait for a held lock before giving up (ms). */
export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;
/** A lock file older than this (by mtime, ms) is taken to be left by a dead process and removed. */
export const DEFAULT_STALE_LOCK_MS = 30_000;

/** @internal Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up after this many ms of waiting. */
  readonly timeoutMs: number;
  /** Remove a lock whose mtime is older than this many ms. */
  readonly staleMs: number;
  /** What the lock guards, for the timeout message. */
  readonly guarding: string;
}

const chains = new Map<string, Promise<void>>();

/**
 * @internal Runs `fn` after every earlier call with the same key (in this process) has settled.
 * A failure of one call does not affect the next.
 */
export function serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous.then(fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return run;
}

/**
 * @internal Cross-process mutual exclusion with a lock file created by `open(lockPath, 'wx')`
 * (O_CREAT|O_EXCL, atomic on local file systems). Waits with a growing, jittered backoff (10 ms up
 * to 100 ms) for at most `timeoutMs`; removes a lock file whose mtime is older than `staleMs`
 * (left by a crashed process). The lock file is removed when `fn` settles.
 *
 * @throws TransportStartError when the lock is still held after `timeoutMs`.
 */
export async function withFileLock<T>(lockPath: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  await acquire(lockPath, options);
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 10;
  for (;;) {
    if (await tryCreate(lockPath)) return;
    try {
      const info = await stat(lockPath);
      if (Date.now() - info.mtimeMs > options.staleMs) {
        await unlink(lockPath).catch(ignoreEnoent);
        continue;
      }
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue; // released meanwhile: try again at once
      throw error;
    }
    if (Date.now() >= deadline) {
      throw new TransportStartError(
        `Timed out after ${options.timeoutMs} ms waiting for the lock file ${lockPath} guarding ${options.guarding}. ` +
          'Another process may be writing it; if none is, remove the lock file.',
      );
    }
    await sleep(Math.min(delay + Math.random() * delay, Math.max(0, deadline - Date.now()) + 1));
    delay = Math.min(delay * 2, 100);
  }
}

async function tryCreate(lockPath: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw error;
  }
  return true;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function ignoreEnoent(error: unknown): void {
  if (errorCode(error) !== 'ENOENT') throw error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
