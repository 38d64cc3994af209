import type { Readable } from 'node:stream';
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
  deliverPushes(channel, (chunk) => shell.stdout(chunk));
  deliverPushes(channel.stderr, (chunk) => shell.stderr(chunk));
  channel.on('exit', (code: number | null, signalName?: string) => {
    if (typeof code === 'number') exitCode = code;
    if (signalName) signal = signalName.startsWith('SIG') ? signalName : `SIG${signalName}`;
  });
  channel.on('close', () => shell.close({ exitCode, signal, reason: closeReason() ?? 'exited' }));
  return shell;
}

/**
 * Hands the chunks ssh2 pushes into `stream` (a channel's stdout or stderr) straight to `deliver`,
 * without the stream's buffering and `data` events: ssh2 feeds a channel by calling `push()` on
 * it, once per SSH data packet, and adjusts the SSH window itself when `push()` returns true, as it
 * does here (`deliver` consumes each chunk at once). The end of the stream (`push(null)`) goes
 * through as before, so `end` and `close` still come. Should ssh2 ever feed the stream another way,
 * the `data` listener added here receives its chunks instead: each chunk reaches `deliver` once.
 */
export function deliverPushes(stream: Readable, deliver: (chunk: Buffer) => void): void {
  const push = stream.push;
  stream.push = function (chunk: unknown, encoding?: BufferEncoding): boolean {
    if (encoding === undefined && Buffer.isBuffer(chunk)) {
      if (chunk.length > 0) deliver(chunk);
      return true;
    }
    return push.call(this, chunk, encoding);
  };
  stream.on('data', deliver);
}
