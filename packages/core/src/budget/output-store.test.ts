import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors/index.js';
import { OutputStore, type OutputReadOptions } from './index.js';

const numbered = (count: number, prefix = 'line'): string => Array.from({ length: count }, (_, i) => `${prefix} ${i}\n`).join('');

function invalid(run: () => unknown): InvalidOptionsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error('did not throw');
}

describe('OutputStore', () => {
  it('returns short unguessable ids', () => {
    const store = new OutputStore();
    const ids = new Set(Array.from({ length: 200 }, () => store.store('x', '')));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('pages through a stream to the end', () => {
    const store = new OutputStore();
    const id = store.store(numbered(450), 'oops\n');
    const first = store.read(id);
    expect(first.lines).toHaveLength(200);
    expect(first.lines[0]).toBe('line 0');
    expect(first).toMatchObject({ stream: 'stdout', offset: 0, next_offset: 200, total_lines: 450, elided_bytes: 0 });
    const second = store.read(id, { offset: 200 });
    expect(second.lines[0]).toBe('line 200');
    expect(second.next_offset).toBe(400);
    const last = store.read(id, { offset: 400 });
    expect(last.lines).toEqual(Array.from({ length: 50 }, (_, i) => `line ${400 + i}`));
    expect(last.next_offset).toBeNull();
    const end = store.read(id, { offset: 450 });
    expect(end).toMatchObject({ lines: [], offset: 450, next_offset: null, total_lines: 450 });
  });

  it('reads any offset and limit, across the line index checkpoints', () => {
    const text = numbered(1000);
    const lines = text.split('\n').slice(0, -1);
    const store = new OutputStore();
    const id = store.store(text, '');
    for (const [offset, limit] of [[0, 1], [63, 3], [64, 1], [127, 130], [130, 5], [999, 10], [500, 10_000]] as const) {
      const page = store.read(id, { offset, limit });
      expect(page.lines).toEqual(lines.slice(offset, offset + limit));
      expect(page.next_offset).toBe(offset + limit < 1000 ? offset + limit : null);
    }
  });

  it('selects the stream', () => {
    const store = new OutputStore();
    const id = store.store('out 1\nout 2', 'err 1\n\nerr 3\n');
    expect(store.read(id, { stream: 'stdout' })).toMatchObject({ stream: 'stdout', lines: ['out 1', 'out 2'], total_lines: 2, next_offset: null });
    expect(store.read(id, { stream: 'stderr' })).toMatchObject({ stream: 'stderr', lines: ['err 1', '', 'err 3'], total_lines: 3 });
    const empty = store.store('', '');
    expect(store.read(empty, { stream: 'stderr' })).toMatchObject({ lines: [], total_lines: 0, next_offset: null });
    expect(store.read(store.store('\n', ''))).toMatchObject({ lines: [''], total_lines: 1 });
    expect(store.read(store.store('😀 é\r\n', '')).lines).toEqual(['😀 é\r']);
  });

  it('rejects an unknown id, saying it expired or never existed', () => {
    const store = new OutputStore();
    for (const id of ['0123456789abcdef', '', 'nope']) {
      const error = invalid(() => store.read(id));
      expect(error.field).toBe('output_id');
      expect(error.message).toMatch(/expired/);
      expect(error.message).toMatch(/never existed/);
    }
    expect(invalid(() => store.read(42 as unknown as string)).field).toBe('output_id');
  });

  it('rejects bad offsets, limits, streams and options', () => {
    const store = new OutputStore();
    const id = store.store(numbered(10), '');
    const field = (options: unknown): string => invalid(() => store.read(id, options as OutputReadOptions)).field;
    expect(field({ offset: -1 })).toBe('offset');
    expect(field({ offset: 1.5 })).toBe('offset');
    expect(field({ offset: '3' })).toBe('offset');
    expect(invalid(() => store.read(id, { offset: 11 })).message).toMatch(/the stdout has 10 lines/);
    expect(field({ limit: 0 })).toBe('limit');
    expect(field({ limit: 10_001 })).toBe('limit');
    expect(field({ stream: 'both' })).toBe('stream');
    expect(field({ max_chars: 0 })).toBe('max_chars');
    expect(field({ max_chars: 1_000_001 })).toBe('max_chars');
    expect(field({ lines: 5 })).toBe('options.lines');
    expect(field(null)).toBe('options');
    expect(store.read(id, { limit: 10_000 }).lines).toHaveLength(10);
  });

  it('bounds the chars of a page and cuts a single overlong line', () => {
    const store = new OutputStore();
    const id = store.store(`${'a'.repeat(30)}\n${'b'.repeat(30)}\n${'c'.repeat(100)}\nd\n`, '');
    expect(store.read(id, { max_chars: 70 })).toMatchObject({ lines: ['a'.repeat(30), 'b'.repeat(30)], next_offset: 2 });
    const long = store.read(id, { offset: 2, max_chars: 10 });
    expect(long.lines).toEqual(['ccccc … 90 chars elided … ccccc']);
    expect(long.next_offset).toBe(3);
    expect(store.read(id, { offset: 2, max_chars: 1000 }).lines).toEqual(['c'.repeat(100), 'd']);
  });

  it('drops the oldest outputs first to stay within its byte bound', () => {
    const store = new OutputStore({ maxBytesPerOutput: 1024, maxBytesTotal: 3000 });
    const a = store.store('a'.repeat(900), '');
    const b = store.store('b'.repeat(900), '');
    const c = store.store('c'.repeat(900), 'c'.repeat(100));
    expect(store.bytes).toBe(2800);
    expect([store.has(a), store.has(b), store.has(c)]).toEqual([true, true, true]);
    const d = store.store('d'.repeat(300), '');
    expect([store.has(a), store.has(b), store.has(c), store.has(d)]).toEqual([false, true, true, true]);
    expect(store.bytes).toBe(2200);
    const e = store.store('é'.repeat(500), ''); // 1000 UTF-8 bytes
    expect([store.has(b), store.has(c), store.has(d), store.has(e)]).toEqual([false, true, true, true]);
    expect(store.bytes).toBe(2300);
    expect(store.bytes).toBeLessThanOrEqual(store.maxBytesTotal);
    expect(invalid(() => store.read(a)).field).toBe('output_id');
    expect(store.read(e).lines).toEqual(['é'.repeat(500)]);
  });

  it('reading does not refresh an output; maxOutputs bounds the count', () => {
    const store = new OutputStore({ maxOutputs: 2 });
    const a = store.store('a', '');
    const b = store.store('b', '');
    store.read(a);
    const c = store.store('c', '');
    expect([store.has(a), store.has(b), store.has(c)]).toEqual([false, true, true]);
    expect(store.size).toBe(2);
  });

  it('keeps head and tail of an output over the per-output bound, and says so', () => {
    const store = new OutputStore({ maxBytesPerOutput: 2048 });
    const text = numbered(1000); // 'line 0\n' … 'line 999\n': 8890 bytes
    const id = store.store(text, 'small error\n');
    expect(store.bytes).toBeLessThanOrEqual(2048);
    expect(store.read(id, { stream: 'stderr' })).toMatchObject({ lines: ['small error'], elided_bytes: 0 });
    const page = store.read(id, { limit: 10_000 });
    expect(page.elided_bytes).toBeGreaterThan(5000);
    const markerAt = page.lines.findIndex((line) => line.startsWith('… '));
    expect(page.lines[markerAt]).toBe(`… ${page.elided_bytes} bytes elided (output larger than the store's 2048-byte bound; head and tail kept) …`);
    // Whole lines on both sides of the marker, the first and the last kept.
    const head = page.lines.slice(0, markerAt);
    const tail = page.lines.slice(markerAt + 1);
    expect(head[0]).toBe('line 0');
    expect(tail.at(-1)).toBe('line 999');
    for (const line of [...head, ...tail]) expect(line).toMatch(/^line \d+$/);
    const keptBytes = [...head, ...tail].reduce((sum, line) => sum + line.length + 1, 0);
    expect(keptBytes + page.elided_bytes).toBe(text.length);
    expect(page.total_lines).toBe(head.length + 1 + tail.length);
  });

  it('shares the per-output bound between the streams', () => {
    const store = new OutputStore({ maxBytesPerOutput: 4096 });
    const id = store.store('o'.repeat(10_000), 'e'.repeat(10_000));
    expect(store.bytes).toBeLessThanOrEqual(4096);
    expect(store.bytes).toBeGreaterThan(3500);
    const out = store.read(id);
    const err = store.read(id, { stream: 'stderr' });
    expect(out.elided_bytes).toBeGreaterThan(8000);
    expect(err.elided_bytes).toBeGreaterThan(8000);
    // A single long line is cut in the middle: head, marker line, tail.
    expect(out.lines).toHaveLength(3);
    expect(out.lines[0]).toMatch(/^o+$/);
    expect(out.lines[2]).toMatch(/^o+$/);
  });

  it('never cuts a multi-byte character when bounding', () => {
    const store = new OutputStore({ maxBytesPerOutput: 1024 });
    const id = store.store('😀é'.repeat(1000), '');
    expect(store.bytes).toBeLessThanOrEqual(1024);
    const { lines, elided_bytes } = store.read(id);
    expect(lines.join('')).not.toContain('\uFFFD');
    expect(lines[0]).toMatch(/^(😀é)+😀?$/u);
    expect(lines[2]).toMatch(/^é?(😀é)+$/u);
    const kept = Buffer.byteLength(lines[0]!) + Buffer.byteLength(lines[2]!);
    expect(kept + elided_bytes).toBe(6000);
  });

  it('clears and deletes', () => {
    const store = new OutputStore();
    const a = store.store('a\n', 'b\n');
    const b = store.store('c\n', '');
    expect(store.delete(a)).toBe(true);
    expect(store.delete(a)).toBe(false);
    expect(store.size).toBe(1);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
    expect(invalid(() => store.read(b)).field).toBe('output_id');
  });

  it('validates its limits', () => {
    expect(invalid(() => new OutputStore({ maxBytesPerOutput: 100 })).field).toBe('maxBytesPerOutput');
    expect(invalid(() => new OutputStore({ maxBytesPerOutput: 4096, maxBytesTotal: 2048 })).field).toBe('maxBytesTotal');
    expect(invalid(() => new OutputStore({ maxOutputs: 0 })).field).toBe('maxOutputs');
    expect(invalid(() => new OutputStore({ maxBytesTotal: 1.5 })).field).toBe('maxBytesTotal');
    expect(new OutputStore({ maxBytesPerOutput: 100 * 1024 * 1024 }).maxBytesTotal).toBe(100 * 1024 * 1024);
    const defaults = new OutputStore();
    expect([defaults.maxBytesPerOutput, defaults.maxBytesTotal, defaults.maxOutputs]).toEqual([8 * 1024 * 1024, 64 * 1024 * 1024, 1000]);
    expect(invalid(() => defaults.store(undefined as unknown as string, '')).field).toBe('stdout');
  });

  it('stores a 55 MB output within 8 MiB and reads any page of it', () => {
    const store = new OutputStore();
    const text = numbered(1_500_000, 'a fairly long log line number'); // ~55 MB
    const id = store.store(text, '');
    expect(store.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    const first = store.read(id, { limit: 1 });
    const last = store.read(id, { offset: first.total_lines - 2 });
    expect(last.lines).toEqual(['a fairly long log line number 1499998', 'a fairly long log line number 1499999']);
    expect(last.next_offset).toBeNull();
    // Every line, read in order, is the reference for pages read at scattered offsets.
    const all: string[] = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const page = store.read(id, { offset, limit: 10_000, max_chars: 1_000_000 });
      all.push(...page.lines);
      offset = page.next_offset;
    }
    expect(all).toHaveLength(first.total_lines);
    expect(all.filter((line) => / bytes elided /.test(line))).toHaveLength(1);
    for (let i = 0; i < 100; i++) {
      const offset = (i * 1237) % first.total_lines;
      const page = store.read(id, { offset, limit: 200 });
      expect(page.lines, `offset ${offset}`).toEqual(all.slice(offset, offset + 200));
    }
  });
});
