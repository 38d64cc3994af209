import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGlob, isHostPattern, matchHostname, matchPattern, matchPatternList } from './patterns.js';
import { expandPercentTokens, parseTimeInterval } from './values.js';

describe('matchPattern (OpenSSH match_pattern)', () => {
  it.each([
    ['web', 'web', true],
    ['web', 'Web', false],
    ['db1', 'db?', true],
    ['db', 'db?', false],
    ['db12', 'db?', false],
    ['a.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['anything', '*', true],
    ['', '*', true],
    ['abc', 'a*c', true],
    ['abxc', 'a*c', true],
    ['abcd', 'a*c', false],
    ['a.b', 'a.b', true],
    ['axb', 'a.b', false],
    ['a+b', 'a+b', true],
    ['[x]', '[x]', true],
    ['x', '[x]', false],
  ])('%s vs %s → %s', (text, pattern, expected) => {
    expect(matchPattern(text, pattern)).toBe(expected);
  });

  it('decides pathological patterns', () => {
    expect(matchPattern('a'.repeat(5000), '*a*a*a*a*a*a*a*b')).toBe(false);
    expect(matchPattern(`${'a'.repeat(5000)}b`, '*a*a*a*a*a*a*a*b')).toBe(true);
    expect(matchPattern('a'.repeat(6), '*a*a*a*a*a*a*a*')).toBe(false);
  });
});

describe('matchPatternList / matchHostname', () => {
  it('a negated match wins over a positive one; no positive → false', () => {
    expect(matchPatternList('web', 'w*,!web', false)).toBe(false);
    expect(matchPatternList('db', 'w*,!web', false)).toBe(false);
    expect(matchPatternList('wiki', 'w*,!web', false)).toBe(true);
    expect(matchPatternList('x', '!y', false)).toBe(false);
  });

  it('matchHostname is case-insensitive', () => {
    expect(matchHostname('WEB.Example.COM', '*.example.com')).toBe(true);
    expect(matchHostname('web', 'WEB')).toBe(true);
  });

  it('isHostPattern flags *, ? and !', () => {
    expect(['*', 'a?', '!b', 'c*d'].every(isHostPattern)).toBe(true);
    expect(isHostPattern('plain.example.com')).toBe(false);
  });
});

describe('expandGlob (Include)', () => {
  const root = mkdtempSync(join(tmpdir(), 'execkit-glob-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'd', 'sub1'), { recursive: true });
  mkdirSync(join(root, 'd', 'sub2'), { recursive: true });
  for (const name of ['b.conf', 'a.conf', '.hidden.conf', 'c.txt', 'x1', 'x2', 'x10']) writeFileSync(join(root, 'd', name), '');
  writeFileSync(join(root, 'd', 'sub1', 'config'), '');
  writeFileSync(join(root, 'd', 'sub2', 'config'), '');

  it('returns sorted matches and skips dot files', () => {
    expect(expandGlob(join(root, 'd', '*.conf'))).toEqual([join(root, 'd', 'a.conf'), join(root, 'd', 'b.conf')]);
    expect(expandGlob(join(root, 'd', '.*.conf'))).toEqual([join(root, 'd', '.hidden.conf')]);
  });

  it('supports ?, [ranges] and wildcards in directories', () => {
    expect(expandGlob(join(root, 'd', 'x?'))).toEqual([join(root, 'd', 'x1'), join(root, 'd', 'x2')]);
    expect(expandGlob(join(root, 'd', 'x[2-9]'))).toEqual([join(root, 'd', 'x2')]);
    expect(expandGlob(join(root, 'd', 'x[!2]*'))).toEqual([join(root, 'd', 'x1'), join(root, 'd', 'x10')]);
    expect(expandGlob(join(root, 'd', 'sub*', 'config'))).toEqual([join(root, 'd', 'sub1', 'config'), join(root, 'd', 'sub2', 'config')]);
  });

  it('returns [] when a pattern matches nothing, and a plain path as is', () => {
    expect(expandGlob(join(root, 'd', '*.none'))).toEqual([]);
    expect(expandGlob(join(root, 'nope', '*'))).toEqual([]);
    expect(expandGlob(join(root, 'missing.conf'))).toEqual([join(root, 'missing.conf')]);
  });
});

describe('values', () => {
  it('parseTimeInterval follows OpenSSH convtime', () => {
    expect(parseTimeInterval('30')).toBe(30);
    expect(parseTimeInterval('1m30s')).toBe(90);
    expect(parseTimeInterval('1h')).toBe(3600);
    expect(parseTimeInterval('2W1D')).toBe(2 * 604_800 + 86_400);
    expect(parseTimeInterval('1m30')).toBe(90);
    for (const bad of ['', 'x', '30x', '30 s', '-5', '1.5', '30s5m7x', '99999999999']) expect(parseTimeInterval(bad), bad).toBeUndefined();
    expect(parseTimeInterval('30 1m')).toBeUndefined();
  });

  it('expandPercentTokens expands known tokens and %%, refuses others and a trailing %', () => {
    expect(expandPercentTokens('%h:%p%%', { h: 'host', p: '22' }, 'X')).toBe('host:22%');
    expect(() => expandPercentTokens('%q', { h: 'x' }, 'X')).toThrow(/%q/);
    expect(() => expandPercentTokens('abc%', { h: 'x' }, 'X')).toThrow(/lone '%'/);
    expect(() => expandPercentTokens('%toString', { h: 'x' }, 'X')).toThrow(/%t/);
  });
});
