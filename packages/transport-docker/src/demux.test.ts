import { PassThrough, Readable } from 'node:stream';
import { ExecKitError } from '@execkit/core';
import { describe, expect, it } from 'vitest';
import { attachDemuxed, StreamDemuxer, type DemuxAttachEndInfo, type DemuxEndInfo } from './demux.js';

/** One multiplexed frame: 8-byte header + payload. */
function frame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Collected {
  /** Deliveries in order, adjacent same-stream pieces merged. */
  events: Array<['out' | 'err', string]>;
  stdout: Buffer;
  stderr: Buffer;
  errors: Error[];
  emptyCalls: number;
  info: DemuxEndInfo;
}

function run(chunks: Buffer[]): Collected {
  const events: Array<['out' | 'err', Buffer[]]> = [];
  const errors: Error[] = [];
  let emptyCalls = 0;
  const add = (kind: 'out' | 'err', bytes: Buffer): void => {
    if (bytes.length === 0) emptyCalls += 1;
    const last = events[events.length - 1];
    if (last !== undefined && last[0] === kind) last[1].push(bytes);
    else events.push([kind, [bytes]]);
  };
  const demuxer = new StreamDemuxer({
    onStdout: (b) => add('out', b),
    onStderr: (b) => add('err', b),
    onError: (e) => errors.push(e),
  });
  for (const chunk of chunks) demuxer.push(chunk);
  const info = demuxer.end();
  const merged = events.map(([k, parts]) => [k, Buffer.concat(parts)] as const);
  return {
    events: merged.map(([k, b]) => [k, b.toString('latin1')]),
    stdout: Buffer.concat(merged.filter(([k]) => k === 'out').map(([, b]) => b)),
    stderr: Buffer.concat(merged.filter(([k]) => k === 'err').map(([, b]) => b)),
    errors,
    emptyCalls,
    info,
  };
}

function splitAt(buffer: Buffer, cuts: number[]): Buffer[] {
  const sorted = [...new Set(cuts)].filter((c) => c > 0 && c < buffer.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of sorted) {
    out.push(buffer.subarray(prev, c));
    prev = c;
  }
  out.push(buffer.subarray(prev));
  return out;
}

const sample = Buffer.concat([
  frame(1, 'hello '),
  frame(2, 'warning: x\n'),
  frame(1, ''),
  frame(1, 'world\n'),
  frame(0, 'stdin-echo;'),
  frame(2, Buffer.from([0, 1, 2, 255, 0xe2, 0x82])),
  frame(2, Buffer.from([0xac, 10])),
  frame(1, 'x'.repeat(3000)),
  frame(2, ''),
  frame(1, 'no newline at end'),
]);

