import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BODY_BYTES, MarkerScanner } from './marker-scanner.js';

const N = 'a'.repeat(8);
const M = 'b'.repeat(8);
/** The frame shape these tests use: a digit first. */
const shaped = (body: string) => /^\d/.test(body);

function scan(input: string, size: number, withBody: boolean, markers = [N], flushAtEnd = false) {
  const payload: Buffer[] = [];
  const frames: Array<[string, string]> = [];
  const scanner = new MarkerScanner({
    withBody,
    onPayload: (bytes) => payload.push(Buffer.from(bytes)),
    onFrame: (marker, body) => frames.push([marker, body]),
    markerLength: markers[0]!.length,
    isFrameBody: shaped,
  });
  for (const marker of markers) scanner.watch(Buffer.from(marker, 'latin1'));
  const bytes = Buffer.from(input);
  for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
  if (flushAtEnd) scanner.flush();
  return { payload: Buffer.concat(payload).toString(), frames, closed: scanner.payloadClosed };
}

const SIZES = [1, 2, 3, 7, 8, 9, 100];

describe('MarkerScanner', () => {
  it('splits payload from a frame at any chunk size', () => {
    for (const size of SIZES) {
      expect(scan(`hello abababx${N}0::/tmp${N}tail`, size, true)).toEqual({ payload: 'hello abababx', frames: [[N, '0::/tmp']], closed: true });
    }
  });

  it('reports stderr marks without a body', () => {
    expect(scan(`err${N}`, 2, false)).toMatchObject({ payload: 'err', frames: [[N, '']] });
  });

  it('finds the earliest of several markers and later frames too', () => {
    const result = scan(`out${M}1::/a${M}junk${N}0::/b${N}`, 3, true, [N, M]);
    expect(result.payload).toBe('out');
    expect(result.frames).toEqual([
      [M, '1::/a'],
      [N, '0::/b'],
    ]);
  });

  it('holds back only a possible marker prefix', () => {
    const result = scan('x'.repeat(100), 10, true);
    expect(result.payload).toBe('x'.repeat(93));
  });

  it('passes text between two markers that is not shaped like a frame as output', () => {
    // What a DEBUG trap printing its command, or `history`, shows before the real frame.
    for (const size of SIZES) {
      const input = `hi\n[trap: __ek_e ${N}]\n${N}0:1:/tmp${N}`;
      expect(scan(input, size, true)).toEqual({ payload: `hi\n[trap: __ek_e ${N}]\n`, frames: [[N, '0:1:/tmp']], closed: true });
    }
    // Twice in a row, and a marker right after another.
    expect(scan(`${N}x${N}${N}${N}2::/${N}`, 4, true)).toMatchObject({ payload: `${N}x${N}${N}`, frames: [[N, '2::/']] });
  });

  it('ends a shapeless candidate at another watched marker, which may open the real frame', () => {
    for (const size of SIZES) {
      expect(scan(`pre${N}junk${M}7::/r${M}`, size, true, [N, M])).toEqual({ payload: `pre${N}junk`, frames: [[M, '7::/r']], closed: true });
    }
  });

  it('gives up on a body longer than any frame and reads its bytes again', () => {
    const long = 'y'.repeat(MAX_FRAME_BODY_BYTES + 10);
    for (const size of [1000, 4096, 70_000]) {
      const result = scan(`${N}${long}${M}3::/z${M}`, size, true, [N, M]);
      expect(result.frames).toEqual([[M, '3::/z']]);
      expect(result.payload).toBe(`${N}${long}`);
    }
    // Without a later frame the text is output once the stream ends, nothing lost or doubled.
    const open = scan(`${N}${long}`, 5000, true, [N], true);
    expect(open).toEqual({ payload: `${N}${long}`, frames: [], closed: false });
  });

  it('releases an unfinished candidate as output when the stream ends', () => {
    expect(scan(`a${N}0::/never-closed`, 3, true, [N], true)).toEqual({ payload: `a${N}0::/never-closed`, frames: [], closed: false });
  });

  it('drops shapeless text after the frame: it is not the command output', () => {
    const result = scan(`out${N}0::/x${N}${M}junk${M}${M}1::/y${M}`, 5, true, [N, M]);
    expect(result).toEqual({ payload: 'out', frames: [[N, '0::/x'], [M, '1::/y']], closed: true });
  });
});
