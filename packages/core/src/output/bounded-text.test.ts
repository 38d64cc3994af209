import { describe, expect, it } from 'vitest';
import { BoundedText, RING_MIN_CHARS } from './bounded-text.js';

describe('BoundedText', () => {
  it('returns everything up to the cap, exactly', () => {
    const text = new BoundedText(10);
    text.append('12345');
    text.append('67890');
    expect(text.toString()).toBe('1234567890');
    expect(text.truncated).toBe(false);
  });

  it('keeps head and tail and counts the elided middle', () => {
    const text = new BoundedText(10);
    for (const part of ['abc', 'defgh', 'ijklmnop', 'qrstuvwxyz']) text.append(part);
    expect(text.truncated).toBe(true);
    expect(text.length).toBe(26);
    expect(text.toString()).toBe('abcde\n… 16 chars elided …\nvwxyz');
  });

  it('never splits a surrogate pair at a cut', () => {
    const text = new BoundedText(4);
    text.append('ab😀cd😀ef');
    const shown = text.toString();
    expect(shown).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(shown).not.toMatch(/(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('stays bounded in memory for huge inputs', () => {
    const text = new BoundedText(100);
    for (let i = 0; i < 100_000; i++) text.append('0123456789');
    expect(text.length).toBe(1_000_000);
    expect(text.toString().length).toBeLessThan(140);
  });

  it('keeps exactly the head and tail of a plain join once the tail rotates through its ring', () => {
    // Reference: the whole text, cut by the same rule.
    const reference = (whole: string, maxChars: number): string => {
      if (whole.length <= maxChars) return whole;
      const headLimit = Math.ceil(maxChars / 2);
      let head = whole.slice(0, headLimit);
      let tail = whole.slice(whole.length - (maxChars - headLimit));
      if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
      if (/^[\uDC00-\uDFFF]/.test(tail)) tail = tail.slice(1);
      return `${head}\n… ${whole.length - head.length - tail.length} chars elided …\n${tail}`;
    };
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['a', 'b', 'é', '😀', '\n', '\u4e2d', 'z'];
    for (const maxChars of [2 * RING_MIN_CHARS + 3, 3 * RING_MIN_CHARS]) {
      for (let round = 0; round < 6; round++) {
        const text = new BoundedText(maxChars);
        const parts: string[] = [];
        const target = random(3) === 0 ? maxChars - 10 : maxChars * (2 + random(4));
        let length = 0;
        while (length < target) {
          // Chunks from a few chars to more than the whole tail.
          const size = random(4) === 0 ? random(2 * maxChars) + 1 : random(70_000) + 1;
          const part = Array.from({ length: Math.ceil(size / 64) }, () => alphabet[random(alphabet.length)]!.repeat(64)).join('').slice(0, size);
          parts.push(part);
          length += part.length;
          text.append(part);
        }
        const whole = parts.join('');
        expect(text.length).toBe(whole.length);
        expect(text.toString()).toBe(reference(whole, maxChars));
      }
    }
  });
});
