import { describe, expect, it } from 'vitest';
import { TerminalTextDecoder, applyCarriageReturns } from './terminal-text.js';

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
