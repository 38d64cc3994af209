/**
 * Keeps the head and the tail of a text of any length in memory bounded by `maxChars`: the first
 * half and the last half are kept, the middle is counted and elided.
 *
 * Chars are UTF-16 code units (JavaScript string length); cuts never split a surrogate pair.
 */
export class BoundedText {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head = '';
  private tail: string[] = [];
  private tailLength = 0;
  private total = 0;

  /** @param maxChars - the most chars {@link toString} returns before eliding; ≥ 0 */
  constructor(readonly maxChars: number) {
    this.headLimit = Math.ceil(maxChars / 2);
    this.tailLimit = maxChars - this.headLimit;
  }

  /** Chars appended so far. */
  get length(): number {
    return this.total;
  }

  /** True when more than `maxChars` were appended. */
  get truncated(): boolean {
    return this.total > this.maxChars;
  }

  append(text: string): void {
    if (text.length === 0) return;
    this.total += text.length;
    let rest = text;
    if (this.head.length < this.headLimit) {
      const room = this.headLimit - this.head.length;
      this.head += rest.slice(0, room);
      rest = rest.slice(room);
      if (rest.length === 0) return;
    }
    if (this.tailLimit === 0) return;
    this.tail.push(rest);
    this.tailLength += rest.length;
    while (this.tailLength > this.tailLimit) {
      const first = this.tail[0] ?? '';
      const excess = this.tailLength - this.tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailLength -= first.length;
      } else {
        this.tail[0] = first.slice(excess);
        this.tailLength -= excess;
      }
    }
  }

  /**
   * The kept text. When truncated: head, then `\n… N chars elided …\n`, then tail.
   */
  toString(): string {
    const tail = this.tail.join('');
    if (!this.truncated) return this.head + tail;
    let head = this.head;
    let tailText = tail;
    // Never leave half of a surrogate pair at a cut.
    if (head.length > 0 && isHighSurrogate(head.charCodeAt(head.length - 1))) head = head.slice(0, -1);
    if (tailText.length > 0 && isLowSurrogate(tailText.charCodeAt(0))) tailText = tailText.slice(1);
    const elided = this.total - head.length - tailText.length;
    return `${head}\n… ${elided} chars elided …\n${tailText}`;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