describe('StreamDemuxer', () => {
  const reference = run([sample]);

  it('demultiplexes a whole buffer in order, stdin frames to stdout, no empty calls', () => {
    expect(reference.events).toEqual([
      ['out', 'hello '],
      ['err', 'warning: x\n'],
      ['out', 'world\nstdin-echo;'],
      ['err', Buffer.from([0, 1, 2, 255, 0xe2, 0x82, 0xac, 10]).toString('latin1')],
      ['out', `${'x'.repeat(3000)}no newline at end`],
    ]);
    expect(reference.emptyCalls).toBe(0);
    expect(reference.errors).toEqual([]);
    expect(reference.info).toMatchObject({ complete: true, truncated: false, frames: 10, missingPayloadBytes: 0, partialHeaderBytes: 0 });
    expect(reference.info.stdoutBytes).toBe(reference.stdout.length);
    expect(reference.info.stderrBytes).toBe(reference.stderr.length);
  });

  it('gives identical output for 1000 random chunkings of the same stream', () => {
    const random = prng(0x5eed);
    for (let i = 0; i < 1000; i += 1) {
      const cutCount = Math.floor(random() * 40);
      const cuts = Array.from({ length: cutCount }, () => Math.floor(random() * sample.length));
      // Also some runs of 1-byte chunks.
      if (i % 50 === 0) for (let c = 1; c < 64; c += 1) cuts.push(c);
      const result = run(splitAt(sample, cuts));
      expect(result.events, `chunking #${i}: ${cuts.join(',')}`).toEqual(reference.events);
      expect(result.info).toEqual(reference.info);
      expect(result.emptyCalls).toBe(0);
    }
  });

  it('passes one byte at a time', () => {
    const chunks = Array.from({ length: sample.length }, (_, i) => sample.subarray(i, i + 1));
    expect(run(chunks).events).toEqual(reference.events);
  });

  it('is byte-exact for 1 MiB stdout + 1 MiB stderr in interleaved frames of random sizes', () => {
    const random = prng(42);
    const size = 1024 * 1024;
    const out = Buffer.alloc(size);
    const err = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) {
      out[i] = Math.floor(random() * 256);
      err[i] = Math.floor(random() * 256);
    }
    const frames: Buffer[] = [];
    let o = 0;
    let e = 0;
    while (o < size || e < size) {
      const pickOut = e >= size || (o < size && random() < 0.5);
      const n = Math.floor(random() * 70_000);
      if (pickOut) {
        frames.push(frame(1, out.subarray(o, Math.min(size, o + n))));
        o = Math.min(size, o + n);
      } else {
        frames.push(frame(2, err.subarray(e, Math.min(size, e + n))));
        e = Math.min(size, e + n);
      }
    }
    const stream = Buffer.concat(frames);
    // Chunk like a socket would (16 KiB-ish, irregular).
    const cuts: number[] = [];
    for (let at = 0; at < stream.length; at += 1 + Math.floor(random() * 32_768)) cuts.push(at);
    const result = run(splitAt(stream, cuts));
    expect(result.stdout.equals(out)).toBe(true);
    expect(result.stderr.equals(err)).toBe(true);
    expect(result.info).toMatchObject({ complete: true, frames: frames.length, stdoutBytes: size, stderrBytes: size });
  });

  it('passes payloads as views of the input chunk, not copies', () => {
    const input = Buffer.concat([frame(1, 'abc'), frame(2, 'def')]);
    const seen: Buffer[] = [];
    const demuxer = new StreamDemuxer({ onStdout: (b) => seen.push(b), onStderr: (b) => seen.push(b) });
    demuxer.push(input);
    expect(seen.map((b) => b.buffer === input.buffer)).toEqual([true, true]);
    expect(seen[0]?.byteOffset).toBe(input.byteOffset + 8);
    // A plain Uint8Array is wrapped, not copied.
    const u8 = new Uint8Array(frame(1, 'zz'));
    const views: Buffer[] = [];
    new StreamDemuxer({ onStdout: (b) => views.push(b), onStderr: () => {} }).push(u8);
    expect(views[0]?.buffer).toBe(u8.buffer);
    expect(views[0]?.toString()).toBe('zz');
  });

  it('delivers a final frame without a trailing newline', () => {
    const result = run([frame(1, 'line1\n'), frame(1, 'prompt$ ')]);
    expect(result.stdout.toString()).toBe('line1\nprompt$ ');
    expect(result.info.complete).toBe(true);
  });

  it('accepts zero-length frames anywhere without calling handlers', () => {
    const result = run([frame(1, ''), frame(2, ''), frame(1, 'a'), frame(2, ''), frame(0, ''), frame(2, 'b'), frame(1, '')]);
    expect(result.events).toEqual([
      ['out', 'a'],
      ['err', 'b'],
    ]);
    expect(result.emptyCalls).toBe(0);
    expect(result.info).toMatchObject({ complete: true, frames: 7, stdoutBytes: 1, stderrBytes: 1 });
  });

  it('handles 200 000 frames in one chunk without recursion (docker-modem overflows the stack here)', () => {
    const many = Buffer.concat(Array.from({ length: 200_000 }, (_, i) => frame(i % 2 === 0 ? 1 : 2, i % 1000 === 0 ? 'z' : '')));
    const result = run([many]);
    expect(result.info).toMatchObject({ complete: true, frames: 200_000, stdoutBytes: 200, stderrBytes: 0 });
  });

  it('handles a header split across 8 one-byte chunks', () => {
    const f = frame(2, 'split header');
    const chunks = [...Array.from({ length: 8 }, (_, i) => f.subarray(i, i + 1)), f.subarray(8)];
    const result = run([frame(1, 'before'), ...chunks, frame(1, 'after')]);
    expect(result.events).toEqual([
      ['out', 'before'],
      ['err', 'split header'],
      ['out', 'after'],
    ]);
  });

  it('handles a 4 GiB-1 size field without allocating (streaming delivery)', () => {
    const header = Buffer.from([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    const demuxer = new StreamDemuxer({ onStdout: () => {}, onStderr: () => {} });
    demuxer.push(header);
    demuxer.push(Buffer.alloc(10));
    expect(demuxer.end()).toMatchObject({ truncated: true, missingPayloadBytes: 0xffffffff - 10, stdoutBytes: 10 });
  });

  it('delivers the bytes of a truncated final frame and reports the truncation', () => {
    const full = frame(2, 'complete error line\n');
    const cut = Buffer.concat([frame(1, 'ok\n'), full.subarray(0, 8 + 8)]);
    const result = run([cut]);
    expect(result.stdout.toString()).toBe('ok\n');
    expect(result.stderr.toString()).toBe('complete');
    expect(result.info).toMatchObject({ complete: false, truncated: true, missingPayloadBytes: 12, partialHeaderBytes: 0, frames: 1 });
  });

  it('reports a truncated header (bytes that belong to no stream)', () => {
    const result = run([Buffer.concat([frame(1, 'ok'), frame(2, 'x').subarray(0, 5)])]);
    expect(result.stdout.toString()).toBe('ok');
    expect(result.info).toMatchObject({ complete: false, truncated: true, partialHeaderBytes: 5, missingPayloadBytes: 0 });
  });

  it('reports a header whose payload never started', () => {
    const result = run([frame(1, 'abcd').subarray(0, 8)]);
    expect(result.info).toMatchObject({ complete: false, truncated: true, missingPayloadBytes: 4, stdoutBytes: 0 });
  });

  it('reports an unknown stream type once, stops, and discards the rest (no raw passthrough)', () => {
    const bad = Buffer.from([7, 0, 0, 0, 0, 0, 0, 3, 65, 66, 67]);
    const result = run([Buffer.concat([frame(1, 'before'), bad]), frame(1, 'after')]);
    expect(result.stdout.toString()).toBe('before');
    expect(result.errors).toHaveLength(1);
    const error = result.errors[0];
    expect(ExecKitError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TRANSPORT_FAILED' });
    expect(error?.message).toContain('unknown stream type 7');
    expect(error?.message).toContain('at byte 14');
    expect(result.info).toMatchObject({ complete: false, truncated: false, discardedBytes: 3 + 8 + 5 });
    expect(result.info.error).toBe(error);
  });

  it('treats raw TTY output (not multiplexed) as a protocol error', () => {
    const result = run([Buffer.from('root@abc:/# ls\r\n')]);
    expect(result.stdout.length + result.stderr.length).toBe(0);
    expect(result.errors[0]?.message).toContain('unknown stream type 114');
  });

  it('turns a Systemerr (type 3) frame into an error carrying the daemon message', () => {
    const msg = frame(3, 'container is paused');
    const result = run([frame(1, 'x'), msg.subarray(0, 12), msg.subarray(12), frame(1, 'ignored')]);
    expect(result.stdout.toString()).toBe('x');
    expect(result.errors.map((e) => e.message)).toEqual(['error from daemon in stream: container is paused']);
    expect(result.info.complete).toBe(false);
  });

  it('reports the error even without an onError handler', () => {
    const demuxer = new StreamDemuxer({ onStdout: () => {}, onStderr: () => {} });
    demuxer.push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]));
    expect(demuxer.failed).toBe(true);
    expect(demuxer.end().error?.message).toContain('unknown stream type 9');
  });

  it('refuses misuse: text chunks, push after end, re-entrant push', () => {
    const demuxer = new StreamDemuxer({ onStdout: () => {}, onStderr: () => {} });
    expect(() => demuxer.push('abc' as unknown as Buffer)).toThrow(TypeError);
    demuxer.end();
    expect(() => demuxer.push(Buffer.alloc(0))).toThrow(/after end/);
    const inner: StreamDemuxer = new StreamDemuxer({ onStdout: () => inner.push(Buffer.alloc(1)), onStderr: () => {} });
    expect(() => inner.push(frame(1, 'a'))).toThrow(/inside a handler/);
  });

  it('end() is idempotent', () => {
    const demuxer = new StreamDemuxer({ onStdout: () => {}, onStderr: () => {} });
    demuxer.push(frame(1, 'ab').subarray(0, 9));
    expect(demuxer.end()).toEqual(demuxer.end());
  });
});

