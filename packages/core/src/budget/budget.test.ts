import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors/index.js';
import { applyBudget, validateBudget, type OutputBudget } from './index.js';

const ten = `${Array.from({ length: 10 }, (_, i) => `l${i + 1}`).join('\n')}\n`;
const log = `${['start', 'a', 'ERROR one', 'b', 'c', 'd', 'ERROR two', 'e', 'ERROR three', 'f', 'g', 'h', 'end'].join('\n')}\n`;

function apply(text: string, budget: OutputBudget): string {
  return applyBudget(text, budget).text;
}

function invalid(budget: unknown): InvalidOptionsError {
  try {
    validateBudget(budget);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).code).toBe('INVALID_OPTIONS');
    return error as InvalidOptionsError;
  }
  throw new Error(`accepted ${JSON.stringify(budget)}`);
}

describe('applyBudget: keep', () => {
  it('head keeps the first n lines and marks the rest', () => {
    const result = applyBudget(ten, { keep: { mode: 'head', n: 3 } });
    expect(result.text).toBe('l1\nl2\nl3\n… 7 lines elided …\n');
    expect(result.report).toEqual({ mode: 'head', lines_total: 10, lines_kept: 3 });
    expect(result.truncated).toBe(true);
  });

  it('tail keeps the last n lines, the trailing newline preserved', () => {
    const result = applyBudget(ten, { keep: { mode: 'tail', n: 3 } });
    expect(result.text).toBe('… 7 lines elided …\nl8\nl9\nl10\n');
    expect(result.report).toEqual({ mode: 'tail', lines_total: 10, lines_kept: 3 });
  });

  it('head_tail keeps both ends and marks the middle', () => {
    expect(apply(ten, { keep: { mode: 'head_tail', head: 2, tail: 2 } })).toBe('l1\nl2\n… 6 lines elided …\nl9\nl10\n');
    expect(apply(ten, { keep: { mode: 'head_tail', head: 0, tail: 1 } })).toBe('… 9 lines elided …\nl10\n');
    expect(apply(ten, { keep: { mode: 'head_tail', head: 1, tail: 0 } })).toBe('l1\n… 9 lines elided …\n');
  });

  it('head_tail with n splits it, head taking the odd line', () => {
    const result = applyBudget(ten, { keep: { mode: 'head_tail', n: 5 } });
    expect(result.text).toBe('l1\nl2\nl3\n… 5 lines elided …\nl9\nl10\n');
    expect(result.report.lines_kept).toBe(5);
  });

  it('returns the text unchanged when everything fits', () => {
    for (const budget of [{ keep: { mode: 'head', n: 10 } }, { keep: { mode: 'tail', n: 50 } }, { keep: { mode: 'head_tail', head: 5, tail: 5 } }, {}] as OutputBudget[]) {
      const result = applyBudget(ten, budget);
      expect(result.text).toBe(ten);
      expect(result.truncated).toBe(false);
      expect(result.report.lines_kept).toBe(10);
    }
    expect(applyBudget(ten, {}).report.mode).toBe('full');
  });

  it('defaults n to 100 lines for head and tail', () => {
    const text = Array.from({ length: 150 }, (_, i) => String(i)).join('\n');
    const result = applyBudget(text, { keep: { mode: 'tail' } });
    expect(result.report.lines_kept).toBe(100);
    expect(result.text.startsWith('… 50 lines elided …\n50\n')).toBe(true);
    expect(result.text.endsWith('\n149')).toBe(true);
  });

  it('keeps no trailing newline the input lacks', () => {
    const text = ten.slice(0, -1);
    expect(apply(text, { keep: { mode: 'tail', n: 2 } })).toBe('… 8 lines elided …\nl9\nl10');
    expect(apply(text, { keep: { mode: 'head', n: 2 } })).toBe('l1\nl2\n… 8 lines elided …');
  });

  it('counts lines the documented way', () => {
    expect(applyBudget('', { keep: { mode: 'head', n: 1 } })).toEqual({ text: '', report: { mode: 'head', lines_total: 0, lines_kept: 0 }, truncated: false });
    expect(applyBudget('\n', {}).report.lines_total).toBe(1);
    expect(applyBudget('a\n\nb', {}).report.lines_total).toBe(3);
    expect(apply('a\n\nb\n\n', { keep: { mode: 'tail', n: 2 } })).toBe('… 2 lines elided …\nb\n\n');
    expect(apply('x\r\ny\r\n', { keep: { mode: 'head', n: 1 } })).toBe('x\r\n… 1 lines elided …\n');
  });

  it('with n 0 shows only the marker', () => {
    expect(apply(ten, { keep: { mode: 'head', n: 0 } })).toBe('… 10 lines elided …\n');
  });
});

