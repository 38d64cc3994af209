import { InvalidOptionsError } from '../errors/index.js';

/**
 * Grep patterns: a small, documented subset of JavaScript regular expressions (`u` flag
 * semantics), parsed here and matched by a linear-time automaton (a Pike VM), never by a
 * backtracking engine.
 *
 * Why not `RegExp`? V8 backtracks. Even harmless-looking patterns are quadratic on a long line
 * in an unanchored search (`.*foo` takes seconds on one 64 KiB line; `a*a*b` never finishes),
 * and command output routinely holds megabyte-long lines (minified bundles, JSON). Here the cost
 * is O(line length × pattern states) whatever the pattern and input.
 *
 * The accepted subset (anything else is rejected with an {@link InvalidOptionsError}):
 * - literal characters; a backslash before any ASCII punctuation makes it literal (`\.`, `\-`, `\:`)
 * - `.` (any code point but `\n`, `\r`, U+2028, U+2029)
 * - classes `[abc]`, `[^a-z]`, `[\d_]`; escapes `\d \D \w \W \s \S`, `\p{…}`, `\P{…}`
 * - character escapes `\t \n \v \f \r \0 \xHH \uHHHH \u{H…} \cX`
 * - anchors `^` (start of line), `$` (end of line), `\b`, `\B` (ASCII word boundaries, tested at
 *   code point positions: unlike V8, `\B` never matches between the halves of a surrogate pair)
 * - groups `(…)`, `(?:…)`, alternation `|`
 * - quantifiers `* + ? {n} {n,} {n,m}` (n, m ≤ 1000), optionally lazy (`*?`; laziness does not
 *   change whether a line matches)
 *
 * Rejected: backreferences (`\1`, `\k<n>`), lookarounds (`(?=`, `(?!`, `(?<=`, `(?<!`), named
 * groups, flags (the match is case-sensitive; write `[Ee]rror`), GNU word anchors `\<` `\>`, and
 * a repeated group (a quantifier whose maximum exceeds 1) that contains a quantifier or an
 * alternation — `(a+)+`, `(a|a)*`, `(\d+\.){3}` — the shapes that backtrack catastrophically in
 * other engines; repeat single atoms instead (`[\d.]+`). Patterns are at most
 * {@link MAX_PATTERN_LENGTH} chars and must not expand to more than {@link MAX_PATTERN_STATES}
 * automaton states (counted repetition expands: `a{1000}` is 1000 states).
 */

/** Longest grep pattern accepted, in chars (UTF-16 code units). */
export const MAX_PATTERN_LENGTH = 1000;
/** Largest bound allowed in a counted quantifier `{n,m}`. */
export const MAX_REPEAT_BOUND = 1000;
/** Most automaton states a pattern may expand to (matching costs up to this much per char). */
export const MAX_PATTERN_STATES = 4096;

type Node =
  | { type: 'char'; cp: number }
  | { type: 'set'; source: string }
  | { type: 'any' }
  | { type: 'assert'; kind: AssertKind }
  | { type: 'alt'; alternatives: Node[] }
  | { type: 'concat'; items: Node[] }
  | { type: 'repeat'; body: Node; min: number; max: number };

type AssertKind = typeof BOL | typeof EOL | typeof WORD | typeof NOT_WORD;

// Instruction opcodes.
const OP_CHAR = 0;
const OP_ANY = 1;
const OP_SET = 2;
const OP_SPLIT = 3;
const OP_JMP = 4;
const OP_ASSERT = 5;
const OP_MATCH = 6;

// Assertion kinds.
const BOL = 0;
const EOL = 1;
const WORD = 2;
const NOT_WORD = 3;

const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/');

/** Tests whether one line of a larger text matches. Calls must come in increasing line order. */
export interface LineMatcher {
  /** True when the line `text[start, end)` (no `\n` inside) contains a match. */
  test(text: string, start: number, end: number): boolean;
}

