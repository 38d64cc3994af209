import { InvalidOptionsError } from '../errors/index.js';
import { compileLinePattern, type LineMatcher } from './line-pattern.js';

/**
 * Output budgets: what an agent asks to see of a command's output, in the wire shape of the
 * execkit MCP server (snake_case).
 *
 * The line model used throughout: a text is split on `\n`; a `\n` at the very end terminates the
 * last line rather than starting an empty one (`"a\nb\n"` has 2 lines, `""` has 0, `"\n"` has 1
 * empty line). Lines keep any `\r`.
 */

/** How many lines to keep, and from where. Counts are in lines. */
export interface KeepBudget {
  /**
   * - `head`: the first `n` lines.
   * - `tail`: the last `n` lines.
   * - `head_tail`: the first `head` and the last `tail` lines, the middle elided in place.
   */
  mode: 'head' | 'tail' | 'head_tail';
  /**
   * Lines to keep, 0 to {@link MAX_BUDGET_LINES}. `head`/`tail`: default {@link DEFAULT_KEEP_LINES}.
   * `head_tail`: split evenly, head getting the odd line (`n: 5` → head 3, tail 2); give either
   * `n` or both `head` and `tail`.
   */
  n?: number;
  /** `head_tail` only: lines kept from the start, 0 to {@link MAX_BUDGET_LINES}. */
  head?: number;
  /** `head_tail` only: lines kept from the end, 0 to {@link MAX_BUDGET_LINES}. */
  tail?: number;
}

/** Keep only the lines matching a pattern, with context around them (like `grep -C`). */
export interface GrepBudget {
  /**
   * A regular expression matched against each line, case-sensitively: a linear-time subset of
   * JavaScript syntax (no backreferences, lookarounds, flags or nested quantifiers such as
   * `(a+)+`; see {@link validateBudget}). At most 1000 chars, no newline. Matching is linear in
   * the input size however long the lines are.
   */
  pattern: string;
  /** Lines kept before and after each matching line, 0 to {@link MAX_BUDGET_LINES}. Default 0. */
  context?: number;
}

/**
 * What to keep of an output. Applied in a fixed order: `grep`, then `keep`, then `max_chars`.
 * An empty budget keeps everything.
 */
export interface OutputBudget {
  /** Keep the first / last lines (applied after `grep`, to the lines it kept). Default: all lines. */
  keep?: KeepBudget;
  /** Keep only matching lines and their context (applied first). Default: all lines. */
  grep?: GrepBudget;
  /**
   * Cap on the result, in chars (UTF-16 code units), 0 to {@link MAX_BUDGET_CHARS}: over it, the
   * first half and the last half are kept and the middle replaced by `\n… N chars elided …\n`
   * (the marker is not counted in the cap). Cuts never split a surrogate pair.
   */
  max_chars?: number;
}

/** What {@link applyBudget} did. */
export interface BudgetReport {
  /**
   * The steps the budget asked for, in the order applied, joined by `+`: for example `grep`,
   * `tail`, `grep+head_tail+max_chars`; `full` for an empty budget.
   */
  mode: string;
  /** Lines in the input. */
  lines_total: number;
  /** Input lines shown in the result after `grep` and `keep` (the char cap may still cut inside them). */
  lines_kept: number;
}

/** The result of {@link applyBudget}. */
export interface BudgetResult {
  /** The kept text, elisions marked in place. */
  text: string;
  report: BudgetReport;
  /** True when anything was left out: lines by `grep`/`keep`, or chars by `max_chars`. */
  truncated: boolean;
}

/** Default `n` for `keep` modes `head` and `tail`, in lines. */
export const DEFAULT_KEEP_LINES = 100;
/** Largest line count accepted in a budget (`n`, `head`, `tail`, `context`). */
export const MAX_BUDGET_LINES = 1_000_000;
/** Largest `max_chars` accepted, in chars. */
export const MAX_BUDGET_CHARS = 100_000_000;

const BUDGET_FIELDS = ['keep', 'grep', 'max_chars'];
const KEEP_FIELDS = ['mode', 'n', 'head', 'tail'];
const GREP_FIELDS = ['pattern', 'context'];
const KEEP_MODES = ['head', 'tail', 'head_tail'];

