import { describe, expect, it } from 'vitest';
import { BoundedText } from './bounded-text.js';

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
});
