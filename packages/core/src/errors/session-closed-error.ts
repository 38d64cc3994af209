import { ExecKitError } from './execkit-error.js';

/**
 * The session's shell has ended. Code `SESSION_CLOSED`.
 *
 * `exitCode` is the shell's own exit status when it exited (for example after `exit 3`), or
 * `null` when it was closed or killed.
 */
export class SessionClosedError extends ExecKitError {
  readonly exitCode: number | null;
  readonly reason: string;

  constructor(reason: string, exitCode: number | null, options?: { cause?: unknown }) {
    super(
      'SESSION_CLOSED',
      `The session is closed (${reason}${exitCode === null ? '' : `, exit code ${exitCode}`}). Open a new session.`,
      options,
    );
    this.name = 'SessionClosedError';
    this.reason = reason;
    this.exitCode = exitCode;
  }
}
