/**
 * Finds every occurrence of a set of ASCII keywords in one pass, case-insensitively (an
 * Aho–Corasick automaton compiled to a dense transition table over the 128 ASCII codes; other
 * chars reset it). Used to try each rule's pattern only where one of its keywords starts.
 *
 * @internal
 */
export class KeywordIndex {
  /**
   * `delta[state << 7 | code]`: the next state, folded for ASCII case, with {@link flag} set when a
   * keyword ends there (one load per char).
   */
  private readonly delta: Uint16Array | Uint32Array;
  private readonly flag: number;
  /** Per state: offset into `hits` of the keywords ending there (`hitStart[s]..hitStart[s+1]`). */
  private readonly hitStart: Uint32Array;
  /** Keyword indices, grouped by state. */
  private readonly hits: Uint32Array;
  readonly keywordLengths: Int32Array;
  /** Hits of the last {@link scan}: keyword index and start, `count` of each. */
  hitKeyword = new Int32Array(1024);
  hitPosition = new Int32Array(1024);

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
    const small = states < 0x8000;
    this.flag = small ? 0x8000 : 0x40000000;
    this.delta = small ? new Uint16Array(states * 128) : new Uint32Array(states * 128);
    for (let state = 0; state < states; state++) {
      for (let code = 0; code < 128; code++) {
        const folded = code >= 0x41 && code <= 0x5a ? code + 32 : code;
        const next = table[state * 128 + folded]!;
        this.delta[state * 128 + code] = next | (output[next]!.length > 0 ? this.flag : 0);
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
    const flag = this.flag;
    const mask = flag - 1;
    let count = 0;
    let state = 0;
    for (let i = from, n = text.length; i < n; i++) {
      const code = text.charCodeAt(i);
      const next = code < 128 ? delta[(state << 7) | code]! : 0;
      state = next & mask;
      if (next >= flag) {
        for (let h = this.hitStart[state]!, last = this.hitStart[state + 1]!; h < last; h++) {
          const keyword = this.hits[h]!;
          const start = i + 1 - this.keywordLengths[keyword]!;
          if (start < from) continue;
          if (count === this.hitKeyword.length) this.grow();
          this.hitKeyword[count] = keyword;
          this.hitPosition[count] = start;
          count++;
        }
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
