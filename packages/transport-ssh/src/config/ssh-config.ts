import { hostname as localHostName } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InvalidOptionsError } from '@execkit/core';
import { loadConfig, type ConfigFile, type Entry, type IncludeEntry, type OptionEntry } from './config-files.js';
import { homeDirectory, localUserName } from './home.js';
import { isHostPattern, matchHostname, matchPattern, matchPatternList } from './patterns.js';
import { parseProxyJump, type JumpHost } from './proxy-jump.js';
import { assertValidHost, assertValidPort, assertValidUser, parsePort } from './validate.js';
import {
  expandEnvironment,
  expandPercentTokens,
  expandTilde,
  parseCount,
  parseFlag,
  parseTimeInterval,
} from './values.js';

/** Most `IdentityFile` entries one host may collect (SSH_MAX_IDENTITY_FILES in OpenSSH). */
export const MAX_IDENTITY_FILES = 100;

/** Where the ssh_config file is and whose it is. Shared by every function of this module. */
export interface SshConfigOptions {
  /**
   * The user config file, like ssh(1) `-F`. Default `<homeDir>/.ssh/config`. A leading `~` is
   * expanded and a relative path is taken relative to `homeDir`. A missing file, `/dev/null` or
   * any other non-regular file is an empty config. Like every file it includes, it must not be
   * writable by group/others nor owned by another user (OpenSSH's "Bad owner or permissions").
   */
  configPath?: string;
  /**
   * Home directory for `~`, `%d`, relative `Include` paths (taken relative to `<homeDir>/.ssh`)
   * and the default `configPath`. Absolute. Default {@link homeDirectory}().
   */
  homeDir?: string;
  /** Local user name for `%u`, `Match localuser` and the default remote user. Default {@link localUserName}(). */
  localUser?: string;
}

/** Options of {@link resolveHostConfig}. */
export interface ResolveHostConfigOptions extends SshConfigOptions {
  /**
   * A login name given explicitly (ssh(1) `-l user` or `user@host`). Like on ssh's command line it
   * is set before the config is read: it wins over `User`, is what `Match user` and `%r` see,
   * and is returned as `user`. Leave it out to get the config's `User`.
   */
  user?: string;
  /** A port given explicitly (ssh(1) `-p`), 1–65535: wins over `Port` and is what `%p` sees. */
  port?: number;
}

/**
 * The ssh_config(5) settings execkit uses for one host, as ssh(1) would obtain them. Only what the
 * config (or an explicit `user`/`port` option) says is filled in: defaults (port 22, the local
 * user, OpenSSH's default identity files) are the caller's.
 */
export interface ResolvedHostConfig {
  /** The alias that was resolved, as given. */
  alias: string;
  /** Where to connect: `HostName` with `%h` (the alias) and `%%` expanded, else the alias. */
  hostName: string;
  /** `User`, or the explicit `user` option. */
  user?: string;
  /** `Port` (1–65535), or the explicit `port` option. */
  port?: number;
  /**
   * Every `IdentityFile` that applies, in config order (this directive accumulates instead of
   * first-wins), duplicates dropped. Absolute: `~` and the tokens `%d %h %p %r %u %n %l %L %i
   * %k %j %%` plus `${ENV}` are expanded; a path still relative is taken relative to the home
   * directory (ssh(1) would use its working directory).
   */
  identityFiles: string[];
  /** `IdentitiesOnly yes|no`. */
  identitiesOnly?: boolean;
  /**
   * `ProxyJump` hops in connection order; `[]` when unset or `none`, and when a `ProxyCommand`
   * came first (ssh_config(5): whichever of the two comes first wins; ProxyCommand itself is
   * never run by execkit). Resolve each hop with {@link resolveJumpHost}.
   */
  proxyJump: JumpHost[];
  /** `ConnectTimeout`, converted from seconds (TIME FORMATS: `30`, `1m`…) to milliseconds. `0`: none. */
  connectTimeoutMs?: number;
  /** `ServerAliveInterval`, converted from seconds to milliseconds. `0` disables keepalives. */
  serverAliveIntervalMs?: number;
  /** `ServerAliveCountMax`: unanswered keepalives before the connection is considered lost. */
  serverAliveCountMax?: number;
  /** `HostKeyAlias`: the name to look the host key up under in known_hosts instead of the host name. */
  hostKeyAlias?: string;
}

