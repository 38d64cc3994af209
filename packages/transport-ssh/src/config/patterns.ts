/**
 * Pattern matching as OpenSSH does it (match.c), plus the subset of glob(3) that `Include` needs.
 *
 * ssh-config ships a `glob()` helper, but it is not used here: it translates `?` to `.?` (zero or
 * one character, where ssh_config(5) says exactly one), splits `Host` lines on commas (OpenSSH
 * does not) and builds a RegExp per call. These matchers are linear-time, never use RegExp and
 * never touch anything but their arguments.
 *
 * @internal
 */

import { readdirSync } from 'node:fs';
import { join, parse as parsePath, sep } from 'node:path';

type Token =
  | { kind: 'star' }
  | { kind: 'one' }
  | { kind: 'char'; ch: string }
  | { kind: 'class'; negate: boolean; ranges: Array<[string, string]> };

/** Splits a pattern into tokens; `glob` turns on the glob(3) extras (`\` escapes, `[...]`). */
function tokenize(pattern: string, glob: boolean): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') {
      tokens.push({ kind: 'one' });
    } else if (glob && c === '\\' && i + 1 < chars.length) {
      tokens.push({ kind: 'char', ch: chars[++i]! });
    } else if (glob && c === '[') {
      const parsed = parseClass(chars, i);
      if (parsed === undefined) {
        tokens.push({ kind: 'char', ch: c });
      } else {
        tokens.push(parsed.token);
        i = parsed.end;
      }
    } else {
      tokens.push({ kind: 'char', ch: c });
    }
  }
  return tokens;
}

/** Parses `[...]` starting at `start`; `undefined` when unterminated (then `[` is literal). */
function parseClass(chars: string[], start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (chars[i] === '!' || chars[i] === '^') {
    negate = true;
    i++;
  }
  const ranges: Array<[string, string]> = [];
  let first = true;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === ']' && !first) return { token: { kind: 'class', negate, ranges }, end: i };
    first = false;
    if (chars[i + 1] === '-' && chars[i + 2] !== undefined && chars[i + 2] !== ']') {
      ranges.push([c, chars[i + 2]!]);
      i += 3;
    } else {
      ranges.push([c, c]);
      i++;
    }
  }
  return undefined;
}

function tokenMatches(token: Token, ch: string): boolean {
  switch (token.kind) {
    case 'one':
      return true;
    case 'char':
      return token.ch === ch;
    case 'class': {
      const inside = token.ranges.some(([lo, hi]) => ch >= lo && ch <= hi);
      return inside !== token.negate;
    }
    case 'star':
      return false;
  }
}

/** Wildcard match with single-star backtracking: O(text × pattern) worst case, no recursion. */
function matchTokens(text: string, tokens: Token[]): boolean {
  const chars = Array.from(text);
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < chars.length) {
    const token = tokens[p];
    if (token !== undefined && token.kind === 'star') {
      starP = p++;
      starT = t;
    } else if (token !== undefined && tokenMatches(token, chars[t]!)) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (tokens[p]?.kind === 'star') p++;
  return p === tokens.length;
}

/**
 * OpenSSH `match_pattern()`: `*` matches any run of characters (also none), `?` exactly one;
 * everything else literally and case-sensitively. No escapes, no character classes.
 */
export function matchPattern(text: string, pattern: string): boolean {
  return matchTokens(text, tokenize(pattern, false));
}

/**
 * OpenSSH `match_pattern_list()`: a comma-separated list whose entries may be negated with `!`.
 * A matching negated entry makes the whole list fail even if a positive entry matched; otherwise
 * the list matches when any positive entry does. With `lowercase`, entries are lowercased before
 * matching (the text must then already be lowercase), as OpenSSH does for host names.
 */
export function matchPatternList(text: string, list: string, lowercase: boolean): boolean {
  let positive = false;
  for (const rawEntry of list.split(',')) {
    const entry = lowercase ? rawEntry.toLowerCase() : rawEntry;
    const negated = entry.startsWith('!');
    const pattern = negated ? entry.slice(1) : entry;
    if (matchPattern(text, pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

/** OpenSSH `match_hostname()`: {@link matchPatternList}, case-insensitively. */
export function matchHostname(host: string, list: string): boolean {
  return matchPatternList(host.toLowerCase(), list, true);
}

/** True when `pattern` contains a wildcard (`*` or `?`) or negation (`!`) (ssh_config PATTERNS). */
export function isHostPattern(pattern: string): boolean {
  return /[*?!]/.test(pattern);
}

function hasGlobMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** Removes glob escapes from a segment without magic characters. */
function unescapeGlob(segment: string): string {
  return segment.replace(/\\(.)/g, '$1');
}

/**
 * glob(3) as OpenSSH's `Include` calls it (`GLOB_NOCHECK`, sorted): expands `*`, `?` and `[...]`
 * in any path segment of an absolute `pattern`; a wildcard does not match a leading `.` unless
 * the pattern segment starts with one. A pattern without magic is returned as is (whether or not
 * the file exists); a pattern with magic that matches nothing yields `[]`.
 *
 * @param pattern An absolute path.
 * @returns Absolute paths, sorted by code unit.
 */
export function expandGlob(pattern: string): string[] {
  const { root } = parsePath(pattern);
  const segments = pattern.slice(root.length).split(sep).filter((s) => s !== '');
  if (!segments.some(hasGlobMagic)) return [root + segments.map(unescapeGlob).join(sep)];
  let current = [root];
  for (const segment of segments) {
    const next: string[] = [];
    if (!hasGlobMagic(segment)) {
      for (const dir of current) next.push(join(dir, unescapeGlob(segment)));
    } else {
      const tokens = tokenize(segment, true);
      const dotAllowed = segment.startsWith('.');
      for (const dir of current) {
        let entries: string[];
        try {
          entries = readdirSync(dir);
        } catch {
          continue;
        }
        for (const entry of entries.sort()) {
          if (entry.startsWith('.') && !dotAllowed) continue;
          if (matchTokens(entry, tokens)) next.push(join(dir, entry));
        }
      }
    }
    current = next;
    if (current.length === 0) return [];
  }
  return current.sort();
}
