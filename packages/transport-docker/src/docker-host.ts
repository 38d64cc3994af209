/**
 * Where the Docker Engine is: dockerode connection options from the environment, following the
 * docker CLI's rules for `DOCKER_HOST` and its TLS variables.
 *
 * @module
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionsError } from '@execkit/core';
import type { DockerOptions } from 'dockerode';
import { quoteUntrusted } from './reference.js';

/** The Engine's default socket, used when `DOCKER_HOST` is unset or empty (as the docker CLI does on Linux and macOS). */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/** Port used for `tcp://host` without a port: the CLI's default (2375), with or without TLS. */
const DEFAULT_TCP_PORT = 2375;
const DEFAULT_SSH_PORT = 22;
/** Largest TLS file read from `DOCKER_CERT_PATH`, in bytes. */
const MAX_PEM_BYTES = 1024 * 1024;

/** Environment variables read by {@link dockerConnectionOptions}. */
export type DockerEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Every option docker-modem's constructor also derives from `process.env` (it always calls its
 * own `DOCKER_HOST` parser and merges the result under the options given). Setting each of
 * them explicitly, `undefined` included, makes the options we return win over a different
 * `process.env`.
 */
function base(): DockerOptions {
  return {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    username: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    timeout: undefined,
  };
}

/**
 * Computes dockerode's constructor options (`new Docker(options)`) from environment variables the
 * way the docker CLI interprets them:
 *
 * - `DOCKER_HOST` unset or blank: `{ socketPath: '/var/run/docker.sock' }`. (If `DOCKER_CONTEXT`
 *   names a context other than `default`, this throws instead: contexts are not supported, and
 *   the CLI would have connected elsewhere. The current context in `~/.docker/config.json` is
 *   not consulted.)
 * - `unix:///path/to/socket` (or a bare `/path` or `./path`): `{ socketPath }`; `unix://` alone
 *   means the default socket.
 * - `tcp://host[:port]` (or a bare `host[:port]`; IPv6 as `[addr]`): `{ host, port, protocol:
 *   'http' }`, port default 2375 (the CLI's default even with TLS). A path, query, fragment or
 *   user info is refused (dockerode would ignore a path prefix).
 *   - With `DOCKER_TLS_VERIFY` set to any non-empty value (the CLI's rule: even `0`):
 *     `protocol: 'https'` with the server verified against `ca.pem`, and the client
 *     certificate `cert.pem` + `key.pem` if present (both or neither), read now from
 *     `DOCKER_CERT_PATH`, else `DOCKER_CONFIG`, else `~/.docker` (`HOME` from `env`).
 *   - `DOCKER_TLS` without `DOCKER_TLS_VERIFY` (TLS without verifying the server) is refused.
 * - `ssh://[user@]host[:port]`: docker-modem's ssh support, which runs `docker system
 *   dial-stdio` on the remote host through ssh2: `{ protocol: 'ssh', host, port (default 22),
 *   username, sshOptions: { agent: SSH_AUTH_SOCK } }`. The user defaults to `USER`, `LOGNAME`,
 *   then the local account name. Unlike the CLI (which runs the `ssh` program), ssh2 reads no
 *   `~/.ssh/config` or key files and does not check the host key against `known_hosts`.
 *   Passwords in the URL, paths, queries and fragments are refused.
 * - `npipe://…`: accepted as `{ socketPath }` only on Windows; refused elsewhere.
 * - `fd://` and anything else: refused.
 *
 * `DOCKER_API_VERSION` (`major.minor`) sets `version: 'v<major.minor>'`.
 *
 * Every key docker-modem would otherwise fill from `process.env` is set explicitly (possibly to
 * `undefined`), so the result describes `env` only even when `process.env` differs.
 * Caveat: docker-modem's constructor still parses `process.env.DOCKER_HOST` and reads
 * `process.env.DOCKER_CERT_PATH` files itself, and throws if those are malformed or missing,
 * whatever options are given.
 *
 * @param env Environment to read; default `process.env`.
 * @param platform Operating system, for `npipe://`; default `process.platform`.
 * @returns Options for `new Docker(...)`. `port` is a number; `ca`, `cert`, `key` are `Buffer`s
 *   holding PEM text.
 * @throws InvalidOptionsError with field `DOCKER_HOST` for a malformed or unsupported value,
 *   `DOCKER_TLS` / `DOCKER_CERT_PATH` for TLS settings that cannot be used (missing or
 *   unreadable files), `DOCKER_CONTEXT` for a non-default context, `DOCKER_API_VERSION` for a
 *   malformed version. Messages quote values escaped and truncated, with URL user info removed,
 *   and never include file contents.
 */