/** One concrete `Host` alias of the config, as {@link listConfiguredHosts} returns it. */
export interface ConfiguredHost {
  /** The alias (a `Host` word without `*`, `?` or `!`). */
  name: string;
  /** Resolved `HostName` (or the alias). */
  hostName: string;
  /** Resolved `User`, when the config sets one. */
  user?: string;
  /** Resolved `Port`, when the config sets one. */
  port?: number;
}

/** Directives whose first obtained value is kept (ssh_config(5) DESCRIPTION). */
const FIRST_WINS = new Set([
  'hostname',
  'user',
  'port',
  'identitiesonly',
  'connecttimeout',
  'serveraliveinterval',
  'serveralivecountmax',
  'hostkeyalias',
]);

interface Context {
  configPath: string;
  homeDir: string;
  localUser: string;
}

interface WalkState {
  alias: string;
  localUser: string;
  values: Map<string, string>;
  identityFiles: string[];
}

function configError(message: string): InvalidOptionsError {
  return new InvalidOptionsError('sshConfig', message);
}

function contextFrom(options: SshConfigOptions): Context {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('options', 'must be an object.');
  let homeDir: string;
  if (options.homeDir === undefined) {
    homeDir = homeDirectory();
  } else {
    if (typeof options.homeDir !== 'string' || !isAbsolute(options.homeDir) || options.homeDir.includes('\0')) {
      throw new InvalidOptionsError('homeDir', 'must be an absolute path.');
    }
    homeDir = options.homeDir;
  }
  let localUser: string;
  if (options.localUser === undefined) {
    localUser = localUserName();
  } else {
    assertValidUser(options.localUser, 'localUser');
    localUser = options.localUser;
  }
  let configPath: string;
  if (options.configPath === undefined) {
    configPath = join(homeDir, '.ssh', 'config');
  } else {
    if (typeof options.configPath !== 'string' || options.configPath === '' || options.configPath.includes('\0')) {
      throw new InvalidOptionsError('configPath', 'must be a non-empty path.');
    }
    configPath = resolve(homeDir, expandTilde(options.configPath, homeDir, localUser, 'configPath'));
  }
  return { configPath, homeDir, localUser };
}

