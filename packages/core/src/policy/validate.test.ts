import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors/index.js';
import { narrowPolicy, unsafePatternReason, validatePolicy } from './validate.js';

describe('validatePolicy', () => {
  it('accepts a full policy and returns a clean copy', () => {
    const input = { allow: ['ls', 'git', 'LS'], deny: ['rm'], deny_patterns: ['push\\s+--force'], guard: true };
    expect(validatePolicy(input)).toEqual({ allow: ['ls', 'git'], deny: ['rm'], deny_patterns: ['push\\s+--force'], guard: true });
    expect(validatePolicy({})).toEqual({});
  });

  it('rejects unknown fields, naming all of them', () => {
    expect(() => validatePolicy({ allow: ['ls'], alow: ['x'], denny: [] })).toThrow(InvalidOptionsError);
    expect(() => validatePolicy({ alow: ['x'], denny: [] })).toThrow(/unknown fields "alow", "denny"/);
    try {
      validatePolicy({ extra: 1 });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).field).toBe('policy');
      expect((error as Error).message).toMatch(/unknown field "extra"/);
    }
  });

  it.each([
    [null, /must be an object/],
    [[], /must be an object/],
    ['deny rm', /must be an object/],
    [{ allow: 'ls' }, /policy\.allow: must be an array/],
    [{ deny: [1] }, /policy\.deny\[0\]: must be a string/],
    [{ deny: [''] }, /1 to 255 characters/],
    [{ deny: ['/bin/rm'] }, /bare program name/],
    [{ allow: ['git status'] }, /bare program name/],
    [{ allow: ['ls\n'] }, /bare program name/],
    [{ deny_patterns: 'rm' }, /must be an array/],
    [{ deny_patterns: [3] }, /deny_patterns\[0\]: must be a string/],
    [{ deny_patterns: ['('] }, /not a valid regular expression/],
    [{ deny_patterns: ['x'.repeat(257)] }, /1 to 256 characters/],
    [{ deny_patterns: Array.from({ length: 65 }, (_, i) => `p${i}`) }, /at most 64/],
    [{ deny_patterns: ['(a+)+$'] }, /backtracking/],
    [{ deny_patterns: ['(a|ab)*c'] }, /backtracking/],
    [{ deny_patterns: ['(\\w+\\s?)*$'] }, /backtracking/],
    [{ deny_patterns: ['(x(a|b))+'] }, /backtracking/],
    [{ deny_patterns: ['(a)\\1'] }, /backreferences/],
    [{ deny_patterns: ['(?<n>a)\\k<n>'] }, /backreferences/],
    [{ deny_patterns: ['.*'] }, /empty string/],
    [{ guard: 'yes' }, /policy\.guard: must be a boolean/],
  ])('rejects %j', (input, message) => {
    expect(() => validatePolicy(input)).toThrow(InvalidOptionsError);
    expect(() => validatePolicy(input)).toThrow(message);
  });

  it('accepts ordinary deny patterns', () => {
    for (const pattern of ['rm\\s+-rf', '^git push (-f|--force)', 'curl.*\\|\\s*(ba)?sh', '(?:foo)?bar', '[a-z]{2,5}x', 'a{3}', 'x(?=y)']) {
      expect(unsafePatternReason(pattern)).toBeNull();
      expect(() => validatePolicy({ deny_patterns: [pattern] })).not.toThrow();
    }
  });
});

describe('narrowPolicy', () => {
  it('intersects allow, unions deny and patterns, ors guard', () => {
    const operator = { allow: ['ls', 'git', 'cat'], deny: ['rm'], deny_patterns: ['a+b'], guard: false };
    const session = { allow: ['git', 'LS', 'curl'], deny: ['dd', 'RM'], deny_patterns: ['c+d', 'a+b'], guard: true };
    expect(narrowPolicy(operator, session)).toEqual({
      allow: ['ls', 'git'],
      deny: ['rm', 'dd'],
      deny_patterns: ['a+b', 'c+d'],
      guard: true,
    });
  });

  it('a session cannot widen: its allow list alone applies, and an empty intersection allows nothing', () => {
    expect(narrowPolicy({}, { allow: ['ls'] })).toEqual({ allow: ['ls'] });
    expect(narrowPolicy({ allow: ['ls'] }, {})).toEqual({ allow: ['ls'] });
    expect(narrowPolicy({ allow: ['ls'] }, { allow: ['curl'] })).toEqual({ allow: [] });
    expect(narrowPolicy({ guard: true }, { guard: false })).toEqual({ guard: true });
  });

  it('validates both sides', () => {
    expect(() => narrowPolicy({ allow: ['ls'] }, { allow: ['ls'], sneaky: true } as never)).toThrow(/unknown field "sneaky"/);
    expect(() => narrowPolicy({ deny: 'rm' } as never, {})).toThrow(InvalidOptionsError);
  });
});
