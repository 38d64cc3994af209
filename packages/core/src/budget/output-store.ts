import { randomBytes } from 'node:crypto';
import { InvalidOptionsError } from '../errors/index.js';

/** One of a command's two output streams. */
export type OutputStream = 'stdout' | 'stderr';

/** Limits of an {@link OutputStore}. All sizes are UTF-8 bytes. */
export interface OutputStoreOptions {
  /**
   * Most bytes kept per stored output (stdout and stderr together), at least 1024. A larger output
   * keeps the head and tail of each stream, the middle replaced by a marker line (see
   * {@link OutputPage.elided_bytes}). Default 8 MiB (8_388_608).
   */
  maxBytesPerOutput?: number;
  /**
   * Most bytes kept by the whole store; storing beyond it drops the oldest outputs first. At least
   * `maxBytesPerOutput`. Default 64 MiB (67_108_864), or `maxBytesPerOutput` when that is larger.
   */
  maxBytesTotal?: number;
  /** Most outputs kept; storing beyond it drops the oldest. Default 1000. */
  maxOutputs?: number;
}

/** Which page of a stored stream to read (wire names, snake_case). */
export interface OutputReadOptions {
  /** First line to return, 0-based. Default 0. At most the stream's `total_lines`. */
  offset?: number;
  /** Most lines to return, 1 to {@link MAX_READ_LIMIT}. Default {@link DEFAULT_READ_LIMIT}. */
  limit?: number;
  /** Stream to read. Default `stdout`. */
  stream?: OutputStream;
  /**
   * Most chars (UTF-16 code units) of line text in the page, 1 to {@link MAX_READ_CHARS}. The
   * page ends before a line that would exceed it; a first line longer than it is returned with
   * its middle replaced by `… N chars elided …`. Default {@link DEFAULT_READ_CHARS}.
   */
  max_chars?: number;
}

/** One page of a stored stream. Lines are split on `\n` and returned without it. */
export interface OutputPage {
  /** The stream read. */
  stream: OutputStream;
  /** The page's lines, in order. */
  lines: string[];
  /** The line index of `lines[0]` (the requested offset). */
  offset: number;
  /** The offset of the next page, or `null` when this page reached the end of the stream. */
  next_offset: number | null;
  /** Lines in the stored stream (a trailing `\n` does not start a line; the marker line counts). */
  total_lines: number;
  /**
   * UTF-8 bytes of this stream that were not kept because the output exceeded the store's
   * per-output bound; 0 when the stream is complete. When above 0, the stored stream is its head
   * and tail with one line `… N bytes elided (…) …` between them, in place.
   */
  elided_bytes: number;
}

/** Default `limit` of {@link OutputStore.read}, in lines. */
export const DEFAULT_READ_LIMIT = 200;
/** Largest `limit` of {@link OutputStore.read}, in lines. */
export const MAX_READ_LIMIT = 10_000;
/** Default `max_chars` of {@link OutputStore.read}. */
export const DEFAULT_READ_CHARS = 50_000;
/** Largest `max_chars` of {@link OutputStore.read}. */
export const MAX_READ_CHARS = 1_000_000;

const DEFAULT_BYTES_PER_OUTPUT = 8 * 1024 * 1024;
const DEFAULT_BYTES_TOTAL = 64 * 1024 * 1024;
const DEFAULT_MAX_OUTPUTS = 1000;
const MIN_BYTES_PER_OUTPUT = 1024;
/** Bytes reserved in a stream's allowance for its elision marker line. */
const MARKER_RESERVE = 160;
/** Every this many lines, the line index records a start offset. */
const INDEX_STRIDE = 64;
const NEWLINE = 0x0a;

/** One stored stream: UTF-8 bytes, and a sparse line index built on first read. */
class StoredStream {
  private index: { checkpoints: Uint32Array; total: number; contentEnd: number } | undefined;

  constructor(
    readonly bytes: Buffer,
    readonly elidedBytes: number,
  ) {}

