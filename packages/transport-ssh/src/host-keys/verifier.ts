import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidOptionsError } from '@execkit/core';
import { HostKeyError } from '../errors.js';
import {
  type ParsedFingerprint,
  fingerprintMatches,
  formatFingerprint,
  keyTypeOf,
  parseFingerprint,
  sha256Fingerprint,
} from './fingerprint.js';
import {
  type KnownHostsEntry,
  entryMatchesHost,
  formatKnownHostsLine,
  knownHostName,
  parseKnownHosts,
  readKnownHosts,
  readKnownHostsText,
} from './known-hosts.js';
import { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS, serialize, withFileLock } from './lock.js';

/**
 * How a server's host key is checked.
 * - `strict`: the key must be in known_hosts for the host (OpenSSH `StrictHostKeyChecking yes`).
 * - `accept-new`: as `strict`, but a host with no known key is trusted on first use and its key
 *   appended to known_hosts (OpenSSH `StrictHostKeyChecking accept-new`). A changed key is still
 *   refused.
 * - `pinned`: only the key with the given fingerprint is accepted; known_hosts is consulted for
 *   `@revoked` lines only and never written.
 * - `insecure-accept-any`: any key not `@revoked` is accepted; nothing is written. Offers no
 *   protection against a man in the middle.
 */
export type HostKeyPolicy = 'strict' | 'accept-new' | 'pinned' | 'insecure-accept-any';

const POLICIES: readonly HostKeyPolicy[] = ['strict', 'accept-new', 'pinned', 'insecure-accept-any'];

/** Where and how {@link recordKnownHost} writes. */
export interface RecordKnownHostOptions {
  /** Host name or IP address as connected to (see {@link knownHostName} for accepted forms). */
  readonly host: string;
  /** TCP port, 1–65535. Port 22 is recorded as `host`, others as `[host]:port`. */
  readonly port: number;
  /** The server's public key blob (RFC 4253 §6.6), e.g. the Buffer ssh2 passes to `hostVerifier`. */
  readonly keyBlob: Buffer;
  /** Path of the known_hosts file (already expanded; `~` is not interpreted). */
  readonly knownHostsPath: string;
  /** Write new lines with a hashed host name (`|1|salt|hash`, like `HashKnownHosts yes`). Default false. */
  readonly hashNewEntries?: boolean;
  /** How long to wait for another writer's lock, in ms. Default 5000. */
  readonly lockTimeoutMs?: number;
  /** Age (mtime) in ms after which a lock file is considered left by a dead process and removed. Default 30000. */
  readonly staleLockMs?: number;
}

/** Options of {@link verifyHostKey}. */
export interface VerifyHostKeyOptions extends RecordKnownHostOptions {
  /** The policy, see {@link HostKeyPolicy}. */
  readonly policy: HostKeyPolicy;
  /**
   * The expected fingerprint; required for `pinned`, ignored by the other policies. Any form
   * {@link parseFingerprint} accepts: `SHA256:<base64>`, 64 hex digits, or `MD5:aa:bb:…`.
   */
  readonly fingerprint?: string;
}

/** Outcome of an accepted key. */
export interface VerifyHostKeyResult {
  /** True when this call appended the key to known_hosts (`accept-new`, first use). */
  readonly learned: boolean;
}

/**
 * What known_hosts says about a key offered by a host, by OpenSSH's rules. `@cert-authority`
 * lines are ignored.
 * - `revoked`: a matching `@revoked` line lists this key (takes precedence over everything).
 * - `known`: an ordinary line for the host lists this key.
 * - `changed`: ordinary lines exist for the host, none with this key (a changed key, or a
 *   different key type such as RSA offered where Ed25519 is known).
 * - `unknown`: no ordinary line for the host.
 */
export type HostKeyCheck =
  | { readonly status: 'revoked'; readonly entry: KnownHostsEntry }
  | { readonly status: 'known'; readonly entry: KnownHostsEntry }
  | { readonly status: 'changed'; readonly knownEntries: readonly KnownHostsEntry[] }
  | { readonly status: 'unknown' };

/**
 * Classifies an offered host key against parsed known_hosts entries (pure; no I/O). Keys are
 * compared as whole blobs, byte for byte.
 *
 * @throws InvalidOptionsError for an invalid host or port.
 */
export function checkHostKey(
  entries: readonly KnownHostsEntry[],
  host: string,
  port: number,
  keyBlob: Buffer,
): HostKeyCheck {
  const forHost = entries.filter((entry) => entryMatchesHost(entry, host, port));
  const revoked = forHost.find((entry) => entry.marker === 'revoked' && entry.keyBlob.equals(keyBlob));
  if (revoked) return { status: 'revoked', entry: revoked };
  const ordinary = forHost.filter((entry) => entry.marker === null);
  const known = ordinary.find((entry) => entry.keyBlob.equals(keyBlob));
  if (known) return { status: 'known', entry: known };
  return ordinary.length > 0 ? { status: 'changed', knownEntries: ordinary } : { status: 'unknown' };
}