export function dockerConnectionOptions(
  env: DockerEnvironment = process.env,
  platform: NodeJS.Platform = process.platform,
): DockerOptions {
  const version = apiVersion(env);
  const raw = env['DOCKER_HOST'] ?? '';
  const value = raw.trim();
  if (value === '') {
    const context = env['DOCKER_CONTEXT']?.trim();
    if (context !== undefined && context !== '' && context !== 'default') {
      throw new InvalidOptionsError(
        'DOCKER_CONTEXT',
        `docker contexts are not supported (got ${quoteUntrusted(context)}); set DOCKER_HOST to the context's endpoint instead`,
      );
    }
    return { ...base(), socketPath: DEFAULT_DOCKER_SOCKET, ...version };
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) throw badHost(value, 'contains control characters');

  const sep = value.indexOf('://');
  let scheme: string;
  let rest: string;
  if (sep === -1) {
    scheme = value.startsWith('/') || value.startsWith('./') ? 'unix' : 'tcp';
    rest = value;
  } else {
    scheme = value.slice(0, sep).toLowerCase();
    rest = value.slice(sep + 3);
  }

  switch (scheme) {
    case 'unix':
      if (rest.includes('://')) throw badHost(value, 'expected unix:///path/to/socket');
      return { ...base(), socketPath: rest === '' ? DEFAULT_DOCKER_SOCKET : rest, ...version };
    case 'npipe':
      if (platform !== 'win32') {
        throw badHost(value, `npipe:// (Windows named pipes) is not supported on ${platform}; use unix:///path, tcp:// or ssh://`);
      }
      if (rest.includes('://')) throw badHost(value, 'expected npipe:////./pipe/name');
      return { ...base(), socketPath: rest === '' ? '//./pipe/docker_engine' : rest, ...version };
    case 'tcp':
      return { ...tcpOptions(value, rest, env), ...version };
    case 'ssh':
      return { ...sshOptions(value, env), ...version };
    default:
      throw badHost(value, `unsupported scheme ${quoteUntrusted(scheme)}; expected unix://, tcp:// or ssh://`);
  }
}

function apiVersion(env: DockerEnvironment): { version?: string } {
  const v = env['DOCKER_API_VERSION']?.trim();
  if (v === undefined || v === '') return {};
  const m = /^v?(\d{1,3}\.\d{1,3})$/.exec(v);
  if (m === null) {
    throw new InvalidOptionsError('DOCKER_API_VERSION', `expected a version like 1.43, got ${quoteUntrusted(v)}`);
  }
  return { version: `v${m[1]}` };
}

/** `DOCKER_HOST` for messages: user info replaced, escaped, truncated. */
function redactHost(value: string): string {
  return quoteUntrusted(value.replace(/^([^/]*\/\/)[^/@]*@/, '$1***@'), 80);
}

function badHost(value: string, why: string): InvalidOptionsError {
  return new InvalidOptionsError('DOCKER_HOST', `${why} (got ${redactHost(value)})`);
}

/** Parses `scheme://authority[path]` with WHATWG URL rules for a non-special scheme. */
function parseUrl(value: string, scheme: string, rest: string): URL {
  if (rest.includes('://')) throw badHost(value, `expected ${scheme}://host[:port]`);
  try {
    return new URL(`${scheme}://${rest}`);
  } catch {
    throw badHost(value, `expected ${scheme}://host[:port]`);
  }
}

/** Port from a URL: a number in 1–65535, or `fallback` when absent. */
function parsePort(value: string, url: URL, fallback: number): number {
  if (url.port === '') {
    // WHATWG URL drops an empty port ("host:"), which the CLI also treats as the default.
    return fallback;
  }
  const port = Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badHost(value, 'port must be 1-65535');
  return port;
}

