import type { ExecResult } from '@execkit/core';

/** The `--json` form of a result: snake_case keys, one object. */
export interface ExecResultJson {
  command: string;
  stdout: string;
  stderr: string;
  exit_code: number | null;
  duration_ms: number;
  cwd: string;
  truncated: boolean;
  timed_out: boolean;
  aborted: boolean;
  stdout_bytes: number;
  stderr_bytes: number;
}

/** Converts a core result to its `--json` form. */
export function resultToJson(result: ExecResult): ExecResultJson {
  return {
    command: result.command,
    stdout: result.stdout,
    stderr: result.stderr,
    exit_code: result.exitCode,
    duration_ms: result.durationMs,
    cwd: result.cwd,
    truncated: result.truncated,
    timed_out: result.timedOut,
    aborted: result.aborted,
    stdout_bytes: result.stdoutBytes,
    stderr_bytes: result.stderrBytes,
  };
}
