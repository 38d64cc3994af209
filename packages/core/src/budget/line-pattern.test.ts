import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors/index.js';
import { compileLinePattern } from './line-pattern.js';

/** Lines of `text` (split on '\n') that the pattern matches, through one matcher in line order. */
function matching(pattern: string, lines: string[]): string[] {
  const matcher = compileLinePattern(pattern, 'p')();
  const text = lines.join('\n');
  const hits: string[] = [];
  let start = 0;
  for (const line of lines) {
    if (matcher.test(text, start, start + line.length)) hits.push(line);
    start += line.length + 1;
  }
  return hits;
}

function rejection(pattern: string): string {
  try {
    compileLinePattern(pattern, 'budget.grep.pattern');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).field).toBe('budget.grep.pattern');
    return (error as Error).message;
  }
  throw new Error(`accepted ${pattern}`);
}

describe('line patterns', () => {
  it('match like JavaScript regular expressions, per line', () => {
    const lines = ['ERROR: disk full', 'warn: low', 'error lower', '  at foo (x.js:1:2)', 'x-1.js', 'café 😀', '', 'abc'];
    expect(matching('ERROR', lines)).toEqual(['ERROR: disk full']);
    expect(matching('ERROR|warn', lines)).toEqual(['ERROR: disk full', 'warn: low']);
    expect(matching('[Ee]rror', lines)).toEqual(['error lower']);
    expect(matching('^\\s+at ', lines)).toEqual(['  at foo (x.js:1:2)']);
    expect(matching('\\.js$', lines)).toEqual(['x-1.js']);
    expect(matching('x\\-\\d\\.js', lines)).toEqual(['x-1.js']);
    expect(matching('^$', lines)).toEqual(['']);
    expect(matching('\\bat\\b', lines)).toEqual(['  at foo (x.js:1:2)']);
    expect(matching('caf\\u00e9 \\u{1F600}', lines)).toEqual(['café 😀']);
    expect(matching('\\p{Emoji_Presentation}', lines)).toEqual(['café 😀']);
    expect(matching('^.{3}$', lines)).toEqual(['abc']);
    expect(matching('é .$', lines)).toEqual(['café 😀']);
    expect(matching('.*', lines)).toEqual(lines);
    expect(matching('(?:ab)+c', lines)).toEqual(['abc']);
    expect(matching('(a+)?bc', lines)).toEqual(['abc']);
    expect(matching('\\d{1,3}:\\d+\\)', lines)).toEqual(['  at foo (x.js:1:2)']);
  });

  it('agree with V8 on many generated patterns and lines', () => {
    let seed = 42;
    const random = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const pick = <T>(items: T[]): T => items[random(items.length)]!;
    const atoms = ['a', 'b', '.', '[ab]', '[^a]', '\\w', '\\W', '\\s', '\\d', '😀', 'é', '[a-c😀]', '\\.', '\\/'];
    const quantifiers = ['', '', '', '*', '+', '?', '{2}', '{1,2}', '{0,}', '*?'];
    const term = (depth: number): string => {
      const roll = random(10);
      // (\B is left out: V8 also tries it between the halves of a surrogate pair; see below.)
      if (roll === 0) return pick(['^', '$', '\\b']);
      if (roll === 1 && depth < 2) {
        // A group: repeated only when it holds no quantifier or alternation.
        if (random(2) === 0) return `(${sequence(depth + 1)}|${sequence(depth + 1)})${pick(['', '?'])}`;
        return `(?:${pick(atoms)}${pick(atoms)})${pick(quantifiers)}`;
      }
      return pick(atoms) + pick(quantifiers);
    };
    const sequence = (depth: number): string => Array.from({ length: 1 + random(3) }, () => term(depth)).join('');
    const alphabet = ['a', 'b', 'c', ' ', '-', '.', '1', 'é', '😀', '_', '\r'];
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const pattern = random(4) === 0 ? `${sequence(0)}|${sequence(0)}` : sequence(0);
      const native = new RegExp(pattern, 'u');
      const lines = Array.from({ length: 12 }, () => Array.from({ length: random(10) }, () => pick(alphabet)).join(''));
      const expected = lines.filter((line) => native.test(line));
      expect(matching(pattern, lines), `${pattern} on ${JSON.stringify(lines)}`).toEqual(expected);
      compared += lines.length;
    }
    expect(compared).toBe(24_000);
  });

  it('test \\b and \\B at code point positions only (ASCII word chars)', () => {
    expect(matching('\\B', ['b😀b', 'ab', '😀', ' '])).toEqual(['ab', '😀', ' ']);
    expect(matching('\\b', ['b😀b', 'é', ' '])).toEqual(['b😀b']);
  });

  it('decide long lines where a backtracking engine blows up', () => {
    const line = 'a'.repeat(1_000_000);
    const spaces = `${' '.repeat(1_000_000)}x`;
    expect(matching('^[ab]*[ab]*[ab]*c', [line])).toEqual([]);
    expect(matching('a+a+a+b', [line])).toEqual([]);
    expect(matching('\\s+$', [spaces])).toEqual([]);
    expect(matching('.*foo.*', [line])).toEqual([]);
    expect(matching('\\w+@\\w+\\.com', [line])).toEqual([]);
    expect(matching('a{20}b?$', [line])).toEqual([line]);
  });

  it('accept the documented subset', () => {
    for (const pattern of ['a', 'a|b', '(a)', '(?:a|b)c', '[a-z]+', '[^\\]]', '\\d+', 'a{3}', 'a{2,}', 'a{1,5}?', 'x*?', '(ab)*', '(a+)?', '(a+){1}', '\\p{L}', '\\P{L}', '\\x41\\u0042\\u{43}\\cA\\0', '\\:\\"\\-\\ ', '[\\b\\-\\d\\:]', '\\/', '()*', 'a|']) {
      expect(() => compileLinePattern(pattern, 'p'), pattern).not.toThrow();
    }
  });

  it('reject nested quantifiers and repeated alternations (catastrophic backtracking)', () => {
    expect(rejection('(a+)+')).toMatch(/nested quantifiers/);
    expect(rejection('(a|a)*')).toMatch(/nested quantifiers/);
    expect(rejection('(.*)*x')).toMatch(/nested quantifiers/);
    expect(rejection('(?:\\d+\\.){3}')).toMatch(/nested quantifiers/);
    expect(rejection('((ab)*c)+')).toMatch(/nested quantifiers/);
    expect(rejection('(x(a|b))+')).toMatch(/nested quantifiers/);
  });

  it('reject backreferences, lookarounds, named groups and flags', () => {
    expect(rejection('(a)\\1')).toMatch(/backreference/);
    expect(rejection('(?<n>a)\\k<n>')).toMatch(/named group/);
    expect(rejection('\\k<n>')).toMatch(/backreference/);
    expect(rejection('a(?=b)')).toMatch(/lookaround/);
    expect(rejection('a(?!b)')).toMatch(/lookaround/);
    expect(rejection('(?<=a)b')).toMatch(/lookaround/);
    expect(rejection('(?<!a)b')).toMatch(/lookaround/);
    expect(rejection('(?i)error')).toMatch(/unsupported group/);
    expect(rejection('\\<word\\>')).toMatch(/use \\b/);
  });

  it('reject invalid syntax with a position', () => {
    expect(rejection('(abc')).toMatch(/unterminated group/);
    expect(rejection('abc)')).toMatch(/unmatched '\)'/);
    expect(rejection('[a-')).toMatch(/unterminated character class/);
    expect(rejection('[z-a]')).toMatch(/invalid character class/);
    expect(rejection('*a')).toMatch(/nothing to repeat/);
    expect(rejection('a**')).toMatch(/nothing to repeat/);
    expect(rejection('a++')).toMatch(/possessive/);
    expect(rejection('^*')).toMatch(/anchor cannot be quantified/);
    expect(rejection('a{2,1}')).toMatch(/maximum is below/);
    expect(rejection('a{1001}')).toMatch(/above the maximum/);
    expect(rejection('a{')).toMatch(/incomplete quantifier/);
    expect(rejection('a]')).toMatch(/lone '\]'/);
    expect(rejection('abc\\')).toMatch(/lone backslash/);
    expect(rejection('\\e')).toMatch(/unsupported escape/);
    expect(rejection('\\p{NotAProperty}')).toMatch(/unknown Unicode property/);
    expect(rejection('\\01')).toMatch(/octal/);
  });

  it('reject empty, oversized, multi-line and too complex patterns', () => {
    expect(rejection('')).toMatch(/must not be empty/);
    expect(rejection('a'.repeat(1001))).toMatch(/at most 1000 chars/);
    expect(() => compileLinePattern('a'.repeat(1000), 'p')).not.toThrow();
    expect(rejection('a\nb')).toMatch(/newline/);
    expect(rejection('[ab]{1000}[bc]{1000}[cd]{1000}[de]{1000}[ef]{1000}')).toMatch(/too complex/);
  });

  it('accept and match a long pattern of repeated classes, an optional group and an alternation', () => {
    const pattern = `(?:${'[a-z]\\d+'.repeat(50)})?error|warn{1,20}`;
    const prefix = 'a1'.repeat(50);
    expect(matching(pattern, ['error', `${prefix}error`, `${prefix}x`, 'x warnnn', 'wan', 'eror'])).toEqual(['error', `${prefix}error`, 'x warnnn']);
  });
});
