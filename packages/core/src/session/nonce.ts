import { randomFillSync } from 'node:crypto';

/** Length of every frame nonce, in chars. */
export const NONCE_LENGTH = 32;

const POOL_SIZE = 16 * 256;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * A fresh 128-bit nonce as 32 lowercase hex chars, from the OS's CSPRNG (drawn in batches of
 * 256 nonces; each byte is used once).
 */
export function newNonce(): string {
  if (offset >= POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString('hex', offset, offset + 16);
  pool.fill(0, offset, offset + 16);
  offset += 16;
  return nonce;
}
