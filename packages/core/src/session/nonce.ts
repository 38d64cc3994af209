import { randomFillSync } from 'node:crypto';

/** Length of every frame nonce, in chars. */
export const NONCE_LENGTH = 22;

const POOL_SIZE = 16 * 256;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * A fresh 128-bit nonce as 22 base64url chars (`A-Z a-z 0-9 - _`, RFC 4648 §5, no padding), from
 * the OS's CSPRNG (drawn in batches of 256 nonces; each byte is used once). Short on purpose: the
 * shell reads and parses every char of the trailer, per command.
 */
export function newNonce(): string {
  if (offset >= POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString('base64url', offset, offset + 16);
  pool.fill(0, offset, offset + 16);
  offset += 16;
  return nonce;
}
