import { ExecKitError } from './execkit-error.js';

/** A transport could not start a shell. Code `TRANSPORT_START_FAILED`. */
export class TransportStartError extends ExecKitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSPORT_START_FAILED', message, options);
    this.name = 'TransportStartError';
  }
}