  /** Lines, and the byte offset of every {@link INDEX_STRIDE}th line start: one pass, built once. */
  private lineIndex(): { checkpoints: Uint32Array; total: number; contentEnd: number } {
    if (this.index) return this.index;
    const { bytes } = this;
    const contentEnd = bytes.length > 0 && bytes[bytes.length - 1] === NEWLINE ? bytes.length - 1 : bytes.length;
    const checkpoints: number[] = [];
    let total = 0;
    if (bytes.length > 0) {
      let start = 0;
      for (;;) {
        if (total % INDEX_STRIDE === 0) checkpoints.push(start);
        total++;
        const at = bytes.indexOf(NEWLINE, start);
        if (at < 0 || at >= contentEnd) break;
        start = at + 1;
      }
    }
    this.index = { checkpoints: Uint32Array.from(checkpoints), total, contentEnd };
    return this.index;
  }

  get totalLines(): number {
    return this.lineIndex().total;
  }

  /** Lines from `offset`: at most `limit`, at most `maxChars` chars of text. */
  page(offset: number, limit: number, maxChars: number): { lines: string[]; next: number } {
    const { checkpoints, total, contentEnd } = this.lineIndex();
    const { bytes } = this;
    let start = checkpoints[Math.floor(offset / INDEX_STRIDE)] ?? 0;
    for (let skip = offset % INDEX_STRIDE; skip > 0; skip--) start = bytes.indexOf(NEWLINE, start) + 1;
    const lines: string[] = [];
    let chars = 0;
    let line = offset;
    while (line < total && lines.length < limit) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end < 0 || end > contentEnd) end = contentEnd;
      // A line has at least a third as many chars as bytes: skip decoding lines that cannot fit.
      if (lines.length > 0 && chars + Math.ceil((end - start) / 3) > maxChars) break;
      let text = bytes.toString('utf8', start, end);
      if (lines.length > 0 && chars + text.length > maxChars) break;
      if (text.length > maxChars) text = cutMiddle(text, maxChars);
      lines.push(text);
      chars += text.length;
      line++;
      start = end + 1;
    }
    return { lines, next: line };
  }
}

/** `text` cut to about `maxChars` chars: head and tail kept, `… N chars elided …` between. */
function cutMiddle(text: string, maxChars: number): string {
  let head = text.slice(0, Math.ceil(maxChars / 2));
  let tail = text.slice(text.length - Math.floor(maxChars / 2));
  if (head.length > 0 && isHighSurrogate(head.charCodeAt(head.length - 1))) head = head.slice(0, -1);
  if (tail.length > 0 && isLowSurrogate(tail.charCodeAt(0))) tail = tail.slice(1);
  return `${head} … ${text.length - head.length - tail.length} chars elided … ${tail}`;
}

interface StoredOutput {
  stdout: StoredStream;
  stderr: StoredStream;
  bytes: number;
}

/**
 * Full-output recall: keeps the whole output of commands whose results were cut (budgeted or
 * capped), so an agent can page through it later by `output_id`.
 *
 * Stores what it is given verbatim: pass text that is already cleaned and redacted. Memory is
 * accounted in UTF-8 bytes (outputs are held as UTF-8 `Buffer`s, so the accounting is exact);
 * each stream also gets, on its first read, a line index of 4 bytes per 64 lines, not counted.
 * Bounded per output ({@link OutputStoreOptions.maxBytesPerOutput}), in total
 * ({@link OutputStoreOptions.maxBytesTotal}, oldest stored dropped first — reading does not
 * refresh an output) and in count ({@link OutputStoreOptions.maxOutputs}).
 */
export class OutputStore {
  /** Most UTF-8 bytes kept per output, stdout and stderr together. */
  readonly maxBytesPerOutput: number;
  /** Most UTF-8 bytes kept by the store. */
  readonly maxBytesTotal: number;
  /** Most outputs kept. */
  readonly maxOutputs: number;
  private readonly outputs = new Map<string, StoredOutput>();
  private totalBytes = 0;

  /** @throws {@link InvalidOptionsError} when a limit is not a positive integer in range. */
  constructor(options: OutputStoreOptions = {}) {
    this.maxBytesPerOutput = limit(options.maxBytesPerOutput, DEFAULT_BYTES_PER_OUTPUT, 'maxBytesPerOutput', MIN_BYTES_PER_OUTPUT, 2 ** 31);
    this.maxBytesTotal = limit(options.maxBytesTotal, Math.max(DEFAULT_BYTES_TOTAL, this.maxBytesPerOutput), 'maxBytesTotal', 1, 2 ** 40);
    if (this.maxBytesTotal < this.maxBytesPerOutput) {
      throw new InvalidOptionsError('maxBytesTotal', `must be at least maxBytesPerOutput (${this.maxBytesPerOutput}), got ${this.maxBytesTotal}`);
    }
    this.maxOutputs = limit(options.maxOutputs, DEFAULT_MAX_OUTPUTS, 'maxOutputs', 1, 1_000_000);
  }

