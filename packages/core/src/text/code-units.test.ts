import { describe, expect, it } from 'vitest';
import { CODE_UNIT_BLOCK, CodeUnitBlock } from './code-units.js';

describe('CodeUnitBlock', () => {
  // One-byte and two-byte strings, a lone surrogate, a concatenation and a slice: V8 keeps each
  // differently, and every one must read as its charCodeAt values.
  const base = `${'plain ascii text '.repeat(600)}é✓😀\uD800 ${'x'.repeat(CODE_UNIT_BLOCK)}`;
  const texts = [base, `${base.slice(0, 5000)}${'y'.repeat(4000)}`, base.slice(100, 100 + CODE_UNIT_BLOCK + 7), 'short'];

  for (const native of [true, false]) {
    it(`loads exactly the code units of any block of a string (${native ? 'Buffer.write' : 'charCodeAt'})`, () => {
      const block = new CodeUnitBlock(native);
      for (const text of texts) {
        for (const start of [0, 1, 9000, Math.max(0, text.length - CODE_UNIT_BLOCK)]) {
          if (start >= text.length) continue;
          const length = Math.min(CODE_UNIT_BLOCK, text.length - start);
          block.load(text, start, length);
          const expected = Uint16Array.from({ length }, (_, i) => text.charCodeAt(start + i));
          expect(block.codes.subarray(0, length)).toEqual(expected);
        }
      }
    });
  }
});