describe('applyBudget: grep', () => {
  it('keeps matching lines and marks elided runs in place', () => {
    const result = applyBudget(log, { grep: { pattern: 'ERROR' } });
    expect(result.text).toBe('… 2 lines elided …\nERROR one\n… 3 lines elided …\nERROR two\n… 1 lines elided …\nERROR three\n… 4 lines elided …\n');
    expect(result.report).toEqual({ mode: 'grep', lines_total: 13, lines_kept: 3 });
    expect(result.truncated).toBe(true);
  });

  it('adds context lines and merges overlapping and touching windows', () => {
    const result = applyBudget(log, { grep: { pattern: 'ERROR', context: 1 } });
    // Windows [1,3], [5,7], [7,9]: the last two overlap and merge.
    expect(result.text).toBe('… 1 lines elided …\na\nERROR one\nb\n… 1 lines elided …\nd\nERROR two\ne\nERROR three\nf\n… 3 lines elided …\n');
    expect(result.report.lines_kept).toBe(8);
    // Windows [0,4] and [4,9] (context 2) overlap; [5,...] touching [..4] leaves no marker either.
    expect(apply(log, { grep: { pattern: 'ERROR', context: 2 } })).toBe(
      'start\na\nERROR one\nb\nc\nd\nERROR two\ne\nERROR three\nf\ng\n… 2 lines elided …\n',
    );
    expect(apply('m\nx\nm\nx\n', { grep: { pattern: 'm' } })).toBe('m\n… 1 lines elided …\nm\n… 1 lines elided …\n');
    expect(apply('m\nm\nx\n', { grep: { pattern: 'm' } })).toBe('m\nm\n… 1 lines elided …\n');
  });

  it('keeps the trailing newline when the last line is kept', () => {
    expect(apply(log, { grep: { pattern: '^end$' } })).toBe('… 12 lines elided …\nend\n');
    expect(apply(log.slice(0, -1), { grep: { pattern: '^end$' } })).toBe('… 12 lines elided …\nend');
  });

  it('shows only a marker when nothing matches', () => {
    const result = applyBudget(log, { grep: { pattern: 'nothing' } });
    expect(result.text).toBe('… 13 lines elided …\n');
    expect(result.report.lines_kept).toBe(0);
    expect(applyBudget('', { grep: { pattern: 'x' } })).toEqual({ text: '', report: { mode: 'grep', lines_total: 0, lines_kept: 0 }, truncated: false });
  });

  it('matches regular expressions per line', () => {
    expect(apply(log, { grep: { pattern: '^(?:start|end)$' } })).toBe('start\n… 11 lines elided …\nend\n');
    expect(apply(log, { grep: { pattern: 'ERROR (one|two)' } })).toBe('… 2 lines elided …\nERROR one\n… 3 lines elided …\nERROR two\n… 6 lines elided …\n');
    expect(apply(log, { grep: { pattern: '.*three.*' } })).toBe('… 8 lines elided …\nERROR three\n… 4 lines elided …\n');
  });

  it('then applies keep to the lines grep kept', () => {
    const tail = applyBudget(log, { grep: { pattern: 'ERROR' }, keep: { mode: 'tail', n: 2 } });
    expect(tail.text).toBe('… 6 lines elided …\nERROR two\n… 1 lines elided …\nERROR three\n… 4 lines elided …\n');
    expect(tail.report).toEqual({ mode: 'grep+tail', lines_total: 13, lines_kept: 2 });
    const both = applyBudget(log, { grep: { pattern: 'ERROR', context: 1 }, keep: { mode: 'head_tail', head: 1, tail: 1 } });
    // grep keeps lines 1-3 and 5-9; keep takes the first (1) and the last (9).
    expect(both.text).toBe('… 1 lines elided …\na\n… 7 lines elided …\nf\n… 3 lines elided …\n');
    expect(both.report).toEqual({ mode: 'grep+head_tail', lines_total: 13, lines_kept: 2 });
    expect(apply(log, { grep: { pattern: 'ERROR', context: 1 }, keep: { mode: 'head', n: 4 } })).toBe(
      '… 1 lines elided …\na\nERROR one\nb\n… 1 lines elided …\nd\n… 7 lines elided …\n',
    );
  });
});

