import { checkWithValidPolicy, type checkCommand } from './check.js';
import type { Policy, PolicyDecision } from './types.js';
import { validatePolicy } from './validate.js';

/** Decisions a {@link PolicyChecker} remembers by default. */
export const DEFAULT_DECISION_CACHE_ENTRIES = 256;

/** Commands longer than this (in chars) are checked every time, never remembered. */
export const MAX_CACHED_COMMAND_CHARS = 4096;

/**
 * Checks commands against one fixed policy and remembers recent decisions.
 *
 * A decision of {@link checkCommand} depends only on the command text and the policy, so for a
 * fixed policy (validated and copied here, so later changes to the caller's object do not apply)
 * a remembered decision is exactly the one a new check would give. Agents repeat commands
 * (`git status`, a test run) often; a repeat skips the parse. The memory is bounded: at most
 * `capacity` decisions for commands of at most {@link MAX_CACHED_COMMAND_CHARS} chars, least
 * recently used dropped first.
 */
export class PolicyChecker {
  private readonly policy: Policy;
  private readonly decisions = new Map<string, PolicyDecision>();

  /**
   * @param policy - the policy to enforce; validated (and copied) once here
   * @param capacity - decisions remembered; default {@link DEFAULT_DECISION_CACHE_ENTRIES}; 0 remembers none
   * @throws InvalidOptionsError when `policy` is not a valid policy (see {@link validatePolicy})
   */
  constructor(
    policy: Policy,
    private readonly capacity = DEFAULT_DECISION_CACHE_ENTRIES,
  ) {
    this.policy = validatePolicy(policy);
  }

  /** Decisions remembered now. */
  get size(): number {
    return this.decisions.size;
  }

  /**
   * The decision of {@link checkCommand} for `command` under this checker's policy. Each call
   * returns a fresh object the caller may change.
   *
   * @throws InvalidOptionsError when `command` is not a string
   */
  async check(command: string): Promise<PolicyDecision> {
    const known = this.decisions.get(command);
    if (known) {
      // Most recently used goes last; eviction takes the first.
      this.decisions.delete(command);
      this.decisions.set(command, known);
      return copyDecision(known);
    }
    const decision = await checkWithValidPolicy(command, this.policy);
    if (this.capacity > 0 && command.length <= MAX_CACHED_COMMAND_CHARS) {
      if (this.decisions.size >= this.capacity) this.decisions.delete(this.decisions.keys().next().value as string);
      this.decisions.set(command, copyDecision(decision));
    }
    return decision;
  }
}

function copyDecision(decision: PolicyDecision): PolicyDecision {
  return {
    allowed: decision.allowed,
    programs: [...decision.programs],
    violations: decision.violations.map((violation) => ({ ...violation })),
  };
}
