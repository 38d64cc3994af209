import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors/index.js';
import { checkCommand } from './check.js';
import type { Policy, PolicyRule } from './types.js';

const DENY_RM: Policy = { deny: ['rm'] };

function rules(decision: { violations: Array<{ rule: PolicyRule }> }): PolicyRule[] {
  return [...new Set(decision.violations.map((v) => v.rule))].sort();
}

/** [command, the rule(s) it must break under `deny: ['rm']`] */
const BYPASS_CORPUS: Array<[string, PolicyRule[]]> = [
  ['/bin/rm x', ['deny']],
  ['/usr/bin/../bin/rm x', ['deny']],
  ['r\\m x', ['deny']],
  ["'rm' x", ['deny']],
  ['"r""m" x', ['deny']],
  ["r''m x", ['deny']],
  ['\\rm x', ['deny']],
  ["$'\\x72m' x", ['deny']],
  ["$'\\162m' x", ['deny']],
  ["$'r\\u006d' x", ['deny']],
  ['RM x', ['deny']],
  ['echo $(rm x)', ['deny']],
  ['echo `rm x`', ['deny']],
  ['cat <(rm x)', ['deny']],
  ['cat >(rm x)', ['deny']],
  ['(rm x)', ['deny']],
  ['{ rm x; }', ['deny']],
  ['true && rm x', ['deny']],
  ['false || rm x', ['deny']],
  ['echo hi; rm x', ['deny']],
  ['echo hi\nrm x', ['deny']],
  ['ls & rm x', ['deny']],
  ['ls |& rm x', ['deny']],
  ['! rm x', ['deny']],
  ['! ! rm x', ['deny']],
  ['if true; then rm x; fi', ['deny']],
  ['if rm x; then :; fi', ['deny']],
  ['if false; then :; elif true; then :; else rm x; fi', ['deny']],
  ['while true; do rm x; done', ['deny']],
  ['until false; do rm x; done', ['deny']],
  ['for f in a; do rm $f; done', ['deny']],
  ['for ((i=0; i<1; i++)); do rm x; done', ['deny']],
  ['select x in a; do rm x; done', ['deny']],
  ['case a in a) rm x;; esac', ['deny']],
  ['case $(rm y) in *) :;; esac', ['deny']],
  ['f() { rm x; }; f', ['deny']],
  ['function g { rm x; }', ['deny']],
  ['f() (rm x)', ['deny']],
  ['[[ -f $(rm x) ]]', ['deny']],
  ['[[ x =~ $(rm x) ]]', ['deny']],
  ['echo $(( $(rm x) + 1 ))', ['deny']],
  ['(( x = $(rm x) ))', ['deny']],
  ['echo $[ $(rm x) ]', ['deny']],
  ['a[$(rm x)]=1', ['deny']],
  ['echo > $(rm x)', ['deny']],
  ['echo 2> "$(rm x)"', ['deny']],
  ['FOO=$(rm x) ls', ['deny']],
  ['x=`rm x`', ['deny']],
  ['export A=$(rm x)', ['deny']],
  ['arr=( $(rm x) )', ['deny']],
  ['echo ${x:-$(rm x)}', ['deny']],
  ['echo ${x:-`rm x`}', ['deny']],
  ['echo "${x:-"$(rm x)"}"', ['deny']],
  ['echo "$(echo ")" ; rm x)"', ['deny']],
  ['echo `echo \\`rm x\\``', ['deny']],
  ['echo "`echo \\"\'\\"; rm x; echo \\"\'\\"`"', ['deny']],
  ['cat <<EOF\n\t$(rm x)\nEOF', ['deny']],
  ['cat <<EOF\n{"a": "`rm x`"}\nEOF', ['deny']],
  ['cat <<-EOF\n\t$(rm x)\n\tEOF', ['deny']],
  ['bash -c \'rm x\'', ['deny']],
  ['sh -c "rm x"', ['deny']],
  ["bash -lc 'rm x'", ['deny']],
  ["bash -c $'rm\\x20x'", ['deny']],
  ["busybox sh -c 'rm x'", ['deny']],
  ["eval 'rm x'", ['deny']],
  ['eval rm x', ['deny']],
  ['env FOO=1 rm x', ['deny']],
  ['env -i PATH=/bin rm x', ['deny']],
  ['env - rm x', ['deny']],
  ['sudo rm x', ['deny']],
  ['sudo -u root rm x', ['deny']],
  ['sudo env FOO=1 nice timeout 3 rm x', ['deny']],
  ['doas rm x', ['deny']],
  ['command rm x', ['deny']],
  ['command -p rm x', ['deny']],
  ['builtin rm x', ['deny']],
  ['exec rm x', ['deny']],
  ['exec -a foo rm x', ['deny']],
  ['nohup rm x', ['deny']],
  ['timeout 5 rm x', ['deny']],
  ['timeout -s KILL 5s rm x', ['deny']],
  ['nice -n 5 rm x', ['deny']],
  ['nice -10 rm x', ['deny']],
  ['ionice -c3 rm x', ['deny']],
  ['setsid -f rm x', ['deny']],
  ['stdbuf -oL rm x', ['deny']],
  ['time rm x', ['deny']],
  ['time -p rm x', ['deny']],
  ['watch -n 5 rm x', ['deny']],
  ["watch 'ls; rm x'", ['deny']],
  ['flock /tmp/lock rm x', ['deny']],
  ["flock -w 5 /tmp/lock -c 'rm x'", ['deny']],
  ['coproc rm x', ['deny']],
  ['chroot / rm x', ['deny']],
  ['taskset 1 rm x', ['deny']],
  ["su -c 'rm x'", ['deny']],
  ['runuser -u bob -- rm x', ['deny']],
  ['xargs rm < list', ['deny']],
  ['xargs -I{} rm {}', ['deny']],
  ["xargs -n1 sh -c 'rm \"$1\"' _", ['deny']],
  ['find . -exec rm {} \\;', ['deny']],
  ["find . -name '*.o' -execdir rm {} + -print", ['deny']],
  ['find . -ok rm {} ;', ['deny']],
  ['busybox rm x', ['deny']],
  ['toybox rm x', ['deny']],
  ['rm\\\n x', ['deny']],
  ['r\\\nm x', ['deny']],
  ['"r"\\\nm x', ['deny']],
  ['echo a\\\n#b; rm x', ['deny']],
  ['ls #\\\nrm x', ['deny']],
  ["alias r=rm", ['deny']],
  ["alias ll='ls; rm x'", ['deny']],
  ["trap 'rm x' EXIT", ['deny']],
  ["PROMPT_COMMAND='rm x'", ['deny']],
  ["export PS1='$(rm x) $ '", ['deny']],
  // Regressions for tree-sitter-bash quirks the checker repairs.
  ['echo `ls` `rm x`', ['deny']], // tree-sitter reads "` `" as one token
  ['echo "`ls` `rm x`"', ['deny']],
  ['x=`true` `rm x`', ['deny']],
  ['echo $`rm x`', ['deny']], // tree-sitter's "$`" token
  ['echo "${x:-\'$(rm x)\'}"', ['deny']], // single quotes do not quote inside "${…:-…}"
  ["cat <<EOF\n${x:-'$(rm x)'}\nEOF", ['deny']],
  ['hash -p /bin/rm ls; ls x', ['deny']],
  ["mapfile -C 'rm x' -c 1 arr < f", ['deny']],
  ['done rm x', ['deny', 'parse_error']],
  ['enable -f ./x.so rm', ['unknown_program']],
  ['fc -s ls=rm', ['unknown_program']],
  // Fail closed: the program cannot be known statically.
  ['x=rm; $x file', ['unknown_program']],
  ['${RM:-rm} x', ['unknown_program']],
  ['"$(printf rm)" x', ['unknown_program']],
  ['r* x', ['unknown_program']],
  ['r? x', ['unknown_program']],
  ['[r]m x', ['parse_error']],
  ['r{m,} x', ['unknown_program']],
  ['{r,s}m x', ['parse_error', 'unknown_program']],
  ['echo rm x | sh', ['unknown_program']],
  ['echo rm x | bash -s', ['unknown_program']],
  ["bash <<< 'rm x'", ['unknown_program']],
  ['sh <<EOF\nrm x\nEOF', ['unknown_program']],
  ['sh < script.sh', ['unknown_program']],
  ['bash <(echo rm x)', ['unknown_program']],
  ['source <(echo rm x)', ['unknown_program']],
  ['. /dev/stdin', ['unknown_program']],
  ['sh -c "$CMD"', ['unknown_program']],
  ['eval "$(echo rm x)"', ['unknown_program']],
  ['trap "$CMD" EXIT', ['unknown_program']],
  ['sudo $CMD x', ['unknown_program']],
  ['sudo -s', ['unknown_program']],
  ['python3', ['unknown_program']],
  ['echo "import os" | python3 -', ['unknown_program']],
  ["env -S 'rm x'", ['unknown_program']],
  ['find . -exec {} \\;', ['unknown_program']],
  // tree-sitter structure problems fail closed as parse errors.
  ['cat <<EOF; rm x\nbody\nEOF', ['parse_error']],
  ['echo `# c ` ; rm x', ['parse_error']],
  ['coproc foo { rm x; }', ['parse_error', 'unknown_program']],
];

