import { CODE_UNIT_BLOCK, CodeUnitBlock } from '../text/code-units.js';

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
 * @internal
 */
export class KeywordIndex {
  /**
   * `delta[row + classOf[code]]`: the row offset of the next state (`state * width`), or `~` it
   * when a keyword ends there.
   */
  private readonly delta: Int32Array;
  /** Char class of each ASCII code (0: in no keyword; a letter's two cases share one). */
  private readonly classOf = new Uint8Array(128);
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

  /** @param keywords - ASCII strings, each at least one char; matched ignoring ASCII case */
  constructor(readonly keywords: readonly string[]) {
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
    let classes = 1;
    for (const keyword of keywords) {
      for (const char of keyword.toLowerCase()) {
        const code = char.charCodeAt(0);
        if (this.classOf[code] !== 0) continue;
        this.classOf[code] = classes;
        if (code >= 0x61 && code <= 0x7a) this.classOf[code - 32] = classes;
        classes++;
      }
    }
    const width = classes;
    this.width = width;
    this.delta = new Int32Array(states * width);
    for (let state = 0; state < states; state++) {
      for (let code = 0; code < 128; code++) {
        // Every char of a class moves alike (class 0, chars no keyword has, always leads to the root).
        const folded = code >= 0x41 && code <= 0x5a ? code + 32 : code;
        const next = table[state * 128 + folded]!;
        this.delta[state * width + this.classOf[code]!] = output[next]!.length > 0 ? ~(next * width) : next * width;
      }
    }
    this.hitStart = new Uint32Array(states + 1);
    const flat: number[] = [];
    for (let state = 0; state < states; state++) {
      this.hitStart[state] = flat.length;
      flat.push(...output[state]!);
    }
    this.hitStart[states] = flat.length;
    this.hits = Uint32Array.from(flat);
    this.keywordLengths = Int32Array.from(keywords, (k) => k.length);
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
