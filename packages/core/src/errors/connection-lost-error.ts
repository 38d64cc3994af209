import { ExecKitError } from './execkit-error.js';
import type { ExecResult } from '../session/types.js';

/**
 * The connection to a session's machine broke, or stopped answering keepalives, while a command
 * ran. Code `CONNECTION_LOST`. The command's outcome is unknown (it may have finished, or still be
 * running there); `partial` holds what it printed before the loss, with `exitCode: null`. The next
 * `exec` on a session over a reconnectable transport opens a new shell and restores the working
 * directory and exported variables.
 */
export class ConnectionLostError extends ExecKitError {
  constructor(message: string, partial?: ExecResult, options?: { cause?: unknown }) {
    super('CONNECTION_LOST', message, options);
    this.name = 'ConnectionLostError';
    if (partial) this.partial = partial;
  }
}
