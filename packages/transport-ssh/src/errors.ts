import { ExecKitError } from '@execkit/core';

/** Why a host key was refused. */
export type HostKeyRejection =
  /** The host is not in known_hosts and the policy is `strict`. */
  | 'unknown'
  /** known_hosts has other keys for the host (a changed key or a key-type downgrade). */
  | 'changed'
  /** The key is marked `@revoked` in known_hosts. */
  | 'revoked'
  /** The key does not match the pinned fingerprint. */
  | 'mismatch';

/**
 * A host key was refused before any credential was sent. Code `HOST_KEY_REJECTED`. The message
 * names the host and the SHA256 fingerprints involved; known_hosts is left unchanged.
 */
export class HostKeyError extends ExecKitError {
  constructor(
    message: string,
    /** `host` or `[host]:port`, as known_hosts writes it. */
    readonly host: string,
    readonly rejection: HostKeyRejection,
    /** SHA256 fingerprint (`SHA256:…`) of the key the server offered. */
    readonly offeredFingerprint: string,
    /** SHA256 fingerprints of the keys known (or pinned) for the host. */
    readonly expectedFingerprints: readonly string[],
  ) {
    super('HOST_KEY_REJECTED', message);
    this.name = 'HostKeyError';
  }
}

/** The server refused the credentials. Code `AUTHENTICATION_FAILED`. Never includes a secret. */
export class AuthenticationError extends ExecKitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTHENTICATION_FAILED', message, options);
    this.name = 'AuthenticationError';
  }
}

/**
 * A private key could not be used: unparseable, or encrypted with no or a wrong passphrase.
 * Code `INVALID_KEY`. Never includes key material or the passphrase.
 */
export class InvalidKeyError extends ExecKitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_KEY', message, options);
    this.name = 'InvalidKeyError';
  }
}

/**
 * A key path is not permitted: outside the key directory after resolving symlinks, not a regular
 * file, missing (same message, so existence is not revealed), or readable by group/others.
 * Code `KEY_NOT_PERMITTED`.
 */
export class KeyNotPermittedError extends ExecKitError {
  constructor(message: string) {
    super('KEY_NOT_PERMITTED', message);
    this.name = 'KeyNotPermittedError';
  }
}
