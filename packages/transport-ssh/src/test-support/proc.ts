/**
 * Process helpers shared by the SSH test fixtures: running a command to completion, looking at
 * `/proc` to tell whether a pid is really alive (zombies are not), and killing a process tree.
 *
 * Linux only (reads `/proc`). Test support code; not part of the published build.
 *
 * @module
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readProcStat, type ProcStat } from '@execkit/core/testing/process';

export { runCommand, type RunCommandOptions } from '@execkit/core/testing/process';

/** A pid together with its start time, so a recycled pid is never mistaken for the original. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks since boot). */
  startTime: string;
}

/** The identity (pid + start time) of a running process, or `undefined` if it is gone. */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  const stat = readProcStat(pid);
  return stat && isLiveState(stat.state) ? { pid, startTime: stat.startTime } : undefined;
}

function isLiveState(state: string): boolean {
  // Z = zombie, X = dead. PID 1 on some container/VM images never reaps orphans, so a killed
  // grandchild can stay a zombie forever: `kill(pid, 0)` still succeeds on it. Do not use that.
  return state !== 'Z' && state !== 'X';
}

/**
 * Whether `pid` (optionally: the very process identified by `identity`) is alive. Zombies count
 * as dead. Prefer this over `process.kill(pid, 0)`, which succeeds on zombies.
 */
export function isProcessAlive(pidOrIdentity: number | ProcessIdentity): boolean {
  const pid = typeof pidOrIdentity === 'number' ? pidOrIdentity : pidOrIdentity.pid;
  const stat = readProcStat(pid);
  if (!stat || !isLiveState(stat.state)) return false;
  return typeof pidOrIdentity === 'number' || stat.startTime === pidOrIdentity.startTime;
}

/** All live descendants of `pid` (children, grandchildren, …), found through `/proc`. */
export function descendantProcesses(pid: number): ProcessIdentity[] {
  const children = new Map<number, ProcStat[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (!stat || !isLiveState(stat.state)) continue;
    const list = children.get(stat.ppid);
    if (list) list.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const result: ProcessIdentity[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      result.push({ pid: child.pid, startTime: child.startTime });
      queue.push(child.pid);
    }
  }
  return result;
}

/**
 * Live processes not owned by root whose environment has `SSH_CONNECTION` ending in
 * `<serverAddress> <serverPort>`: the session processes of an sshd listening there, including
 * commands left running after their client disconnected (sshd does not kill non-pty commands on
 * disconnect; they are re-parented to PID 1 and no longer descendants of sshd).
 */
export function sshSessionProcesses(serverAddress: string, serverPort: number): ProcessIdentity[] {
  const suffix = ` ${serverAddress} ${serverPort}`;
  const result: ProcessIdentity[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let environ: string;
    try {
      if (statSync(`/proc/${pid}`).uid === 0) continue;
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const connection = environ.split('\0').find((v) => v.startsWith('SSH_CONNECTION='));
    if (!connection?.endsWith(suffix)) continue;
    const identity = processIdentity(pid);
    if (identity) result.push(identity);
  }
  return result;
}

function signal(identity: ProcessIdentity, sig: NodeJS.Signals): void {
  if (!isProcessAlive(identity)) return;
  try {
    process.kill(identity.pid, sig);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends SIGTERM to every process in `processes`, waits up to `graceMs` for them to die, then
 * SIGKILLs the rest and waits again. Resolves `true` when none is left alive.
 */
export async function terminateProcesses(
  processes: readonly ProcessIdentity[],
  graceMs = 2_000,
): Promise<boolean> {
  for (const p of processes) signal(p, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (processes.some((p) => isProcessAlive(p)) && Date.now() < until) await sleep(25);
  for (const p of processes) signal(p, 'SIGKILL');
  const killUntil = Date.now() + 2_000;
  while (processes.some((p) => isProcessAlive(p)) && Date.now() < killUntil) await sleep(25);
  return !processes.some((p) => isProcessAlive(p));
}

/**
 * Stops a child process this process spawned: SIGTERM, then SIGKILL after `graceMs`, and waits
 * for Node to report its exit (so it is reaped, not a zombie).
 */
export async function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.ref();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * Spawns a long-running helper (sshd, ssh-agent) so that it gets SIGTERM when this process dies,
 * even by SIGKILL or an unhandled SIGTERM, where no `exit` hook runs: through
 * `setpriv --pdeathsig TERM -- file args…` (util-linux) when available. setpriv execs `file`, so the
 * returned child's pid is the helper's own pid. Without setpriv this is a plain `spawn`.
 */
export function spawnTiedToParent(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  if (existsSync(SETPRIV)) {
    return spawn(SETPRIV, ['--pdeathsig', 'TERM', '--', file, ...args], options);
  }
  return spawn(file, args, options);
}

const OWNER_FILE = '.execkit-owner';

/**
 * Creates `<os tmpdir>/<prefix>XXXXXX` with `mode`, recording this process (pid + start time) in
 * it so that {@link sweepStaleTempDirs} can remove it if this process dies without cleaning up
 * (SIGKILL, or SIGTERM without handler, skip every `exit` hook).
 */
export async function makeOwnedTempDir(prefix: string, mode: number): Promise<string> {
  await sweepStaleTempDirs(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, mode);
  const me = processIdentity(process.pid);
  await writeFile(join(dir, OWNER_FILE), me ? `${me.pid} ${me.startTime}\n` : '', { mode: 0o644 });
  return dir;
}

/** Removes `<os tmpdir>/<prefix>*` directories made by {@link makeOwnedTempDir} whose owner is dead. */
export async function sweepStaleTempDirs(prefix: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(tmpdir());
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const dir = join(tmpdir(), entry);
    const owner = await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => undefined);
    if (owner === undefined) continue; // not ours, or not fully created yet
    const [pid, startTime] = owner.trim().split(' ');
    if (!pid || !startTime) continue;
    if (!isProcessAlive({ pid: Number(pid), startTime })) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
