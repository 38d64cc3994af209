/**
 * Process helpers shared by the Docker test fixtures: running a command (the `docker` CLI, `tar`,
 * `ldd`, `apt-get`…) to completion, and telling whether the process that owns a lock or a test
 * container is still alive (by pid + start time + boot id, so a recycled pid is never mistaken for
 * the original).
 *
 * Linux only (reads `/proc`). Test support code; not part of the published build.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** Result of {@link spawnCollect}: the command ran and exited (with any status). */
import { readProcStat } from '@execkit/core/testing/process';

export { runCommand, spawnCollect, type RunCommandOptions, type SpawnResult } from '@execkit/core/testing/process';

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown-boot';
  }
}


/**
 * A string naming this very process on this very boot: `<pid>.<starttime>.<boot id>`. Stored in
 * lock files and container labels so that {@link isOwnerAlive} can tell stale ones apart.
 */
export function ownerToken(pid: number = process.pid): string {
  const stat = readProcStat(pid);
  return `${pid}.${stat?.startTime ?? '0'}.${bootId()}`;
}

/**
 * Whether the process named by an {@link ownerToken} is still alive on this machine. Zombies
 * count as dead; a token from another boot is dead; a malformed token is treated as dead.
 */
export function isOwnerAlive(token: string): boolean {
  const [pidText, startTime, boot] = token.trim().split('.');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !startTime || !boot) return false;
  if (boot !== bootId()) return false;
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return stat.startTime === startTime;
}

/** Whether this process runs as root (uid 0). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
