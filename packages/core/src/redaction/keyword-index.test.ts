import { describe, expect, it } from 'vitest';
import { KeywordIndex } from './keyword-index.js';
import { DEFAULT_RULES } from './rules.js';

/** Every (keyword, start) at or after `from`, found the slow way. */
function naive(keywords: readonly string[], text: string, from: number): string[] {
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const found: string[] = [];
  keywords.forEach((keyword, index) => {
    for (let at = lower.indexOf(keyword.toLowerCase(), from); at >= 0; at = lower.indexOf(keyword.toLowerCase(), at + 1)) found.push(`${index}@${at}`);
  });
  return found.sort();
}

function hitsOf(index: KeywordIndex, text: string, from: number): string[] {
  const count = index.scan(text, from);
  const found: string[] = [];
  for (let i = 0; i < count; i++) found.push(`${index.hitKeyword[i]}@${index.hitPosition[i]}`);
  return found.sort();
}

describe('KeywordIndex', () => {
  it('finds every occurrence of overlapping keywords, ignoring ASCII case, from an offset', () => {
    const index = new KeywordIndex(['he', 'she', 'his', 'hers', 's.', 'sk-', 'sk-ant-']);
    const text = 'uSHErs his sk-ant-x S.K sk-sk-ANT- ἑshe';
    for (const from of [0, 1, 5, 20]) expect(hitsOf(index, text, from)).toEqual(naive(index.keywords, text, from));
  });

  it('agrees with a plain search on random text over the default rules’ keywords', () => {
    const keywords = [...new Set(DEFAULT_RULES.flatMap((rule) => (rule.keywords ?? []).map((k) => k.toLowerCase())))];
    const index = new KeywordIndex(keywords);
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const filler = ['a', 'S', '.', '-', '_', ' ', '\n', 'é', '😀', 'x', 'K', ':', '/', '='];
    for (let round = 0; round < 200; round++) {
      let text = '';
      while (text.length < 400) {
        if (random(3) === 0) {
          const keyword = keywords[random(keywords.length)]!;
          text += random(2) === 0 ? keyword.toUpperCase() : keyword;
        } else text += filler[random(filler.length)];
      }
      const from = random(50);
      expect(hitsOf(index, text, from)).toEqual(naive(keywords, text, from));
    }
  });

  it('grows its hit arrays past their first size', () => {
    const index = new KeywordIndex(['ab']);
    const text = 'ab'.repeat(5000);
    expect(index.scan(text, 0)).toBe(5000);
    expect(index.hitPosition[4999]).toBe(9998);
  });
});
