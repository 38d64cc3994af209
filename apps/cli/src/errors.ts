import { ExecKitError, type ExecResult } from '@execkit/core';
import { CommanderError } from 'commander';
import type { CliIo, CliSignal } from './io.js';

/**
 * Every exit status the CLI chooses itself. A command's own exit status (0–255) is passed
 * through unchanged; these cover everything else, following coreutils `timeout`, `env` and docker.
 */
export const ExitCode = {
  ok: 0,
  /** Bad command line: unknown option, missing argument, invalid value. */
  usage: 2,
  /** The command ran past `--timeout` and was interrupted. */
  timedOut: 124,
  /** execkit itself failed (the session could not start, the shell vanished…). */
  toolFailure: 125,
  /** Interrupted with Ctrl-C (SIGINT). */
  interrupted: 130,
} as const;

const SIGNAL_NUMBERS: Readonly<Record<CliSignal, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** A command line the CLI refuses before running anything. Exits with {@link ExitCode.usage}. */
export class UsageError extends Error {
  /** The subcommand whose `--help` explains the usage, if any. */
  readonly commandName: string | undefined;

  constructor(message: string, commandName?: string) {
    super(message);
    this.name = 'UsageError';
    this.commandName = commandName;
  }
}

/** Rewrites commander's `error: …` lines as `execkit: …`. Used as commander's `outputError`. */
export function formatUsageMessage(text: string): string {
  return `execkit: ${text.replace(/^error: /, '')}`;
}

/** The one-line report for an execkit error: `execkit: <message> (<code>)`. */
export function formatExecKitError(error: ExecKitError): string {
  return `execkit: ${error.message} (${error.code})\n`;
}

/** Writes the report for `error` to stderr (unless commander already did) and returns the exit status. */
export function exitCodeForError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already written its message (or the help or version) through the output configuration.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof UsageError) {
    const help = error.commandName ? `execkit ${error.commandName} --help` : 'execkit --help';
    io.stderr.write(`execkit: ${error.message}\nRun '${help}' for usage.\n`);
    return ExitCode.usage;
  }
  if (ExecKitError.isInstance(error)) {
    io.stderr.write(formatExecKitError(error));
    return ExitCode.toolFailure;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`execkit: unexpected error: ${detail}\n`);
  return ExitCode.toolFailure;
}

/**
 * The exit status for a finished command: interrupted → 130, timed out → 124, no known status
 * (the shell was killed) → 125, otherwise the command's own status.
 */
export function exitCodeForResult(result: ExecResult): number {
  if (result.aborted) return ExitCode.interrupted;
  if (result.timedOut) return ExitCode.timedOut;
  if (result.exitCode === null) return ExitCode.toolFailure;
  return result.exitCode;
}

/** The conventional status of a process ended by `signal`: 128 + its number. */
export function exitCodeForSignal(signal: CliSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}
