import { BoundedText } from './bounded-text.js';
import type { RedactionStream } from '../redaction/redactor.js';
import { TerminalTextDecoder } from './terminal-text.js';

/**
 * One output stream of one command: counts raw bytes, turns them into clean text and keeps a
 * bounded head and tail. Memory stays flat whatever the output size.
 */
export class StreamOutput {
  private decoder: TerminalTextDecoder | undefined;
  private readonly text: BoundedText;
  /** A larger head and tail, kept for recall (`output_read`) and budgets; bounded too. */
  private readonly full: BoundedText;
  private byteCount = 0;
  private ended = false;

  /**
   * @param maxChars - chars kept for the result before eliding the middle
   * @param recallChars - chars kept for recall and budgets (head and tail), ≥ `maxChars`
   */
  constructor(
    maxChars: number,
    recallChars = maxChars,
    /** Redacts the clean text before it is kept anywhere (omit for shell-internal commands). */
    private readonly redaction?: RedactionStream,
  ) {
    this.text = new BoundedText(maxChars);
    // Without a longer recall text (probes, internal commands) one buffer serves both.
    this.full = recallChars > maxChars ? new BoundedText(recallChars) : this.text;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.byteCount += bytes.length;
    this.decoder ??= new TerminalTextDecoder();
    this.append(this.decoder.push(bytes));
  }

  private append(text: string): void {
    this.keep(this.redaction ? this.redaction.push(text) : text);
  }

  private keep(text: string): void {
    this.text.append(text);
    if (this.full !== this.text) this.full.append(text);
  }

  /** Flushes held-back text and returns the final result, and the longer text kept for recall. */
  finish(): { text: string; bytes: number; truncated: boolean; full: string; fullTruncated: boolean } {
    if (!this.ended) {
      this.ended = true;
      if (this.decoder) this.append(this.decoder.end());
      if (this.redaction) this.keep(this.redaction.end());
    }
    return {
      text: this.text.toString(),
      bytes: this.byteCount,
      truncated: this.text.truncated,
      full: this.full.toString(),
      fullTruncated: this.full.truncated,
    };
  }
}
