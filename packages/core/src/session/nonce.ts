import { randomBytes } from 'node:crypto';

/** Length of every frame nonce, in chars. */
export const NONCE_LENGTH = 32;

/** A fresh 128-bit nonce as 32 lowercase hex chars, from the OS's CSPRNG. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}
