/**
 * Shannon entropy of a string in bits per character, over its UTF-16 code units:
 * `-Σ p(c)·log2 p(c)` where `p(c)` is the share of code unit `c`. `''` has entropy 0; a string of
 * one repeated char has 0; `'abcd'` has 2; 40 random base62 chars have about 4.9 (the maximum for
 * a string of n distinct chars is log2 n).
 *
 * Linear in the length; allocates nothing but a small map for non-ASCII chars.
 */
export function shannonEntropy(text: string): number {
  const length = text.length;
  if (length === 0) return 0;
  const ascii = new Uint32Array(128);
  let other: Map<number, number> | undefined;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 128) ascii[code]!++;
    else {
      other ??= new Map();
      other.set(code, (other.get(code) ?? 0) + 1);
    }
  }
  let bits = 0;
  const add = (count: number): void => {
    if (count === 0) return;
    const p = count / length;
    bits -= p * Math.log2(p);
  };
  for (let c = 0; c < 128; c++) add(ascii[c]!);
  if (other) for (const count of other.values()) add(count);
  return bits;
}
