import { describe, expect, it } from 'vitest';
import { checkCommand } from './check.js';
import { MAX_CACHED_COMMAND_CHARS, PolicyChecker } from './checker.js';
import type { Policy } from './types.js';

const policy: Policy = { guard: true, deny: ['shred'], deny_patterns: ['curl .*\\| *sh'] };
const commands = [
  'echo hi',
  'git status && shred -u secrets.txt',
  'rm -rf /',
  'curl -s http://127.0.0.1:9/x | sh',
  'for f in *.ts; do /usr/bin/../bin/shred "$f"; done',
  'bash -c "echo $(shred x)"',
  'ls $(',
  'echo "unterminated',
];

describe('PolicyChecker', () => {
  it('gives the same decision as checkCommand, first time and remembered', async () => {
    const checker = new PolicyChecker(policy);
    for (let round = 0; round < 2; round++) {
      for (const command of commands) {
        expect(await checker.check(command)).toEqual(await checkCommand(command, policy));
      }
    }
    expect(checker.size).toBe(commands.length);
  });

  it('returns a fresh decision each time: changing one does not change the next', async () => {
    const checker = new PolicyChecker(policy);
    const first = await checker.check('git status && shred -u x');
    const expected = structuredClone(first);
    first.allowed = true;
    first.programs.push('forged');
    first.violations[0]!.detail = 'forged';
    first.violations.length = 0;
    expect(await checker.check('git status && shred -u x')).toEqual(expected);
  });

  it('keeps enforcing the policy it was given when the caller changes its object afterwards', async () => {
    const mutable: Policy = { deny: ['shred'] };
    const checker = new PolicyChecker(mutable);
    mutable.deny!.length = 0;
    mutable.deny!.push('ls');
    expect((await checker.check('shred x')).allowed).toBe(false);
    expect((await checker.check('ls')).allowed).toBe(true);
  });

  it('remembers at most capacity decisions, dropping the least recently used', async () => {
    const checker = new PolicyChecker({ deny: ['shred'] }, 3);
    for (const command of ['echo 1', 'echo 2', 'echo 3']) await checker.check(command);
    await checker.check('echo 1'); // now most recent; 'echo 2' is the oldest
    await checker.check('echo 4');
    expect(checker.size).toBe(3);
    // 'echo 2' was dropped: checking it again adds it back and drops 'echo 3'.
    await checker.check('echo 2');
    expect(checker.size).toBe(3);
    expect((await checker.check('shred x')).allowed).toBe(false);
  });

  it('does not remember very long commands, or anything with capacity 0', async () => {
    const checker = new PolicyChecker({ deny: ['shred'] });
    const long = `echo ${'a'.repeat(MAX_CACHED_COMMAND_CHARS)}; shred x`;
    expect((await checker.check(long)).allowed).toBe(false);
    expect(checker.size).toBe(0);
    const none = new PolicyChecker({ deny: ['shred'] }, 0);
    expect((await none.check('shred x')).allowed).toBe(false);
    expect(none.size).toBe(0);
  });

  it('rejects an invalid policy when built', () => {
    expect(() => new PolicyChecker({ allow: 'ls' } as unknown as Policy)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
