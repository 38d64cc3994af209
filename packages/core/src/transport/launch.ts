import { randomBytes } from 'node:crypto';
import { quoteShellWord } from '../session/shell-dialect.js';
import type { ShellOpenOptions } from './contract.js';

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
