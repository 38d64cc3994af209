import { randomFillSync } from 'node:crypto';

/** Length of every frame nonce, in chars. */
export const NONCE_LENGTH = 22;

/** Nonces made per draw from the CSPRNG. */
const BATCH = 256;
const bytes = Buffer.alloc(16 * BATCH);
let ready: string[] = [];

/**
 * A fresh 128-bit nonce as 22 base64url chars (`A-Z a-z 0-9 - _`, RFC 4648 §5, no padding), from
 * the OS's CSPRNG. Drawn and encoded 256 at a time (the random bytes are zeroed once encoded);
 * each nonce is handed out once. Short on purpose: the shell reads and parses every char of the
 * trailer, per command.
 */
export function newNonce(): string {
  if (ready.length === 0) {
    randomFillSync(bytes);
    const batch: string[] = new Array(BATCH);
    for (let i = 0; i < BATCH; i++) batch[i] = bytes.toString('base64url', 16 * i, 16 * i + 16);
    bytes.fill(0);
    ready = batch;
  }
  return ready.pop()!;
}
