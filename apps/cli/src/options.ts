import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';

/** The per-command timeout when `--timeout` is not given, in seconds (the core's own default). */
export const DEFAULT_TIMEOUT_SECONDS = 120;

/** Parses a `--timeout` value: a positive, finite number of seconds. */
export function parseTimeoutSeconds(value: string): number {
  const trimmed = value.trim();
  const seconds = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError('Expected a positive number of seconds.');
  }
  return seconds;
}

/** `--timeout <seconds>`, shared by the commands that run commands. */
export function timeoutOption(): Option {
  return new Option('-t, --timeout <seconds>', `interrupt a command after this many seconds (default: ${DEFAULT_TIMEOUT_SECONDS})`).argParser(
    parseTimeoutSeconds,
  );
}

/** `--cwd <dir>`, shared by the commands that open a session. */
export function cwdOption(): Option {
  return new Option('-C, --cwd <dir>', 'directory to start the session in (default: the current directory; with --ssh or --docker, the shell’s own)').argParser(
    (value: string) => {
      if (value.trim() === '') throw new InvalidArgumentError('Expected a directory.');
      return value;
    },
  );
}

/** The session's start directory: a local `--cwd` is resolved against this process's directory, a remote one is the shell's business. */
export function sessionCwd(options: { cwd?: string; ssh?: unknown; docker?: string }): { cwd?: string } {
  if (options.cwd === undefined) return {};
  return { cwd: options.ssh !== undefined || options.docker !== undefined ? options.cwd : resolve(options.cwd) };
}

/** Formats seconds for messages: `1s`, `0.5s`, `120s`. */
export function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))}s`;
}