/**
 * Parses a grep pattern and returns a factory of fresh matchers (a matcher keeps state across the
 * lines of one text). Throws {@link InvalidOptionsError} (on `field`) when the pattern is outside
 * the accepted subset. Cost: linear in the pattern length, plus at most
 * {@link MAX_PATTERN_STATES} states of compilation; no input is touched.
 */
export function compileLinePattern(pattern: string, field: string): () => LineMatcher {
  if (pattern.length === 0) throw new InvalidOptionsError(field, 'must not be empty');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new InvalidOptionsError(field, `must be at most ${MAX_PATTERN_LENGTH} chars, got ${pattern.length}`);
  }
  if (pattern.includes('\n')) {
    throw new InvalidOptionsError(field, 'must not contain a newline: patterns match one line at a time');
  }
  const ast = new Parser(pattern, field).parse();
  const simplified = simplify(ast);
  const literal = literalOf(simplified);
  if (literal !== undefined) {
    return literal.length === 0 ? () => ({ test: () => true }) : () => new LiteralMatcher(literal);
  }
  const size = programSize(simplified);
  if (size > MAX_PATTERN_STATES) {
    throw new InvalidOptionsError(
      field,
      `is too complex: it expands to more than ${MAX_PATTERN_STATES} matcher states (counted repetition such as {1000} expands); simplify it`,
    );
  }
  const program = new Compiler(field).compile(simplified);
  return () => new VmMatcher(program);
}