/** A `Host` line (ssh_config(5) `Host`, OpenSSH readconf.c): whitespace-separated patterns. */
function hostLineMatches(patterns: readonly string[], alias: string): boolean {
  let matched = false;
  for (const word of patterns) {
    const negated = word.startsWith('!');
    if (matchPattern(alias, negated ? word.slice(1) : word)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The host `Match host` sees: HostName so far with `%h` expanded, else the alias. */
function currentHostName(state: WalkState): string {
  const hostName = state.values.get('hostname');
  return hostName === undefined ? state.alias : expandPercentTokens(hostName, { h: state.alias }, 'HostName');
}

/**
 * A `Match` line: criteria are ANDed, each may be negated with `!`. Supported: `all` (alone),
 * `host`, `originalhost`, `user`, `localuser`. Every other criterion (`exec`, `canonical`,
 * `final`, `localnetwork`, `tagged`, …) makes the block not apply, negated or not; `exec`
 * commands are never run.
 */
function matchLineMatches(words: readonly string[], state: WalkState): boolean {
  let result = true;
  let attributes = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const negate = word.startsWith('!');
    const criterion = (negate ? word.slice(1) : word).toLowerCase();
    if (criterion === 'all') {
      // OpenSSH rejects `all` combined with anything; treat that as not matching.
      if (attributes > 0 || i + 1 < words.length) return false;
      return result && !negate;
    }
    attributes++;
    if (criterion === 'canonical' || criterion === 'final') {
      result = false;
      continue;
    }
    const argument = words[++i];
    if (argument === undefined) return false;
    let matched: boolean;
    switch (criterion) {
      case 'host':
        matched = matchHostname(currentHostName(state), argument);
        break;
      case 'originalhost':
        matched = matchHostname(state.alias, argument);
        break;
      case 'user':
        matched = matchPatternList(state.values.get('user') ?? state.localUser, argument, false);
        break;
      case 'localuser':
        matched = matchPatternList(state.localUser, argument, false);
        break;
      default:
        // exec and anything unknown: never evaluated, never matches.
        result = false;
        continue;
    }
    if (matched === negate) result = false;
  }
  return result;
}

function apply(entry: OptionEntry, state: WalkState): void {
  const { keyword, value } = entry;
  if (keyword === 'identityfile') {
    if (value === '' || state.identityFiles.includes(value)) return;
    if (state.identityFiles.length >= MAX_IDENTITY_FILES) {
      throw configError(`too many IdentityFile entries (at most ${MAX_IDENTITY_FILES}).`);
    }
    state.identityFiles.push(value);
    return;
  }
  if (keyword === 'proxyjump' || keyword === 'proxycommand') {
    // Whichever of the two is obtained first wins (ssh_config(5) ProxyJump).
    if (!state.values.has('proxyjump') && !state.values.has('proxycommand')) state.values.set(keyword, value);
    return;
  }
  if (FIRST_WINS.has(keyword) && !state.values.has(keyword)) state.values.set(keyword, value);
}

function walkEntries(entries: readonly Entry[], active: boolean, neverMatch: boolean, state: WalkState): void {
  for (const entry of entries) {
    switch (entry.kind) {
      case 'option':
        if (active) apply(entry, state);
        break;
      case 'include':
        walkInclude(entry, active, neverMatch, state);
        break;
      case 'host':
        walkEntries(entry.entries, !neverMatch && hostLineMatches(entry.patterns, state.alias), neverMatch, state);
        break;
      case 'match':
        walkEntries(entry.entries, !neverMatch && matchLineMatches(entry.words, state), neverMatch, state);
        break;
    }
  }
}

/**
 * OpenSSH readconf.c `Include`: an included file starts in the state of the Include line (its
 * lines before any `Host`/`Match` apply only if the surrounding block does); its own `Host`/
 * `Match` lines never match when the Include sits in a block that does not apply; and whatever
 * they do ends with the file.
 */
function walkInclude(entry: IncludeEntry, active: boolean, neverMatch: boolean, state: WalkState): void {
  for (const file of entry.files) walkEntries(file.entries, active, neverMatch || !active, state);
}

function resolveWith(root: ConfigFile, alias: string, context: Context, explicit: { user?: string; port?: number }): ResolvedHostConfig {
  const state: WalkState = { alias, localUser: context.localUser, values: new Map(), identityFiles: [] };
  if (explicit.user !== undefined) state.values.set('user', explicit.user);
  if (explicit.port !== undefined) state.values.set('port', String(explicit.port));
  walkEntries(root.entries, true, false, state);
  const values = state.values;

  const hostName = currentHostName(state);
  assertValidHost(hostName, 'hostName');
  const result: ResolvedHostConfig = { alias, hostName, identityFiles: [], proxyJump: [] };

  const user = values.get('user');
  if (user !== undefined) {
    assertValidUser(user, 'user');
    result.user = user;
  }
  const portText = values.get('port');
  if (portText !== undefined) {
    const port = parsePort(portText);
    if (port === undefined) throw configError('Port must be a number from 1 to 65535.');
    result.port = port;
  }
  const identitiesOnly = values.get('identitiesonly');
  if (identitiesOnly !== undefined) {
    const flag = parseFlag(identitiesOnly);
    if (flag === undefined) throw configError('IdentitiesOnly must be yes or no.');
    result.identitiesOnly = flag;
  }
  const hostKeyAlias = values.get('hostkeyalias');
  if (hostKeyAlias !== undefined) {
    assertValidHost(hostKeyAlias, 'hostKeyAlias');
    result.hostKeyAlias = hostKeyAlias;
  }
  const proxyJump = values.get('proxyjump');
  if (proxyJump !== undefined) result.proxyJump = parseProxyJump(proxyJump);
  for (const [keyword, field, name] of [
    ['connecttimeout', 'connectTimeoutMs', 'ConnectTimeout'],
    ['serveraliveinterval', 'serverAliveIntervalMs', 'ServerAliveInterval'],
  ] as const) {
    const text = values.get(keyword);
    if (text === undefined) continue;
    const seconds = parseTimeInterval(text);
    if (seconds === undefined) throw configError(`${name} must be a time in seconds (e.g. 30, 1m30s).`);
    result[field] = seconds * 1000;
  }
  const countMax = values.get('serveralivecountmax');
  if (countMax !== undefined) {
    const count = parseCount(countMax);
    if (count === undefined) throw configError('ServerAliveCountMax must be a non-negative integer.');
    result.serverAliveCountMax = count;
  }

  const thisHost = localHostName();
  const uid = process.getuid?.();
  const tokens: Record<string, string> = {
    d: context.homeDir,
    h: hostName,
    p: String(result.port ?? 22),
    r: result.user ?? context.localUser,
    u: context.localUser,
    n: alias,
    l: thisHost,
    L: thisHost.split('.')[0] ?? thisHost,
    k: result.hostKeyAlias ?? alias,
    j: result.proxyJump[result.proxyJump.length - 1]?.alias ?? '',
    ...(uid === undefined ? {} : { i: String(uid) }),
  };
  for (const raw of state.identityFiles) {
    const tilded = expandTilde(raw, context.homeDir, context.localUser, 'IdentityFile');
    const expanded = expandPercentTokens(expandEnvironment(tilded, 'IdentityFile'), tokens, 'IdentityFile');
    const absolute = resolve(context.homeDir, expanded);
    if (!result.identityFiles.includes(absolute)) result.identityFiles.push(absolute);
  }
  return result;
}

/**
 * Resolves the ssh_config(5) settings for one host the way ssh(1) reads its user config:
 * top to bottom, a `Host` block applying when one of its patterns (`*`, `?`, `!negation`;
 * matched case-sensitively against the alias) matches and no negated one does, a `Match`
 * block when all its criteria hold (`all`, `host`/`originalhost` — case-insensitive pattern
 * lists, `host` seeing the HostName obtained so far — `user`, `localuser`; `exec` and other
 * criteria never match and are never run). For each directive the first obtained value wins,
 * except `IdentityFile`, which accumulates. `Include` is followed (absolute, `~/…`, or relative
 * to `~/.ssh`; globs; at most 16 levels deep, like OpenSSH; missing files ignored); an Include
 * inside a `Host`/`Match` block applies only when that block does.
 *
 * Reads the files synchronously; nothing is executed, no DNS lookup is made (`Canonicalize*`
 * is ignored) and only the directives of {@link ResolvedHostConfig} are interpreted.
 * Applying explicit options such as a caller-given port on top is the caller's job (or pass
 * them as `options.user`/`options.port`, which behave like ssh's `-l`/`-p`).
 *
 * @param alias Host name or `Host` alias to resolve (the `host` argument of ssh(1)).
 * @param options Config location and identity; see {@link ResolveHostConfigOptions}.
 * @returns The settings that apply; see {@link ResolvedHostConfig}.
 * @throws {InvalidOptionsError} field `host` when `alias` is empty, longer than 1024 characters,
 *   has whitespace or control characters or starts with `-`; field `user`/`port`/`homeDir`/
 *   `localUser`/`configPath` for bad options; field `sshConfig` when a config file is unsafe
 *   (group/world-writable or owned by someone else), unreadable, unparseable, includes too deeply
 *   (more than 16 levels) or sets a value execkit uses to something invalid; fields `hostName`,
 *   `hostKeyAlias`, `proxyJump` when those values are invalid hosts.
 */
export function resolveHostConfig(alias: string, options: ResolveHostConfigOptions = {}): ResolvedHostConfig {
  assertValidHost(alias, 'host');
  const context = contextFrom(options);
  if (options.user !== undefined) assertValidUser(options.user, 'user');
  if (options.port !== undefined) assertValidPort(options.port, 'port');
  const root = loadConfig(context.configPath, context);
  return resolveWith(root, alias, context, {
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
}

/**
 * Resolves one `ProxyJump` hop as ssh(1) does when it runs `ssh [-l user] [-p port] alias` for
 * it: the hop's alias is looked up in the same config, and a `user@` or `:port` written in the
 * hop wins over that config's `User`/`Port`.
 *
 * Note that ssh(1) hands the rest of a chain to each hop on the command line (`-J`), so only the
 * first hop's own `ProxyJump` setting matters; callers following a chain should ignore
 * `proxyJump` of the hops they resolve.
 *
 * @param hop A hop from {@link ResolvedHostConfig.proxyJump} (or parsed with `parseProxyJump`).
 * @param options Same config location as for the destination.
 * @throws {InvalidOptionsError} as {@link resolveHostConfig}.
 */
export function resolveJumpHost(hop: JumpHost, options: SshConfigOptions = {}): ResolvedHostConfig {
  if (typeof hop !== 'object' || hop === null) throw new InvalidOptionsError('proxyJump', 'a hop must be an object.');
  return resolveHostConfig(hop.alias, {
    ...options,
    ...(hop.user === undefined ? {} : { user: hop.user }),
    ...(hop.port === undefined ? {} : { port: hop.port }),
  });
}

function collectHostNames(file: ConfigFile, names: Set<string>): void {
  const visit = (entries: readonly Entry[]): void => {
    for (const entry of entries) {
      if (entry.kind === 'include') {
        for (const included of entry.files) collectHostNames(included, names);
      } else if (entry.kind === 'host' || entry.kind === 'match') {
        if (entry.kind === 'host') for (const pattern of entry.patterns) names.add(pattern);
        visit(entry.entries);
      }
    }
  };
  visit(file.entries);
}

function isListableAlias(name: string): boolean {
  if (isHostPattern(name)) return false;
  try {
    assertValidHost(name, 'host');
    return true;
  } catch {
    return false;
  }
}

/**
 * Every concrete `Host` alias of the config (and the files it includes, wherever the Include
 * sits), with where each resolves to. Words containing `*`, `?` or `!` are patterns and are
 * skipped, as are words that would not be valid hosts. Only the name, host name, user and port
 * are returned — nothing else from the config (no identity files, no proxy settings).
 *
 * @param options Config location; see {@link SshConfigOptions}.
 * @returns One entry per alias, sorted by `name` (code-unit order).
 * @throws {InvalidOptionsError} as {@link resolveHostConfig}, for the config as a whole or any
 *   listed host.
 */
export function listConfiguredHosts(options: SshConfigOptions = {}): ConfiguredHost[] {
  const context = contextFrom(options);
  const root = loadConfig(context.configPath, context);
  const names = new Set<string>();
  collectHostNames(root, names);
  return [...names]
    .filter(isListableAlias)
    .sort()
    .map((name) => {
      const resolved = resolveWith(root, name, context, {});
      return {
        name,
        hostName: resolved.hostName,
        ...(resolved.user === undefined ? {} : { user: resolved.user }),
        ...(resolved.port === undefined ? {} : { port: resolved.port }),
      };
    });
}
