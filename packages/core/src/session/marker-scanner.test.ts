import { describe, expect, it } from 'vitest';
import { MarkerScanner } from './marker-scanner.js';

const N = 'a'.repeat(8);
const M = 'b'.repeat(8);

function scan(input: string, size: number, withBody: boolean, nonces = [N]) {
  const payload: Buffer[] = [];
  const frames: Array<[string, string]> = [];
  const scanner = new MarkerScanner(withBody, (bytes) => payload.push(Buffer.from(bytes)), (nonce, body) => frames.push([nonce, body]), 8);
  for (const nonce of nonces) scanner.watch(Buffer.from(nonce, 'latin1'));
  const bytes = Buffer.from(input);
  for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
  return { payload: Buffer.concat(payload).toString(), frames };
}

describe('MarkerScanner', () => {
  it('splits payload from a frame at any chunk size', () => {
    for (const size of [1, 2, 3, 7, 8, 9, 100]) {
      expect(scan(`hello abababx${N}0::/tmp${N}tail`, size, true)).toEqual({ payload: 'hello abababx', frames: [[N, '0::/tmp']] });
    }
  });

  it('reports stderr marks without a body', () => {
    expect(scan(`err${N}`, 2, false)).toEqual({ payload: 'err', frames: [[N, '']] });
  });

  it('finds the earliest of several nonces and later frames too', () => {
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
});
