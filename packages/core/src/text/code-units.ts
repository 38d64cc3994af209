/**
 * Reading a string's UTF-16 code units through a typed array, a block at a time. V8 loads from a
 * typed array several times faster than it runs `charCodeAt` in a loop (which must tell string
 * representations apart on every call), and `Buffer.write(…, 'utf16le')` copies a block natively,
 * so char-by-char scanners over long texts read their input this way.
 *
 * @internal
 */

/** Code units per block: 16 KiB, which stay in the L1 cache. */
export const CODE_UNIT_BLOCK = 8192;

/** Below this many code units a `charCodeAt` loop beats the native call's fixed cost. */
const NATIVE_MIN = 128;

/** `Buffer.write(…, 'utf16le')` gives code units in the machine's order only on little-endian machines. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** One reusable block of {@link CODE_UNIT_BLOCK} code units. */
export class CodeUnitBlock {
  /** The code units of the last {@link load}, from index 0. */
  readonly codes = new Uint16Array(CODE_UNIT_BLOCK);
  /** {@link codes} as bytes, for `Buffer.write` (`undefined`: copied with `charCodeAt`). */
  private readonly bytes: Buffer | undefined;

  /** @param native - copy with `Buffer.write`; default: on little-endian machines, where it gives code units in order */
  constructor(native = LITTLE_ENDIAN) {
    this.bytes = native ? Buffer.from(this.codes.buffer, this.codes.byteOffset, this.codes.byteLength) : undefined;
  }

  /**
   * Copies `length` code units of `text` from `start` into {@link codes}.
   *
   * @param length - at most {@link CODE_UNIT_BLOCK}; `start + length` at most `text.length`
   */
  load(text: string, start: number, length: number): void {
    if (this.bytes && length >= NATIVE_MIN) {
      this.bytes.write(start === 0 && length === text.length ? text : text.slice(start, start + length), 0, 'utf16le');
      return;
    }
    const codes = this.codes;
    for (let i = 0; i < length; i++) codes[i] = text.charCodeAt(start + i);
  }
}
