import { userInfo } from 'node:os';
import { isAbsolute } from 'node:path';
import { InvalidOptionsError } from '@execkit/core';

/** The passwd entry of the current user, or `undefined` when there is none (a container uid). */
function passwdEntry(): { homedir: string; username: string } | undefined {
  try {
    const info = userInfo();
    return { homedir: info.homedir, username: info.username };
  } catch {
    return undefined;
  }
}

/**
 * The local user's home directory: where `~`, `%d` and `~/.ssh` point.
 *
 * `$HOME` when it is set, non-empty and absolute; otherwise the home directory of the current
 * user in the passwd database (`os.userInfo().homedir`, i.e. getpwuid(3)), so a service started
 * without `HOME` (systemd units, cron, `env -i`) still finds `~/.ssh`. ssh(1) itself always uses
 * the passwd entry; `$HOME` is preferred here so that a process can point execkit at another
 * `~/.ssh` (tests, containers) the same way most tools allow.
 *
 * @returns An absolute path, without a trailing slash added or removed.
 * @throws {InvalidOptionsError} (field `homeDir`) when `$HOME` is unusable and the user has no
 *   passwd entry (or its home directory is empty or relative).
 */
export function homeDirectory(): string {
  const fromEnv = process.env.HOME;
  if (fromEnv !== undefined && fromEnv !== '' && isAbsolute(fromEnv)) return fromEnv;
  const entry = passwdEntry();
  if (entry !== undefined && entry.homedir !== '' && isAbsolute(entry.homedir)) return entry.homedir;
  throw new InvalidOptionsError(
    'homeDir',
    'no home directory: HOME is not set to an absolute path and the current user has no passwd entry with one.',
  );
}

/**
 * The local user name: the default remote user and the value of the `%u` token (ssh_config(5)
 * TOKENS).
 *
 * `$USER` when it is set and non-empty; otherwise the name of the current user in the passwd
 * database (`os.userInfo().username`).
 *
 * @throws {InvalidOptionsError} (field `localUser`) when `$USER` is unset or empty and the current
 *   uid has no passwd entry.
 */
export function localUserName(): string {
  const fromEnv = process.env.USER;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const entry = passwdEntry();
  if (entry !== undefined && entry.username !== '') return entry.username;
  throw new InvalidOptionsError('localUser', 'no local user name: USER is not set and the current user has no passwd entry.');
}
