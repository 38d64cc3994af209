import { describe, expect, it } from 'vitest';
import { KeywordIndex } from './keyword-index.js';
import { CODE_UNIT_BLOCK } from '../text/code-units.js';
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

  it('finds keywords across the blocks it reads a long text in', () => {
    const keywords = ['token', 'sk-ant-', 'ab', 'password'];
    const index = new KeywordIndex(keywords);
    // Each keyword placed to straddle every block boundary at every offset, between non-ASCII
    // fillers that must reset the automaton.
    for (const keyword of keywords) {
      let text = '';
      for (let boundary = 1; boundary <= 3; boundary++) {
        for (let shift = 0; shift <= keyword.length; shift++) {
          const at = boundary * CODE_UNIT_BLOCK - keyword.length + shift + 40 * shift;
          text = text.padEnd(at, 'é.x');
          text += keyword.toUpperCase();
        }
      }
      text = text.padEnd(4 * CODE_UNIT_BLOCK + 3, 'zé');
      for (const from of [0, 7, CODE_UNIT_BLOCK - 2, CODE_UNIT_BLOCK + 1]) {
        expect(hitsOf(index, text, from)).toEqual(naive(keywords, text, from));
      }
    }
  });

  it('grows its hit arrays past their first size', () => {
    const index = new KeywordIndex(['ab']);
    const text = 'ab'.repeat(5000);
    expect(index.scan(text, 0)).toBe(5000);
    expect(index.hitPosition[4999]).toBe(9998);
  });

  it('shares one automaton per keyword list; each index keeps its own hits', () => {
    const first = new KeywordIndex(['token', 'secret']);
    const second = new KeywordIndex(['token', 'secret']);
    const other = new KeywordIndex(['secret', 'token']);
    const tables = (index: KeywordIndex): unknown => (index as unknown as { delta: Int32Array }).delta;
    expect(tables(second)).toBe(tables(first));
    expect(tables(other)).not.toBe(tables(first));
    expect(first.scan('a token here', 0)).toBe(1);
    expect(second.scan('secret secret token', 0)).toBe(3);
    // The first index's hits are still its own.
    expect([first.hitKeyword[0], first.hitPosition[0]]).toEqual([0, 2]);
    expect(hitsOf(other, 'secret secret token', 0)).toEqual(naive(other.keywords, 'secret secret token', 0));
  });

  it('stays correct while more keyword lists are built than it keeps', () => {
    const lists = Array.from({ length: 40 }, (_, n) => [`k${n}x`, `shared`, `${'z'.repeat(n % 7 + 1)}y`]);
    const text = lists.map((list) => list.join(' ').toUpperCase()).join(' | ');
    for (let round = 0; round < 3; round++) {
      for (const list of lists) {
        const index = new KeywordIndex(list);
        expect(hitsOf(index, text, 0)).toEqual(naive(list, text, 0));
      }
    }
  });
});
