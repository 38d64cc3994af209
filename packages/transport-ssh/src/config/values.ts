/**
 * Interpreting ssh_config(5) values: TOKENS (`%x`), environment variables (`${NAME}`), `~`, time
 * intervals (TIME FORMATS in sshd_config(5)), flags and counts. ssh-config returns every value
 * as an uninterpreted string; all of this is done here.
 *
 * @internal
 */

import { InvalidOptionsError } from '@execkit/core';

/** Largest number OpenSSH accepts for times and counts (INT_MAX). */
const INT_MAX = 2_147_483_647;

function configError(message: string): InvalidOptionsError {
  return new InvalidOptionsError('sshConfig', message);
}

/**
 * OpenSSH `percent_expand()`: replaces `%x` by `tokens[x]` and `%%` by `%`.
 *
 * @param directive Directive named in errors.
 * @throws {InvalidOptionsError} (field `sshConfig`) on a token not in `tokens` or a trailing `%`
 *   (OpenSSH refuses these too).
 */
export function expandPercentTokens(text: string, tokens: Readonly<Record<string, string>>, directive: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const key = text[i + 1];
    i++;
    if (key === undefined) throw configError(`${directive} ends with a lone '%'.`);
    if (key === '%') {
      out += '%';
      continue;
    }
    const value = Object.hasOwn(tokens, key) ? tokens[key] : undefined;
    if (value === undefined) {
      const shown = /^[A-Za-z]$/.test(key) ? `%${key}` : 'a %-token';
      throw configError(`${directive} uses ${shown}, which execkit does not support there.`);
    }
    out += value;
  }
  return out;
}

/**
 * OpenSSH `dollar_expand()`: replaces `${NAME}` by the environment variable NAME.
 *
 * @throws {InvalidOptionsError} (field `sshConfig`) when a variable is unset, or `${` is not
 *   closed or holds anything but letters, digits and `_`.
 */
export function expandEnvironment(text: string, directive: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const end = text.indexOf('}', start + 2);
    const name = end < 0 ? '' : text.slice(start + 2, end);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw configError(`${directive} has a malformed \${…} reference.`);
    const value = env[name];
    if (value === undefined) throw configError(`${directive} uses \${${name}}, which is not set.`);
    out += value;
    i = end + 1;
  }
  return out;
}

/**
 * OpenSSH `tilde_expand_filename()` limited to the local user: a leading `~` or `~/` becomes
 * `homeDir`, and so does `~name` when `name` is the local user. Other text is returned unchanged.
 *
 * @throws {InvalidOptionsError} (field `sshConfig`) for `~name` naming another user (looking up
 *   other users' home directories is not supported).
 */
export function expandTilde(text: string, homeDir: string, localUser: string, directive: string): string {
  if (!text.startsWith('~')) return text;
  const slash = text.indexOf('/');
  const name = slash < 0 ? text.slice(1) : text.slice(1, slash);
  const rest = slash < 0 ? '' : text.slice(slash);
  if (name !== '' && name !== localUser) throw configError(`${directive} uses ~user for another user, which is not supported.`);
  return homeDir + rest;
}

/**
 * OpenSSH `convtime()`: a time interval in seconds, written as a sequence of `<n>[unit]` with
 * units `s` (seconds, also no unit), `m`, `h`, `d`, `w` (any case), e.g. `90`, `1m30s`, `2h`.
 * A number without a unit may only come last.
 *
 * @returns Seconds, or `undefined` when the text is not such an interval or exceeds INT_MAX.
 */
export function parseTimeInterval(text: string): number | undefined {
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
  if (text === '') return undefined;
  let total = 0;
  let rest = text;
  while (rest !== '') {
    const m = /^([0-9]+)([smhdwSMHDW]?)/.exec(rest);
    if (m === null) return undefined;
    const digits = m[1]!;
    const unit = m[2]!.toLowerCase();
    if (unit === '' && m[0].length !== rest.length) return undefined;
    total += Number(digits) * units[unit]!;
    if (!Number.isSafeInteger(total) || total > INT_MAX) return undefined;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/**
 * A yes/no flag (OpenSSH `parse_flag`): `yes`/`true` or `no`/`false`, any case.
 *
 * @returns The flag, or `undefined` for anything else.
 */
export function parseFlag(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'yes' || lower === 'true') return true;
  if (lower === 'no' || lower === 'false') return false;
  return undefined;
}

/**
 * A non-negative decimal integer up to INT_MAX (OpenSSH `parse_int`).
 *
 * @returns The number, or `undefined` when the text is not one.
 */
export function parseCount(text: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= INT_MAX ? n : undefined;
}