/**
 * Verifies a server's host key against a known_hosts file (OpenSSH format, sshd(8)
 * "SSH_KNOWN_HOSTS FILE FORMAT") under a policy, before anything is sent to the server.
 *
 * Rules, mirroring OpenSSH:
 * 1. A key listed `@revoked` for the host (e.g. with pattern `*`) is refused under every policy,
 *    `insecure-accept-any` included (rejection `revoked`).
 * 2. `pinned`: accepted only if the key has the pinned fingerprint (rejection `mismatch`);
 *    known_hosts is otherwise ignored and never written.
 * 3. `insecure-accept-any`: accepted, nothing written.
 * 4. `strict` / `accept-new`: accepted if an ordinary line for the host has exactly this key. If
 *    the host has lines but none with this key (changed key, key-type downgrade) it is refused
 *    (rejection `changed`). An unknown host is refused under `strict` (rejection `unknown`); under
 *    `accept-new` the key is appended via {@link recordKnownHost} and `learned` is true.
 *
 * A missing known_hosts file counts as empty; it is created (0600, parent directory 0700) only
 * when a line is appended. A refusal never modifies the file. Error messages name the host, the
 * offered key's SHA256 fingerprint and the known ones, and what to do; they contain no secrets.
 *
 * @returns `{ learned }`, see {@link VerifyHostKeyResult}.
 * @throws HostKeyError (code `HOST_KEY_REJECTED`) when the key is refused.
 * @throws InvalidOptionsError for an invalid host, port, key blob, policy, path, or a missing or
 *   unparseable `fingerprint` under `pinned`.
 * @throws TransportStartError when another writer holds the known_hosts lock too long
 *   (`accept-new` only), or the Node.js error when known_hosts cannot be read or written.
 */
export async function verifyHostKey(options: VerifyHostKeyOptions): Promise<VerifyHostKeyResult> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('options', 'must be an object');
  }
  const { host, port, keyBlob, policy, knownHostsPath } = options;
  if (!POLICIES.includes(policy)) {
    throw new InvalidOptionsError('policy', `must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}`);
  }
  validateRecordOptions(options);
  const name = knownHostName(host, port);
  const offered = describeKey(keyBlob);

  let pinned: ParsedFingerprint | undefined;
  if (policy === 'pinned') {
    if (options.fingerprint === undefined || options.fingerprint === '') {
      throw new InvalidOptionsError('fingerprint', "is required when the host key policy is 'pinned'");
    }
    pinned = parseFingerprint(options.fingerprint);
  }

  const entries = await readKnownHosts(knownHostsPath);
  const check = checkHostKey(entries, host, port, keyBlob);
  if (check.status === 'revoked') throw revokedError(name, knownHostsPath, offered, check.entry);

  if (pinned !== undefined) {
    if (fingerprintMatches(pinned, keyBlob)) return { learned: false };
    throw mismatchError(name, offered, pinned);
  }
  if (policy === 'insecure-accept-any') return { learned: false };

  switch (check.status) {
    case 'known':
      return { learned: false };
    case 'changed':
      throw changedError(name, knownHostsPath, offered, check.knownEntries);
    case 'unknown':
      if (policy === 'strict') throw unknownError(name, knownHostsPath, offered);
      return recordKnownHost(options);
  }
}

/**
 * Appends a host key to known_hosts as one line `<name> <keytype> <base64>\n` (name hashed if
 * `hashNewEntries`), unless it is already there. This is the write half of `accept-new`; call it
 * directly to record a key only after the server has proven possession of it (see the module
 * notes in `index.ts`).
 *
 * Safe against concurrent writers: calls for the same file are serialized within the process,
 * and across processes a lock file `<knownHostsPath>.lock` is created with `open(…, 'wx')`
 * (waiting up to `lockTimeoutMs`, removing locks older than `staleLockMs`). Under the lock the
 * file is read again: if the key is there by now nothing is written (`learned: false`); if other
 * keys for the host are, or the key is `@revoked`, the call is refused and nothing is written.
 * The line is written with a single append, preceded by a line break if the file does not end
 * with one. A missing file is created with mode 0600, a missing parent directory with 0700.
 *
 * @returns `{ learned: true }` when this call appended the line.
 * @throws HostKeyError (`changed` or `revoked`) as described above.
 * @throws InvalidOptionsError for invalid options.
 * @throws TransportStartError when the lock is not obtained within `lockTimeoutMs`.
 */
