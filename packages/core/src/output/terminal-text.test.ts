import ansiRegex from 'ansi-regex';
import { describe, expect, it } from 'vitest';
import { TerminalTextDecoder, applyCarriageReturns } from './terminal-text.js';

/** The definition the decoder implements faster: decode whole, strip every sequence, then every other control. */
function reference(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes);
  // eslint-disable-next-line no-control-regex
  return applyCarriageReturns(text.replace(ansiRegex(), '').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, ''));
}

/** Seeded PRNG (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decodeInChunks(bytes: Uint8Array, size: number): string {
  const decoder = new TerminalTextDecoder();
  let out = '';
  for (let i = 0; i < bytes.length; i += size) out += decoder.push(bytes.subarray(i, i + size));
  return out + decoder.end();
}

describe('TerminalTextDecoder', () => {
  const sample = Buffer.concat([
    Buffer.from('plain \u001b[1;31mred\u001b[0m and \u001b]8;;https://example.com\u0007link\u001b]8;;\u0007 '),
    Buffer.from('emoji 😀 漢字 '),
    Buffer.from([0xff, 0x41, 0x00, 0x07, 0x7f]),
    Buffer.from('\r\nprogress 10%\rprogress 100%\nend'),
  ]);
  const expected = 'plain red and link emoji 😀 漢字 \uFFFDA\nprogress 100%\nend';

  it('cleans text the same whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 5, 7, 16, 1024]) expect(decodeInChunks(sample, size)).toBe(expected);
  });

  it('matches the plain definition on random escapes, controls and multibyte text in random chunks', () => {
    const pieces = [
      'ok ', 'line\n', '\u001b[1;31m', '\u001b[0m', '\u001b]0;title\u0007', '\u001b]8;;https://x\u001b\\', '\u009b32m', '\u001bPq#0\u001b\\',
      '\u001b', '\u001b[', '\u0090', '\u0001', '\u007f', '\t', 'é', '😀', '漢字', '\r', '%', '[',
    ];
    for (let seed = 1; seed <= 2000; seed++) {
      const next = random(seed);
      let text = '';
      const count = 1 + Math.floor(next() * 40);
      for (let i = 0; i < count; i++) text += pieces[Math.floor(next() * pieces.length)];
      const bytes = Buffer.from(text);
      const invalid = next() < 0.2 ? Buffer.from([0xe6, 0xbc]) : Buffer.alloc(0);
      const all = Buffer.concat([bytes, invalid, Buffer.from('tail\n')]);
      const size = 1 + Math.floor(next() * 12);
      expect(decodeInChunks(all, size), `seed ${seed}, chunks of ${size}`).toBe(reference(all));
    }
  });

  it('keeps a lone ESC followed by ordinary text from swallowing it', () => {
    expect(decodeInChunks(Buffer.from('a\u001b\n b'), 1)).toBe('a\n b');
    expect(decodeInChunks(Buffer.from('end\u001b'), 1)).toBe('end');
  });

  it('applies carriage returns like a terminal', () => {
    expect(applyCarriageReturns('abcdef\rXY')).toBe('XYcdef');
    expect(applyCarriageReturns('one\r\ntwo\r')).toBe('one\ntwo');
    expect(applyCarriageReturns('no cr')).toBe('no cr');
  });

  it('flushes a very long line without newline instead of holding it', () => {
    const decoder = new TerminalTextDecoder();
    const out = decoder.push(Buffer.from('x'.repeat(70_000)));
    expect(out.length).toBe(70_000);
  });
});
