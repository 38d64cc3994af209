import { ExecKitError } from './execkit-error.js';
import type { PolicyDecision } from '../policy/types.js';

/**
 * The policy fence refused a command; nothing was sent to the shell. Code `POLICY_DENIED`. The
 * message names each broken rule and the offending program; `decision` has them all.
 */
export class PolicyDeniedError extends ExecKitError {
  constructor(
    message: string,
    /** The full verdict: every program found and every violation. */
    readonly decision: PolicyDecision,
  ) {
    super('POLICY_DENIED', message);
    this.name = 'PolicyDeniedError';
  }
}
