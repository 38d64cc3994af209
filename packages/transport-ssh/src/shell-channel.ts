import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { quoteShellWord, type ShellChannelCloseInfo, type ShellChannelHandlers, type ShellOpenOptions } from '@execkit/core';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The remote command that becomes the session's shell. The login shell only has to run
 * `exec sh -c '…'`; the POSIX script then prints `<tag>:<pid>` (the shell keeps that pid through
 * `exec`), sets the prompt variables and replaces itself with the first available shell.
 */
export function remoteShellCommand(tag: string, open: ShellOpenOptions): string {
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
  return `exec sh -c ${quoteShellWord(lines.join('\n'))}`;
}

/** A fresh tag for {@link remoteShellCommand}. */
export function newShellTag(): string {
  return `__execkit_${randomBytes(8).toString('hex')}`;
}

/**
 * Wires an ssh2 exec channel running {@link remoteShellCommand} to core's handlers: strips the
 * `<tag>:<pid>` line (and anything a login script printed before it) from stdout, then passes
 * bytes through. Resolves with the shell's pid once the line arrives.
 */
export function attachShellChannel(
  channel: ClientChannel,
  tag: string,
  handlers: ShellChannelHandlers,
  closeReason: () => ShellChannelCloseInfo['reason'] | undefined,
): { pid: Promise<number>; closeInfo: Promise<ShellChannelCloseInfo>; reportClose(info: ShellChannelCloseInfo): void } {
  const marker = Buffer.from(`${tag}:`);
  let head: Buffer | undefined = Buffer.alloc(0);
  let exitCode: number | null = null;
  let signal: string | null = null;
  let earlyStderr = '';
  let closed = false;
  let resolvePid!: (pid: number) => void;
  let rejectPid!: (error: Error) => void;
  const pid = new Promise<number>((resolve, reject) => {
    resolvePid = resolve;
    rejectPid = reject;
  });
  let resolveClose!: (info: ShellChannelCloseInfo) => void;
  const closeInfo = new Promise<ShellChannelCloseInfo>((resolve) => (resolveClose = resolve));

  const reportClose = (info: ShellChannelCloseInfo) => {
    if (closed) return;
    closed = true;
    rejectPid(new Error(earlyStderr.trim() || `the shell ended before starting${exitCode === null ? '' : ` (exit code ${exitCode})`}`));
    handlers.onClose(info);
    resolveClose(info);
  };

  channel.on('data', (chunk: Buffer) => {
    if (closed) return;
    if (head === undefined) {
      handlers.onStdout(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const at = head.indexOf(marker);
    if (at < 0) {
      // Keep only what could be the start of the marker line.
      if (head.length > 64 * 1024) head = head.subarray(head.length - marker.length);
      return;
    }
    const newline = head.indexOf(0x0a, at);
    if (newline < 0) return;
    const value = Number.parseInt(head.subarray(at + marker.length, newline).toString('latin1'), 10);
    const rest = head.subarray(newline + 1);
    head = undefined;
    resolvePid(value);
    if (rest.length > 0) handlers.onStdout(rest);
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    if (closed) return;
    if (head !== undefined && earlyStderr.length < 4096) earlyStderr += chunk.toString('utf8');
    handlers.onStderr(chunk);
  });
  channel.on('exit', (code: number | null, signalName?: string) => {
    if (typeof code === 'number') exitCode = code;
    if (signalName) signal = signalName.startsWith('SIG') ? signalName : `SIG${signalName}`;
  });
  channel.on('close', () => {
    reportClose({ exitCode, signal, reason: closeReason() ?? 'exited' });
  });
  return { pid, closeInfo, reportClose };
}