/**
 * Checks an output budget received from outside (for example MCP tool arguments) and returns a
 * clean copy holding only the fields given. Fast (it parses the pattern but touches no output),
 * so call it before running the command.
 *
 * `undefined` or `null` is an empty budget; a field set to `null` counts as absent.
 *
 * @throws {@link InvalidOptionsError} with `field` naming the offending path (`budget`,
 * `budget.keep.n`, `budget.grep.pattern`, …) when:
 * - the budget or a section is not an object, or has an unknown field;
 * - `keep.mode` is not `head`, `tail` or `head_tail`;
 * - a count (`n`, `head`, `tail`, `context`) is not an integer from 0 to {@link MAX_BUDGET_LINES},
 *   or `max_chars` not an integer from 0 to {@link MAX_BUDGET_CHARS};
 * - `head`/`tail` are given for modes `head` or `tail` (use `n`);
 * - `head_tail` has neither `n` nor both `head` and `tail`, or has `n` together with them;
 * - `grep.pattern` is not a non-empty string of at most 1000 chars without a newline, is not a
 *   valid pattern, or is outside the accepted subset. Accepted: literals (a backslash before ASCII
 *   punctuation makes it literal), `.`, classes `[…]`, `\d \D \w \W \s \S \p{…} \P{…}`, escapes
 *   `\t \n \v \f \r \0 \xHH \uHHHH \u{…} \cX`, anchors `^ $ \b \B`, groups `(…)` `(?:…)`, `|`,
 *   quantifiers `* + ? {n} {n,} {n,m}` (bounds ≤ 1000, lazy forms allowed). Rejected:
 *   backreferences, lookarounds, named groups, inline flags, `\<` `\>`, and any repeated group
 *   (quantifier maximum above 1) containing a quantifier or `|` — `(a+)+`, `(a|a)*`,
 *   `(\d+\.){3}` — the catastrophic-backtracking shapes; and patterns expanding to more than
 *   4096 matcher states.
 */
export function validateBudget(input: unknown): OutputBudget {
  if (input === undefined || input === null) return {};
  const budget = record(input, 'budget', BUDGET_FIELDS);
  const out: OutputBudget = {};
  if (present(budget.keep)) out.keep = validateKeep(budget.keep);
  if (present(budget.grep)) out.grep = validateGrep(budget.grep);
  if (present(budget.max_chars)) out.max_chars = count(budget.max_chars, 'budget.max_chars', MAX_BUDGET_CHARS);
  return out;
}

function validateKeep(input: unknown): KeepBudget {
  const keep = record(input, 'budget.keep', KEEP_FIELDS);
  const mode = keep.mode;
  if (typeof mode !== 'string' || !KEEP_MODES.includes(mode)) {
    throw new InvalidOptionsError('budget.keep.mode', `must be "head", "tail" or "head_tail", got ${describe(mode)}`);
  }
  const out: KeepBudget = { mode: mode as KeepBudget['mode'] };
  const n = present(keep.n) ? count(keep.n, 'budget.keep.n', MAX_BUDGET_LINES) : undefined;
  const head = present(keep.head) ? count(keep.head, 'budget.keep.head', MAX_BUDGET_LINES) : undefined;
  const tail = present(keep.tail) ? count(keep.tail, 'budget.keep.tail', MAX_BUDGET_LINES) : undefined;
  if (mode !== 'head_tail') {
    for (const [name, value] of [['head', head], ['tail', tail]] as const) {
      if (value !== undefined) {
        throw new InvalidOptionsError(`budget.keep.${name}`, `only applies to mode "head_tail"; with mode "${mode}" give the line count as n`);
      }
    }
    if (n !== undefined) out.n = n;
    return out;
  }
  if (n !== undefined) {
    if (head !== undefined || tail !== undefined) {
      throw new InvalidOptionsError('budget.keep.n', 'give either n (split evenly between head and tail) or head and tail, not both');
    }
    out.n = n;
    return out;
  }
  if (head === undefined || tail === undefined) {
    throw new InvalidOptionsError(
      `budget.keep.${head === undefined ? 'head' : 'tail'}`,
      'mode "head_tail" needs both head and tail line counts, or n to split evenly',
    );
  }
  out.head = head;
  out.tail = tail;
  return out;
}

