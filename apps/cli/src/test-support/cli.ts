import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `apps/cli` directory. */
export const CLI_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built binary the tests run. */
export const BIN = join(CLI_ROOT, 'bin', 'execkit.js');

/** How a finished process ended and what it wrote. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms. */
  durationMs: number;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the process (SIGKILL) after this long, in ms. Default 30_000. */
  killAfterMs?: number;
}

/** A running process with its output collected as it arrives. */
export class Running {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Finished>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly listeners = new Set<() => void>();

  constructor(command: string, args: readonly string[], options: StartOptions = {}) {
    const started = performance.now();
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, ...options.env })) if (value !== undefined) env[key] = value;
    this.child = spawn(command, [...args], { cwd: options.cwd ?? CLI_ROOT, env, stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text;
      this.changed();
    });
    this.child.stderr.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
      this.changed();
    });
    this.child.stdin.on('error', () => undefined);
    const killer = setTimeout(() => this.child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => {
        clearTimeout(killer);
        this.changed();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, durationMs: performance.now() - started });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  endInput(): void {
    this.child.stdin.end();
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves once `stream`'s output so far matches `pattern`; rejects after `timeoutMs`. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
    const matches = () => (typeof pattern === 'string' ? this[stream].includes(pattern) : pattern.test(this[stream]));
    return this.until(matches, `${stream} to match ${String(pattern)}`, timeoutMs);
  }

  private until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out waiting for ${what}.\nstdout: ${JSON.stringify(this.stdout)}\nstderr: ${JSON.stringify(this.stderr)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Starts the built `execkit` binary with `args`. */
export function startCli(args: readonly string[], options: StartOptions = {}): Running {
  return new Running(process.execPath, [BIN, ...args], options);
}

/**
 * Runs the built binary to completion. `input` is written to its stdin and stdin is closed;
 * with `keepStdinOpen` stdin stays open (and empty) until the process exits.
 */
export async function runCli(
  args: readonly string[],
  options: StartOptions & { input?: string; keepStdinOpen?: boolean } = {},
): Promise<Finished> {
  const running = startCli(args, options);
  if (options.input !== undefined) running.write(options.input);
  if (!options.keepStdinOpen) running.endInput();
  const finished = await running.exited;
  running.endInput();
  return finished;
}

/** Resolves once `path` exists; rejects after `timeoutMs`. */
export async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${path} to exist.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
