import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { KeywordIndex } from './keyword-index.js';
import type { SecretContinuation, SecretRule } from './rules.js';

/** Replacement id of known values. */
export const KNOWN_VALUE_ID = 'known-value';

/** How a span goes on past the scanned text, resolved for one match. @internal */
export type ResolvedContinuation =
  | { readonly kind: 'run'; readonly regex: RegExp; readonly limit: number }
  | { readonly kind: 'until'; readonly regex: RegExp; readonly overlap: number };

/**
 * A stretch of text to replace. `start..end` is replaced; `extentStart..extentEnd` is all the text
 * the match looked at (a rule may keep its `NAME=` visible), which a stream must not emit before the
 * match is settled. `open`: the secret reaches the end of the scanned text and may go on.
 * @internal
 */
export interface Span {
  start: number;
  end: number;
  extentStart: number;
  extentEnd: number;
  /** Priority: lower wins the label when spans overlap. Known values are -1. */
  priority: number;
  id: string;
  open: boolean;
  continuation: ResolvedContinuation | undefined;
}

interface CompiledRule {
  readonly priority: number;
  readonly rule: SecretRule;
  /** The pattern, sticky (keyword rules) or global, without group indices: the cheap first try. */
  readonly regex: RegExp;
  /** The same with the `d` flag, re-run on accepted matches when the rule has `secret…` groups. */
  readonly indexed: RegExp | undefined;
  /**
   * No `secret…` group sits inside a lookaround, so each one captures text inside the match: a
   * captured value found exactly once in the match is where the group matched, without `indexed`.
   */
  readonly secretsInMatch: boolean;
  readonly keyworded: boolean;
  readonly multiline: boolean;
  readonly staticContinuation: ResolvedContinuation | undefined;
}

const RUN_LIMIT = 4096;
const runCache = new Map<string, RegExp>();

/**
 * A line on which one loop of a scan has accepted this many spans, on average less than
 * {@link DENSE_GAP} chars apart, is hostile or a dump of secrets: the rest of it becomes one span
 * (of the last rule that matched), so no line costs more than this many matches per pass however
 * long it is. Over-redaction is the safe side.
 */
const DENSE_SPANS = 256;
const DENSE_GAP = 64;
/**
 * A dense line's span goes on, across chunks, to the end of the line (the line feed is kept). A
 * stream replaces such a span as soon as it sees it. @internal
 */
export const TO_LINE_END: ResolvedContinuation = { kind: 'until', regex: /(?=\n)/g, overlap: 1 };

/**
 * Counts the spans one loop of a scan accepts, in position order, line by line, and says when
 * the rest of a line should be one span instead (see {@link DENSE_SPANS}).
 */
class LineDensity {
  private lineEnd = -1;
  private count = 0;
  private first = 0;

  constructor(
    private readonly text: string,
    private readonly final: boolean,
  ) {}

  /**
   * Pushes `span` to `out` and counts it; when its line is now dense, pushes the span covering the
   * rest of the line too and returns where that ends (where the loop goes on), else -1.
   */
  accept(span: Span, out: Span[]): number {
    out.push(span);
    const dense = this.restOfDenseLine(span);
    if (!dense) return -1;
    out.push(dense);
    return dense.end;
  }

  private restOfDenseLine(span: Span): Span | undefined {
    if (span.start >= this.lineEnd) {
      const newline = this.text.indexOf('\n', span.start);
      this.lineEnd = newline < 0 ? this.text.length : newline;
      this.count = 0;
    }
    if (this.count++ === 0) this.first = span.start;
    const at = Math.max(span.end, span.start);
    if (this.count < DENSE_SPANS || at >= this.lineEnd || at - this.first >= this.count * DENSE_GAP) return undefined;
    const end = this.lineEnd;
    const open = !this.final && end === this.text.length;
    return { start: at, end, extentStart: at, extentEnd: end, priority: span.priority, id: span.id, open, continuation: open ? TO_LINE_END : undefined };
  }
}

