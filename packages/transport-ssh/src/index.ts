/**
 * `@execkit/transport-ssh`: execkit sessions on remote hosts over SSH (ssh2), with
 * OpenSSH-compatible known_hosts checking, ssh_config resolution (aliases, ProxyJump, Include,
 * Match host), confined private key paths, keepalives and reconnection.
 *
 * @example
 * ```ts
 * import { Session } from '@execkit/core';
 * import { createSshTransport } from '@execkit/transport-ssh';
 *
 * const transport = createSshTransport({ host: 'build-1' }); // an ssh_config alias
 * const session = await Session.open(transport);
 * console.log((await session.exec('uname -a')).stdout);
 * await session.close();
 * await transport.close();
 * ```
 *
 * @packageDocumentation
 */
export { createSshTransport, type HostKeyPolicy, type SshTransportOptions } from './ssh-transport.js';
export { AuthenticationError, HostKeyError, InvalidKeyError, KeyNotPermittedError, type HostKeyRejection } from './errors.js';
export { ConnectionLostError } from '@execkit/core';
export {
  homeDirectory,
  listConfiguredHosts,
  resolveHostConfig,
  type ConfiguredHost,
  type JumpHost,
  type ResolvedHostConfig,
  type SshConfigOptions,
} from './config/index.js';
export { md5Fingerprint, parseFingerprint, sha256Fingerprint, type ParsedFingerprint } from './host-keys/index.js';
