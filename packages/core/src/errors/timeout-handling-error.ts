import { ExecKitError } from './execkit-error.js';

/**
 * A command timed out or was cancelled and the shell could not be brought back to a prompt; the
 * session was closed. Code `TIMEOUT_HANDLING_FAILED`.
 */
export class TimeoutHandlingError extends ExecKitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT_HANDLING_FAILED', message, options);
    this.name = 'TimeoutHandlingError';
  }
}
