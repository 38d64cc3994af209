import { CODE_UNIT_BLOCK, CodeUnitBlock } from '../text/code-units.js';

/** The automaton of one keyword list: immutable once built, shared by every index over that list. */
interface Automaton {
  delta: Int32Array;
  classOf: Uint8Array;
  width: number;
  hitStart: Uint32Array;
  hits: Uint32Array;
  keywordLengths: Int32Array;
}

/** Keyword lists built most recently (a session builds one per redactor; most use the same list). */
const automata = new Map<string, Automaton>();
/** Most automata kept: every default redactor shares one; custom rule sets each add theirs. */
const MAX_CACHED_AUTOMATA = 16;

function automatonFor(keywords: readonly string[]): Automaton {
  const key = JSON.stringify(keywords);
  let automaton = automata.get(key);
  if (automaton) {
    // Most recently used last: eviction below takes the oldest.
    automata.delete(key);
  } else {
    automaton = buildAutomaton(keywords);
    if (automata.size >= MAX_CACHED_AUTOMATA) automata.delete(automata.keys().next().value!);
  }
  automata.set(key, automaton);
  return automaton;
}

function buildAutomaton(keywords: readonly string[]): Automaton {
  const children: Map<number, number>[] = [new Map()];
  const output: number[][] = [[]];
  keywords.forEach((keyword, index) => {
    let state = 0;
    for (const char of keyword.toLowerCase()) {
      const code = char.charCodeAt(0);
      if (code >= 128) throw new RangeError(`keyword ${JSON.stringify(keyword)} is not ASCII`);
      let next = children[state]!.get(code);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        output.push([]);
        children[state]!.set(code, next);
      }
      state = next;
    }
    output[state]!.push(index);
  });
  const states = children.length;
  const table = new Int32Array(states * 128);
  const fail = new Int32Array(states);
  const queue: number[] = [];
  for (let code = 0; code < 128; code++) {
    const next = children[0]!.get(code);
    if (next !== undefined) {
      table[code] = next;
      queue.push(next);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    output[state] = output[state]!.concat(output[fail[state]!]!);
    for (let code = 0; code < 128; code++) {
      const next = children[state]!.get(code);
      if (next !== undefined) {
        fail[next] = table[fail[state]! * 128 + code]!;
        table[state * 128 + code] = next;
        queue.push(next);
      } else {
        table[state * 128 + code] = table[fail[state]! * 128 + code]!;
      }
    }
  }
  const classOf = new Uint8Array(128);
  let classes = 1;
  for (const keyword of keywords) {
    for (const char of keyword.toLowerCase()) {
      const code = char.charCodeAt(0);
      if (classOf[code] !== 0) continue;
      classOf[code] = classes;
      if (code >= 0x61 && code <= 0x7a) classOf[code - 32] = classes;
      classes++;
    }
  }
  const width = classes;
  const delta = new Int32Array(states * width);
  for (let state = 0; state < states; state++) {
    for (let code = 0; code < 128; code++) {
      // Every char of a class moves alike (class 0, chars no keyword has, always leads to the root).
      const folded = code >= 0x41 && code <= 0x5a ? code + 32 : code;
      const next = table[state * 128 + folded]!;
      delta[state * width + classOf[code]!] = output[next]!.length > 0 ? ~(next * width) : next * width;
    }
  }
  const hitStart = new Uint32Array(states + 1);
  const flat: number[] = [];
  for (let state = 0; state < states; state++) {
    hitStart[state] = flat.length;
    flat.push(...output[state]!);
  }
  hitStart[states] = flat.length;
  return { delta, classOf, width, hitStart, hits: Uint32Array.from(flat), keywordLengths: Int32Array.from(keywords, (k) => k.length) };
}

