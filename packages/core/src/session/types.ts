import type { Policy } from '../policy/types.js';
import type { BudgetReport, OutputBudget } from '../budget/budget.js';

/** Options for `Session.open`. */
export interface SessionOptions {
  /** Directory to start in. Default: the shell's own start directory (the home directory, for remote shells). */
  cwd?: string;
  /**
   * Variables to export in the session before the first command. Names must match
   * `[A-Za-z_][A-Za-z0-9_]*`.
   */
  env?: Readonly<Record<string, string>>;
  /** Default per-command timeout in ms. Default 120_000 (2 minutes). */
  timeoutMs?: number;
  /** Default cap per output stream, in chars, head and tail kept. Default 100_000. */
  maxOutputChars?: number;
  /** Shells to try in order. Default `['bash', 'sh']`. */
  shells?: ReadonlyArray<'bash' | 'sh'>;
  /** How long the shell may take to start and answer, in ms. Default 30_000. */
  startTimeoutMs?: number;
  /**
   * How long each step of interrupting a timed-out command waits for the shell to come back, in
   * ms, before escalating (SIGINT → SIGTERM → SIGKILL). Default 1_000.
   */
  interruptGraceMs?: number;
  /**
   * Open a new shell on the next command, restoring the working directory and exported variables,
   * after the connection was lost (on a reconnectable transport: SSH) or after a shell that could
   * not be interrupted was killed (any transport). Sessions then record their exported variables
   * (`export -p`, one extra round trip) after commands that may change them. With `false`, a lost
   * connection or a shell that cannot be interrupted closes the session. Default true.
   */
  reconnect?: boolean;
  /**
   * The policy fence for this session's commands (see docs/policy.md): every command is parsed and
   * checked before it is sent; a refused one throws `PolicyDeniedError` and never runs. Validate
   * untrusted input with `validatePolicy`; combine layers with `narrowPolicy`. Default: none.
   */
  policy?: Policy;
  /**
   * The default output budget for this session's commands (`grep`, then `keep`, then `max_chars`;
   * see docs/output.md). Validated at open. Default: none (only the `maxOutputChars` cap).
   */
  budget?: OutputBudget;
  /**
   * Secret redaction of everything a result carries: stdout, stderr, the echoed command, the cwd,
   * stored outputs (see docs/output.md). On by default. `knownValues`: exact secret values to mask
   * wherever they appear (values of `env` entries whose names look secret are added
   * automatically); `disable`: rule ids to leave out (e.g. `twilio-account-sid`).
   */
  redaction?: { enabled?: boolean; knownValues?: readonly string[]; disable?: readonly string[] };
}

/** Options for `session.exec`. */
export interface ExecOptions {
  /** Timeout in ms; the command is interrupted and the session kept. Default: the session's (120_000). */
  timeoutMs?: number;
  /**
   * Text fed to the command's standard input, byte for byte. Default: none — the command reads
   * end-of-file at once and never the session's own input.
   */
  stdin?: string;
  /** Cancels the command like a timeout does (the session is kept); the result has `aborted: true`. */
  signal?: AbortSignal;
  /** Cap per output stream for this command, in chars. Default: the session's (100_000). */
  maxOutputChars?: number;
  /**
   * Run even if the policy's `guard` flags the command as dangerous. Lists (`allow`, `deny`,
   * `deny_patterns`) still apply. Default false.
   */
  force?: boolean;
  /** Output budget for this command, replacing the session's. Validated before anything runs. */
  budget?: OutputBudget;
}

/**
 * The outcome of one command. One shape for success and failure: a non-zero exit code, a
 * timeout or a shell that exited are all results, not exceptions.
 */
export interface ExecResult {
  /** The command as given. */
  command: string;
  /** Standard output as clean text (UTF-8 decoded, ANSI and control characters removed, `\r` overwrites applied), bounded. */
  stdout: string;
  /** Standard error, treated like `stdout` and kept apart from it. */
  stderr: string;
  /**
   * The command's exit status (0–255), as the shell's `$?` after it. 130 after an interrupt.
   * When the command ended the shell (`exit 3`, `exec …`), the shell's exit status. `null` when
   * the shell was killed and no status is known.
   */
  exitCode: number | null;
  /** Wall time from sending the command to receiving its frame, in ms. */
  durationMs: number;
  /** The shell's working directory after the command (`$PWD`). The last known one if the shell ended. */
  cwd: string;
  /** True when `stdout` or `stderr` was cut to its cap (the middle elided). */
  truncated: boolean;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** True when the command hit its timeout and was interrupted. */
  timedOut: boolean;
  /** True when the command was cancelled through `signal`. */
  aborted: boolean;
  /** Raw bytes the command wrote to stdout, before any cleaning or capping. */
  stdoutBytes: number;
  /** Raw bytes the command wrote to stderr, before any cleaning or capping. */
  stderrBytes: number;
  /** True when the shell ended during this command; the next `exec` throws `SessionClosedError`. */
  sessionClosed: boolean;
  /**
   * True when this command ran in a new shell, because the connection had been lost or because
   * the last command's shell could not be interrupted and was killed: the working directory and
   * exported variables were restored; shell functions, aliases, unexported variables and
   * background jobs of the old shell were not.
   */
  reconnected: boolean;
  /**
   * When the output was cut (by the cap or a budget): an id for `session.readOutput` that pages
   * through the whole output (redacted, up to 4 M chars per stream, head and tail beyond that),
   * while the session lives and until newer outputs push it out. Else `null`.
   */
  outputId: string | null;
  /** Per stream, what the budget did (`mode`, `lines_total`, `lines_kept`), when a budget applied. */
  budget?: { stdout: BudgetReport; stderr: BudgetReport };
}

/** A snapshot of a session's state. */
export interface SessionInfo {
  /** Transport kind (`local`, `ssh`, `docker`). */
  transport: string;
  /** The transport's target description. */
  target: string;
  /** The shell language in use. */
  dialect: 'bash' | 'sh';
  /** The shell's process id on its own machine. */
  shellPid: number;
  /** The working directory after the last command. */
  cwd: string;
  /** True while a command runs. */
  busy: boolean;
  /** Commands waiting behind the running one. */
  queued: number;
  /** `Date.now()` when the last command finished (or the session opened). */
  lastActivityAt: number;
  /** True once the shell has ended. */
  closed: boolean;
}
