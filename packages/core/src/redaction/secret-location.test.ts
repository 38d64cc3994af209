import { describe, expect, it } from 'vitest';
import { FAMILIES, Rng, STANDARD_CONTEXTS } from './__fixtures__/corpus.js';
import { DEFAULT_RULES } from './rules.js';
import { secretGroupInLookaround, secretInMatch } from './scanner.js';

/** The union of the participating `secret…` groups, from the `d` flag's indices. */
function indexedRange(match: RegExpExecArray): [number, number] | undefined {
  let start = Infinity;
  let end = -Infinity;
  for (const [name, range] of Object.entries(match.indices?.groups ?? {})) {
    if (!range || !name.startsWith('secret')) continue;
    start = Math.min(start, range[0]);
    end = Math.max(end, range[1]);
  }
  return start === Infinity ? undefined : [start, end];
}

describe('locating a secret group from its text', () => {
  it('tells which groups sit inside a lookaround', () => {
    expect(secretGroupInLookaround('key=(?<secret>[a-z]+)')).toBe(false);
    expect(secretGroupInLookaround('(?<=(?<secret>ab)c)d')).toBe(true);
    expect(secretGroupInLookaround('x(?=y(?<secretTail>z))')).toBe(true);
    expect(secretGroupInLookaround('(?<!\\()(?<secret>a)')).toBe(false);
    expect(secretGroupInLookaround('[(?<=](?<secret>a)')).toBe(false);
    expect(secretGroupInLookaround('(?<=x)(?<secret>a)(?!b)')).toBe(false);
  });

  it('agrees with the d flag on every rule, over the synthetic corpus', () => {
    const rng = new Rng(20_261_121);
    let located = 0;
    let compared = 0;
    for (const family of FAMILIES) {
      const rule = DEFAULT_RULES.find((candidate) => candidate.id === family.id)!;
      if (!/\(\?<secret/.test(rule.pattern.source) || secretGroupInLookaround(rule.pattern.source)) continue;
      const regex = new RegExp(rule.pattern.source, `${rule.pattern.flags}gd`);
      for (let round = 0; round < 20; round++) {
        const secret = family.make(rng);
        const lines = (family.contexts ?? STANDARD_CONTEXTS)(secret.value);
        // Repeats and near repeats of the value make the text-based lookup decline, never guess.
        lines.push(`${secret.value} ${secret.value}`, `x${lines[0]}${secret.redacted}`);
        for (const line of lines) {
          for (const match of line.matchAll(regex)) {
            compared++;
            const fromText = secretInMatch(match);
            if (fromText === undefined) continue;
            located++;
            expect(fromText, `${rule.id} on ${JSON.stringify(line)}`).toEqual(indexedRange(match));
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
    expect(located).toBeGreaterThan(compared / 2);
  });
});