class Parser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly field: string,
  ) {}

  parse(): Node {
    const node = this.disjunction();
    if (this.pos < this.src.length) {
      // Only an unmatched ')' stops a top-level disjunction early.
      this.fail(`has an unmatched ')' at position ${this.pos}`);
    }
    return node;
  }

  private fail(message: string): never {
    throw new InvalidOptionsError(this.field, message);
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  private disjunction(): Node {
    const alternatives = [this.alternative()];
    while (this.peek() === '|') {
      this.pos++;
      alternatives.push(this.alternative());
    }
    return alternatives.length === 1 ? alternatives[0]! : { type: 'alt', alternatives };
  }

  private alternative(): Node {
    const items: Node[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === '|' || ch === ')') break;
      items.push(this.term());
    }
    return items.length === 1 ? items[0]! : { type: 'concat', items };
  }

  private term(): Node {
    const start = this.pos;
    const ch = this.peek();
    let atom: Node;
    if (ch === '^' || ch === '$') {
      this.pos++;
      atom = { type: 'assert', kind: ch === '^' ? BOL : EOL };
    } else if (ch === '\\' && (this.peek(1) === 'b' || this.peek(1) === 'B')) {
      this.pos += 2;
      atom = { type: 'assert', kind: this.src[start + 1] === 'b' ? WORD : NOT_WORD };
    } else {
      atom = this.atom();
    }
    const quantifier = this.quantifier();
    if (!quantifier) return atom;
    if (atom.type === 'assert') this.fail(`has nothing to repeat at position ${start}: an anchor cannot be quantified`);
    const { min, max } = quantifier;
    if (max > 1 && atom.type !== 'char' && atom.type !== 'set' && atom.type !== 'any' && hasQuantifierOrAlternation(atom)) {
      const text = this.src.slice(start, this.pos);
      this.fail(
        `repeats a group that contains a quantifier or an alternation (${text}); nested quantifiers such as (a+)+ or (a|b)* are rejected because they backtrack catastrophically: repeat a single atom or class instead (e.g. [ab]+)`,
      );
    }
    if (this.isQuantifierStart()) {
      this.fail(`has nothing to repeat at position ${this.pos} (a quantifier cannot follow a quantifier; possessive quantifiers are not supported)`);
    }
    return { type: 'repeat', body: atom, min, max };
  }

  private isQuantifierStart(): boolean {
    const ch = this.peek();
    return ch === '*' || ch === '+' || ch === '?' || ch === '{';
  }

  private quantifier(): { min: number; max: number } | undefined {
    const ch = this.peek();
    let min: number;
    let max: number;
    if (ch === '*') [min, max] = [0, Infinity];
    else if (ch === '+') [min, max] = [1, Infinity];
    else if (ch === '?') [min, max] = [0, 1];
    else if (ch === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 24));
      if (!match) this.fail(`has an incomplete quantifier at position ${this.pos}; write \\{ for a literal brace`);
      min = this.bound(match[1]!);
      max = match[2] === undefined ? min : match[3] === '' ? Infinity : this.bound(match[3]!);
      if (max < min) this.fail(`has a quantifier {${min},${max}} whose maximum is below its minimum`);
      this.pos += match[0].length - 1;
    } else return undefined;
    this.pos++;
    if (this.peek() === '?') this.pos++; // lazy: irrelevant to whether a line matches
    return { min, max };
  }

  private bound(digits: string): number {
    const value = Number(digits);
    if (value > MAX_REPEAT_BOUND) this.fail(`has a repetition count ${digits} above the maximum of ${MAX_REPEAT_BOUND}`);
    return value;
  }

  private atom(): Node {
    const start = this.pos;
    const ch = this.peek()!;
    switch (ch) {
      case '.':
        this.pos++;
        return { type: 'any' };
      case '(':
        return this.group();
      case '[':
        return { type: 'set', source: this.characterClass() };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case '{':
        return this.fail(`has nothing to repeat at position ${start}; write \\${ch} for a literal ${ch}`);
      case ']':
      case '}':
        return this.fail(`has a lone '${ch}' at position ${start}; write \\${ch} for a literal ${ch}`);
      default: {
        const cp = this.src.codePointAt(this.pos)!;
        this.pos += cp > 0xffff ? 2 : 1;
        return { type: 'char', cp };
      }
    }
  }

  private group(): Node {
    const start = this.pos;
    this.pos++;
    if (this.peek() === '?') {
      const next = this.peek(1);
      const after = this.peek(2);
      if (next === ':') this.pos += 2;
      else if (next === '=' || next === '!' || (next === '<' && (after === '=' || after === '!'))) {
        this.fail(`has a lookaround at position ${start}; lookarounds are not supported`);
      } else if (next === '<') {
        this.fail(`has a named group at position ${start}; named groups are not supported, use (...) or (?:...)`);
      } else {
        this.fail(`has an unsupported group '(?${next ?? ''}' at position ${start}; only (...) and (?:...) are supported (no inline flags)`);
      }
    }
    const body = this.disjunction();
    if (this.peek() !== ')') this.fail(`has an unterminated group opened at position ${start}`);
    this.pos++;
    return body;
  }

  /** Parses `[...]` and returns its source, rewritten to valid `u`-mode syntax, checked by V8. */
  private characterClass(): string {
    const start = this.pos;
    let out = '[';
    this.pos++;
    if (this.peek() === '^') {
      out += '^';
      this.pos++;
    }
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) this.fail(`has an unterminated character class opened at position ${start}`);
      if (ch === ']') {
        this.pos++;
        break;
      }
      if (ch === '\\') {
        out += this.classEscape();
        continue;
      }
      const cp = this.src.codePointAt(this.pos)!;
      const width = cp > 0xffff ? 2 : 1;
      out += this.src.slice(this.pos, this.pos + width);
      this.pos += width;
    }
    out += ']';
    try {
      new RegExp(out, 'u');
    } catch (error) {
      this.fail(`has an invalid character class ${this.src.slice(start, this.pos)}: ${(error as Error).message}`);
    }
    return out;
  }

  private classEscape(): string {
    const start = this.pos;
    const next = this.peek(1);
    if (next === undefined) this.fail('ends with a lone backslash');
    if (/[dDwWsStnvfr]/.test(next)) {
      this.pos += 2;
      return `\\${next}`;
    }
    if (next === 'b') {
      this.pos += 2;
      return '\\x08'; // backspace inside a class, as in JavaScript
    }
    if (next === '-' || SYNTAX_CHARS.has(next)) {
      this.pos += 2;
      return `\\${next}`;
    }
    if (isAsciiPunctuation(next)) {
      this.pos += 2;
      return next; // a needlessly escaped punctuation char is literal
    }
    // Numeric, unicode, property and control escapes: reuse the outside-class parser for the extent.
    const node = this.escape();
    if (node.type === 'char') return `\\u{${node.cp.toString(16)}}`;
    if (node.type === 'set' && !node.source.startsWith('[')) return node.source;
    return this.fail(`has an unsupported escape ${this.src.slice(start, this.pos)} in a character class`);
  }

  private escape(): Node {
    const start = this.pos;
    const next = this.peek(1);
    if (next === undefined) this.fail('ends with a lone backslash');
    this.pos += 2;
    switch (next) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return { type: 'set', source: `\\${next}` };
      case 't':
        return { type: 'char', cp: 9 };
      case 'n':
        return { type: 'char', cp: 10 };
      case 'v':
        return { type: 'char', cp: 11 };
      case 'f':
        return { type: 'char', cp: 12 };
      case 'r':
        return { type: 'char', cp: 13 };
      case '0':
        if (/[0-9]/.test(this.peek() ?? '')) this.fail(`has an octal escape at position ${start}; use \\xHH`);
        return { type: 'char', cp: 0 };
      case 'c': {
        const letter = this.peek();
        if (letter === undefined || !/[A-Za-z]/.test(letter)) this.fail(`has an invalid control escape at position ${start}; use \\cA … \\cZ`);
        this.pos++;
        return { type: 'char', cp: letter.charCodeAt(0) % 32 };
      }
      case 'x': {
        const hex = this.src.slice(this.pos, this.pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail(`has an invalid \\x escape at position ${start}; use \\xHH`);
        this.pos += 2;
        return { type: 'char', cp: parseInt(hex, 16) };
      }
      case 'u':
        return { type: 'char', cp: this.unicodeEscape(start) };
      case 'p':
      case 'P': {
        const match = /^\{[A-Za-z0-9_=]{1,60}\}/.exec(this.src.slice(this.pos, this.pos + 64));
        if (!match) this.fail(`has an invalid property escape at position ${start}; use \\p{Name}`);
        this.pos += match[0].length;
        const source = `\\${next}${match[0]}`;
        try {
          new RegExp(source, 'u');
        } catch {
          this.fail(`has an unknown Unicode property ${source}`);
        }
        return { type: 'set', source };
      }
      case 'k':
        return this.fail(`has a named backreference at position ${start}; backreferences are not supported`);
      case '<':
      case '>':
        return this.fail(`has \\${next} at position ${start}; GNU word anchors are not supported, use \\b`);
      default:
        if (/[1-9]/.test(next)) this.fail(`has a backreference \\${next} at position ${start}; backreferences are not supported`);
        if (isAsciiPunctuation(next)) return { type: 'char', cp: next.charCodeAt(0) };
        return this.fail(`has an unsupported escape \\${next} at position ${start}`);
    }
  }

  private unicodeEscape(start: number): number {
    if (this.peek() === '{') {
      const match = /^\{([0-9A-Fa-f]{1,6})\}/.exec(this.src.slice(this.pos, this.pos + 8));
      const cp = match ? parseInt(match[1]!, 16) : NaN;
      if (!match || cp > 0x10ffff) this.fail(`has an invalid \\u{…} escape at position ${start}`);
      this.pos += match[0].length;
      return cp;
    }
    const hex = this.src.slice(this.pos, this.pos + 4);
    if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail(`has an invalid \\u escape at position ${start}; use \\uHHHH or \\u{H…}`);
    this.pos += 4;
    const cp = parseInt(hex, 16);
    // A surrogate pair written as two \u escapes is one code point, as in `u` mode.
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const low = /^\\u(d[c-f][0-9a-f]{2})/i.exec(this.src.slice(this.pos, this.pos + 6));
      if (low) {
        this.pos += 6;
        return (cp - 0xd800) * 0x400 + (parseInt(low[1]!, 16) - 0xdc00) + 0x10000;
      }
    }
    return cp;
  }
}