/** Resolved continuations by the rule's object: a rule function returning constants costs nothing per match. */
const resolvedCache = new WeakMap<SecretContinuation, ResolvedContinuation>();

function resolveContinuation(continuation: SecretContinuation): ResolvedContinuation {
  let resolved = resolvedCache.get(continuation);
  if (!resolved) {
    resolved = resolveContinuationOnce(continuation);
    resolvedCache.set(continuation, resolved);
  }
  return resolved;
}

function resolveContinuationOnce(continuation: SecretContinuation): ResolvedContinuation {
  if (continuation.kind === 'run') {
    const source = continuation.chars.source;
    let regex = runCache.get(source);
    if (!regex) {
      regex = new RegExp(`(?:${source}){0,${RUN_LIMIT}}`, 'y');
      runCache.set(source, regex);
    }
    return { kind: 'run', regex, limit: RUN_LIMIT };
  }
  const flags = continuation.end.flags.replace(/[gyd]/g, '');
  return { kind: 'until', regex: new RegExp(continuation.end.source, `${flags}g`), overlap: continuation.endMaxLength };
}

/**
 * Extends a continuation from `at` over `text`. Returns the end (exclusive) and whether the text ran
 * out before the continuation did.
 * @internal
 */
export function extendContinuation(continuation: ResolvedContinuation, text: string, at: number): { end: number; exhausted: boolean } {
  if (continuation.kind === 'run') {
    const regex = continuation.regex;
    let end = at;
    for (;;) {
      regex.lastIndex = end;
      const length = regex.exec(text)?.[0].length ?? 0;
      end += length;
      if (length < continuation.limit || end >= text.length) break;
    }
    return { end, exhausted: end >= text.length };
  }
  const regex = continuation.regex;
  regex.lastIndex = at;
  const match = regex.exec(text);
  if (match) return { end: match.index + match[0].length, exhausted: false };
  return { end: text.length, exhausted: true };
}

/**
 * Where the one participating `secret…` group of `match` lies, when that can be told from its text:
 * the group captured inside the match (see {@link CompiledRule.secretsInMatch}) and its text occurs
 * exactly once there. Otherwise `undefined` (several groups took part, or the text repeats).
 * @internal
 */
export function secretInMatch(match: RegExpExecArray): [number, number] | undefined {
  const groups = match.groups;
  if (!groups) return undefined;
  let value: string | undefined;
  for (const name in groups) {
    const captured = groups[name];
    if (captured === undefined || !name.startsWith('secret')) continue;
    if (value !== undefined) return undefined;
    value = captured;
  }
  if (!value) return undefined;
  const whole = match[0];
  const at = whole.indexOf(value);
  if (at < 0 || whole.indexOf(value, at + 1) >= 0) return undefined;
  return [match.index + at, match.index + at + value.length];
}

/** Whether a `(?<secret…>` group of the pattern `source` is inside a lookahead or lookbehind. @internal */
export function secretGroupInLookaround(source: string): boolean {
  const open: boolean[] = [];
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      i++;
    } else if (char === '[') {
      // A class: up to its unescaped closing bracket.
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (char === '(') {
      const lookaround = /^\(\?(?:=|!|<=|<!)/.test(source.slice(i, i + 4));
      if (source.startsWith('(?<secret', i) && open.includes(true)) return true;
      open.push(lookaround);
    } else if (char === ')') {
      open.pop();
    }
  }
  return false;
}

/** The `d`-flag index pairs of the participating `secret…` groups. */
function secretRange(match: RegExpExecArray): [number, number] | undefined {
  const groups = match.indices?.groups;
  if (!groups) return undefined;
  let start = Infinity;
  let end = -Infinity;
  for (const name in groups) {
    const range = groups[name];
    if (range === undefined || !name.startsWith('secret')) continue;
    if (range[0] < start) start = range[0];
    if (range[1] > end) end = range[1];
  }
  return start === Infinity ? undefined : [start, end];
}

