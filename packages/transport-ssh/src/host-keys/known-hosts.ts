import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidOptionsError } from '@execkit/core';
import { keyTypeOf } from './fingerprint.js';

/**
 * Marker at the start of a known_hosts line (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 * `@revoked` (the key must never be accepted), `@cert-authority` (the key is a CA for host
 * certificates; execkit does not support certificates and never treats such a line as a host key),
 * or `null` for an ordinary line.
 */
export type KnownHostsMarker = 'revoked' | 'cert-authority' | null;

/**
 * The host field of a known_hosts line: either a comma-separated pattern list (`*` and `?`
 * wildcards, `!` negation, `[host]:port` for non-default ports) or one hashed name
 * `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` as written with `HashKnownHosts yes` /
 * `ssh-keygen -H`.
 */
export type KnownHostsHosts =
  | {
      readonly kind: 'patterns';
      /** The patterns as written (comma list split; case preserved, compared case-insensitively). */
      readonly patterns: readonly string[];
    }
  | {
      readonly kind: 'hashed';
      /** The 20-byte HMAC-SHA1 key. */
      readonly salt: Buffer;
      /** The 20-byte HMAC-SHA1 of the host name (`host` or `[host]:port`). */
      readonly hash: Buffer;
    };

/** One well-formed line of a known_hosts file, as returned by {@link parseKnownHosts}. */
export interface KnownHostsEntry {
  /** 1-based line number in the file (CRLF and LF both count as one line break). */
  readonly line: number;
  /** `@revoked`, `@cert-authority` or none. */
  readonly marker: KnownHostsMarker;
  /** Which host names the line applies to. */
  readonly hosts: KnownHostsHosts;
  /** The key type field, e.g. `ssh-ed25519`; always equal to the type inside {@link keyBlob}. */
  readonly keyType: string;
  /** The decoded public key blob (RFC 4253 §6.6 encoding). */
  readonly keyBlob: Buffer;
  /** Anything after the key on the line, trimmed; absent when there is nothing. */
  readonly comment?: string;
}

/** SHA-1 output and salt length for hashed host names (`|1|` format). */
const HASHED_NAME_BYTES = 20;
const HASH_MAGIC = '|1|';
/** Host names accepted for lookups and for writing new lines: no spaces, commas, wildcards, `!`, `|`, `#`, brackets or quotes. */
const HOST_RE = /^[A-Za-z0-9._:%-]{1,255}$/;

/**
 * Parses the text of an OpenSSH known_hosts file (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT").
 *
 * Each line is `[marker] hosts keytype base64-key [comment]`, fields separated by spaces or tabs.
 * Tolerates LF and CRLF line ends, a missing final newline, a UTF-8 byte-order mark, blank lines,
 * `#` comment lines and comments after the key. Lines that cannot be used are skipped, never
 * thrown on: unknown `@` markers, too few fields, an invalid `|1|` hashed name (salt and hash must
 * be 20 bytes each), key data that is not canonical base64 or is not a well-formed key blob, a key
 * type field that differs from the type inside the blob, and the SSH-1 `bits exponent modulus`
 * format.
 *
 * @param text - The file contents.
 * @returns The usable entries in file order, each with its 1-based line number.
 */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const entry = parseLine((lines[index] ?? '').replace(/\r$/, ''), index + 1);
    if (entry) entries.push(entry);
  }
  return entries;
}

