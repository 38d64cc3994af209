import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Running helper programs to completion in test fixtures (`ssh-keygen`, `useradd`, `docker`…):
 * no shell, output collected, a time limit. No vitest here, so benchmarks can use it too.
 *
 * @module
 */

export interface SpawnResult {
  /** Exit status; `null` when the command was killed by a signal. */
  exitCode: number | null;
  /** The signal that killed the command, if any. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link spawnCollect} and {@link runCommand}. */
export interface RunCommandOptions {
  /** Written to the command's stdin, which is then closed. Without it stdin is `/dev/null`. */
  input?: string | Buffer;
  /** Environment; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Working directory; defaults to this process's. */
  cwd?: string;
  /** SIGKILL the command and reject after this many ms. Default 120 000. */
  timeoutMs?: number;
}

/**
 * Runs `file args…` without a shell and resolves with its exit status and output, whatever the
 * status. Rejects only when it cannot be started (e.g. not installed) or runs past `timeoutMs`.
 */
export function spawnCollect(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          error.code === 'ENOENT'
            ? `${file} is not installed (spawn ENOENT)`
            : `could not run ${file}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(new Error(`${file} ${args.join(' ')} timed out after ${timeoutMs} ms: ${stderr.trim()}`));
      } else {
        resolve({ exitCode, signal, stdout, stderr });
      }
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {
        /* the command may exit before reading everything; its exit status tells */
      });
      child.stdin.end(options.input);
    }
  });
}

/**
 * Runs `file args…` without a shell and resolves with its output once it exits with status 0.
 * Rejects with an Error naming the command, its exit status and its stderr otherwise.
 */
export async function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const result = await spawnCollect(file, args, options);
  if (result.exitCode !== 0) {
    const status = result.signal ?? `exit ${String(result.exitCode)}`;
    throw new Error(
      `${file} ${args.join(' ')} failed (${status}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Fields of `/proc/<pid>/stat` the fixtures use. */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  startTime: string;
}

/** Reads `/proc/<pid>/stat` (Linux), or `undefined` when there is no such process. */
export function readProcStat(pid: number): ProcStat | undefined {
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
  // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[19] field 22 (starttime).
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTime = rest[19];
  if (state === undefined || startTime === undefined || !Number.isFinite(ppid)) return undefined;
  return { pid, state, ppid, startTime };
}
