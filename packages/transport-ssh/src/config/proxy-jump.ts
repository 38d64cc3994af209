import { InvalidOptionsError } from '@execkit/core';
import { assertValidHost, assertValidUser, parsePort } from './validate.js';

/**
 * One hop of a `ProxyJump` chain (ssh_config(5) `ProxyJump`, ssh(1) `-J`), exactly as written:
 * `alias` has not been looked up yet. Resolve it with `resolveJumpHost()` (or
 * `resolveHostConfig(hop.alias, …)` and apply `user`/`port` on top), as ssh(1) does by running
 * `ssh [-l user] [-p port] alias` for each hop.
 */
export interface JumpHost {
  /** Host name, address or ssh_config `Host` alias of the hop (IPv6 brackets removed). */
  alias: string;
  /** Login name given in the hop (`user@…`); overrides the hop's `User`. */
  user?: string;
  /** Port given in the hop (`…:port`), 1–65535; overrides the hop's `Port`. */
  port?: number;
}

function invalid(index: number, why: string): InvalidOptionsError {
  return new InvalidOptionsError(
    'proxyJump',
    `hop ${index + 1} ${why}; each hop must be [user@]host[:port] or ssh://[user@]host[:port].`,
  );
}

/** Splits `host`, `host:port`, `[addr]` or `[addr]:port`. */
function splitHostPort(text: string, index: number): { host: string; port?: number } {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw invalid(index, 'has an unclosed [');
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw invalid(index, 'has text after ]');
      portText = rest.slice(1);
    }
  } else {
    const colon = text.indexOf(':');
    if (colon < 0) {
      host = text;
    } else {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  if (host === '') throw invalid(index, 'has no host');
  assertValidHost(host, 'proxyJump');
  if (portText === undefined) return { host };
  const port = parsePort(portText);
  if (port === undefined) throw invalid(index, 'has a port that is not a number from 1 to 65535');
  return { host, port };
}

function parseHop(text: string, index: number): JumpHost {
  if (text === '') throw invalid(index, 'is empty');
  let user: string | undefined;
  let hostPort: string;
  if (text.startsWith('ssh://')) {
    // RFC 3986 / draft-ietf-secsh-scp-sftp-ssh-uri: ssh://[user[;params]@]host[:port][/]
    let rest = text.slice('ssh://'.length);
    if (rest.endsWith('/')) rest = rest.slice(0, -1);
    if (rest.includes('/')) throw invalid(index, 'has a path');
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      const userInfo = rest.slice(0, at);
      const semicolon = userInfo.indexOf(';');
      const encoded = semicolon >= 0 ? userInfo.slice(0, semicolon) : userInfo;
      try {
        user = decodeURIComponent(encoded);
      } catch {
        throw invalid(index, 'has a badly %-encoded user');
      }
      rest = rest.slice(at + 1);
    }
    hostPort = rest;
  } else {
    const at = text.lastIndexOf('@');
    if (at >= 0) {
      user = text.slice(0, at);
      hostPort = text.slice(at + 1);
    } else {
      hostPort = text;
    }
  }
  if (user !== undefined) {
    if (user === '') throw invalid(index, 'has an empty user');
    assertValidUser(user, 'proxyJump');
  }
  const { host, port } = splitHostPort(hostPort, index);
  return { alias: host, ...(user === undefined ? {} : { user }), ...(port === undefined ? {} : { port }) };
}

/**
 * Parses the value of `ProxyJump` (ssh_config(5)) or ssh(1) `-J`: a comma-separated chain of
 * hops, each `[user@]host[:port]` or `ssh://[user@]host[:port]` (IPv6 addresses in brackets; in
 * the URI form the user may be %-encoded and `;params` after it are ignored). `none` (any case)
 * disables jumping and yields `[]`.
 *
 * @param value The directive's value.
 * @returns The hops in connection order: the first is connected to directly, each later one
 *   through the previous, and the destination through the last.
 * @throws {InvalidOptionsError} (field `proxyJump`) when a hop is malformed, its host or user has
 *   whitespace or control characters or starts with `-`, or its port is not 1–65535.
 */
export function parseProxyJump(value: string): JumpHost[] {
  const trimmed = value.trim();
  if (trimmed.toLowerCase() === 'none') return [];
  if (trimmed === '') throw invalid(0, 'is empty');
  return trimmed.split(',').map((hop, index) => parseHop(hop.trim(), index));
}
