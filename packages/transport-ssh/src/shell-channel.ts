import type { ClientChannel } from 'ssh2';
import { LaunchedShell, quoteShellWord, shellLaunchScript, type ShellChannelCloseInfo, type ShellChannelHandlers, type ShellOpenOptions } from '@execkit/core';

/** The remote command for a session's shell: the login shell only has to run `exec sh -c '…'`. */
export function remoteShellCommand(tag: string, open: ShellOpenOptions): string {
  return `exec sh -c ${quoteShellWord(shellLaunchScript(tag, open))}`;
}

/**
 * Wires an ssh2 exec channel running {@link remoteShellCommand} to core's handlers through a
 * {@link LaunchedShell} (launch line stripped, close reported once with the exit status).
 */
export function attachShellChannel(
  channel: ClientChannel,
  tag: string,
  handlers: ShellChannelHandlers,
  closeReason: () => ShellChannelCloseInfo['reason'] | undefined,
): LaunchedShell {
  const shell = new LaunchedShell(tag, handlers);
  let exitCode: number | null = null;
  let signal: string | null = null;
  channel.on('data', (chunk: Buffer) => shell.stdout(chunk));
  channel.stderr.on('data', (chunk: Buffer) => shell.stderr(chunk));
  channel.on('exit', (code: number | null, signalName?: string) => {
    if (typeof code === 'number') exitCode = code;
    if (signalName) signal = signalName.startsWith('SIG') ? signalName : `SIG${signalName}`;
  });
  channel.on('close', () => shell.close({ exitCode, signal, reason: closeReason() ?? 'exited' }));
  return shell;
}
