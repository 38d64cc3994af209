import type { Redactor } from './redactor.js';

/** How deep {@link redactError} follows an error's `cause` chain. */
const MAX_CAUSE_DEPTH = 8;

/**
 * Masks secrets in everything an error shows, in place, and returns the same error: its
 * `message` and the matching text in its `stack`, a policy decision's violation details
 * (`PolicyDeniedError.decision`), a partial result's `command`, `cwd`, `stdout` and `stderr`
 * (`ExecKitError.partial`), and the same for each error along its `cause` chain (up to 8 deep).
 * Anything that is not an `Error` is returned unchanged.
 *
 * Sessions apply this to every error they throw, so a secret in a command (or in a path, or in
 * what a shell printed before failing) never reaches a caller through an error message.
 */
export function redactError<T>(error: T, redactor: Redactor): T {
  let current: unknown = error;
  const seen = new Set<unknown>();
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && current instanceof Error && !seen.has(current); depth++) {
    seen.add(current);
    redactOne(current, redactor);
    current = current.cause;
  }
  return error;
}

function redactOne(error: Error, redactor: Redactor): void {
  const message = error.message;
  const masked = redactor.redact(message).text;
  if (masked !== message) {
    error.message = masked;
    if (typeof error.stack === 'string') error.stack = error.stack.split(message).join(masked);
  }
  const { decision, partial } = error as { decision?: unknown; partial?: unknown };
  if (isDecision(decision)) redactDecision(decision, redactor);
  if (typeof partial === 'object' && partial !== null) {
    const fields = partial as Record<string, unknown>;
    for (const key of ['command', 'cwd', 'stdout', 'stderr']) {
      const value = fields[key];
      if (typeof value === 'string') fields[key] = redactor.redact(value).text;
    }
  }
}

/**
 * Masks secrets in a policy decision's violation details, in place; returns the same decision.
 * @internal
 */
export function redactDecision<D extends { violations: Array<{ detail: string }> }>(decision: D, redactor: Redactor): D {
  for (const violation of decision.violations) violation.detail = redactor.redact(violation.detail).text;
  return decision;
}

function isDecision(value: unknown): value is { violations: Array<{ detail: string }> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { violations?: unknown }).violations) &&
    (value as { violations: unknown[] }).violations.every((v) => typeof v === 'object' && v !== null && typeof (v as { detail?: unknown }).detail === 'string')
  );
}