describe('applyBudget: max_chars', () => {
  it('keeps head and tail and counts the elided chars', () => {
    const result = applyBudget('abcdefghij', { max_chars: 4 });
    expect(result.text).toBe('ab\n… 6 chars elided …\nij');
    expect(result.truncated).toBe(true);
    expect(result.report).toEqual({ mode: 'max_chars', lines_total: 1, lines_kept: 1 });
    expect(applyBudget('abcdefghij', { max_chars: 10 })).toEqual({ text: 'abcdefghij', report: { mode: 'max_chars', lines_total: 1, lines_kept: 1 }, truncated: false });
    expect(apply('abcdefghij', { max_chars: 5 })).toBe('abc\n… 5 chars elided …\nij');
    expect(apply('abc', { max_chars: 0 })).toBe('\n… 3 chars elided …\n');
  });

  it('never splits a surrogate pair at a cut', () => {
    // a 😀 b 😀 c: the cuts fall inside both emoji, which are dropped whole.
    expect(apply('a😀b😀c', { max_chars: 4 })).toBe('a\n… 5 chars elided …\nc');
    expect(apply('😀😀😀😀', { max_chars: 4 })).toBe('😀\n… 4 chars elided …\n😀');
    const text = apply('ab😀cd😀ef'.repeat(7), { grep: { pattern: 'x|a' }, max_chars: 11 });
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(text).not.toMatch(/(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('applies last, to the marked text, keeping its trailing newline', () => {
    const result = applyBudget(log, { grep: { pattern: 'ERROR' }, keep: { mode: 'tail', n: 2 }, max_chars: 20 });
    // Full text before the cap: '… 6 lines elided …\nERROR two\n… 1 lines elided …\nERROR three\n… 4 lines elided …\n' (79 chars).
    expect(result.text).toBe('… 6 lines \n… 59 chars elided …\n elided …\n');
    expect(result.report).toEqual({ mode: 'grep+tail+max_chars', lines_total: 13, lines_kept: 2 });
    expect(apply(ten, { keep: { mode: 'head', n: 3 }, max_chars: 100 })).toBe('l1\nl2\nl3\n… 7 lines elided …\n');
  });
});

describe('applyBudget: size', () => {
  it('applies budgets to a 20 MB output', () => {
    const line = (i: number): string => (i % 5000 === 0 ? `ERROR at step ${i}: something failed` : `step ${i} ok ${'x'.repeat(45)}`);
    const text = `${Array.from({ length: 350_000 }, (_, i) => line(i)).join('\n')}\n`;
    expect(text.length).toBeGreaterThan(20_000_000);

    const grep = applyBudget(text, { grep: { pattern: '^ERROR at step \\d+:', context: 1 }, keep: { mode: 'head_tail', head: 6, tail: 6 }, max_chars: 2_000 });
    expect(grep.report).toEqual({ mode: 'grep+head_tail+max_chars', lines_total: 350_000, lines_kept: 12 });
    expect(grep.text).toContain('ERROR at step 0: something failed');
    expect(grep.text).toContain('ERROR at step 345000: something failed');
    expect(grep.text.endsWith('\n')).toBe(true);

    const heavy = applyBudget(text, { grep: { pattern: '\\d+ ok x+$' }, keep: { mode: 'tail', n: 3 } });
    expect(heavy.report.lines_kept).toBe(3);
    expect(heavy.text).toBe(`… 349997 lines elided …\n${line(349_997)}\n${line(349_998)}\n${line(349_999)}\n`);

    const tail = applyBudget(text, { keep: { mode: 'tail', n: 2 } });
    expect(tail.text).toBe(`… 349998 lines elided …\n${line(349_998)}\n${line(349_999)}\n`);

    const everything = applyBudget(text, { grep: { pattern: 'step' } });
    expect(everything.text).toBe(text);
    expect(everything.truncated).toBe(false);

    const capped = applyBudget(text, { max_chars: 1_000 });
    expect(capped.text.length).toBeLessThan(1_100);

    const alternate = applyBudget(text, { grep: { pattern: 'ok' }, max_chars: 10_000 });
    expect(alternate.text.length).toBeLessThan(10_100);
    expect(alternate.report.lines_kept).toBe(350_000 - 70);
  });

  it('greps a single huge line with a backtracking-hostile pattern', () => {
    const text = 'a'.repeat(5_000_000);
    expect(applyBudget(text, { grep: { pattern: '^a*a*a*b' } }).text).toBe('… 1 lines elided …');
  });
});

describe('validateBudget', () => {
  it('returns a clean copy of a valid budget', () => {
    const budget = { keep: { mode: 'head_tail', head: 3, tail: 2 }, grep: { pattern: 'err', context: 2 }, max_chars: 1000 };
    expect(validateBudget(budget)).toEqual(budget);
    expect(validateBudget(undefined)).toEqual({});
    expect(validateBudget(null)).toEqual({});
    expect(validateBudget({ keep: { mode: 'tail', n: null }, grep: null, max_chars: null })).toEqual({ keep: { mode: 'tail' } });
    expect(validateBudget({ keep: { mode: 'head_tail', n: 0 } })).toEqual({ keep: { mode: 'head_tail', n: 0 } });
  });

  it('rejects shapes and unknown fields', () => {
    expect(invalid('tail').field).toBe('budget');
    expect(invalid([]).field).toBe('budget');
    const camel = invalid({ maxChars: 5 });
    expect(camel.field).toBe('budget.maxChars');
    expect(camel.message).toMatch(/did you mean max_chars/);
    expect(invalid({ keep: { mode: 'head', count: 5 } }).field).toBe('budget.keep.count');
    expect(invalid({ grep: { pattern: 'x', flags: 'i' } }).field).toBe('budget.grep.flags');
    expect(invalid({ keep: 'head' }).field).toBe('budget.keep');
    expect(invalid({ grep: 'x' }).field).toBe('budget.grep');
  });

  it('rejects a bad keep mode', () => {
    expect(invalid({ keep: { mode: 'middle', n: 1 } }).field).toBe('budget.keep.mode');
    expect(invalid({ keep: { n: 1 } }).field).toBe('budget.keep.mode');
  });

  it('rejects negative, non-integer and oversized counts', () => {
    expect(invalid({ keep: { mode: 'head', n: -1 } }).field).toBe('budget.keep.n');
    expect(invalid({ keep: { mode: 'head', n: 1.5 } }).field).toBe('budget.keep.n');
    expect(invalid({ keep: { mode: 'head', n: '5' } }).field).toBe('budget.keep.n');
    expect(invalid({ keep: { mode: 'head', n: Number.NaN } }).field).toBe('budget.keep.n');
    expect(invalid({ keep: { mode: 'head', n: 1_000_001 } }).message).toMatch(/at most 1000000/);
    expect(() => validateBudget({ keep: { mode: 'head', n: 1_000_000 } })).not.toThrow();
    expect(invalid({ keep: { mode: 'head_tail', head: -2, tail: 1 } }).field).toBe('budget.keep.head');
    expect(invalid({ keep: { mode: 'head_tail', head: 1, tail: 2_000_000 } }).field).toBe('budget.keep.tail');
    expect(invalid({ grep: { pattern: 'x', context: -1 } }).field).toBe('budget.grep.context');
    expect(invalid({ grep: { pattern: 'x', context: 1_000_001 } }).field).toBe('budget.grep.context');
    expect(invalid({ max_chars: -1 }).field).toBe('budget.max_chars');
    expect(invalid({ max_chars: 2.5 }).field).toBe('budget.max_chars');
    expect(invalid({ max_chars: Infinity }).field).toBe('budget.max_chars');
    expect(invalid({ max_chars: 100_000_001 }).field).toBe('budget.max_chars');
  });

  it('rejects head_tail without head and tail or n, and mixed counts', () => {
    expect(invalid({ keep: { mode: 'head_tail' } }).field).toBe('budget.keep.head');
    expect(invalid({ keep: { mode: 'head_tail', head: 3 } }).field).toBe('budget.keep.tail');
    expect(invalid({ keep: { mode: 'head_tail', tail: 3 } }).field).toBe('budget.keep.head');
    expect(invalid({ keep: { mode: 'head_tail', n: 4, head: 2 } }).field).toBe('budget.keep.n');
    expect(invalid({ keep: { mode: 'head', head: 2 } }).message).toMatch(/only applies to mode "head_tail"/);
    expect(invalid({ keep: { mode: 'tail', tail: 2 } }).field).toBe('budget.keep.tail');
  });

  it('rejects bad patterns', () => {
    const field = (budget: unknown): string => invalid(budget).field;
    expect(field({ grep: {} })).toBe('budget.grep.pattern');
    expect(field({ grep: { pattern: 42 } })).toBe('budget.grep.pattern');
    expect(invalid({ grep: { pattern: '' } }).message).toMatch(/empty/);
    expect(invalid({ grep: { pattern: 'x'.repeat(1001) } }).message).toMatch(/at most 1000 chars/);
    expect(invalid({ grep: { pattern: '(unclosed' } }).message).toMatch(/unterminated group/);
    expect(invalid({ grep: { pattern: 'a(?=b)' } }).message).toMatch(/lookaround/);
    expect(invalid({ grep: { pattern: '(a)\\1' } }).message).toMatch(/backreference/);
  });

  it('rejects a ReDoS-prone pattern', () => {
    const error = invalid({ grep: { pattern: '^(a+)+$' } });
    expect(error.field).toBe('budget.grep.pattern');
    expect(error.message).toMatch(/nested quantifiers/);
    expect(invalid({ grep: { pattern: '(x|x)*y' } }).message).toMatch(/nested quantifiers/);
  });

  it('is applied by applyBudget too', () => {
    expect(() => applyBudget('x', { keep: { mode: 'head', n: -1 } })).toThrow(InvalidOptionsError);
    expect(() => applyBudget('x', { grep: { pattern: '(a*)*' } })).toThrow(/nested quantifiers/);
  });
});