/**
 * A view: the text of some raw ranges, transformed (percent escapes decoded, or terminal escape
 * sequences removed), made of pieces: a copied stretch maps char for char; a unit (a decoded char,
 * or the `\n` joining two ranges) maps to its raw range.
 */
interface View {
  readonly text: string;
  readonly pieceView: number[];
  readonly pieceRaw: number[];
  /** Raw end of a unit piece; -1 for a copied piece. */
  readonly pieceRawEnd: number[];
  /** View indices of decoded chars and of chars next to a removed escape sequence, ascending. */
  readonly marks: number[];
  /** Whether the view's last char comes from the raw text's last char. */
  readonly reachesEnd: boolean;
}

class ViewBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  readonly pieceView: number[] = [];
  readonly pieceRaw: number[] = [];
  readonly pieceRawEnd: number[] = [];
  readonly marks: number[] = [];
  lastRaw = -1;

  copy(text: string, start: number, end: number): void {
    if (end <= start) return;
    this.pieceView.push(this.length);
    this.pieceRaw.push(start);
    this.pieceRawEnd.push(-1);
    this.parts.push(text.slice(start, end));
    this.length += end - start;
    this.lastRaw = end;
  }

  unit(char: string, rawStart: number, rawEnd: number, mark: boolean): void {
    if (mark) this.marks.push(this.length);
    this.pieceView.push(this.length);
    this.pieceRaw.push(rawStart);
    this.pieceRawEnd.push(rawEnd);
    this.parts.push(char);
    this.length += 1;
    this.lastRaw = rawEnd;
  }

  /** Marks the view char just written and the next one (around a removed escape sequence). */
  markBoundary(): void {
    if (this.length > 0 && this.marks[this.marks.length - 1] !== this.length - 1) this.marks.push(this.length - 1);
    this.marks.push(this.length);
  }

  build(rawLength: number): View {
    return {
      text: this.parts.join(''),
      pieceView: this.pieceView,
      pieceRaw: this.pieceRaw,
      pieceRawEnd: this.pieceRawEnd,
      marks: this.marks,
      reachesEnd: this.lastRaw === rawLength,
    };
  }
}

/** Index of the last element of ascending `items` that is ≤ `value` (or -1). */
function floorIndex(items: readonly number[], value: number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]! <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Raw index of view char `at`. */
function rawStartOf(view: View, at: number): number {
  const piece = Math.max(0, floorIndex(view.pieceView, at));
  const rawEnd = view.pieceRawEnd[piece]!;
  return rawEnd >= 0 ? view.pieceRaw[piece]! : view.pieceRaw[piece]! + (at - view.pieceView[piece]!);
}

/** Raw end (exclusive) of view chars ending at `end` (exclusive, ≥ 1). */
function rawEndOf(view: View, end: number): number {
  const piece = Math.max(0, floorIndex(view.pieceView, end - 1));
  const rawEnd = view.pieceRawEnd[piece]!;
  return rawEnd >= 0 ? rawEnd : view.pieceRaw[piece]! + (end - view.pieceView[piece]!);
}

