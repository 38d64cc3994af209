import { entryMatchesHost, type KnownHostsEntry } from './known-hosts.js';

/**
 * ssh2 1.17's default server host key algorithm list, in its order
 * (`DEFAULT_SERVER_HOST_KEY` in ssh2/lib/protocol/constants.js; `ssh-ed25519` is present whenever
 * Node's crypto supports Ed25519, which every supported Node version does). `ssh-dss` is
 * supported by ssh2 but not enabled by default, as in OpenSSH ≥ 7.0, and is never offered here.
 */
const SSH2_DEFAULT_SERVER_HOST_KEY: readonly string[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Host key algorithms that can produce a key blob of the given type. */
function algorithmsForKeyType(keyType: string): readonly string[] {
  // An RSA key blob is always typed `ssh-rsa`; RFC 8332 signs with SHA-2 under the same key.
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * The host key algorithm list to pass to ssh2 as `algorithms.serverHostKey` for a host, ordered
 * like OpenSSH's `order_hostkeyalgs`: algorithms whose key type known_hosts already holds for the
 * host come first, then the rest, each group in ssh2's default order. This makes a server with
 * several host keys present the one already known rather than one that would look like a changed
 * key. A known `ssh-rsa` key brings `rsa-sha2-512`, `rsa-sha2-256` and `ssh-rsa` forward.
 *
 * Only names in ssh2's default list are returned (all of them, reordered), so ssh2 accepts the
 * list as is. `@revoked` and `@cert-authority` lines do not count as known keys.
 *
 * @param entries - Parsed known_hosts entries (see `parseKnownHosts` / `readKnownHosts`).
 * @param host - Host name or IP as given to ssh2 (see `knownHostName` for accepted forms).
 * @param port - TCP port, 1–65535.
 * @returns The ordered list, or `undefined` when known_hosts has no usable line for the host
 *   (leave ssh2's default then).
 * @throws InvalidOptionsError for an invalid host or port.
 */
export function preferredHostKeyAlgorithms(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
): string[] | undefined {
  const known = new Set<string>();
  let hostKnown = false;
  for (const entry of entries) {
    if (entry.marker !== null || !entryMatchesHost(entry, host, port)) continue;
    hostKnown = true;
    for (const algorithm of algorithmsForKeyType(entry.keyType)) known.add(algorithm);
  }
  if (!hostKnown) return undefined;
  const first = SSH2_DEFAULT_SERVER_HOST_KEY.filter((algorithm) => known.has(algorithm));
  const rest = SSH2_DEFAULT_SERVER_HOST_KEY.filter((algorithm) => !known.has(algorithm));
  return [...first, ...rest];
}
