import { ExecKitError } from './execkit-error.js';

/** An argument was rejected before anything ran. Code `INVALID_OPTIONS`. `field` names it. */
export class InvalidOptionsError extends ExecKitError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('INVALID_OPTIONS', `Invalid ${field}: ${message}`);
    this.name = 'InvalidOptionsError';
    this.field = field;
  }
}
