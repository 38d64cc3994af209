/**
 * Tails longer than this (in chars) move into a ring buffer once they fill up: a queue of the
 * stream's chunk strings would keep each one alive across garbage collections, and copying them
 * (young generation, then old) costs more than the text's own processing on large outputs.
 */
export const RING_MIN_CHARS = 64 * 1024;

/**
 * Keeps the head and the tail of a text of any length in memory bounded by `maxChars`: the first
 * half and the last half are kept, the middle is counted and elided.
 *
 * Chars are UTF-16 code units (JavaScript string length); cuts never split a surrogate pair. A
 * tail of more than {@link RING_MIN_CHARS} chars lives, once that much has arrived, in a ring
 * buffer of `2 × tail` bytes (UTF-16LE) allocated then, so the strings appended can be collected
 * young.
 */
export class BoundedText {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head = '';
  /** The tail as strings, until it is long enough for the ring. */
  private tail: string[] = [];
  private tailLength = 0;
  /** The tail in UTF-16LE, once in use: chars `[ringAt, tailLimit)` then `[0, ringAt)` in order. */
  private ring: Buffer | undefined;
  private ringAt = 0;
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
    if (this.ring) {
      this.writeRing(rest);
      return;
    }
    this.tail.push(rest);
    this.tailLength += rest.length;
    if (this.tailLength >= this.tailLimit && this.tailLimit > RING_MIN_CHARS) {
      // Full: from now on the tail rotates through the ring.
      this.ring = Buffer.allocUnsafe(this.tailLimit * 2);
      const strings = this.tail;
      this.tail = [];
      this.tailLength = 0;
      for (const part of strings) this.writeRing(part);
      return;
    }
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

  /** Writes `text` into the ring, after what is there; only its last `tailLimit` chars matter. */
  private writeRing(text: string): void {
    const ring = this.ring!;
    const limit = this.tailLimit;
    let part = text.length > limit ? text.slice(text.length - limit) : text;
    while (part.length > 0) {
      const room = limit - this.ringAt;
      const now = part.length <= room ? part : part.slice(0, room);
      ring.write(now, this.ringAt * 2, now.length * 2, 'utf16le');
      this.ringAt = (this.ringAt + now.length) % limit;
      part = part.length <= room ? '' : part.slice(room);
    }
  }

  private tailText(): string {
    if (!this.ring) return this.tail.join('');
    const ring = this.ring;
    return ring.toString('utf16le', this.ringAt * 2) + ring.toString('utf16le', 0, this.ringAt * 2);
  }

  /**
   * The kept text. When truncated: head, then `\n… N chars elided …\n`, then tail.
   */
  toString(): string {
    const tail = this.tailText();
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