/** Commands that must be allowed under `deny: ['rm']`: `rm` here is data, or another program. */
const ALLOWED_UNDER_DENY_RM = [
  'echo "rm is off"',
  "git commit -m \"rm old\"",
  'grep rm file',
  'ls # rm',
  'echo a #b ; rm x',
  'rmdir x',
  'echo rm',
  'echo rm -rf /',
  "echo 'a;rm x'",
  'echo a\\;rm x',
  'echo \\`rm x\\`',
  "echo '`rm x`'",
  'echo "\\`rm x\\`"',
  "echo ${x:-'$(rm x)'}",
  "echo $'a\\' ; rm x ; echo \\''",
  "cat <<'EOF'\n$(rm x)\nEOF",
  'cat <<\\EOF\n$(rm x)\nEOF',
  'command -v rm',
  'x=rm',
  "python3 -c 'print(1)'",
  'bash script.sh',
  'find . -name rm',
  'man rm',
  'sudo -l rm',
  "echo ${x:-'$(rm x)'}", // unquoted: the single quotes do quote
  'echo a` `rm x` `b', // bash: "a" + `` ` ` `` + "rm"; no substitution runs rm
  'exec {fd}>file',
  "git log --format='%H $(rm x)'",
];

describe('checkCommand: bypass corpus under deny: [rm]', () => {
  it.each(BYPASS_CORPUS)('blocks %j', async (command, expected) => {
    const decision = await checkCommand(command, DENY_RM);
    expect(decision.allowed).toBe(false);
    expect(rules(decision)).toEqual(expected);
    if (expected.includes('deny')) {
      expect(decision.programs.map((p) => p.toLowerCase())).toContain('rm');
      const deny = decision.violations.find((v) => v.rule === 'deny')!;
      expect(deny.program?.toLowerCase()).toBe('rm');
      expect(deny.detail).toMatch(/deny.*"rm"/i);
    }
  });

  it.each(ALLOWED_UNDER_DENY_RM)('allows %j', async (command) => {
    const decision = await checkCommand(command, DENY_RM);
    expect(decision.violations).toEqual([]);
    expect(decision.allowed).toBe(true);
    expect(decision.programs).not.toContain('rm');
  });
});