  /** Outputs held. */
  get size(): number {
    return this.outputs.size;
  }

  /** UTF-8 bytes held, all outputs together (never above `maxBytesTotal`). */
  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Stores one command's output and returns its `output_id`: 16 lowercase hex chars from
   * `crypto.randomBytes` (64 bits, unguessable). When stdout and stderr together exceed
   * `maxBytesPerOutput`, each stream over its share (half the bound, or more when the other stream
   * needs less) keeps its head and tail — cut at line breaks when one is near — and a marker line
   * between them. Then the oldest outputs are dropped until the store is within its bounds; the
   * new output always stays.
   *
   * @throws {@link InvalidOptionsError} (`stdout` / `stderr`) when a stream is not a string.
   */
  store(stdout: string, stderr: string): string {
    if (typeof stdout !== 'string') throw new InvalidOptionsError('stdout', 'must be a string');
    if (typeof stderr !== 'string') throw new InvalidOptionsError('stderr', 'must be a string');
    const bound = this.maxBytesPerOutput;
    const outBytes = Buffer.byteLength(stdout, 'utf8');
    const errBytes = Buffer.byteLength(stderr, 'utf8');
    let outShare = outBytes;
    let errShare = errBytes;
    if (outBytes + errBytes > bound) {
      const half = Math.floor(bound / 2);
      if (outBytes <= half) errShare = bound - outBytes;
      else if (errBytes <= half) outShare = bound - errBytes;
      else [outShare, errShare] = [half, bound - half];
    }
    const out = boundStream(stdout, outBytes, outShare, bound);
    const err = boundStream(stderr, errBytes, errShare, bound);
    const entry: StoredOutput = { stdout: out, stderr: err, bytes: out.bytes.length + err.bytes.length };
    let id: string;
    do id = randomBytes(8).toString('hex');
    while (this.outputs.has(id));
    this.outputs.set(id, entry);
    this.totalBytes += entry.bytes;
    for (const [oldId, old] of this.outputs) {
      if (this.totalBytes <= this.maxBytesTotal && this.outputs.size <= this.maxOutputs) break;
      if (oldId === id) break;
      this.outputs.delete(oldId);
      this.totalBytes -= old.bytes;
    }
    return id;
  }

  /** True when `outputId` is held. */
  has(outputId: string): boolean {
    return this.outputs.has(outputId);
  }

  /**
   * Reads one page of a stored stream. The first read of a stream indexes its lines (one pass);
   * later reads cost about the page's size.
   *
   * @throws {@link InvalidOptionsError} with `field`:
   * - `output_id`: not held — it expired (dropped to stay within the store's bounds, or
   *   cleared) or never existed;
   * - `offset`: not an integer from 0 to the stream's line count;
   * - `limit`: not an integer from 1 to {@link MAX_READ_LIMIT};
   * - `stream`: not `stdout` or `stderr`;
   * - `max_chars`: not an integer from 1 to {@link MAX_READ_CHARS};
   * - `options.<name>`: an unknown option.
   */
  read(outputId: string, options: OutputReadOptions = {}): OutputPage {
    const entry = typeof outputId === 'string' ? this.outputs.get(outputId) : undefined;
    if (!entry) {
      throw new InvalidOptionsError(
        'output_id',
        `no stored output ${JSON.stringify(outputId)}: it expired (older outputs are dropped to keep the store within its memory bound) or never existed; run the command again`,
      );
    }
    if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('options', 'must be an object');
    for (const key of Object.keys(options)) {
      if (!['offset', 'limit', 'stream', 'max_chars'].includes(key)) {
        throw new InvalidOptionsError(`options.${key}`, 'is not a known option; expected offset, limit, stream or max_chars');
      }
    }
    const streamName = options.stream ?? 'stdout';
    if (streamName !== 'stdout' && streamName !== 'stderr') {
      throw new InvalidOptionsError('stream', `must be "stdout" or "stderr", got ${JSON.stringify(streamName)}`);
    }
    const stream = entry[streamName];
    const total = stream.totalLines;
    const offset = integer(options.offset, 0, 'offset', 0, total, ` (the ${streamName} has ${total} lines)`);
    const limitLines = integer(options.limit, DEFAULT_READ_LIMIT, 'limit', 1, MAX_READ_LIMIT);
    const maxChars = integer(options.max_chars, DEFAULT_READ_CHARS, 'max_chars', 1, MAX_READ_CHARS);
    const { lines, next } = stream.page(offset, limitLines, maxChars);
    return {
      stream: streamName,
      lines,
      offset,
      next_offset: next < total ? next : null,
      total_lines: total,
      elided_bytes: stream.elidedBytes,
    };
  }