function isAsciiPunctuation(ch: string): boolean {
  return /^[!-/:-@[-`{-~ ]$/.test(ch);
}

function hasQuantifierOrAlternation(node: Node): boolean {
  switch (node.type) {
    case 'repeat':
    case 'alt':
      return true;
    case 'concat':
      return node.items.some(hasQuantifierOrAlternation);
    default:
      return false;
  }
}

/**
 * Whether a line *contains* a match is unchanged by dropping optional repeats (`min` 0) at the
 * start or end of a top-level alternative: `.*error.*` matches exactly the lines `error` does.
 * This turns the most common agent patterns into plain substring searches.
 */
function simplify(node: Node): Node {
  if (node.type === 'alt') return { type: 'alt', alternatives: node.alternatives.map(simplify) };
  const items = node.type === 'concat' ? [...node.items] : [node];
  while (items.length > 0 && items[0]!.type === 'repeat' && (items[0] as { min: number }).min === 0) items.shift();
  while (items.length > 0 && items[items.length - 1]!.type === 'repeat' && (items[items.length - 1] as { min: number }).min === 0) items.pop();
  return items.length === 1 ? items[0]! : { type: 'concat', items };
}

/** The literal string when `node` is a plain sequence of characters (`''` when it is empty). */
function literalOf(node: Node): string | undefined {
  if (node.type === 'char') return String.fromCodePoint(node.cp);
  if (node.type !== 'concat') return undefined;
  let text = '';
  for (const item of node.items) {
    if (item.type !== 'char') return undefined;
    text += String.fromCodePoint(item.cp);
  }
  return text;
}

function programSize(node: Node): number {
  switch (node.type) {
    case 'alt':
      return node.alternatives.reduce((sum, alt) => sum + programSize(alt) + 2, 0);
    case 'concat':
      return node.items.reduce((sum, item) => sum + programSize(item), 0);
    case 'repeat': {
      const body = programSize(node.body);
      return node.max === Infinity ? node.min * body + body + 2 : node.min * body + (node.max - node.min) * (body + 1);
    }
    default:
      return 1;
  }
}

interface Program {
  op: Uint8Array;
  x: Int32Array;
  y: Int32Array;
  sets: CharSet[];
}

class Compiler {
  private op: number[] = [];
  private x: number[] = [];
  private y: number[] = [];
  private sets: CharSet[] = [];
  private setIndex = new Map<string, number>();

  constructor(private readonly field: string) {}

  compile(node: Node): Program {
    this.emitNode(node);
    this.emit(OP_MATCH);
    return { op: Uint8Array.from(this.op), x: Int32Array.from(this.x), y: Int32Array.from(this.y), sets: this.sets };
  }

  private emit(op: number, x = 0, y = 0): number {
    this.op.push(op);
    this.x.push(x);
    this.y.push(y);
    return this.op.length - 1;
  }

  private emitNode(node: Node): void {
    switch (node.type) {
      case 'char':
        this.emit(OP_CHAR, node.cp);
        return;
      case 'any':
        this.emit(OP_ANY);
        return;
      case 'set': {
        let index = this.setIndex.get(node.source);
        if (index === undefined) {
          index = this.sets.length;
          this.sets.push(new CharSet(node.source, this.field));
          this.setIndex.set(node.source, index);
        }
        this.emit(OP_SET, index);
        return;
      }
      case 'assert':
        this.emit(OP_ASSERT, node.kind);
        return;
      case 'concat':
        for (const item of node.items) this.emitNode(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.alternatives.forEach((alternative, i) => {
          const last = i === node.alternatives.length - 1;
          const split = last ? -1 : this.emit(OP_SPLIT);
          if (!last) this.x[split] = split + 1;
          this.emitNode(alternative);
          if (!last) {
            jumps.push(this.emit(OP_JMP));
            this.y[split] = this.op.length;
          }
        });
        for (const jump of jumps) this.x[jump] = this.op.length;
        return;
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) this.emitNode(node.body);
        if (node.max === Infinity) {
          const split = this.emit(OP_SPLIT, 0, 0);
          this.x[split] = split + 1;
          this.emitNode(node.body);
          this.emit(OP_JMP, split);
          this.y[split] = this.op.length;
        } else {
          const splits: number[] = [];
          for (let i = node.min; i < node.max; i++) {
            const split = this.emit(OP_SPLIT);
            this.x[split] = split + 1;
            splits.push(split);
            this.emitNode(node.body);
          }
          for (const split of splits) this.y[split] = this.op.length;
        }
        return;
      }
    }
  }
}

/** One class (`[a-z]`, `\d`, `\p{L}`): a lookup table for ASCII, V8's own semantics beyond. */
class CharSet {
  readonly ascii = new Uint8Array(128);
  private readonly regex: RegExp;
  private readonly cache = new Map<number, boolean>();

  constructor(source: string, field: string) {
    try {
      this.regex = new RegExp(`^${source}$`, 'u');
    } catch (error) {
      throw new InvalidOptionsError(field, `has an invalid class ${source}: ${(error as Error).message}`);
    }
    for (let c = 0; c < 128; c++) this.ascii[c] = this.regex.test(String.fromCharCode(c)) ? 1 : 0;
  }

  has(cp: number): boolean {
    if (cp < 128) return this.ascii[cp] === 1;
    let hit = this.cache.get(cp);
    if (hit === undefined) {
      if (this.cache.size >= 4096) this.cache.clear();
      hit = this.regex.test(String.fromCodePoint(cp));
      this.cache.set(cp, hit);
    }
    return hit;
  }
}

/** A plain substring: one `indexOf` scan over the whole text, shared by consecutive lines. */
class LiteralMatcher implements LineMatcher {
  private text: string | undefined;
  private hit = -1;

  constructor(private readonly literal: string) {}

  test(text: string, start: number, end: number): boolean {
    if (text !== this.text) {
      this.text = text;
      this.hit = -1;
    }
    if (this.hit < start && this.hit !== Infinity) {
      const found = text.indexOf(this.literal, start);
      this.hit = found < 0 ? Infinity : found;
    }
    // The literal holds no '\n', so a hit starting inside the line ends inside it.
    return this.hit < end;
  }
}

function isWordUnit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/**
 * Pike VM: simulates the automaton over the line once, each state at most once per position.
 * O(line length × program size) time, O(program size) memory.
 */
class VmMatcher implements LineMatcher {
  private readonly op: Uint8Array;
  private readonly x: Int32Array;
  private readonly y: Int32Array;
  private readonly sets: CharSet[];
  private clist: Int32Array;
  private nlist: Int32Array;
  private clen = 0;
  private nlen = 0;
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;
  /** ASCII chars that can start a match (assertions ignored). */
  private readonly first = new Uint8Array(128);
  /** True when no match can be empty, so positions whose char is not in `first` can be skipped. */
  private readonly canSkip: boolean;
  /** True when every match must start at the start of the line (`^…`). */
  private readonly anchored: boolean;
  // The line under test.
  private text = '';
  private start = 0;
  private end = 0;

  constructor(program: Program) {
    ({ op: this.op, x: this.x, y: this.y, sets: this.sets } = program);
    const size = this.op.length;
    this.clist = new Int32Array(size);
    this.nlist = new Int32Array(size);
    this.mark = new Int32Array(size);
    this.stack = new Int32Array(size + 1);
    const loose = this.staticClosure(false);
    this.canSkip = !loose.match;
    for (const pc of loose.consumers) {
      for (let c = 0; c < 128; c++) if (this.accepts(pc, c)) this.first[c] = 1;
    }
    const strict = this.staticClosure(true);
    this.anchored = !strict.match && strict.consumers.length === 0;
  }

  /** States reachable from the start without consuming; assertions pass, except `^` when `blockBol`. */
  private staticClosure(blockBol: boolean): { consumers: number[]; match: boolean } {
    const seen = new Set<number>();
    const todo = [0];
    const consumers: number[] = [];
    let match = false;
    while (todo.length > 0) {
      const pc = todo.pop()!;
      if (seen.has(pc)) continue;
      seen.add(pc);
      switch (this.op[pc]) {
        case OP_JMP:
          todo.push(this.x[pc]!);
          break;
        case OP_SPLIT:
          todo.push(this.x[pc]!, this.y[pc]!);
          break;
        case OP_ASSERT:
          if (!(blockBol && this.x[pc] === BOL)) todo.push(pc + 1);
          break;
        case OP_MATCH:
          match = true;
          break;
        default:
          consumers.push(pc);
      }
    }
    return { consumers, match };
  }

  private accepts(pc: number, cp: number): boolean {
    switch (this.op[pc]) {
      case OP_CHAR:
        return this.x[pc] === cp;
      case OP_ANY:
        return cp !== 10 && cp !== 13 && cp !== 0x2028 && cp !== 0x2029;
      default:
        return this.sets[this.x[pc]!]!.has(cp);
    }
  }

  private assertion(kind: number, pos: number): boolean {
    switch (kind) {
      case BOL:
        return pos === this.start;
      case EOL:
        return pos === this.end;
      default: {
        const before = pos > this.start && isWordUnit(this.text.charCodeAt(pos - 1));
        const after = pos < this.end && isWordUnit(this.text.charCodeAt(pos));
        return (before !== after) === (kind === WORD);
      }
    }
  }

  private nextGen(): void {
    if (++this.gen === 0x7fffffff) {
      this.mark.fill(0);
      this.gen = 1;
    }
  }

  /** Adds the closure of `pc` at `pos` to `nlist`; true when it reaches a match. */
  private add(pc0: number, pos: number): boolean {
    const { op, x, y, mark, stack, gen } = this;
    let top = 0;
    if (mark[pc0] === gen) return false;
    mark[pc0] = gen;
    stack[top++] = pc0;
    while (top > 0) {
      const pc = stack[--top]!;
      switch (op[pc]) {
        case OP_MATCH:
          return true;
        case OP_JMP: {
          const to = x[pc]!;
          if (mark[to] !== gen) {
            mark[to] = gen;
            stack[top++] = to;
          }
          break;
        }
        case OP_SPLIT: {
          const a = x[pc]!;
          const b = y[pc]!;
          if (mark[b] !== gen) {
            mark[b] = gen;
            stack[top++] = b;
          }
          if (mark[a] !== gen) {
            mark[a] = gen;
            stack[top++] = a;
          }
          break;
        }
        case OP_ASSERT:
          if (this.assertion(x[pc]!, pos) && mark[pc + 1] !== gen) {
            mark[pc + 1] = gen;
            stack[top++] = pc + 1;
          }
          break;
        default:
          this.nlist[this.nlen++] = pc;
      }
    }
    return false;
  }

  private swap(): void {
    const list = this.clist;
    this.clist = this.nlist;
    this.nlist = list;
    this.clen = this.nlen;
    this.nlen = 0;
  }

  private skip(pos: number): number {
    const { text, end, first } = this;
    while (pos < end) {
      const c = text.charCodeAt(pos);
      if (c >= 128 || first[c] === 1) break;
      pos++;
    }
    return pos;
  }

  test(text: string, start: number, end: number): boolean {
    this.text = text;
    this.start = start;
    this.end = end;
    let pos = start;
    if (this.canSkip && !this.anchored) {
      pos = this.skip(pos);
      if (pos >= end) return false;
    }
    this.nextGen();
    this.nlen = 0;
    if (this.add(0, pos)) return true;
    this.swap();
    while (pos < end) {
      if (this.clen === 0 && this.anchored) return false;
      const cp = text.codePointAt(pos)!;
      let next = pos + (cp > 0xffff ? 2 : 1);
      this.nextGen();
      const { clist, clen } = this;
      for (let i = 0; i < clen; i++) {
        const pc = clist[i]!;
        if (this.accepts(pc, cp) && this.add(pc + 1, next)) return true;
      }
      if (!this.anchored) {
        if (this.nlen === 0 && this.canSkip) {
          // Nothing alive: jump to the next char that can start a match.
          const to = this.skip(next);
          if (to >= end) return false;
          if (to !== next) {
            next = to;
            this.nextGen();
          }
        }
        if (this.add(0, next)) return true;
      }
      this.swap();
      pos = next;
    }
    return false;
  }
}
