import { InvalidOptionsError } from '../errors/index.js';
import type { Policy } from './types.js';

/** Most programs in one `allow` or `deny` list. */
export const MAX_PROGRAMS = 1024;
/** Most entries in `deny_patterns`. */
export const MAX_PATTERNS = 64;
/** Longest accepted deny pattern, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 256;

const KNOWN_FIELDS = new Set(['allow', 'deny', 'deny_patterns', 'guard']);
const BAD_NAME_CHAR = /[\s/\u0000-\u001F\u007F-\u009F]/;

function validateProgramList(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new InvalidOptionsError(field, 'must be an array of program names');
  if (value.length > MAX_PROGRAMS) throw new InvalidOptionsError(field, `must list at most ${MAX_PROGRAMS} programs`);
  const out: string[] = [];
  const seen = new Set<string>();
  value.forEach((name: unknown, index) => {
    const where = `${field}[${index}]`;
    if (typeof name !== 'string') throw new InvalidOptionsError(where, 'must be a string');
    if (name.length === 0 || name.length > 255) throw new InvalidOptionsError(where, 'must be 1 to 255 characters long');
    if (BAD_NAME_CHAR.test(name)) {
      throw new InvalidOptionsError(
        where,
        `${JSON.stringify(name)} must be a bare program name (no path, whitespace or control characters): paths are reduced to their last component before matching`,
      );
    }
    const key = foldName(name);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(name);
    }
  });
  return out;
}

/** Case-folds a program name for list matching (ASCII only, so `RM` matches `rm`). */
export function foldName(name: string): string {
  return name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * Checks a regular expression source for constructs that make backtracking regex engines slow:
 * backreferences and a repeated group that contains a quantifier or an alternation (`(a+)+`, `(a|ab)*`).
 * Returns a reason, or `null` when the pattern is acceptable.
 */
export function unsafePatternReason(source: string): string | null {
  interface Group {
    quantified: boolean;
    alternation: boolean;
  }
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let last: 'none' | 'atom' | Group = 'none';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next)) return 'backreferences are not allowed';
      if (next === 'k' && source[i + 2] === '<') return 'named backreferences are not allowed';
      i++;
      last = 'atom';
      continue;
    }
    if (c === '[') {
      i++;
      if (source[i] === '^') i++;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') {
        if (source[i] === '\\') i++;
        i++;
      }
      last = 'atom';
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      if (source[i + 1] === '?') {
        // (?:  (?=  (?!  (?<=  (?<!  (?<name>
        i++;
        if (source[i + 1] === '<' && source[i + 2] !== '=' && source[i + 2] !== '!') {
          const close = source.indexOf('>', i);
          if (close < 0) return 'unterminated group name';
          i = close;
        } else if (source[i + 1] === '<') {
          i += 2;
        } else {
          i++;
        }
      }
      last = 'none';
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return 'unbalanced parenthesis';
      const group = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      last = { quantified: group.quantified, alternation: group.alternation };
      parent.quantified ||= group.quantified;
      parent.alternation ||= group.alternation;
      continue;
    }
    if (c === '|') {
      top.alternation = true;
      last = 'none';
      continue;
    }
    let repeats: boolean | null = null;
    if (c === '*' || c === '+') repeats = true;
    else if (c === '?') repeats = false;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (m) {
        const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
        repeats = max > 1;
        i += m[0].length - 1;
      }
    }
    if (repeats !== null) {
      if (repeats && typeof last === 'object' && (last.quantified || last.alternation)) {
        return 'a repeated group contains a quantifier or an alternation (catastrophic backtracking); use a character class or an unrepeated group';
      }
      top.quantified = true;
      if (source[i + 1] === '?') i++;
      last = 'none';
      continue;
    }
    last = 'atom';
  }
  return null;
}

const compiled = new Map<string, RegExp>();

/**
 * Compiles a deny pattern after validating it; cached by source. Throws {@link InvalidOptionsError}.
 */
