import { InvalidOptionsError } from '@execkit/core';

/** Longest host name or alias accepted (NI_MAXHOST is 1025 including the NUL). */
export const MAX_HOST_LENGTH = 1024;

/** Whitespace (any Unicode space), C0 and C1 control characters and DEL. */
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f]/u;

/**
 * Checks a host name, address or ssh_config alias: a non-empty string of at most
 * {@link MAX_HOST_LENGTH} characters with no whitespace or control characters, not starting with
 * `-` (which ssh(1) and any command line would read as an option). The message never echoes the
 * value, which may come from an untrusted caller.
 *
 * @param field Field named in the error (default `host`).
 * @throws {InvalidOptionsError} (field `field`) when the value is not acceptable.
 */
export function assertValidHost(value: unknown, field = 'host'): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionsError(field, 'must be a non-empty string.');
  if (value.length > MAX_HOST_LENGTH) throw new InvalidOptionsError(field, `must be at most ${MAX_HOST_LENGTH} characters.`);
  if (FORBIDDEN.test(value)) throw new InvalidOptionsError(field, 'must not contain whitespace or control characters.');
  if (value.startsWith('-')) throw new InvalidOptionsError(field, "must not start with '-'.");
}

/**
 * Checks a user name (remote login name): non-empty, no whitespace or control characters, not
 * starting with `-`. The message never echoes the value.
 *
 * @param field Field named in the error (default `user`).
 * @throws {InvalidOptionsError} (field `field`) when the value is not acceptable.
 */
export function assertValidUser(value: unknown, field = 'user'): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionsError(field, 'must be a non-empty string.');
  if (value.length > MAX_HOST_LENGTH) throw new InvalidOptionsError(field, `must be at most ${MAX_HOST_LENGTH} characters.`);
  if (FORBIDDEN.test(value)) throw new InvalidOptionsError(field, 'must not contain whitespace or control characters.');
  if (value.startsWith('-')) throw new InvalidOptionsError(field, "must not start with '-'.");
}

/**
 * Checks a TCP port: an integer from 1 to 65535.
 *
 * @param field Field named in the error (default `port`).
 * @throws {InvalidOptionsError} (field `field`) when the value is not such an integer.
 */
export function assertValidPort(value: unknown, field = 'port'): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InvalidOptionsError(field, 'must be an integer from 1 to 65535.');
  }
}

/**
 * Parses a port written in a config file or a `host:port` string: decimal digits only, 1–65535
 * (OpenSSH `a2port`).
 *
 * @returns The port, or `undefined` when the text is not a valid port.
 */
export function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}
