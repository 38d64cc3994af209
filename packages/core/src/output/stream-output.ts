import { BoundedText } from './bounded-text.js';
import type { RedactionStream, Redactor } from '../redaction/redactor.js';
import { TerminalTextDecoder } from './terminal-text.js';

/** What {@link StreamOutput.finish} returns. */
export interface FinishedOutput {
  /** The clean text, head and tail beyond `maxChars`. */
  text: string;
  /** Raw bytes received. */
  bytes: number;
  /** More than `maxChars` chars arrived. */
  truncated: boolean;
  /** The longer text kept for recall and budgets (equal to `text` unless that was cut). */
  full: string;
  /** More than `recallChars` chars arrived. */
  fullTruncated: boolean;
}

/** The result of a stream that received nothing. */
const NOTHING: FinishedOutput = Object.freeze({ text: '', bytes: 0, truncated: false, full: '', fullTruncated: false });

/**
 * One output stream of one command: counts raw bytes, turns them into clean text and keeps a
 * bounded head and tail. Memory stays flat whatever the output size.
 *
 * Parts are made when first needed: a stream that receives nothing (the stderr of most commands)
 * costs no decoder, no redaction stream and no buffers, and the longer recall text starts only
 * once the text outgrows `maxChars` (until then it is the result text itself).
 */
export class StreamOutput {
  private decoder: TerminalTextDecoder | undefined;
  private redaction: RedactionStream | undefined;
  private text: BoundedText | undefined;
  /** A larger head and tail, kept for recall (`output_read`) and budgets; bounded too. */
  private full: BoundedText | undefined;
  private byteCount = 0;
  private result: FinishedOutput | undefined;

  /**
   * @param maxChars - chars kept for the result before eliding the middle
   * @param recallChars - chars kept for recall and budgets (head and tail), ≥ `maxChars`
   * @param redactor - redacts the clean text before it is kept anywhere (omit for shell-internal
   *   commands)
   */
  constructor(
    private readonly maxChars: number,
    private readonly recallChars = maxChars,
    private readonly redactor?: Pick<Redactor, 'createStream'>,
  ) {}

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.byteCount += bytes.length;
    this.decoder ??= new TerminalTextDecoder();
    this.append(this.decoder.push(bytes));
  }

  private append(text: string): void {
    if (this.redactor) {
      this.redaction ??= this.redactor.createStream();
      this.keep(this.redaction.push(text));
    } else this.keep(text);
  }

  private keep(text: string): void {
    if (text.length === 0) return;
    const kept = (this.text ??= new BoundedText(this.maxChars));
    if (!this.full && this.recallChars > this.maxChars && kept.length + text.length > this.maxChars) {
      // About to cut: the recall text starts from everything so far, still whole.
      this.full = new BoundedText(this.recallChars);
      this.full.append(kept.toString());
    }
    kept.append(text);
    this.full?.append(text);
  }

  /** Flushes held-back text and returns the final result, and the longer text kept for recall. */
  finish(): FinishedOutput {
    if (this.result) return this.result;
    if (this.decoder) this.append(this.decoder.end());
    if (this.redaction) this.keep(this.redaction.end());
    const text = this.text;
    if (!text) return (this.result = this.byteCount === 0 ? NOTHING : { ...NOTHING, bytes: this.byteCount });
    const kept = text.toString();
    const full = this.full;
    this.result = {
      text: kept,
      bytes: this.byteCount,
      truncated: text.truncated,
      full: full ? full.toString() : kept,
      fullTruncated: full ? full.truncated : text.truncated,
    };
    return this.result;
  }
}
