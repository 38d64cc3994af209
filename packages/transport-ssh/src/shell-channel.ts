import type { ClientChannel } from 'ssh2';
import { ShellLaunchParser, quoteShellWord, shellLaunchScript, type ShellChannelCloseInfo, type ShellChannelHandlers, type ShellOpenOptions } from '@execkit/core';

/** The remote command for a session's shell: the login shell only has to run `exec sh -c '…'`. */
export function remoteShellCommand(tag: string, open: ShellOpenOptions): string {
  return `exec sh -c ${quoteShellWord(shellLaunchScript(tag, open))}`;
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
  const launch = new ShellLaunchParser(tag);
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
    const wasStarted = launch.started;
    const rest = launch.push(chunk);
    if (!wasStarted && launch.started) resolvePid(launch.pid!);
    if (rest.length > 0) handlers.onStdout(rest);
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    if (closed) return;
    if (!launch.started && earlyStderr.length < 4096) earlyStderr += chunk.toString('utf8');
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
