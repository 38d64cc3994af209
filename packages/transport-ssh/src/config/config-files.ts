/**
 * Reading ssh_config files and following their `Include` directives.
 *
 * Parsing is done by the `ssh-config` package (`parse()`): it splits lines into directives,
 * handles `=`, quoting and comments, and groups the lines after each `Host`/`Match` line into a
 * section. It does not read files: an `Include` line is returned as a plain directive. This
 * module reads the main file and, recursively, every file an `Include` names (anchored, tilde-
 * and glob-expanded like OpenSSH's readconf.c), and keeps each Include at its place in the tree so
 * the resolver can apply the included lines under the same conditions as the Include line itself.
 *
 * @internal
 */

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InvalidOptionsError } from '@execkit/core';
import { LineType, parse, type Directive, type Line } from 'ssh-config';
import { expandGlob } from './patterns.js';
import { expandTilde } from './values.js';

/** Deepest `Include` nesting OpenSSH allows (READCONF_MAX_DEPTH in readconf.c). */
export const MAX_INCLUDE_DEPTH = 16;
/** Most files one resolution may load through `Include` (guards against include fan-out). */
export const MAX_INCLUDED_FILES = 1024;
/** Largest config file read (bytes). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** A directive outside `Host`/`Match`, or inside one. `keyword` is lowercased. */
export interface OptionEntry {
  kind: 'option';
  keyword: string;
  /** The value as ssh-config returned it, multi-word values joined by one space. */
  value: string;
}

/** An `Include` line: the files it named, loaded, in glob order. */
export interface IncludeEntry {
  kind: 'include';
  files: ConfigFile[];
}

/** A `Host` line and the lines up to the next `Host`/`Match` line. */
export interface HostSection {
  kind: 'host';
  patterns: string[];
  entries: Array<OptionEntry | IncludeEntry>;
}

/** A `Match` line (its words, criteria and arguments) and the lines up to the next section. */
export interface MatchSection {
  kind: 'match';
  words: string[];
  entries: Array<OptionEntry | IncludeEntry>;
}

export type Entry = OptionEntry | IncludeEntry | HostSection | MatchSection;

/** One loaded config file. A missing file has no entries. */
export interface ConfigFile {
  path: string;
  entries: Entry[];
}

export interface LoadContext {
  homeDir: string;
  localUser: string;
}

interface LoadState extends LoadContext {
  loaded: number;
}

function configError(message: string): InvalidOptionsError {
  return new InvalidOptionsError('sshConfig', message);
}

/**
 * Reads a config file as ssh(1) would: a missing file (ENOENT/ENOTDIR) is an empty config, and so
 * is anything that is not a regular file (`/dev/null`, a directory). Never blocks on a FIFO.
 * Regular files must not be writable by group or others and must be owned by root or the current
 * user (OpenSSH readconf.c `SSHCONF_CHECKPERM`: "Bad owner or permissions").
 */
function readConfigText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    throw configError(`cannot read ${path} (${code ?? 'error'}).`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return '';
    const uid = process.getuid?.();
    if ((stats.mode & 0o022) !== 0 || (uid !== undefined && stats.uid !== 0 && stats.uid !== uid)) {
      throw configError(`Bad owner or permissions on ${path}.`);
    }
    if (stats.size > MAX_CONFIG_FILE_BYTES) throw configError(`${path} is larger than ${MAX_CONFIG_FILE_BYTES} bytes.`);
    const buffer = Buffer.alloc(Math.min(stats.size + 1, MAX_CONFIG_FILE_BYTES + 1));
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_CONFIG_FILE_BYTES) throw configError(`${path} is larger than ${MAX_CONFIG_FILE_BYTES} bytes.`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function wordsOf(line: Directive): string[] {
  const value = line.value;
  if (Array.isArray(value)) return value.map((part) => part.val);
  return value === '' ? [] : [value];
}

/**
 * Where OpenSSH looks for an `Include` argument of a user config: `~…` is tilde-expanded, an
 * absolute path kept, anything else taken relative to `~/.ssh`.
 */
function anchorInclude(argument: string, context: LoadContext): string {
  if (argument.startsWith('~')) return expandTilde(argument, context.homeDir, context.localUser, 'Include');
  if (isAbsolute(argument)) return argument;
  return join(context.homeDir, '.ssh', argument);
}

function loadFile(path: string, depth: number, state: LoadState): ConfigFile {
  if (depth > MAX_INCLUDE_DEPTH) {
    throw configError(`Include nesting is deeper than ${MAX_INCLUDE_DEPTH} levels (an Include loop?).`);
  }
  const text = readConfigText(path);
  let lines: Line[];
  try {
    lines = [...parse(text)];
  } catch {
    // ssh-config's messages quote the offending text; say what is wrong without it.
    throw configError(`${path} could not be parsed (an unclosed quote, or a Match criterion without its argument).`);
  }
  const convert = (line: Line): OptionEntry | IncludeEntry | undefined => {
    if (line.type !== LineType.DIRECTIVE) return undefined;
    const keyword = line.param.toLowerCase();
    const words = wordsOf(line);
    if (keyword === 'include') {
      if (words.length === 0) throw configError(`${path} has an Include without a path.`);
      const files: ConfigFile[] = [];
      for (const word of words) {
        for (const match of expandGlob(anchorInclude(word, state))) {
          state.loaded += 1;
          if (state.loaded > MAX_INCLUDED_FILES) throw configError(`more than ${MAX_INCLUDED_FILES} files are included.`);
          files.push(loadFile(match, depth + 1, state));
        }
      }
      return { kind: 'include', files };
    }
    return { kind: 'option', keyword, value: words.join(' ') };
  };
  const entries: Entry[] = [];
  for (const line of lines) {
    if (line.type !== LineType.DIRECTIVE) continue;
    const keyword = line.param.toLowerCase();
    if ((keyword === 'host' || keyword === 'match') && 'config' in line) {
      const inner: Array<OptionEntry | IncludeEntry> = [];
      for (const child of line.config) {
        const entry = convert(child);
        if (entry !== undefined) inner.push(entry);
      }
      const words = wordsOf(line);
      entries.push(keyword === 'host' ? { kind: 'host', patterns: words, entries: inner } : { kind: 'match', words, entries: inner });
    } else {
      const entry = convert(line);
      if (entry !== undefined) entries.push(entry);
    }
  }
  return { path, entries };
}

/**
 * Loads `path` and everything it includes, recursively (depth 0 is `path`; up to
 * {@link MAX_INCLUDE_DEPTH} levels below it, like OpenSSH). Included files are loaded whether or
 * not the block around the Include applies (OpenSSH parses them too); a missing file or a glob
 * that matches nothing is skipped.
 *
 * @throws {InvalidOptionsError} (field `sshConfig`) on unreadable or unsafe files, parse errors,
 *   an Include nested too deeply and too many included files.
 */
export function loadConfig(path: string, context: LoadContext): ConfigFile {
  return loadFile(path, 0, { ...context, loaded: 0 });
}
