import { describe, expect, it } from 'vitest';
import { mayChangeExports, parseExports, restorableExports } from './exports.js';

describe('parseExports', () => {
  it('reads bash declare -x lines with escapes and multi-line values', () => {
    const text = 'declare -x HOME="/root"\ndeclare -x EMPTY=""\ndeclare -x NOVALUE\ndeclare -rx RO="r"\ndeclare -x Q="a \\"b\\" \\$c \\\\ d `e`"\ndeclare -x ML="one\ntwo"\n';
    expect(parseExports(text)).toEqual([
      ['HOME', '/root'],
      ['EMPTY', ''],
      ['RO', 'r'],
      ['Q', 'a "b" $c \\ d `e`'],
      ['ML', 'one\ntwo'],
    ]);
  });

  it("reads POSIX export lines with '\\'' quoting", () => {
    const text = "export A='x'\nexport B='it'\\''s'\nexport C='multi\nline'\nexport D\n";
    expect(parseExports(text)).toEqual([
      ['A', 'x'],
      ['B', "it's"],
      ['C', 'multi\nline'],
    ]);
  });

  it("decodes $'…' quoting", () => {
    expect(parseExports("declare -x T=$'a\\tb\\x41\\101\\n'\n")).toEqual([['T', 'a\tbAA\n']]);
  });

  it('leaves out per-shell and per-connection variables', () => {
    const pairs = restorableExports(parseExports("export PWD='/x'\nexport SSH_CONNECTION='1 2 3 4'\nexport KEEP='1'\nexport SHLVL='1'\n"));
    expect(pairs).toEqual([['KEEP', '1']]);
  });
});

describe('mayChangeExports', () => {
  it.each(['export A=1', 'A=1', 'cd /tmp; B=2 make', 'unset X', 'source ./env.sh', '. ./env.sh', 'eval "$x"', 'set -a', 'f() { declare -gx Q=1; }'])('%s → true', (command) => {
    expect(mayChangeExports(command)).toBe(true);
  });
  it.each(['echo hi', 'ls -la a.txt', 'grep --color=auto x', 'cat file.env', 'git status'])('%s → false', (command) => {
    expect(mayChangeExports(command)).toBe(false);
  });
});