function attach(source: NodeJS.ReadableStream, extra: { onError?: (e: Error) => void; throwOn?: string } = {}) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const ends: DemuxAttachEndInfo[] = [];
  let resolve!: (info: DemuxAttachEndInfo) => void;
  const ended = new Promise<DemuxAttachEndInfo>((r) => (resolve = r));
  const detach = attachDemuxed(source, {
    onStdout: (b) => {
      if (extra.throwOn !== undefined && b.toString().includes(extra.throwOn)) throw new Error('handler boom');
      out.push(Buffer.from(b));
    },
    onStderr: (b) => err.push(Buffer.from(b)),
    ...(extra.onError ? { onError: extra.onError } : {}),
    onEnd: (info) => {
      ends.push(info);
      resolve(info);
    },
  });
  return {
    ended,
    ends,
    detach,
    stdout: () => Buffer.concat(out).toString(),
    stderr: () => Buffer.concat(err).toString(),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('attachDemuxed', () => {
  it('calls onEnd exactly once when the source ends (then closes)', async () => {
    const source = new PassThrough();
    const a = attach(source);
    source.write(frame(1, 'out'));
    source.write(frame(2, 'err'));
    source.end(frame(1, ' more'));
    const info = await a.ended;
    await tick();
    expect(a.ends).toHaveLength(1);
    expect(info).toMatchObject({ reason: 'end', complete: true, frames: 3 });
    expect(a.stdout()).toBe('out more');
    expect(a.stderr()).toBe('err');
  });

  it('reports a truncated final frame at the end, with the bytes delivered', async () => {
    const source = new PassThrough();
    const a = attach(source);
    source.end(frame(1, 'abcdef').subarray(0, 11));
    const info = await a.ended;
    expect(a.stdout()).toBe('abc');
    expect(info).toMatchObject({ reason: 'end', complete: false, truncated: true, missingPayloadBytes: 3 });
  });

  it('calls onEnd once with reason close when the source is destroyed', async () => {
    const source = new PassThrough();
    const a = attach(source);
    source.write(frame(1, 'partial'));
    await tick();
    source.destroy();
    const info = await a.ended;
    await tick();
    expect(a.ends).toHaveLength(1);
    expect(info.reason).toBe('close');
    expect(a.stdout()).toBe('partial');
  });

  it('calls onEnd once with the error when the source errors, and survives later errors', async () => {
    const source = new PassThrough();
    const a = attach(source);
    const boom = new Error('ECONNRESET');
    source.destroy(boom);
    const info = await a.ended;
    await tick();
    expect(a.ends).toHaveLength(1);
    expect(info).toMatchObject({ reason: 'error', error: boom });
    // A late error with only our no-op listener left must not throw.
    expect(() => source.emit('error', new Error('late'))).not.toThrow();
  });

  it('destroys the source on a protocol error and reports it', async () => {
    const source = new PassThrough();
    const errors: Error[] = [];
    const a = attach(source, { onError: (e) => errors.push(e) });
    source.write(Buffer.concat([frame(1, 'ok'), Buffer.from([5, 0, 0, 0, 0, 0, 0, 0])]));
    const info = await a.ended;
    expect(info.reason).toBe('protocol-error');
    expect(errors).toHaveLength(1);
    expect(info.error).toBe(errors[0]);
    expect(source.destroyed).toBe(true);
    expect(a.stdout()).toBe('ok');
  });

  it('treats text chunks (an encoding was set) as a protocol error', async () => {
    const source = new PassThrough();
    source.setEncoding('utf8');
    const a = attach(source);
    source.write(frame(1, 'x'));
    const info = await a.ended;
    expect(info.reason).toBe('protocol-error');
    expect(String((info.error as Error).message)).toContain('encoding');
  });

  it('ends with handler-error and destroys the source when a handler throws', async () => {
    const source = new PassThrough();
    const a = attach(source, { throwOn: 'bad' });
    source.write(Buffer.concat([frame(1, 'good'), frame(1, 'bad'), frame(1, 'never')]));
    const info = await a.ended;
    expect(info.reason).toBe('handler-error');
    expect((info.error as Error).message).toBe('handler boom');
    expect(a.stdout()).toBe('good');
    expect(source.destroyed).toBe(true);
  });

  it('detach() stops delivery, calls onEnd once with reason detached, and leaves the source open', async () => {
    const source = new PassThrough();
    const a = attach(source);
    source.write(frame(1, 'one'));
    await tick();
    a.detach();
    a.detach();
    source.write(frame(1, 'two'));
    source.end();
    await tick();
    expect(a.ends.map((i) => i.reason)).toEqual(['detached']);
    expect(a.stdout()).toBe('one');
  });

  it('detach() from inside a handler stops at once and reports after the chunk', async () => {
    const source = new PassThrough();
    const seen: string[] = [];
    const ends: DemuxAttachEndInfo[] = [];
    const detach: () => void = attachDemuxed(source, {
      onStdout: (b) => {
        seen.push(b.toString());
        detach();
      },
      onStderr: () => {},
      onEnd: (info) => ends.push(info),
    });
    source.write(Buffer.concat([frame(1, 'first'), frame(1, 'second')]));
    await tick();
    expect(seen).toEqual(['first']);
    expect(ends.map((i) => i.reason)).toEqual(['detached']);
  });

  it('works with a Readable that is already paused and with a source that already ended', async () => {
    const paused = Readable.from([frame(1, 'from'), frame(2, 'iter')]);
    paused.pause();
    const a = attach(paused);
    expect((await a.ended).reason).toBe('end');
    expect(a.stdout() + a.stderr()).toBe('fromiter');

    const done = new PassThrough();
    done.end();
    done.resume();
    await new Promise((r) => done.once('end', r));
    const b = attach(done);
    expect(b.ends).toHaveLength(0); // never synchronously
    expect((await b.ended).reason).toBe('end');
  });
});