export function compileDenyPattern(source: unknown, field = 'policy.deny_patterns'): RegExp {
  if (typeof source !== 'string') throw new InvalidOptionsError(field, 'must be a string');
  const cached = compiled.get(source);
  if (cached) return cached;
  if (source.length === 0 || source.length > MAX_PATTERN_LENGTH) {
    throw new InvalidOptionsError(field, `must be 1 to ${MAX_PATTERN_LENGTH} characters long`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    throw new InvalidOptionsError(field, `${JSON.stringify(source)} is not a valid regular expression: ${(error as Error).message}`);
  }
  const unsafe = unsafePatternReason(source);
  if (unsafe) throw new InvalidOptionsError(field, `${JSON.stringify(source)} is rejected: ${unsafe}`);
  if (regex.test('')) {
    throw new InvalidOptionsError(field, `${JSON.stringify(source)} matches the empty string, so it would deny every command`);
  }
  if (compiled.size >= 1024) compiled.clear();
  compiled.set(source, regex);
  return regex;
}

/**
 * Validates untrusted policy input (for example parsed JSON or YAML) and returns a clean {@link Policy}.
 *
 * Rejects, with an {@link InvalidOptionsError} naming the field: a non-object, unknown fields (all of them
 * named in the message), lists that are not arrays of bare program names, too many or too long deny
 * patterns, patterns that do not compile or are prone to catastrophic backtracking, and a non-boolean
 * `guard`. Duplicate program names (ignoring ASCII case) are dropped.
 */
export function validatePolicy(input: unknown): Policy {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidOptionsError('policy', 'must be an object with optional fields allow, deny, deny_patterns, guard');
  }
  const unknown = Object.keys(input).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new InvalidOptionsError(
      'policy',
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known fields: allow, deny, deny_patterns, guard)`,
    );
  }
  const record = input as Record<string, unknown>;
  const policy: Policy = {};
  if (record.allow !== undefined) policy.allow = validateProgramList(record.allow, 'policy.allow');
  if (record.deny !== undefined) policy.deny = validateProgramList(record.deny, 'policy.deny');
  if (record.deny_patterns !== undefined) {
    const patterns = record.deny_patterns;
    if (!Array.isArray(patterns)) throw new InvalidOptionsError('policy.deny_patterns', 'must be an array of strings');
    if (patterns.length > MAX_PATTERNS) {
      throw new InvalidOptionsError('policy.deny_patterns', `must have at most ${MAX_PATTERNS} patterns`);
    }
    patterns.forEach((pattern: unknown, index) => compileDenyPattern(pattern, `policy.deny_patterns[${index}]`));
    policy.deny_patterns = [...new Set(patterns as string[])];
  }
  if (record.guard !== undefined) {
    if (typeof record.guard !== 'boolean') throw new InvalidOptionsError('policy.guard', 'must be a boolean');
    policy.guard = record.guard;
  }
  return policy;
}

/**
 * Combines an operator's policy with a session's so that the session can only narrow what the operator
 * allows: `allow` is the intersection (a session list alone cannot widen an operator list; when only one
 * side has an allow list, it applies), `deny` and `deny_patterns` are unions, `guard` is on if either
 * turns it on. Both inputs are validated first ({@link validatePolicy}). An empty intersection yields
 * `allow: []`, which allows nothing.
 */
export function narrowPolicy(operator: Policy, session: Policy): Policy {
  const op = validatePolicy(operator);
  const se = validatePolicy(session);
  const out: Policy = {};
  if (op.allow && se.allow) {
    const sessionNames = new Set(se.allow.map(foldName));
    out.allow = op.allow.filter((name) => sessionNames.has(foldName(name)));
  } else if (op.allow ?? se.allow) {
    out.allow = [...(op.allow ?? se.allow)!];
  }
  if (op.deny || se.deny) {
    const seen = new Set<string>();
    out.deny = [...(op.deny ?? []), ...(se.deny ?? [])].filter((name) => {
      const key = foldName(name);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  if (op.deny_patterns || se.deny_patterns) {
    const patterns = [...new Set([...(op.deny_patterns ?? []), ...(se.deny_patterns ?? [])])];
    if (patterns.length > MAX_PATTERNS) {
      throw new InvalidOptionsError('policy.deny_patterns', `the combined policies have more than ${MAX_PATTERNS} patterns`);
    }
    out.deny_patterns = patterns;
  }
  if (op.guard !== undefined || se.guard !== undefined) out.guard = op.guard === true || se.guard === true;
  return out;
}
