import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, type SecretRule } from './rules.js';
import { Scanner } from './scanner.js';

/** The rules that have no keywords: scanned together when there are several. */
const unkeyed: SecretRule[] = DEFAULT_RULES.filter((rule) => (rule.keywords?.length ?? 0) === 0);

function spansOf(scanner: Scanner, text: string): string[] {
  return scanner
    .scan(text, 0, true)
    .map((span) => `${span.id}:${span.start}-${span.end}`)
    .sort();
}

describe('rules without keywords, scanned together', () => {
  it('find exactly what each rule finds on its own', () => {
    expect(unkeyed.length).toBeGreaterThan(1);
    const together = new Scanner(unkeyed);
    const alone = unkeyed.map((rule) => new Scanner([rule]));
    const hex = '0123456789abcdef';
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
    let seed = 3;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const run = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    const pieces = [
      () => `SK${run(hex, 32)}`,
      () => `AC${run(hex, 32)}`,
      () => `AC${run(hex, 30)}`,
      () => `M${'Tjz'[random(3)]}${'AEI'[random(3)]}${'wxy'[random(3)]}${run(b64, 20 + random(4))}.${run(b64, 6)}.${run(b64, 27 + random(14))}`,
      () => run(hex, random(40)),
      () => ' ',
      () => '.',
      () => '/',
      () => '\n',
    ];
    let matched = 0;
    for (let round = 0; round < 300; round++) {
      let text = '';
      while (text.length < 300) text += pieces[random(pieces.length)]!();
      const expected = alone.flatMap((scanner) => spansOf(scanner, text)).sort();
      expect(spansOf(together, text)).toEqual(expected);
      matched += expected.length;
    }
    expect(matched).toBeGreaterThan(100);
  });
});
