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

/** `[state, starttime]` from `/proc/<pid>/stat`, or `undefined` if there is no such process. */
function readStat(pid: number): { state: string; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces or parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const state = rest[0]; // field 3
  const startTime = rest[19]; // field 22
  if (state === undefined || startTime === undefined) return undefined;
  return { state, startTime };
}

/**
 * A string naming this very process on this very boot: `<pid>.<starttime>.<boot id>`. Stored in
 * lock files and container labels so that {@link isOwnerAlive} can tell stale ones apart.
 */
export function ownerToken(pid: number = process.pid): string {
  const stat = readStat(pid);
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
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return stat.startTime === startTime;
}

/** Whether this process runs as root (uid 0). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
