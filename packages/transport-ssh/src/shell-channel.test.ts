import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { deliverPushes } from './shell-channel.js';

describe('deliverPushes', () => {
  it('hands each pushed chunk to the consumer at once, keeps nothing buffered, and lets the end through', async () => {
    const stream = new Readable({ read() {} });
    const got: string[] = [];
    deliverPushes(stream, (chunk) => got.push(chunk.toString('latin1')));
    const ended = new Promise<void>((resolve) => stream.once('end', resolve));
    // What ssh2 does per data packet: push, and adjust the window when push() returns true.
    expect(stream.push(Buffer.from('one'))).toBe(true);
    expect(got).toEqual(['one']);
    expect(stream.push(Buffer.from('two'))).toBe(true);
    expect(stream.push(Buffer.alloc(0))).toBe(true);
    expect(got).toEqual(['one', 'two']);
    expect(stream.readableLength).toBe(0);
    stream.push(null);
    await ended;
    expect(got).toEqual(['one', 'two']);
  });

  it('still delivers chunks that reach the stream without push(), once each', async () => {
    const stream = new Readable({ read() {} });
    const got: string[] = [];
    deliverPushes(stream, (chunk) => got.push(chunk.toString('latin1')));
    stream.unshift(Buffer.from('unshifted'));
    stream.push(Buffer.from('pushed'));
    stream.push(null);
    await new Promise<void>((resolve) => stream.once('end', resolve));
    expect(got.sort()).toEqual(['pushed', 'unshifted']);
  });

  it('passes string pushes with an encoding through to the stream', async () => {
    const stream = new PassThrough();
    const got: string[] = [];
    deliverPushes(stream, (chunk) => got.push(Buffer.from(chunk).toString('latin1')));
    stream.push('text', 'latin1');
    stream.push(null);
    await new Promise<void>((resolve) => stream.once('end', resolve));
    expect(got).toEqual(['text']);
  });
});
