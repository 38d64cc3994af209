import { ExecKitError } from './execkit-error.js';

/** A transport broke while in use (a side command failed, a write failed). Code `TRANSPORT_FAILED`. */
export class TransportError extends ExecKitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSPORT_FAILED', message, options);
    this.name = 'TransportError';
  }
}