function validateGrep(input: unknown): GrepBudget {
  const grep = record(input, 'budget.grep', GREP_FIELDS);
  const pattern = grep.pattern;
  if (typeof pattern !== 'string') throw new InvalidOptionsError('budget.grep.pattern', `must be a string, got ${describe(pattern)}`);
  compileLinePattern(pattern, 'budget.grep.pattern');
  const out: GrepBudget = { pattern };
  if (present(grep.context)) out.context = count(grep.context, 'budget.grep.context', MAX_BUDGET_LINES);
  return out;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function record(input: unknown, field: string, known: string[]): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidOptionsError(field, `must be an object, got ${describe(input)}`);
  }
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) {
      const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const hint = snake !== key && known.includes(snake) ? ` (did you mean ${snake}?)` : '';
      throw new InvalidOptionsError(`${field}.${key}`, `is not a known field${hint}; expected ${known.join(', ')}`);
    }
  }
  return input as Record<string, unknown>;
}

function count(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidOptionsError(field, `must be a non-negative integer, got ${describe(value)}`);
  }
  if (value > max) throw new InvalidOptionsError(field, `must be at most ${max}, got ${value}`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

/** The marker that replaces `count` elided lines, on a line of its own. */
function linesMarker(count: number): string {
  return `… ${count} lines elided …`;
}

/**
 * Applies a budget to a text (usually one output stream of a command).
 *
 * Steps, in this order:
 * 1. `grep`: keep the lines matching `pattern` and `context` lines around each; overlapping or
 *    touching windows merge.
 * 2. `keep`: of the lines still kept, the first `n` (`head`), the last `n` (`tail`), or the first
 *    `head` and last `tail` (`head_tail`).
 * 3. `max_chars`: cap the resulting text, keeping its head and tail, the middle replaced by
 *    `\n… N chars elided …\n`; never splitting a surrogate pair.
 *
 * The result lists the kept input lines in order; every run of left-out input lines (at the start,
 * between, or at the end) is replaced in place by one line `… N lines elided …`, N counting input
 * lines. When the input ends with `\n`, so does the result (the trailing newline is preserved when
 * the last line is kept, and follows the final marker otherwise). When nothing is left out, the
 * result is the input itself (before the char cap).
 *
 * Cost: time linear in the text's length (one or two `indexOf` passes over the lines, plus the
 * pattern matched on each line by a linear-time automaton, O(line × pattern) whatever the line
 * length); memory about the size of the result plus one bit per input line. With `max_chars`, only
 * the kept head and tail are built.
 *
 * @throws {@link InvalidOptionsError} when `budget` is invalid (see {@link validateBudget}), or
 * (`text`) when `text` is not a string.
 */
export function applyBudget(text: string, budget: OutputBudget): BudgetResult {
  if (typeof text !== 'string') throw new InvalidOptionsError('text', 'must be a string');
  const checked = validateBudget(budget);
  const steps: string[] = [];
  if (checked.grep) steps.push('grep');
  if (checked.keep) steps.push(checked.keep.mode);
  if (checked.max_chars !== undefined) steps.push('max_chars');
  const mode = steps.length > 0 ? steps.join('+') : 'full';

  const lines = new Lines(text);
  const matched = checked.grep ? lines.grep(compileLinePattern(checked.grep.pattern, 'budget.grep.pattern')()) : undefined;
  const total = lines.total;
  const context = checked.grep?.context ?? 0;
  const runs = (visit: (from: number, to: number) => void): void => {
    if (matched) forEachRun(matched, total, context, visit);
    else if (total > 0) visit(0, total - 1);
  };

  // Lines selected by grep, and the ranks (in that selection) keep holds on to.
  let selected = 0;
  runs((from, to) => (selected += to - from + 1));
  let headKeep = selected;
  let tailKeep = 0;
  const keep = checked.keep;
  if (keep?.mode === 'head') [headKeep, tailKeep] = [keep.n ?? DEFAULT_KEEP_LINES, 0];
  else if (keep?.mode === 'tail') [headKeep, tailKeep] = [0, keep.n ?? DEFAULT_KEEP_LINES];
  else if (keep?.mode === 'head_tail') {
    headKeep = keep.n !== undefined ? Math.ceil(keep.n / 2) : (keep.head ?? 0);
    tailKeep = keep.n !== undefined ? keep.n - headKeep : (keep.tail ?? 0);
  }
  if (headKeep + tailKeep >= selected) [headKeep, tailKeep] = [selected, 0];
  const tailFrom = selected - tailKeep;
  const kept = headKeep + tailKeep;

  const report: BudgetReport = { mode, lines_total: total, lines_kept: kept };
  const maxChars = checked.max_chars;
  if (kept === total) {
    // Nothing left out: the text itself, only the char cap may apply.
    const capped = maxChars === undefined ? { text, elided: 0 } : capChars(text, maxChars);
    return { text: capped.text, report, truncated: capped.elided > 0 };
  }

  const sink = maxChars === undefined ? new JoinSink() : new HeadTailSink(maxChars);
  let items = 0;
  const item = (piece: string): void => {
    if (items++ > 0) sink.push('\n');
    sink.push(piece);
  };
  let shownTo = -1; // last input line shown
  const show = (from: number, to: number): void => {
    if (from > shownTo + 1) item(linesMarker(from - shownTo - 1));
    item(lines.slice(from, to));
    shownTo = to;
  };
  let rank = 0;
  runs((from, to) => {
    const length = to - from + 1;
    // Ranks [rank, rank + length) cover this run; keep those below headKeep or from tailFrom on.
    const headEnd = Math.min(length, Math.max(0, headKeep - rank)); // run offsets [0, headEnd)
    const tailStart = Math.max(headEnd, Math.min(length, tailFrom - rank)); // run offsets [tailStart, length)
    if (headEnd > 0 && tailStart === headEnd && tailStart < length) show(from, to);
    else {
      if (headEnd > 0) show(from, from + headEnd - 1);
      if (tailStart < length) show(from + tailStart, to);
    }
    rank += length;
  });
  if (shownTo < total - 1) item(linesMarker(total - 1 - shownTo));
  if (lines.trailingNewline && items > 0) sink.push('\n');
  const result = sink.finish();
  return { text: result.text, report, truncated: true };
}

/** Sequential access to the lines of a text, by `indexOf`, without splitting it. */
class Lines {
  readonly total: number;
  readonly trailingNewline: boolean;
  /** End of the last line's content (the trailing `\n` excluded). */
  private readonly contentEnd: number;
  // Cursor: the start offset of line `cursorLine`.
  private cursorLine = 0;
  private cursorOffset = 0;

  constructor(private readonly text: string) {
    this.trailingNewline = text.endsWith('\n');
    this.contentEnd = this.trailingNewline ? text.length - 1 : text.length;
    let total = text.length === 0 ? 0 : 1;
    for (let at = text.indexOf('\n'); at >= 0 && at < this.contentEnd; at = text.indexOf('\n', at + 1)) total++;
    this.total = total;
  }

  /** One bit per line: set when the line matches. */
  grep(matcher: LineMatcher): Uint8Array {
    const bits = new Uint8Array(Math.ceil(this.total / 8));
    const { text } = this;
    let start = 0;
    for (let line = 0; line < this.total; line++) {
      let end = text.indexOf('\n', start);
      if (end < 0 || end > this.contentEnd) end = this.contentEnd;
      if (matcher.test(text, start, end)) bits[line >> 3]! |= 1 << (line & 7);
      start = end + 1;
    }
    return bits;
  }

  /** Lines `from`..`to` (inclusive) joined by `\n`, no trailing `\n`. Calls must go forward. */
  slice(from: number, to: number): string {
    const start = this.seek(from);
    const end = this.seek(to + 1) - 1;
    return this.text.slice(start, Math.min(end, this.contentEnd));
  }

  /** Start offset of `line` (one past the text for `line === total`). */
  private seek(line: number): number {
    while (this.cursorLine < line) {
      const at = this.text.indexOf('\n', this.cursorOffset);
      this.cursorOffset = at < 0 ? this.text.length + 1 : at + 1;
      this.cursorLine++;
    }
    return this.cursorOffset;
  }
}

/** Calls `visit` for each maximal run of lines within `context` of a set bit, in order. */
function forEachRun(bits: Uint8Array, total: number, context: number, visit: (from: number, to: number) => void): void {
  let runFrom = -1;
  let runTo = -1;
  for (let byte = 0; byte < bits.length; byte++) {
    const value = bits[byte]!;
    if (value === 0) continue;
    for (let bit = 0; bit < 8; bit++) {
      if ((value & (1 << bit)) === 0) continue;
      const line = byte * 8 + bit;
      const from = Math.max(0, line - context);
      const to = Math.min(total - 1, line + context);
      if (runFrom >= 0 && from <= runTo + 1) runTo = Math.max(runTo, to);
      else {
        if (runFrom >= 0) visit(runFrom, runTo);
        runFrom = from;
        runTo = to;
      }
    }
  }
  if (runFrom >= 0) visit(runFrom, runTo);
}

interface Sink {
  push(piece: string): void;
  finish(): { text: string; elided: number };
}

class JoinSink implements Sink {
  private readonly pieces: string[] = [];

  push(piece: string): void {
    this.pieces.push(piece);
  }

  finish(): { text: string; elided: number } {
    return { text: this.pieces.join(''), elided: 0 };
  }
}

/** Keeps the first ⌈max/2⌉ and the last ⌊max/2⌋ chars of what is pushed; memory O(max). */
class HeadTailSink implements Sink {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head: string[] = [];
  private headLength = 0;
  private tail: string[] = [];
  private tailFirst = 0;
  private tailLength = 0;
  private total = 0;

  constructor(maxChars: number) {
    this.headLimit = Math.ceil(maxChars / 2);
    this.tailLimit = maxChars - this.headLimit;
  }

  push(piece: string): void {
    if (piece.length === 0) return;
    this.total += piece.length;
    let rest = piece;
    if (this.headLength < this.headLimit) {
      const room = this.headLimit - this.headLength;
      this.head.push(rest.slice(0, room));
      this.headLength += Math.min(room, rest.length);
      if (rest.length <= room) return;
      rest = rest.slice(room);
    }
    if (this.tailLimit === 0) return;
    if (rest.length >= this.tailLimit) {
      this.tail = [rest.slice(rest.length - this.tailLimit)];
      this.tailFirst = 0;
      this.tailLength = this.tailLimit;
      return;
    }
    this.tail.push(rest);
    this.tailLength += rest.length;
    // Drop whole pieces that fall out of the tail window.
    while (this.tailLength - this.tail[this.tailFirst]!.length >= this.tailLimit) {
      this.tailLength -= this.tail[this.tailFirst]!.length;
      this.tail[this.tailFirst++] = '';
    }
    if (this.tailFirst > 1024 && this.tailFirst * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailFirst);
      this.tailFirst = 0;
    }
  }

  finish(): { text: string; elided: number } {
    const head = this.head.join('');
    const tail = this.tail.slice(this.tailFirst).join('');
    if (this.total <= this.headLimit + this.tailLimit) return { text: head + tail, elided: 0 };
    return joinCut(head, tail.slice(tail.length - this.tailLimit), this.total);
  }
}

/** Caps `text` at `maxChars` chars: head and tail kept, the middle marked. */
function capChars(text: string, maxChars: number): { text: string; elided: number } {
  if (text.length <= maxChars) return { text, elided: 0 };
  const headLength = Math.ceil(maxChars / 2);
  const tailLength = maxChars - headLength;
  return joinCut(text.slice(0, headLength), text.slice(text.length - tailLength), text.length);
}

function joinCut(head: string, tail: string, total: number): { text: string; elided: number } {
  // Never leave half of a surrogate pair at a cut.
  if (head.length > 0 && isHighSurrogate(head.charCodeAt(head.length - 1))) head = head.slice(0, -1);
  if (tail.length > 0 && isLowSurrogate(tail.charCodeAt(0))) tail = tail.slice(1);
  const elided = total - head.length - tail.length;
  return { text: `${head}\n… ${elided} chars elided …\n${tail}`, elided };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
