/**
 * The transport contract: what a transport (local, SSH, Docker…) must provide for core to run
 * sessions over it. Versioned by {@link TRANSPORT_SPECIFICATION_VERSION}; core refuses other
 * versions with an `UnsupportedTransportError`.
 *
 * A transport makes no assumption that the shell shares a machine, a pid namespace or a clock
 * with this process: everything core needs from the far side goes through the shell channel's
 * bytes or through {@link Transport.runSideCommand}.
 */

/** The contract version this core implements. */
export const TRANSPORT_SPECIFICATION_VERSION = 'execkit-transport-v1' as const;

/** How a shell channel ended. */
export interface ShellChannelCloseInfo {
  /** The shell's exit status when it exited normally, else `null`. */
  exitCode: number | null;
  /** The signal name (e.g. `SIGKILL`) when the shell was killed by one, else `null`. */
  signal: string | null;
  /**
   * Why the channel ended: `exited` (the shell ended by itself), `closed` (core or the caller
   * closed it), `error` (the transport failed; see `error`) or `lost` (the connection to the
   * shell's machine broke or stopped answering: the shell may still be running there, and the
   * outcome of a running command is unknown; a reconnectable transport can open a new shell).
   * When `reason` is `error` and `error` is an `ExecKitError`, a running command fails with it.
   */
  reason: 'exited' | 'closed' | 'error' | 'lost';
  /** The transport's error when `reason` is `error`. */
  error?: Error;
}

/** Callbacks a transport calls for one shell channel. Called in arrival order, never concurrently. */
export interface ShellChannelHandlers {
  /** Bytes the shell wrote to its standard output. */
  onStdout(chunk: Uint8Array): void;
  /** Bytes the shell wrote to its standard error, kept apart from stdout. */
  onStderr(chunk: Uint8Array): void;
  /** Called once, after the last `onStdout`/`onStderr`, when the channel has ended. */
  onClose(info: ShellChannelCloseInfo): void;
}

/** Options for {@link Transport.openShell}. */
export interface ShellOpenOptions {
  /**
   * Shells to try, in order. `bash` is started as `bash --noprofile --norc --noediting -i`, `sh`
   * as `sh -i` with `ENV` empty. Default `['bash', 'sh']`.
   */
  shells?: ReadonlyArray<'bash' | 'sh'>;
  /** Extra environment variables for the shell process, where the transport can set them. */
  env?: Readonly<Record<string, string>>;
}

/**
 * A live shell process with stdin, stdout and stderr as separate byte streams (no PTY).
 *
 * The shell runs interactive (`-i`) so that an interrupt (SIGINT) aborts the running command and
 * returns the shell to reading input instead of killing it.
 */
export interface ShellChannel {
  /** Writes bytes to the shell's standard input. */
  write(data: Uint8Array): void;
  /**
   * Optional, default false. True when this process's event loop reads both output streams
   * itself (e.g. local pipes), so that bytes the shell wrote to stderr before some bytes it wrote
   * to stdout reach `onStderr` before the loop has finished polling for I/O once more after those
   * stdout bytes reached `onStdout`. That holds because a write to a pipe or socket is complete
   * when it returns: once the stdout bytes are read, the earlier stderr bytes wait in their pipe,
   * and the next poll finds them. Core then ends a command at its stdout frame after two
   * `setImmediate` turns (one poll phase between them) and the shell prints no stderr marker.
   * False where a server forwards the two streams separately (SSH, Docker): frames keep a marker
   * on stderr.
   */
  readonly orderedStreams?: boolean;
  /**
   * Optional: why the shell cannot answer right now (e.g. its container is paused), else
   * undefined. While set, `Session.exec` fails with it at once and sends nothing; the session
   * stays open. A command already running when it is set runs on when the fault clears, or is
   * interrupted at its timeout.
   */
  readonly fault?: Error | undefined;
  /**
   * Ends the shell and every process it started (its process group), then resolves once
   * `onClose` has been called. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** Options for {@link Transport.runSideCommand}. */
export interface SideCommandOptions {
  /** Kill the side command after this many ms. Default 10_000. */
  timeoutMs?: number;
  /** Cancels the side command. */
  signal?: AbortSignal;
}

/** The outcome of a side command. Output is raw text, decoded as UTF-8. */
export interface SideCommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A way to reach a machine: starts shells and runs side commands there.
 *
 * Implementations: `createLocalTransport()` in this package, `@execkit/transport-ssh`,
 * `@execkit/transport-docker`.
 */
export interface Transport {
  /** Must equal {@link TRANSPORT_SPECIFICATION_VERSION}. */
  readonly specificationVersion: typeof TRANSPORT_SPECIFICATION_VERSION;
  /** Short kind name: `local`, `ssh`, `docker`… Used in session ids. */
  readonly kind: string;
  /** Human-readable target, e.g. `local` or `alice@build-1:22`. Never contains secrets. */
  readonly target: string;
  /**
   * True when a channel can end with reason `lost` and a later {@link Transport.openShell} can
   * reach the same machine again (a network transport). Sessions then record their exported
   * variables as they change and, on the next command after a loss, open a new shell and restore
   * the working directory and those variables. Default false.
   */
  readonly reconnectable?: boolean;
  /**
   * Starts a shell. Throws `TransportStartError` when no shell can be started.
   */
  openShell(options: ShellOpenOptions, handlers: ShellChannelHandlers): Promise<ShellChannel>;
  /**
   * Runs `command` with `sh -c` outside any session, on the same machine as the shells (used to
   * signal a session's processes). Throws `TransportError` when it cannot be run.
   */
  runSideCommand(command: string, options?: SideCommandOptions): Promise<SideCommandResult>;
  /** Releases the transport's resources (connections). Sessions should be closed first. */
  close(): Promise<void>;
}