export async function recordKnownHost(options: RecordKnownHostOptions): Promise<VerifyHostKeyResult> {
  validateRecordOptions(options);
  const { host, port, keyBlob, knownHostsPath } = options;
  const name = knownHostName(host, port);
  const offered = describeKey(keyBlob);
  const path = resolve(knownHostsPath);
  const line = formatKnownHostsLine(host, port, keyBlob, { hash: options.hashNewEntries === true });

  return serialize(path, async () => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    return withFileLock(
      `${path}.lock`,
      {
        timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
        staleMs: options.staleLockMs ?? DEFAULT_STALE_LOCK_MS,
        guarding: path,
      },
      async () => {
        const text = await readKnownHostsText(path);
        const check = checkHostKey(parseKnownHosts(text), host, port, keyBlob);
        switch (check.status) {
          case 'revoked':
            throw revokedError(name, knownHostsPath, offered, check.entry);
          case 'changed':
            throw changedError(name, knownHostsPath, offered, check.knownEntries);
          case 'known':
            return { learned: false };
          case 'unknown': {
            const separator = text !== '' && !text.endsWith('\n') ? '\n' : '';
            await appendFile(path, `${separator}${line}\n`, { mode: 0o600 });
            return { learned: true };
          }
        }
      },
    );
  });
}

function validateRecordOptions(options: RecordKnownHostOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('options', 'must be an object');
  }
  if (typeof options.knownHostsPath !== 'string' || options.knownHostsPath === '' || options.knownHostsPath.includes('\0')) {
    throw new InvalidOptionsError('knownHostsPath', 'must be a non-empty path');
  }
  if (options.hashNewEntries !== undefined && typeof options.hashNewEntries !== 'boolean') {
    throw new InvalidOptionsError('hashNewEntries', 'must be a boolean');
  }
  for (const field of ['lockTimeoutMs', 'staleLockMs'] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new InvalidOptionsError(field, 'must be a non-negative number of milliseconds');
    }
  }
  knownHostName(options.host, options.port);
  keyTypeOf(options.keyBlob);
}

interface KeyDescription {
  readonly type: string;
  readonly fingerprint: string;
}

function describeKey(keyBlob: Buffer): KeyDescription {
  return { type: keyTypeOf(keyBlob), fingerprint: sha256Fingerprint(keyBlob) };
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function revokedError(name: string, path: string, offered: KeyDescription, entry: KnownHostsEntry): HostKeyError {
  return new HostKeyError(
    `Host key for ${name} (${offered.type} ${offered.fingerprint}) is marked @revoked in ${path} ` +
      `line ${entry.line}; it is refused under every host key policy. Do not connect until the ` +
      'server has a new key, obtained and verified out of band.',
    name,
    'revoked',
    offered.fingerprint,
    [],
  );
}

function changedError(
  name: string,
  path: string,
  offered: KeyDescription,
  knownEntries: readonly KnownHostsEntry[],
): HostKeyError {
  const expected = [...new Set(knownEntries.map((entry) => sha256Fingerprint(entry.keyBlob)))];
  const known = knownEntries
    .map((entry) => `${entry.keyType} ${sha256Fingerprint(entry.keyBlob)} (line ${entry.line})`)
    .join(', ');
  const sameType = knownEntries.some((entry) => entry.keyType === offered.type);
  const what = sameType
    ? `The ${offered.type} host key for ${name} has changed`
    : `${name} offered a ${offered.type} host key, but only other key types are known for it (possible downgrade)`;
  return new HostKeyError(
    `${what}: offered ${offered.type} ${offered.fingerprint}; known in ${path}: ${known}. ` +
      'Someone could be intercepting the connection (man in the middle), or the host key was ' +
      'replaced. Verify the new fingerprint out of band; if the change is legitimate, remove the ' +
      `old entries with \`ssh-keygen -R ${shellQuote(name)} -f ${shellQuote(path)}\` and connect again.`,
    name,
    'changed',
    offered.fingerprint,
    expected,
  );
}

function unknownError(name: string, path: string, offered: KeyDescription): HostKeyError {
  return new HostKeyError(
    `Host ${name} is not in ${path} (it offered ${offered.type} ${offered.fingerprint}) and the ` +
      "host key policy is 'strict'. Verify that fingerprint out of band, then add the key to " +
      "known_hosts, pin it with policy 'pinned', or use policy 'accept-new' to trust it on first use.",
    name,
    'unknown',
    offered.fingerprint,
    [],
  );
}

function mismatchError(name: string, offered: KeyDescription, pinned: ParsedFingerprint): HostKeyError {
  const expected = formatFingerprint(pinned);
  return new HostKeyError(
    `Host key for ${name} (${offered.type} ${offered.fingerprint}) does not match the pinned ` +
      `fingerprint ${expected}. Someone could be intercepting the connection, or the host key was ` +
      'replaced; verify the new fingerprint out of band before changing the pin.',
    name,
    'mismatch',
    offered.fingerprint,
    [expected],
  );
}
