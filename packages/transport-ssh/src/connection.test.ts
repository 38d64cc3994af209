import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { coalesceWrites } from './connection.js';

/** A writable that records each write it receives, as one string per write. */
function recorder(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString('latin1'));
      callback();
    },
  });
  return { stream, writes };
}

const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('coalesceWrites', () => {
  it('sends the buffers written within one tick as one write, at the end of the tick', async () => {
    const { stream, writes } = recorder();
    coalesceWrites(stream);
    stream.write(Buffer.from('len|'));
    stream.write(Buffer.from('ciphertext|'));
    stream.write(Buffer.from('tag'));
    expect(writes).toEqual([]);
    await tick();
    expect(writes).toEqual(['len|ciphertext|tag']);
    stream.write(Buffer.from('next'));
    await tick();
    expect(writes).toEqual(['len|ciphertext|tag', 'next']);
  });

  it('sends what it holds at once when flushed, and nothing twice', async () => {
    const { stream, writes } = recorder();
    const flush = coalesceWrites(stream);
    stream.write(Buffer.from('a'));
    stream.write(Buffer.from('b'));
    flush();
    expect(writes).toEqual(['ab']);
    flush();
    await tick();
    expect(writes).toEqual(['ab']);
  });

  it('keeps the byte order when a write with a callback or an encoding, or end(), comes between', async () => {
    const { stream, writes } = recorder();
    coalesceWrites(stream);
    let called = false;
    stream.write(Buffer.from('1'));
    stream.write(Buffer.from('2'), () => (called = true));
    stream.write(Buffer.from('3'));
    stream.write('4', 'latin1');
    stream.write(Buffer.from('5'));
    stream.end(Buffer.from('6'));
    await new Promise((resolve) => stream.on('finish', resolve));
    expect(writes.join('')).toBe('123456');
    expect(writes).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(called).toBe(true);
  });

  it('drops what it holds, without an error, when the stream is destroyed before the tick ends', async () => {
    const { stream, writes } = recorder();
    coalesceWrites(stream);
    const errors: unknown[] = [];
    stream.on('error', (error) => errors.push(error));
    stream.write(Buffer.from('late'));
    stream.destroy();
    await tick();
    await tick();
    expect(writes).toEqual([]);
    expect(errors).toEqual([]);
  });
});
