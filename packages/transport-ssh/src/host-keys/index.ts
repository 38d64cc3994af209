/**
 * OpenSSH-compatible host key verification: fingerprints (OpenSSH / RFC 4716 forms), known_hosts
 * parsing and matching (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), the host key policies, and the
 * host key algorithm order to give ssh2.
 *
 * Notes for wiring into ssh2 (1.17):
 * - `hostVerifier(key, verify)` receives the raw public key blob (RFC 4253 §6.6) as a Buffer,
 *   unless the `hostHash` option is set (then a hex digest string): do not set `hostHash`.
 * - ssh2 treats any return value other than `undefined` as a synchronous verdict: an `async`
 *   function returns a Promise, which is truthy and is taken as "accept". Use a non-async
 *   function that returns nothing and calls `verify(true | false)` later, and keep the
 *   HostKeyError to report it instead of ssh2's generic "Host denied (verification failed)".
 * - ssh2 calls `hostVerifier` before it checks the server's signature over the exchange hash. To
 *   record a first-use key only once the server has proven it holds the private key, check with
 *   policy `strict` semantics in `hostVerifier` (accepting `unknown` provisionally) and call
 *   {@link recordKnownHost} after the `handshake`/`ready` event; {@link verifyHostKey} with
 *   `accept-new` writes immediately.
 * - The verifier runs again on every re-key.
 *
 * @module
 */
export {
  type FingerprintAlgorithm,
  type ParsedFingerprint,
  fingerprintMatches,
  formatFingerprint,
  keyTypeOf,
  md5Fingerprint,
  parseFingerprint,
  sha256Fingerprint,
} from './fingerprint.js';
export {
  type KnownHostsEntry,
  type KnownHostsHosts,
  type KnownHostsMarker,
  entryMatchesHost,
  formatKnownHostsLine,
  hashKnownHostName,
  knownHostName,
  parseKnownHosts,
  readKnownHosts,
} from './known-hosts.js';
export { preferredHostKeyAlgorithms } from './algorithms.js';
export {
  type HostKeyCheck,
  type HostKeyPolicy,
  type RecordKnownHostOptions,
  type VerifyHostKeyOptions,
  type VerifyHostKeyResult,
  checkHostKey,
  recordKnownHost,
  verifyHostKey,
} from './verifier.js';