describe('checkCommand: allow list', () => {
  const allow: Policy = { allow: ['ls', 'git'] };

  it('allows a pipeline of allowed programs', async () => {
    const decision = await checkCommand('ls | git status', allow);
    expect(decision).toEqual({ allowed: true, programs: ['ls', 'git'], violations: [] });
  });

  it('names the program that is not allowed', async () => {
    const decision = await checkCommand('ls | wc -l', allow);
    expect(decision.allowed).toBe(false);
    expect(decision.programs).toEqual(['ls', 'wc']);
    expect(decision.violations).toEqual([{ rule: 'allow', program: 'wc', detail: 'allow: program "wc" is not on the allow list' }]);
  });

  it.each([
    ['ls; cd /tmp', 'cd'],
    ['ls $(wc -l < x)', 'wc'],
    ['sudo ls', 'sudo'],
    ['if ls; then head x; fi', 'head'],
    ['ls <<EOF\n$(wc)\nEOF', 'wc'],
    ['f() { ls; }; f', 'f'],
    ['bash -c "ls"', 'bash'],
  ])('blocks %j naming %s', async (command, program) => {
    const decision = await checkCommand(command, allow);
    expect(decision.allowed).toBe(false);
    expect(decision.violations.filter((v) => v.rule === 'allow').map((v) => v.program)).toContain(program);
  });

  it.each(['"ls" -la', '/usr/bin/git status', 'ls > out.txt 2>&1', 'x=1 ls', 'if ls; then git status; fi', 'LS'])(
    'allows %j',
    async (command) => {
      expect((await checkCommand(command, allow)).allowed).toBe(true);
    },
  );

  it('an empty allow list allows nothing', async () => {
    const decision = await checkCommand('ls', { allow: [] });
    expect(decision.violations).toEqual([{ rule: 'allow', program: 'ls', detail: 'allow: program "ls" is not on the allow list' }]);
  });

  it('deny wins over allow', async () => {
    const decision = await checkCommand('ls', { allow: ['ls'], deny: ['ls'] });
    expect(rules(decision)).toEqual(['deny']);
  });

  it('fails closed on unknown programs in allow mode too', async () => {
    expect(rules(await checkCommand('$CMD', allow))).toEqual(['unknown_program']);
  });
});