  /** Drops one output; true when it was held. */
  delete(outputId: string): boolean {
    const entry = this.outputs.get(outputId);
    if (!entry) return false;
    this.outputs.delete(outputId);
    this.totalBytes -= entry.bytes;
    return true;
  }

  /** Drops every output. */
  clear(): void {
    this.outputs.clear();
    this.totalBytes = 0;
  }
}

function limit(value: number | undefined, fallback: number, field: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(field, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function integer(value: unknown, fallback: number, field: string, min: number, max: number, detail = ''): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(field, `must be an integer from ${min} to ${max}${detail}, got ${String(value)}`);
  }
  return value;
}

/**
 * Encodes a stream, keeping at most `share` bytes (its elision marker included): when larger,
 * the head and tail halves, snapped to line breaks when one is within a quarter of the half.
 */
function boundStream(text: string, byteLength: number, share: number, bound: number): StoredStream {
  if (byteLength <= share) return new StoredStream(encode(text, byteLength), 0);
  const room = Math.max(0, share - MARKER_RESERVE);
  const headRoom = Math.ceil(room / 2);
  const tailRoom = room - headRoom;
  // Head: the longest prefix within headRoom bytes (encodeInto never writes half a char).
  const headBuffer = Buffer.allocUnsafe(headRoom);
  const { read, written } = new TextEncoder().encodeInto(text, headBuffer);
  let head = headBuffer.subarray(0, written);
  const lastBreak = head.lastIndexOf(NEWLINE);
  if (text.charCodeAt(read) !== NEWLINE && lastBreak >= 0 && head.length - (lastBreak + 1) <= headRoom / 4) {
    head = head.subarray(0, lastBreak + 1);
  }
  const tailFrom = tailStart(text, tailRoom);
  let tail = Buffer.from(text.slice(tailFrom), 'utf8');
  const firstBreak = tail.indexOf(NEWLINE);
  if (text.charCodeAt(tailFrom - 1) !== NEWLINE && firstBreak >= 0 && firstBreak + 1 <= tailRoom / 4 && firstBreak + 1 < tail.length) {
    tail = tail.subarray(firstBreak + 1);
  }
  const elided = byteLength - head.length - tail.length;
  const marker = `… ${elided} bytes elided (output larger than the store's ${bound}-byte bound; head and tail kept) …\n`;
  const parts = [head];
  if (head.length > 0 && head[head.length - 1] !== NEWLINE) parts.push(Buffer.from('\n'));
  parts.push(Buffer.from(marker, 'utf8'), tail);
  const stored = Buffer.concat(parts);
  return new StoredStream(encodeCopy(stored), elided);
}

function encodeCopy(buffer: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(buffer.length);
  buffer.copy(copy);
  return copy;
}

/** `text` as UTF-8 in a Buffer of its own (not a slice of Node's shared pool). */
function encode(text: string, byteLength: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(byteLength);
  buffer.write(text, 0, byteLength, 'utf8');
  return buffer;
}

/** The char index where the longest suffix of `text` within `maxBytes` UTF-8 bytes starts. */
function tailStart(text: string, maxBytes: number): number {
  let bytes = 0;
  let i = text.length;
  while (i > 0) {
    const code = text.charCodeAt(i - 1);
    let width = 3;
    let units = 1;
    if (code < 0x80) width = 1;
    else if (code < 0x800) width = 2;
    else if (isLowSurrogate(code) && i >= 2 && isHighSurrogate(text.charCodeAt(i - 2))) [width, units] = [4, 2];
    if (bytes + width > maxBytes) break;
    bytes += width;
    i -= units;
  }
  return i;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