/** Hostname from a URL, brackets of an IPv6 literal removed, percent-escapes refused. */
function parseHostname(value: string, url: URL, fallback: string | undefined): string {
  let host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') {
    if (fallback === undefined) throw badHost(value, 'the host name is empty');
    return fallback;
  }
  if (host.startsWith('-')) throw badHost(value, 'the host name must not start with "-"');
  if (!/^[A-Za-z0-9._:-]+$/.test(host)) throw badHost(value, 'the host name contains characters not allowed in a host name');
  return host;
}

function tcpOptions(value: string, rest: string, env: DockerEnvironment): DockerOptions {
  // The CLI reads "tcp://:2375" as localhost:2375; WHATWG URL refuses an empty host with a port.
  const url = parseUrl(value, 'tcp', rest.startsWith(':') ? `localhost${rest}` : rest);
  if (url.username !== '' || url.password !== '' || /@/.test(rest.split('/')[0] ?? '')) {
    throw badHost(value, 'user info is not allowed in tcp:// addresses');
  }
  if (url.search !== '' || url.hash !== '') throw badHost(value, 'query strings and fragments are not allowed');
  if (url.pathname !== '' && url.pathname !== '/') {
    throw badHost(value, 'a path prefix is not supported (dockerode ignores it)');
  }
  const host = parseHostname(value, url, 'localhost');
  const port = parsePort(value, url, DEFAULT_TCP_PORT);
  const verify = (env['DOCKER_TLS_VERIFY'] ?? '') !== '';
  const tlsOnly = (env['DOCKER_TLS'] ?? '') !== '';
  if (!verify && tlsOnly) {
    throw new InvalidOptionsError(
      'DOCKER_TLS',
      'TLS without verifying the server (DOCKER_TLS without DOCKER_TLS_VERIFY) is not supported; ' +
        'set DOCKER_TLS_VERIFY=1 and put the CA certificate in $DOCKER_CERT_PATH/ca.pem',
    );
  }
  if (!verify) return { ...base(), host, port, protocol: 'http' };
  return { ...base(), host, port, protocol: 'https', ...tlsFiles(env) };
}

function certDirectory(env: DockerEnvironment): string {
  const certPath = env['DOCKER_CERT_PATH'];
  if (certPath !== undefined && certPath !== '') return certPath;
  const configDir = env['DOCKER_CONFIG'];
  if (configDir !== undefined && configDir !== '') return configDir;
  const home = env['HOME'];
  return join(home !== undefined && home !== '' ? home : homedir(), '.docker');
}

/** Reads a PEM file; `undefined` when it does not exist and `optional`. */
function readPem(dir: string, file: string, optional: boolean): Buffer | undefined {
  const path = join(dir, file);
  const fail = (why: string): never => {
    throw new InvalidOptionsError('DOCKER_CERT_PATH', `cannot use ${quoteUntrusted(path, 200)} for DOCKER_TLS_VERIFY: ${why}`);
  };
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && optional) return undefined;
    return fail(code === 'ENOENT' ? 'the file does not exist' : `${code ?? 'cannot read it'}`);
  }
  if (!stat.isFile()) return fail('not a regular file');
  if (stat.size > MAX_PEM_BYTES) return fail(`larger than ${MAX_PEM_BYTES} bytes`);
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    return fail(`${(error as NodeJS.ErrnoException).code ?? 'cannot read it'}`);
  }
  if (!pem.includes('-----BEGIN ')) return fail('not a PEM file');
  return pem;
}

function tlsFiles(env: DockerEnvironment): Pick<DockerOptions, 'ca' | 'cert' | 'key'> {
  const dir = certDirectory(env);
  const ca = readPem(dir, 'ca.pem', false);
  const cert = readPem(dir, 'cert.pem', true);
  const key = readPem(dir, 'key.pem', true);
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidOptionsError(
      'DOCKER_CERT_PATH',
      `${quoteUntrusted(dir, 200)} has ${cert === undefined ? 'key.pem but no cert.pem' : 'cert.pem but no key.pem'}; give both or neither`,
    );
  }
  return { ca, ...(cert === undefined ? {} : { cert, key }) };
}