function parseLine(raw: string, line: number): KnownHostsEntry | undefined {
  let rest = raw.replace(/^[ \t]+/, '');
  if (rest === '' || rest.startsWith('#')) return undefined;

  let marker: KnownHostsMarker = null;
  if (rest.startsWith('@')) {
    const match = /^(@\S*)[ \t]+(.*)$/.exec(rest);
    if (!match) return undefined;
    if (match[1] === '@revoked') marker = 'revoked';
    else if (match[1] === '@cert-authority') marker = 'cert-authority';
    else return undefined;
    rest = match[2] ?? '';
  }

  const fields = /^(\S+)[ \t]+(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(rest);
  if (!fields) return undefined;
  const hostsField = fields[1] ?? '';
  const keyType = fields[2] ?? '';
  const keyData = fields[3] ?? '';
  const comment = (fields[4] ?? '').trim();

  const hosts = parseHostsField(hostsField);
  if (!hosts) return undefined;

  const keyBlob = decodeBase64Strict(keyData);
  if (!keyBlob) return undefined;
  let blobType: string;
  try {
    blobType = keyTypeOf(keyBlob);
  } catch {
    return undefined;
  }
  if (blobType !== keyType) return undefined;

  return comment === ''
    ? { line, marker, hosts, keyType, keyBlob }
    : { line, marker, hosts, keyType, keyBlob, comment };
}

function parseHostsField(field: string): KnownHostsHosts | undefined {
  if (field.startsWith('|')) {
    // OpenSSH treats a hashed field as one name: `|1|salt|hash`, no comma list.
    if (!field.startsWith(HASH_MAGIC)) return undefined;
    const parts = field.slice(HASH_MAGIC.length).split('|');
    if (parts.length !== 2) return undefined;
    const salt = decodeBase64Strict(parts[0] ?? '');
    const hash = decodeBase64Strict(parts[1] ?? '');
    if (!salt || !hash || salt.length !== HASHED_NAME_BYTES || hash.length !== HASHED_NAME_BYTES) {
      return undefined;
    }
    return { kind: 'hashed', salt, hash };
  }
  return { kind: 'patterns', patterns: field.split(',') };
}

/** Decodes standard, padded, canonical base64; undefined for anything else. */
function decodeBase64Strict(text: string): Buffer | undefined {
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/**
 * The host name as known_hosts records it: `host` for port 22, otherwise `[host]:port`
 * (OpenSSH's `put_host_port`). The host is lowercased, as `ssh` does before every lookup.
 *
 * @param host - A DNS name or IP address (IPv6 without brackets). Letters, digits, `.`, `-`, `_`,
 *   `:` and `%` only, 1–255 characters: anything that could act as a known_hosts pattern
 *   (`*`, `?`, `!`, `,`) or break the line format is refused.
 * @param port - TCP port, an integer 1–65535.
 * @throws InvalidOptionsError (field `host` or `port`) for values outside those rules.
 */
export function knownHostName(host: string, port: number): string {
  if (typeof host !== 'string' || !HOST_RE.test(host)) {
    throw new InvalidOptionsError(
      'host',
      'must be a host name or IP address (letters, digits, ".", "-", "_", ":", "%"; no brackets, wildcards, spaces or commas)',
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidOptionsError('port', `must be an integer from 1 to 65535, got ${String(port)}`);
  }
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/**
 * Hashes a known_hosts name the way `HashKnownHosts yes` and `ssh-keygen -H` do:
 * `|1|base64(salt)|base64(HMAC-SHA1(key = salt, data = name))`.
 *
 * @param name - The name form from {@link knownHostName} (`host` or `[host]:port`).
 * @param salt - 20-byte salt; random when omitted.
 * @throws InvalidOptionsError (field `salt`) when the salt is not 20 bytes.
 */
export function hashKnownHostName(name: string, salt: Buffer = randomBytes(HASHED_NAME_BYTES)): string {
  if (!Buffer.isBuffer(salt) || salt.length !== HASHED_NAME_BYTES) {
    throw new InvalidOptionsError('salt', `must be ${HASHED_NAME_BYTES} bytes`);
  }
  const hash = createHmac('sha1', salt).update(name).digest();
  return `${HASH_MAGIC}${salt.toString('base64')}|${hash.toString('base64')}`;
}

/**
 * One known_hosts line (without line break) recording a key for a host:
 * `<name> <keytype> <base64 blob>`, with the name hashed (`|1|salt|hash`) when `hash` is true.
 *
 * @param host - See {@link knownHostName}.
 * @param port - See {@link knownHostName}.
 * @param keyBlob - The public key blob (RFC 4253 §6.6).
 * @param options.hash - Write the hashed name form; default false.
 * @throws InvalidOptionsError for an invalid host, port or key blob.
 */
export function formatKnownHostsLine(
  host: string,
  port: number,
  keyBlob: Buffer,
  options: { hash?: boolean } = {},
): string {
  const name = knownHostName(host, port);
  const keyType = keyTypeOf(keyBlob);
  const hostsField = options.hash === true ? hashKnownHostName(name) : name;
  return `${hostsField} ${keyType} ${keyBlob.toString('base64')}`;
}

/**
 * Whether a known_hosts line applies to `host` on `port`, by OpenSSH's rules (sshd(8)
 * "SSH_KNOWN_HOSTS FILE FORMAT", `match_hostname`):
 * - the name compared is {@link knownHostName}`(host, port)`: `host` for port 22, `[host]:port`
 *   otherwise (a plain `host` pattern does not cover other ports);
 * - comma-separated patterns, `*` (any run of characters) and `?` (one character), compared
 *   case-insensitively;
 * - a matching `!pattern` excludes the line even if another pattern matches;
 * - a hashed name matches when HMAC-SHA1(salt, name) equals the stored hash.
 *
 * `@cert-authority` lines never match (certificates are not supported, and a CA key must never be
 * taken for a host key). `@revoked` lines match normally: callers must check the marker.
 *
 * @throws InvalidOptionsError for an invalid host or port (see {@link knownHostName}).
 */
export function entryMatchesHost(entry: KnownHostsEntry, host: string, port: number): boolean {
  if (entry.marker === 'cert-authority') return false;
  return hostsMatchName(entry.hosts, knownHostName(host, port));
}

/** @internal Matching on an already-formed, lowercased name (see {@link entryMatchesHost}). */
export function hostsMatchName(hosts: KnownHostsHosts, name: string): boolean {
  if (hosts.kind === 'hashed') {
    const actual = createHmac('sha1', hosts.salt).update(name).digest();
    return actual.length === hosts.hash.length && timingSafeEqual(actual, hosts.hash);
  }
  let matched = false;
  for (const raw of hosts.patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (globMatch(name, pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH `match_pattern`: `*` matches any run (including empty), `?` exactly one character. */
function globMatch(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p++;
      t++;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Reads and parses a known_hosts file. A missing file is an empty one.
 *
 * @param path - Path of the file (e.g. `~/.ssh/known_hosts`, already expanded).
 * @returns The entries, see {@link parseKnownHosts}.
 * @throws The underlying Node.js error for failures other than ENOENT (e.g. EACCES, EISDIR).
 */
export async function readKnownHosts(path: string): Promise<KnownHostsEntry[]> {
  return parseKnownHosts(await readKnownHostsText(path));
}

/** @internal The raw text of a known_hosts file, '' when it does not exist. */
export async function readKnownHostsText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}
