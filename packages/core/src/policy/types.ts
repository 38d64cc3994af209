/**
 * A command policy: which programs a command may run, checked before the command is sent to the shell.
 *
 * A policy with neither `allow` nor `deny` has no *list*; it can still carry `deny_patterns` and `guard`.
 * Build policies from untrusted configuration with {@link validatePolicy}; combine an operator's policy
 * with a session's with {@link narrowPolicy}.
 */
export interface Policy {
  /**
   * Only these programs may run (names, not paths: `git`, not `/usr/bin/git`). When present, every command
   * word the checker finds (shell builtins such as `cd` or `echo`, wrappers such as `sudo`, and the
   * programs those wrappers run) must be listed. An empty array allows nothing. Matching ignores ASCII case.
   */
  allow?: string[];
  /** These programs may never run. Deny wins over `allow`. Matching ignores ASCII case. */
  deny?: string[];
  /**
   * Regular expressions (JavaScript syntax, no flags) tested against the whole command text and against
   * every simple command found, rendered as its normalised words joined by single spaces. A match denies.
   * Validated: at most 64 patterns of at most 256 characters each, no backreferences, no quantified
   * group that itself contains a quantifier or an alternation, no pattern that matches the empty string.
   */
  deny_patterns?: string[];
  /** Block well-known destructive operations (`rm -rf /`, `mkfs`, `dd of=/dev/sda`, fork bombs, `curl … | sh`, …). */
  guard?: boolean;
}

/** The rule a {@link PolicyViolation} broke. */
export type PolicyRule =
  | 'allow'
  | 'deny'
  | 'deny_pattern'
  | 'guard'
  | 'unknown_program'
  | 'rejected_input'
  | 'parse_error';

/** One reason a command is not allowed. */
export interface PolicyViolation {
  /** The rule that was broken. */
  rule: PolicyRule;
  /** The offending program, normalised (`rm` for `/usr/bin/../bin/rm`), when one is known. */
  program?: string;
  /** A human-readable explanation naming the rule and, when known, the program. */
  detail: string;
}

/** The verdict of {@link checkCommand}. */
export interface PolicyDecision {
  /** `true` exactly when `violations` is empty. */
  allowed: boolean;
  /** Every program the command would run, normalised, in order of first appearance, without duplicates. */
  programs: string[];
  /** Every violation found; empty when the command is allowed. */
  violations: PolicyViolation[];
}