function localUser(env: DockerEnvironment): string | undefined {
  for (const name of ['USER', 'LOGNAME']) {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
  }
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

function sshOptions(value: string, env: DockerEnvironment): DockerOptions {
  const rest = value.slice(value.indexOf('://') + 3);
  const url = parseUrl(value, 'ssh', rest);
  if (url.password !== '' || /^[^/@]*:[^/@]*@/.test(rest)) throw badHost(value, 'a password in ssh:// addresses is not supported');
  if (url.search !== '' || url.hash !== '') throw badHost(value, 'query strings and fragments are not allowed');
  if (url.pathname !== '' && url.pathname !== '/') throw badHost(value, 'a path in ssh:// addresses is not supported');
  const host = parseHostname(value, url, undefined);
  const port = parsePort(value, url, DEFAULT_SSH_PORT);
  let username: string | undefined;
  if (url.username !== '') {
    try {
      username = decodeURIComponent(url.username);
    } catch {
      throw badHost(value, 'the user name is not valid');
    }
    if (username.startsWith('-') || /[\u0000-\u001f\u007f\s]/.test(username)) throw badHost(value, 'the user name is not valid');
  } else {
    username = localUser(env);
  }
  if (username === undefined) throw badHost(value, 'no user name given and the local user name is unknown');
  const agent = env['SSH_AUTH_SOCK'];
  return {
    ...base(),
    protocol: 'ssh',
    host,
    port,
    username,
    sshOptions: agent !== undefined && agent !== '' ? { agent } : {},
  };
}

/**
 * A one-line, human-readable description of where a Docker client connects, for error and log
 * messages: `unix:///var/run/docker.sock`, `tcp://host:2375 (plain HTTP, unencrypted)`,
 * `tcp://host:2376 (TLS, client certificate)`, `ssh://user@host:22`.
 *
 * Accepts dockerode constructor options or a live `docker.modem` (docker-modem keeps the same
 * field names). Only `socketPath`, `host`, `port`, `protocol`, `username` and whether `cert` is
 * set are looked at: key material, CA and certificate contents, passwords, ssh options and
 * headers are never included. Values are escaped (see {@link quoteUntrusted}) when they
 * contain anything unusual.
 *
 * @param options dockerode options or docker-modem instance.
 * @returns The description; never throws.
 */
export function describeDockerEndpoint(options: DockerOptions): string {
  const o = (options ?? {}) as Record<string, unknown>;
  const clean = (v: unknown): string => {
    const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
    return /^[A-Za-z0-9._:/@~+[\]-]*$/.test(s) ? s : quoteUntrusted(s, 80);
  };
  const host = o['host'];
  if (typeof host === 'string' && host !== '') {
    const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const protocol = o['protocol'];
    const port = o['port'];
    const portText = typeof port === 'number' || (typeof port === 'string' && port !== '') ? `:${clean(port)}` : '';
    if (protocol === 'ssh') {
      const user = o['username'];
      const userText = typeof user === 'string' && user !== '' ? `${clean(user)}@` : '';
      return `ssh://${userText}${clean(h)}${portText}`;
    }
    const tls = protocol === 'https' || (protocol === undefined && o['ca'] !== undefined && o['cert'] !== undefined && o['key'] !== undefined);
    const mode = tls ? (o['cert'] !== undefined ? 'TLS, client certificate' : 'TLS') : 'plain HTTP, unencrypted';
    return `tcp://${clean(h)}${portText} (${mode})`;
  }
  const socketPath = o['socketPath'];
  if (typeof socketPath === 'string' && socketPath !== '') {
    return socketPath.startsWith('//./pipe/') ? `npipe://${clean(socketPath)}` : `unix://${clean(socketPath)}`;
  }
  const cached = o['socketPathCache'];
  if (typeof cached === 'string' && cached !== '') return `unix://${clean(cached)}`;
  if (typeof socketPath === 'function') {
    return 'unix socket chosen by docker-modem (~/.docker/run/docker.sock if present, else /var/run/docker.sock)';
  }
  return "dockerode's default endpoint (from DOCKER_HOST, else the default socket)";
}