/**
 * Finds every occurrence of a set of ASCII keywords in one pass, case-insensitively (an
 * Aho–Corasick automaton compiled to a dense transition table; non-ASCII chars reset it). The
 * table's columns are char classes, not chars: every ASCII char that appears in no keyword shares
 * one class, and the two cases of a letter share one, so the table is a few times smaller than
 * one over the 128 ASCII codes and stays in cache. Used to try each rule's pattern only where one
 * of its keywords starts.
 *
 * The scan is one dependent table load per char, so the table holds each next state as the
 * offset of its row (no multiply or shift between loads), negated (`~offset`) when a keyword
 * ends there (no mask either: one sign test tells a hit).
 *
 * Building the automaton takes milliseconds for the default rules' keywords, so indexes over the
 * same keyword list share one (built once, read only); each index has its own hit buffers.
 *
 * @internal
 */
export class KeywordIndex {
  /**
   * `delta[row + classOf[code]]`: the row offset of the next state (`state * width`), or `~` it
   * when a keyword ends there.
   */
  private readonly delta: Int32Array;
  /** Char class of each ASCII code (0: in no keyword; a letter's two cases share one). */
  private readonly classOf: Uint8Array;
  /** Row width of {@link delta}: the number of classes. */
  private readonly width: number;
  /** Per state: offset into `hits` of the keywords ending there (`hitStart[s]..hitStart[s+1]`). */
  private readonly hitStart: Uint32Array;
  /** Keyword indices, grouped by state. */
  private readonly hits: Uint32Array;
  readonly keywordLengths: Int32Array;
  /** Hits of the last {@link scan}: keyword index and start, `count` of each. */
  hitKeyword = new Int32Array(1024);
  hitPosition = new Int32Array(1024);
  /** The block of the text being scanned. */
  private readonly block = new CodeUnitBlock();

  /**
   * @param keywords - ASCII strings, each at least one char; matched ignoring ASCII case
   * @throws RangeError when a keyword is not ASCII
   */
  constructor(readonly keywords: readonly string[]) {
    const automaton = automatonFor(keywords);
    this.delta = automaton.delta;
    this.classOf = automaton.classOf;
    this.width = automaton.width;
    this.hitStart = automaton.hitStart;
    this.hits = automaton.hits;
    this.keywordLengths = automaton.keywordLengths;
  }

  /**
   * Finds every keyword occurrence starting at or after `from` in `text`, in order of their end
   * position, into {@link hitKeyword} / {@link hitPosition}; returns how many.
   */
  scan(text: string, from: number): number {
    const delta = this.delta;
    const classOf = this.classOf;
    const hitStart = this.hitStart;
    const n = text.length;
    // The text is read a block at a time through a typed array (see CodeUnitBlock).
    const block = this.block;
    const codes = block.codes;
    let count = 0;
    let row = 0;
    for (let base = from; base < n; base += CODE_UNIT_BLOCK) {
      const length = Math.min(CODE_UNIT_BLOCK, n - base);
      block.load(text, base, length);
      let i = 0;
      for (;;) {
        // The tight part: one class load and one table load per char, until a keyword ends.
        let next = 0;
        for (; i < length; i++) {
          const code = codes[i]!;
          next = delta[row + (code < 128 ? classOf[code]! : 0)]!;
          row = next;
          if (next < 0) break;
        }
        if (i >= length) break;
        row = ~next;
        const state = row / this.width;
        const end = base + i + 1;
        for (let h = hitStart[state]!, last = hitStart[state + 1]!; h < last; h++) {
          const keyword = this.hits[h]!;
          const start = end - this.keywordLengths[keyword]!;
          if (start < from) continue;
          if (count === this.hitKeyword.length) this.grow();
          this.hitKeyword[count] = keyword;
          this.hitPosition[count] = start;
          count++;
        }
        i++;
      }
    }
    return count;
  }

  private grow(): void {
    const keyword = new Int32Array(this.hitKeyword.length * 2);
    keyword.set(this.hitKeyword);
    this.hitKeyword = keyword;
    const position = new Int32Array(this.hitPosition.length * 2);
    position.set(this.hitPosition);
    this.hitPosition = position;
  }
}