describe('checkCommand: no list', () => {
  it('reports programs and allows when the policy is empty', async () => {
    const decision = await checkCommand('git status && rm -rf build | wc -l', {});
    expect(decision).toEqual({ allowed: true, programs: ['git', 'rm', 'wc'], violations: [] });
  });

  it('does not fail closed on unknown programs or parse errors without a list', async () => {
    expect((await checkCommand('$CMD x', { guard: true })).allowed).toBe(true);
    expect((await checkCommand('echo "unterminated', { guard: true })).allowed).toBe(true);
    expect((await checkCommand('if true; then', {})).allowed).toBe(true);
  });

  it('a parse error is a violation when a list is active', async () => {
    const decision = await checkCommand('if true; then', { deny: ['rm'] });
    expect(rules(decision)).toEqual(['parse_error']);
    expect(decision.violations[0]!.detail).toMatch(/^parse_error: /);
  });
});

describe('checkCommand: deny patterns', () => {
  it('matches the raw command text', async () => {
    const decision = await checkCommand('git push --force origin main', { deny_patterns: ['push\\s+--force'] });
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]).toMatchObject({ rule: 'deny_pattern' });
    expect(decision.violations[0]!.detail).toContain('/push\\s+--force/');
  });

  it('matches each simple command after normalisation', async () => {
    const decision = await checkCommand("sudo g'i't  push   \"--force\"", { deny_patterns: ['^git push --force'] });
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]).toMatchObject({ rule: 'deny_pattern', program: 'git' });
  });

  it('does not match unrelated commands', async () => {
    expect((await checkCommand('git push origin main', { deny_patterns: ['push\\s+--force'] })).allowed).toBe(true);
  });

  // Commands over 4096 chars of pattern-checked text run the deny patterns under a time limit.
  const LONG = `echo ${'abc '.repeat(12_000)}`;

  it('runs deny patterns on long commands and reports their matches', async () => {
    const matched = await checkCommand(`${LONG}; git push --force`, { deny_patterns: ['push\\s+--force'] });
    expect(matched.allowed).toBe(false);
    expect(matched.violations).toHaveLength(1);
    expect(matched.violations[0]!.detail).toContain('/push\\s+--force/');
    expect((await checkCommand(LONG, { deny_patterns: ['push\\s+--force'] })).allowed).toBe(true);
  });

  it('treats a deny pattern that exceeds its time limit on a long command as a match', async () => {
    // Backtracks cubically on ~48 000 chars with no `d`: far beyond any time limit, so it can only end by one.
    const decision = await checkCommand(LONG, { deny_patterns: ['a.*b.*c.*d'] });
    expect(decision.allowed).toBe(false);
    expect(decision.violations).toEqual([
      { rule: 'deny_pattern', detail: expect.stringMatching(/^deny_pattern: deny patterns took longer than \d+ ms on this command; treated as a match$/) },
    ]);
  });

  it('decides a short command by matching, even with a slow pattern', async () => {
    // The same pattern on a short command finishes and decides by matching.
    expect((await checkCommand('echo abc abc', { deny_patterns: ['a.*b.*c.*d'] })).allowed).toBe(true);
    const matched = await checkCommand('echo abc abd', { deny_patterns: ['a.*b.*c.*d'] });
    expect(matched.violations).toEqual([{ rule: 'deny_pattern', detail: 'deny_pattern: the command matches deny pattern /a.*b.*c.*d/' }]);
  });
});

describe('checkCommand: arguments', () => {
  it('rejects an invalid policy', async () => {
    await expect(checkCommand('ls', { allow: 'ls' } as unknown as Policy)).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(checkCommand('ls', { deny_patterns: ['(a+)+'] })).rejects.toThrow(/backtracking/);
  });

  it('deduplicates programs and violations', async () => {
    const decision = await checkCommand('rm a; rm b; /bin/rm c', DENY_RM);
    expect(decision.programs).toEqual(['rm']);
    expect(decision.violations).toHaveLength(1);
  });
});
