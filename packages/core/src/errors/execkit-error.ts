import type { ExecResult } from '../session/types.js';

const marker = Symbol.for('execkit.error');

/**
 * Stable string codes carried by every {@link ExecKitError}. Callers branch on these, never on
 * messages.
 *
 * - `TRANSPORT_START_FAILED`: the transport could not start a shell (program missing, cwd missing,
 *   connection refused…).
 * - `TRANSPORT_FAILED`: the transport broke while a session was using it.
 * - `SESSION_CLOSED`: the session's shell has ended (it ran `exit`, `exec`, was killed, or the
 *   session was closed); open a new session.
 * - `INVALID_OPTIONS`: an argument was rejected before anything ran.
 * - `TIMEOUT_HANDLING_FAILED`: a command timed out or was cancelled and the shell could not be
 *   brought back; the session has been closed.
 * - `UNSUPPORTED_TRANSPORT`: the transport implements a contract version this core does not know.
 * - `HOST_KEY_REJECTED`: a remote host's key is unknown (strict mode), changed, revoked or not the
 *   pinned one; nothing was sent to the host.
 * - `AUTHENTICATION_FAILED`: the remote host refused the credentials.
 * - `INVALID_KEY`: a private key could not be used (unparseable, or encrypted and no or a wrong
 *   passphrase given).
 * - `KEY_NOT_PERMITTED`: a key path is outside the permitted key directory, is not a regular file,
 *   or the key file is readable by others.
 * - `CONNECTION_LOST`: the connection to a remote host broke (or stopped answering keepalives)
 *   while in use; the outcome of a running command is unknown.
 * - `CONTAINER_UNAVAILABLE`: a container is missing, not running, or paused (the message names
 *   it and its state).
 * - `POLICY_DENIED`: the policy fence refused a command before it ran (the message names the rule
 *   and the program).
 */
export type ExecKitErrorCode =
  | 'TRANSPORT_START_FAILED'
  | 'TRANSPORT_FAILED'
  | 'SESSION_CLOSED'
  | 'INVALID_OPTIONS'
  | 'TIMEOUT_HANDLING_FAILED'
  | 'UNSUPPORTED_TRANSPORT'
  | 'HOST_KEY_REJECTED'
  | 'AUTHENTICATION_FAILED'
  | 'INVALID_KEY'
  | 'KEY_NOT_PERMITTED'
  | 'CONNECTION_LOST'
  | 'CONTAINER_UNAVAILABLE'
  | 'POLICY_DENIED';

/**
 * Base class of every error execkit throws. Check with {@link ExecKitError.isInstance}, which
 * works across duplicate copies of the package, rather than `instanceof`.
 */
export class ExecKitError extends Error {
  private readonly [marker] = true;
  /** Stable machine-readable code. */
  readonly code: ExecKitErrorCode;
  /**
   * When this error ended a running command (a lost connection, a container that stopped or
   * paused): what the command had printed, with `exitCode: null`. Set by `Session.exec`.
   */
  partial?: ExecResult;

  constructor(code: ExecKitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'ExecKitError';
  }

  /** True when `error` is an {@link ExecKitError} from any copy of this package. */
  static isInstance(error: unknown): error is ExecKitError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
