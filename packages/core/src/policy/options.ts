/** Option skipping for the programs the checker sees through (`sudo`, `timeout`, `xargs`, …). */
import type { Word } from './words.js';

/** How a wrapper's options are spelled. */
export interface OptionSpec {
  /** Short options that take an argument (attached, `-n5`, or as the next word, `-n 5`). */
  readonly short?: string;
  /** Long options that take an argument when not written `--name=value`. */
  readonly long?: readonly string[];
  /** `-N` (a dash and digits) is an option, as in `nice -10`. */
  readonly numeric?: boolean;
  /** A lone `-` is an option rather than an operand (as in `su -`). */
  readonly dash?: boolean;
}

/** Where the options end, or why that cannot be known statically. */
export type OptionScan =
  | { readonly index: number; readonly flags: ReadonlySet<string>; readonly values: ReadonlyMap<string, Word | string> }
  | { readonly unknown: Word };

/**
 * Skips the options of a wrapper starting at `words[start]`, stopping at the first operand or after `--`.
 * `flags` holds every short letter and long name seen; `values` the arguments of options that take one.
 * An option position filled by a word whose value is not static makes the scan `unknown`.
 */
export function scanOptions(words: readonly Word[], start: number, spec: OptionSpec): OptionScan {
  const flags = new Set<string>();
  const values = new Map<string, Word | string>();
  let i = start;
  while (i < words.length) {
    const word = words[i]!;
    if (word.dynamic !== null) return { unknown: word };
    const t = word.text;
    if (t === '--') return { index: i + 1, flags, values };
    if (t === '-' && spec.dash) {
      flags.add('-');
      i++;
      continue;
    }
    if (t.startsWith('--') && t.length > 2) {
      const eq = t.indexOf('=');
      const name = eq >= 0 ? t.slice(2, eq) : t.slice(2);
      flags.add(name);
      if (eq >= 0) values.set(name, t.slice(eq + 1));
      else if (spec.long?.includes(name)) {
        const value = words[i + 1];
        if (value) values.set(name, value);
        i++;
      }
      i++;
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      if (spec.numeric && /^-\d+$/.test(t)) {
        i++;
        continue;
      }
      for (let j = 1; j < t.length; j++) {
        const ch = t[j]!;
        flags.add(ch);
        if (spec.short?.includes(ch)) {
          if (j + 1 < t.length) values.set(ch, t.slice(j + 1));
          else {
            const value = words[i + 1];
            if (value) values.set(ch, value);
            i++;
          }
          break;
        }
      }
      i++;
      continue;
    }
    break;
  }
  return { index: i, flags, values };
}

/** True when any of `names` was seen by {@link scanOptions}. */
export function hasAny(flags: ReadonlySet<string>, ...names: string[]): boolean {
  return names.some((name) => flags.has(name));
}
