import type { ExecResult } from './types.js';
import type { BudgetReport } from '../budget/budget.js';

/**
 * The JSON form of an {@link ExecResult}, with the snake_case keys that the MCP tool
 * `session_exec` and `execkit exec --json` put on the wire.
 */
export interface ExecResultJson {
  command: string;
  stdout: string;
  stderr: string;
  exit_code: number | null;
  /** ms */
  duration_ms: number;
  cwd: string;
  truncated: boolean;
  timed_out: boolean;
  aborted: boolean;
  /** bytes, before cleaning or capping */
  stdout_bytes: number;
  /** bytes, before cleaning or capping */
  stderr_bytes: number;
  session_closed: boolean;
  /** the connection had been lost; this ran in a new shell with cwd and exported variables restored */
  reconnected: boolean;
  /** id for `output_read` when the output was cut, else null */
  output_id: string | null;
  /** what the budget did per stream, when one applied */
  budget?: { stdout: BudgetReport; stderr: BudgetReport };
}

/** Converts a result to its {@link ExecResultJson} wire form. */
export function execResultToJson(result: ExecResult): ExecResultJson {
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
    session_closed: result.sessionClosed,
    reconnected: result.reconnected,
    output_id: result.outputId,
    ...(result.budget ? { budget: result.budget } : {}),
  };
}
