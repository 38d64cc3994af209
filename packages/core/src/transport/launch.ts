import { randomBytes } from 'node:crypto';
import { quoteShellWord } from '../session/shell-dialect.js';
import type { ShellChannelCloseInfo, ShellChannelHandlers, ShellOpenOptions } from './contract.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A POSIX sh script that becomes a session's shell on a remote machine or in a container: it
 * prints `<tag>:<pid>` on stdout (the pid the shell keeps through `exec`), exports `open.env`,
 * empties the prompts and `ENV`, then replaces itself with the first shell of `open.shells`
 * that is installed (`bash --noprofile --norc --noediting -i`, else `sh -i`). Run it as
 * `sh -c <script>`; {@link ShellLaunchParser} reads the pid line back.
 *
 * @param tag - a fresh {@link newLaunchTag}
 */
export function shellLaunchScript(tag: string, open: ShellOpenOptions): string {
  const shells = open.shells ?? ['bash', 'sh'];
  const lines = [`printf '%s:%s\\n' ${tag} "$$"`];
  const env = Object.entries(open.env ?? {}).filter(([name]) => ENV_NAME.test(name));
  if (env.length > 0) lines.push(`export ${env.map(([name, value]) => `${name}=${quoteShellWord(value)}`).join(' ')}`);
  lines.push("PS1= PS2= PS4='+ ' ENV=; export PS1 PS2 ENV");
  for (const shell of shells) {
    if (shell === 'bash') lines.push('if command -v bash >/dev/null 2>&1; then exec bash --noprofile --norc --noediting -i; fi');
    else lines.push('exec sh -i');
  }
  lines.push(`echo "execkit: none of ${shells.join(', ')} is installed" >&2; exit 127`);
  return lines.join('\n');
}

/** A fresh random tag for {@link shellLaunchScript}. */
export function newLaunchTag(): string {
  return `__execkit_${randomBytes(8).toString('hex')}`;
}

/**
 * Reads a shell's stdout as {@link shellLaunchScript} starts it: drops everything up to and
 * including the `<tag>:<pid>` line (a login script may print before it), then passes bytes
 * through unchanged.
 */
export class ShellLaunchParser {
  /** The shell's pid, once the line has arrived. */
  pid: number | undefined;
  private head: Buffer | undefined = Buffer.alloc(0);
  private readonly marker: Buffer;

  constructor(tag: string) {
    this.marker = Buffer.from(`${tag}:`);
  }

  /** Feeds a stdout chunk; returns the bytes that belong to the shell's output (possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.head === undefined) return chunk;
    this.head = Buffer.concat([this.head, chunk]);
    const at = this.head.indexOf(this.marker);
    if (at < 0) {
      // Keep only what could still be the start of the line.
      if (this.head.length > 64 * 1024) this.head = this.head.subarray(this.head.length - this.marker.length);
      return EMPTY;
    }
    const newline = this.head.indexOf(0x0a, at);
    if (newline < 0) return EMPTY;
    this.pid = Number.parseInt(this.head.subarray(at + this.marker.length, newline).toString('latin1'), 10);
    const rest = this.head.subarray(newline + 1);
    this.head = undefined;
    return rest;
  }

  /** True once the pid line has been read. */
  get started(): boolean {
    return this.head === undefined;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * The transport side of a shell started with {@link shellLaunchScript}: feed it the channel's
 * stdout, stderr and end; it strips the launch line, passes the rest to core's handlers, resolves
 * {@link LaunchedShell.pid} once the shell has started (or rejects with what the shell said if it
 * ended first) and reports the close exactly once.
 */
export class LaunchedShell {
  /** The shell's pid on its machine; rejects if the channel ends before the shell starts. */
  readonly pid: Promise<number>;
  /** Resolves with the close info once {@link LaunchedShell.close} has run. */
  readonly closed: Promise<ShellChannelCloseInfo>;
  private readonly parser: ShellLaunchParser;
  private early = '';
  private done = false;
  private resolvePid!: (pid: number) => void;
  private rejectPid!: (error: Error) => void;
  private resolveClosed!: (info: ShellChannelCloseInfo) => void;

  constructor(
    tag: string,
    private readonly handlers: ShellChannelHandlers,
  ) {
    this.parser = new ShellLaunchParser(tag);
    this.pid = new Promise((resolve, reject) => {
      this.resolvePid = resolve;
      this.rejectPid = reject;
    });
    this.pid.catch(() => undefined);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** True once the close has been reported. */
  get isClosed(): boolean {
    return this.done;
  }

  /** Bytes from the shell's stdout. */
  stdout(chunk: Uint8Array): void {
    if (this.done) return;
    if (!this.parser.started) {
      // What a failed start prints (the Engine reports an exec that could not start on stdout).
      this.remember(chunk);
      const rest = this.parser.push(chunk);
      if (this.parser.started) this.resolvePid(this.parser.pid!);
      if (rest.length > 0) this.handlers.onStdout(rest);
      return;
    }
    this.handlers.onStdout(chunk);
  }

  /** Bytes from the shell's stderr. */
  stderr(chunk: Uint8Array): void {
    if (this.done) return;
    if (!this.parser.started) this.remember(chunk);
    this.handlers.onStderr(chunk);
  }

  /** Reports the channel's end once (later calls are ignored). */
  close(info: ShellChannelCloseInfo): void {
    if (this.done) return;
    this.done = true;
    const exit = info.exitCode === null ? '' : ` (exit code ${info.exitCode})`;
    this.rejectPid(new Error(this.early.trim() || `the shell ended before starting${exit}`));
    this.handlers.onClose(info);
    this.resolveClosed(info);
  }

  private remember(chunk: Uint8Array): void {
    if (this.early.length < 4096) this.early += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  }
}