/** Chars around a transformed char scanned in a view (see {@link Scanner.viewRadius}). */
const VIEW_RADIUS = 4096;
/** Chars before the blank-free run holding a transformed char, for the name of a `name: value`. */
const VIEW_LEAD = 100;
// eslint-disable-next-line no-control-regex
const ESCAPE_G = /[\u001B\u009B]/g;
/** ANSI/VT escape sequences (CSI, OSC, DCS/SOS/PM/APC, two-char ESC sequences), bounded. */
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\u001B(?:\[[0-?]{0,64}[ -/]{0,16}[@-~]|\][^\u0007\u001B]{0,2048}(?:\u0007|\u001B\\)|[PX^_][^\u001B]{0,2048}\u001B\\|[ -/]{1,4}[0-~]|[@-Z\\-_`-~])|\u009B[0-?]{0,64}[ -/]{0,16}[@-~]/y;

/**
 * Whether `text` from `from` holds a char the scanner reads through a view (a percent escape, or
 * the introducer of a terminal escape sequence): only around those can a match run longer than
 * its rule's `maxLength`.
 */
export function hasViewTrigger(text: string, from: number): boolean {
  return hasPercentEscape(text, from) || hasEscapeIntroducer(text, from);
}

function hasEscapeIntroducer(text: string, from: number): boolean {
  return text.indexOf('\u001B', from) >= 0 || text.indexOf('\u009B', from) >= 0;
}

function hasPercentEscape(text: string, from: number): boolean {
  return nextPercentEscape(text, from) >= 0;
}

/** Index of the first percent escape (`%` and two hex digits) at or after `from`, or -1. */
function nextPercentEscape(text: string, from: number): number {
  // `indexOf` finds the `%` several times faster than a regex scan does.
  for (let at = text.indexOf('%', from); at >= 0; at = text.indexOf('%', at + 1)) {
    if (hexValue(text.charCodeAt(at + 1)) >= 0 && hexValue(text.charCodeAt(at + 2)) >= 0) return at;
  }
  return -1;
}

/** Index of the first terminal escape introducer at or after `from`, or -1. */
function nextEscapeIntroducer(text: string, from: number): number {
  ESCAPE_G.lastIndex = from;
  return ESCAPE_G.exec(text)?.index ?? -1;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x00;
}

/**
 * Raw ranges to view around each trigger at or after `from` (`next(text, at)`: the index of the
 * first one at or after `at`, or -1; each `length` chars long): the run of non-blank chars
 * holding it (at most `radius` chars each way) plus `lead` chars before, for a name and separator
 * (`Authorization: Basic …`). Merged, in order; linear in the text.
 */
function rangesAround(text: string, from: number, next: (text: string, from: number) => number, length: number, radius: number, lead: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let at = next(text, Math.max(0, from - 8)); at >= 0; ) {
    const last = ranges[ranges.length - 1];
    const floor = Math.max(0, at - radius, last ? last[1] : 0);
    let start = at;
    while (start > floor && !isBlank(text.charCodeAt(start - 1))) start--;
    const ceiling = Math.min(text.length, at + radius);
    let end = at + length;
    while (end < ceiling && !isBlank(text.charCodeAt(end))) end++;
    end = Math.min(text.length, end + 1);
    start = Math.max(0, start - lead);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else ranges.push([start, end]);
    at = next(text, Math.max(at + 1, end));
  }
  return ranges;
}

/** Whether view chars `[start, end)` include or border a transformed (decoded or removed) raw char. */
function touchesTransform(view: View, start: number, end: number): boolean {
  const index = floorIndex(view.marks, end);
  return index >= 0 && view.marks[index]! >= start - 1;
}

function buildView(text: string, ranges: Array<[number, number]>, transform: 'percent' | 'ansi'): View {
  const view = new ViewBuilder();
  ranges.forEach(([start, end], index) => {
    if (index > 0) view.unit('\n', start, start, false);
    let at = start;
    if (transform === 'percent') {
      for (let p = text.indexOf('%', start); p >= 0 && p + 2 < end; p = text.indexOf('%', p + 1)) {
        const high = hexValue(text.charCodeAt(p + 1));
        const low = hexValue(text.charCodeAt(p + 2));
        if (high < 0 || low < 0 || p < at) continue;
        view.copy(text, at, p);
        view.unit(String.fromCharCode(high * 16 + low), p, p + 3, true);
        at = p + 3;
      }
    } else {
      ESCAPE_G.lastIndex = start;
      for (let match = ESCAPE_G.exec(text); match && match.index < end; match = ESCAPE_G.exec(text)) {
        if (match.index < at) continue;
        ESCAPE_SEQUENCE.lastIndex = match.index;
        const sequence = ESCAPE_SEQUENCE.exec(text);
        if (!sequence || match.index + sequence[0].length > end) continue;
        view.copy(text, at, match.index);
        view.markBoundary();
        at = match.index + sequence[0].length;
        ESCAPE_G.lastIndex = at;
      }
    }
    view.copy(text, at, end);
  });
  return view.build(text.length);
}

/**
 * Compiled rules plus the keyword automaton; finds spans in a text. Stateless between calls except
 * for the known values, which the owner replaces.
 * @internal
 */
export class Scanner {
  private readonly compiled: CompiledRule[];
  private readonly keywordRules: number[][];
  private readonly keywordIndex: KeywordIndex;
  /** Rules without keywords that are scanned for one by one. */
  private readonly fullPass: CompiledRule[];
  /**
   * Rules without keywords that share one scan: {@link trigger} finds each position where any of
   * them matches, then each is tried there (sticky), as its own scan would.
   */
  private readonly sharedPass: Array<{ compiled: CompiledRule; sticky: RegExp }>;
  private readonly trigger: RegExp | undefined;
  /** The shortest `minLength` of the rules in {@link sharedPass}: shorter ranges skip the pass. */
  private readonly sharedMinLength: number;
  /** Per shared rule: where its own scan would go on (the end of its last match). */
  private readonly sharedNext: Int32Array;
  private readonly lastTried: Int32Array;
  /** Per rule, where its last span ended: hits inside it are not tried again (keeps long spans linear). */
  private readonly coveredUntil: Int32Array;
  /** Longest `maxLength` of a single-line rule. */
  readonly maxSingleLineLength: number;
  /** Longest `endMaxLength` of the `until` continuations. */
  readonly maxEndLength: number;
  private knownValues: string[] = [];

  constructor(rules: readonly SecretRule[]) {
    const ids = new Set<string>();
    const keywordMap = new Map<string, number[]>();
    this.compiled = rules.map((rule, priority) => {
      if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(rule.id)) throw new InvalidOptionsError('rules', `rule id ${JSON.stringify(rule.id)} is not kebab-case`);
      if (ids.has(rule.id) || rule.id === KNOWN_VALUE_ID) throw new InvalidOptionsError('rules', `duplicate rule id ${JSON.stringify(rule.id)}`);
      ids.add(rule.id);
      if (!(rule.maxLength > 0)) throw new InvalidOptionsError('rules', `rule ${rule.id}: maxLength must be positive`);
      if (rule.minLength !== undefined && !(Number.isInteger(rule.minLength) && rule.minLength >= 0 && rule.minLength <= rule.maxLength)) {
        throw new InvalidOptionsError('rules', `rule ${rule.id}: minLength must be an integer from 0 to maxLength`);
      }
      const keyworded = (rule.keywords?.length ?? 0) > 0;
      // Group indices (the `d` flag) cost allocations per match: only for accepted matches of rules
      // with secret groups.
      const flags = rule.pattern.flags.replace(/[gyd]/g, '') + (keyworded ? 'y' : 'g');
      const hasSecretGroups = /\(\?<secret/.test(rule.pattern.source);
      const continuation = rule.continuation;
      const multiline = continuation !== undefined && typeof continuation !== 'function' && continuation.kind === 'until';
      for (const keyword of rule.keywords ?? []) {
        const key = keyword.toLowerCase();
        if (!/^[\x20-\x7e]+$/.test(key)) throw new InvalidOptionsError('rules', `rule ${rule.id}: keyword ${JSON.stringify(keyword)} is not printable ASCII`);
        let list = keywordMap.get(key);
        if (!list) keywordMap.set(key, (list = []));
        list.push(priority);
      }
      return {
        priority,
        rule,
        regex: new RegExp(rule.pattern.source, flags),
        indexed: hasSecretGroups ? new RegExp(rule.pattern.source, `${flags.replace(/[gy]/g, '')}yd`) : undefined,
        secretsInMatch: hasSecretGroups && !secretGroupInLookaround(rule.pattern.source),
        keyworded,
        multiline,
        staticContinuation: continuation !== undefined && typeof continuation !== 'function' ? resolveContinuation(continuation) : undefined,
      };
    });
    const keywords = [...keywordMap.keys()];
    this.keywordIndex = new KeywordIndex(keywords);
    this.keywordRules = keywords.map((k) => keywordMap.get(k)!);
    // Rules without keywords each scan the whole text; those that can share one alternation (same
    // flags, no named groups or backreferences to clash) are scanned for together.
    const unkeyed = this.compiled.filter((c) => !c.keyworded);
    const shareable = unkeyed.filter((c) => !/\(\?<[A-Za-z]|\\k<|\\[1-9]/.test(c.rule.pattern.source) && c.rule.pattern.flags.replace(/[gyd]/g, '') === '');
    const shared = shareable.length > 1 ? shareable : [];
    this.fullPass = unkeyed.filter((c) => !shared.includes(c));
    this.sharedPass = shared.map((compiled) => ({ compiled, sticky: new RegExp(compiled.rule.pattern.source, 'y') }));
    this.sharedMinLength = Math.min(...shared.map((c) => c.rule.minLength ?? 0));
    this.trigger = shared.length > 0 ? new RegExp(shared.map((c) => `(?:${c.rule.pattern.source})`).join('|'), 'g') : undefined;
    this.sharedNext = new Int32Array(shared.length);
    this.lastTried = new Int32Array(this.compiled.length);
    this.coveredUntil = new Int32Array(this.compiled.length);
    this.maxSingleLineLength = Math.max(0, ...this.compiled.filter((c) => !c.multiline).map((c) => c.rule.maxLength));
    this.maxEndLength = Math.max(0, ...rules.map((r) => (r.continuation && typeof r.continuation !== 'function' && r.continuation.kind === 'until' ? r.continuation.endMaxLength : 0)));
  }

  /** The rule ids, in priority order. */
  get ids(): string[] {
    return this.compiled.map((c) => c.rule.id);
  }

  /** Replaces the known-value variants searched for (already expanded, deduplicated). */
  setKnownValues(values: readonly string[]): void {
    this.knownValues = [...values].sort((a, b) => b.length - a.length);
  }

  /**
   * How far around a percent escape or a terminal escape sequence a view is scanned, in chars: a
   * secret with such a char inside is found if it lies within this distance of it.
   */
  get viewRadius(): number {
    return Math.max(VIEW_RADIUS, 3 * this.maxKnownLength + 64);
  }

  /** Longest known-value variant, in chars. */
  get maxKnownLength(): number {
    return this.knownValues[0]?.length ?? 0;
  }

  /**
   * Every span starting at or after `from` (text before `from` is context for lookbehinds only).
   * `final`: the text ends here (else a secret touching the end is `open`).
   */
  scan(text: string, from: number, final: boolean): Span[] {
    const spans: Span[] = [];
    // Nothing to scan (a stream ending with nothing held): no span can start here.
    if (from >= text.length) return spans;
    this.scanPlain(text, from, final, true, spans);
    const radius = this.viewRadius;
    if (hasPercentEscape(text, from)) this.scanView(from, final, buildView(text, rangesAround(text, from, nextPercentEscape, 3, radius, VIEW_LEAD), 'percent'), spans);
    if (hasEscapeIntroducer(text, from)) {
      this.scanView(from, final, buildView(text, rangesAround(text, from, nextEscapeIntroducer, 1, radius, VIEW_LEAD), 'ansi'), spans);
    }
    return spans;
  }

  private scanView(from: number, final: boolean, view: View, out: Span[]): void {
    if (view.text.length === 0) return;
    // First view char at or after `from` (copied pieces are contiguous, units single chars).
    let viewFrom = view.text.length;
    for (let piece = 0; piece < view.pieceView.length; piece++) {
      const rawEnd = view.pieceRawEnd[piece]!;
      const pieceEnd = rawEnd >= 0 ? rawEnd : view.pieceRaw[piece]! + ((view.pieceView[piece + 1] ?? view.text.length) - view.pieceView[piece]!);
      if (pieceEnd <= from) continue;
      viewFrom = view.pieceView[piece]! + (rawEnd >= 0 ? 0 : Math.max(0, from - view.pieceRaw[piece]!));
      break;
    }
    const spans: Span[] = [];
    this.scanPlain(view.text, viewFrom, final || !view.reachesEnd, false, spans);
    for (const span of spans) {
      if (!touchesTransform(view, span.start, Math.max(span.start + 1, span.end))) continue;
      const start = rawStartOf(view, span.start);
      if (start < from) continue;
      const end = span.end > span.start ? rawEndOf(view, span.end) : start;
      out.push({
        ...span,
        start,
        end,
        extentStart: Math.min(start, rawStartOf(view, span.extentStart)),
        extentEnd: Math.max(end, span.extentEnd > 0 ? rawEndOf(view, span.extentEnd) : end),
        open: span.open && view.reachesEnd && !final,
      });
    }
  }

  private scanPlain(text: string, from: number, final: boolean, withMultiline: boolean, out: Span[]): void {
    const compiled = this.compiled;
    const keywordRules = this.keywordRules;
    const index = this.keywordIndex;
    const hits = index.scan(text, from);
    const range = text.length - from;
    const lastTried = hits > 0 ? this.lastTried.fill(-1) : this.lastTried;
    const coveredUntil = hits > 0 ? this.coveredUntil.fill(-1) : this.coveredUntil;
    const hitKeyword = index.hitKeyword;
    const hitPosition = index.hitPosition;
    const density = new LineDensity(text, final);
    let denseUntil = -1;
    for (let hit = 0; hit < hits; hit++) {
      const start = hitPosition[hit]!;
      if (start < denseUntil) continue;
      for (const priority of keywordRules[hitKeyword[hit]!]!) {
        if (lastTried[priority] === start || start < coveredUntil[priority]!) continue;
        lastTried[priority] = start;
        const rule = compiled[priority]!;
        if (rule.multiline && !withMultiline) continue;
        if (rule.rule.precheck && !rule.rule.precheck(text, start)) continue;
        rule.regex.lastIndex = start;
        const match = rule.regex.exec(text);
        if (match && (rule.rule.validate?.(match) ?? true)) {
          const span = this.toSpan(rule, match, text, final);
          coveredUntil[priority] = span.end;
          const denseEnd = density.accept(span, out);
          if (denseEnd >= 0) {
            denseUntil = denseEnd;
            break;
          }
        }
      }
    }
    if (this.trigger && range >= this.sharedMinLength) this.scanShared(text, from, final, withMultiline, out);
    for (const rule of this.fullPass) {
      if ((rule.multiline && !withMultiline) || range < (rule.rule.minLength ?? 0)) continue;
      const regex = rule.regex;
      const density = new LineDensity(text, final);
      regex.lastIndex = from;
      for (let match = regex.exec(text); match; match = regex.exec(text)) {
        if (rule.rule.validate?.(match) ?? true) {
          const denseEnd = density.accept(this.toSpan(rule, match, text, final), out);
          regex.lastIndex = denseEnd >= 0 ? denseEnd : match.index + Math.max(1, match[0].length);
        } else {
          regex.lastIndex = match.index + 1;
        }
      }
    }
    for (const value of this.knownValues) {
      for (let at = text.indexOf(value, from); at >= 0; at = text.indexOf(value, at + value.length)) {
        const end = at + value.length;
        out.push({ start: at, end, extentStart: at, extentEnd: end, priority: -1, id: KNOWN_VALUE_ID, open: false, continuation: undefined });
      }
    }
  }

  /** The rules of {@link sharedPass}, with the matches each one's own global scan would find. */
  private scanShared(text: string, from: number, final: boolean, withMultiline: boolean, out: Span[]): void {
    const trigger = this.trigger!;
    const next = this.sharedNext.fill(from);
    const density = new LineDensity(text, final);
    trigger.lastIndex = from;
    for (let found = trigger.exec(text); found; found = trigger.exec(text)) {
      const at = found.index;
      let resume = at + 1;
      for (let i = 0; i < this.sharedPass.length; i++) {
        const { compiled, sticky } = this.sharedPass[i]!;
        if (at < next[i]! || (compiled.multiline && !withMultiline)) continue;
        sticky.lastIndex = at;
        const match = sticky.exec(text);
        if (!match) continue;
        if (compiled.rule.validate?.(match) ?? true) {
          next[i] = at + Math.max(1, match[0].length);
          const denseEnd = density.accept(this.toSpan(compiled, match, text, final), out);
          if (denseEnd >= 0) {
            resume = denseEnd;
            break;
          }
        } else {
          next[i] = at + 1;
        }
      }
      trigger.lastIndex = resume;
    }
  }

  private toSpan(compiled: CompiledRule, match: RegExpExecArray, text: string, final: boolean): Span {
    const matchEnd = match.index + match[0].length;
    let secret: [number, number] | undefined;
    if (compiled.secretsInMatch) secret = secretInMatch(match);
    if (compiled.indexed && !secret) {
      compiled.indexed.lastIndex = match.index;
      const indexed = compiled.indexed.exec(text);
      secret = indexed ? secretRange(indexed) : undefined;
    }
    const start = secret ? secret[0] : match.index;
    let end = secret ? secret[1] : matchEnd;
    let extentStart = Math.min(match.index, start);
    let extentEnd = Math.max(matchEnd, end);
    let open = false;
    let continuation = compiled.staticContinuation;
    const dynamic = compiled.rule.continuation;
    if (typeof dynamic === 'function') {
      const resolved = dynamic(match);
      continuation = resolved ? resolveContinuation(resolved) : undefined;
    }
    if (continuation) {
      const extended = extendContinuation(continuation, text, continuation.kind === 'until' ? extentEnd : end);
      end = Math.max(end, extended.end);
      extentEnd = Math.max(extentEnd, end);
      // A run stopped by the very last char may be an escape cut in two: keep it open too.
      open = !final && (extended.exhausted || (continuation.kind === 'run' && extended.end >= text.length - 1));
    }
    extentStart = Math.min(extentStart, start);
    return { start, end, extentStart, extentEnd, priority: compiled.priority, id: compiled.rule.id, open, continuation };
  }
}

/** A group of overlapping spans, replaced by one marker. @internal */
export interface Group {
  start: number;
  end: number;
  id: string;
  open: boolean;
  continuation: ResolvedContinuation | undefined;
}

/** Merges overlapping spans; the label is the first span's by start, then priority. @internal */
export function groupSpans(spans: Span[]): Group[] {
  spans.sort((a, b) => a.start - b.start || a.priority - b.priority);
  const groups: Group[] = [];
  let current: Group | undefined;
  for (const span of spans) {
    if (span.end <= span.start) continue;
    if (current && span.start < current.end) {
      if (span.end > current.end || (span.end === current.end && span.open)) {
        current.end = span.end;
        if (span.open) {
          current.open = true;
          current.continuation = span.continuation;
        }
      }
      continue;
    }
    current = { start: span.start, end: span.end, id: span.id, open: span.open, continuation: span.continuation };
    groups.push(current);
  }
  return groups;
}

/** The replacement text of a rule or of known values. */
export function markerFor(id: string): string {
  return `[REDACTED:${id}]`;
}
