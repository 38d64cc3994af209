import { describe, expect, it } from 'vitest';
import { Redactor } from '../redaction/redactor.js';
import { StreamOutput } from './stream-output.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('StreamOutput', () => {
  it('reports nothing for a stream that received nothing', () => {
    const output = new StreamOutput(10, 100, new Redactor());
    expect(output.finish()).toEqual({ text: '', bytes: 0, truncated: false, full: '', fullTruncated: false });
  });

  it('keeps the same text for the result and for recall while it fits the result', () => {
    const output = new StreamOutput(10, 100);
    output.push(bytes('abc\n'));
    output.push(bytes('\x1b[31mdef\x1b[0m\n'));
    expect(output.finish()).toEqual({ text: 'abc\ndef\n', bytes: 17, truncated: false, full: 'abc\ndef\n', fullTruncated: false });
  });

  it('keeps everything for recall from the start once the result is cut, whenever the cut comes', () => {
    for (const cut of [1, 7, 9, 10, 11, 25]) {
      const output = new StreamOutput(10, 100);
      const text = 'line one\nline two\nline three\n';
      output.push(bytes(text.slice(0, cut)));
      output.push(bytes(text.slice(cut)));
      const result = output.finish();
      expect(result.truncated).toBe(true);
      expect(result.text).toContain('chars elided');
      expect(result.full).toBe(text);
      expect(result.fullTruncated).toBe(false);
    }
  });

  it('bounds the recall text too', () => {
    const output = new StreamOutput(4, 20);
    for (let i = 0; i < 10; i++) output.push(bytes(`${i}${i}${i}${i}\n`));
    const result = output.finish();
    expect(result).toMatchObject({ bytes: 50, truncated: true, fullTruncated: true });
    expect(result.full.startsWith('0000\n1111')).toBe(true);
    expect(result.full.endsWith('8888\n9999\n')).toBe(true);
  });

  it('redacts what it keeps, across chunks, in the result and the recall text alike', () => {
    const token = `ghp_${'A1b2C3d4E5'.repeat(3)}123456`;
    const output = new StreamOutput(30, 1_000, new Redactor());
    const text = `export GITHUB_TOKEN=${token}\nsome more output that goes past the result limit\n`;
    output.push(bytes(text.slice(0, 30)));
    output.push(bytes(text.slice(30)));
    const result = output.finish();
    expect(result.truncated).toBe(true);
    expect(result.full).toContain('[REDACTED:');
    expect(result.full).not.toContain(token.slice(4, 20));
    expect(result.text).not.toContain(token.slice(4, 20));
  });

  it('returns the same result when asked twice', () => {
    const output = new StreamOutput(10);
    output.push(bytes('x\n'));
    expect(output.finish()).toBe(output.finish());
  });
});
