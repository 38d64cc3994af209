import { BoundedText } from './bounded-text.js';
import { TerminalTextDecoder } from './terminal-text.js';

/**
 * One output stream of one command: counts raw bytes, turns them into clean text and keeps a
 * bounded head and tail. Memory stays flat whatever the output size.
 */
export class StreamOutput {
  private decoder: TerminalTextDecoder | undefined;
  private readonly text: BoundedText;
  private byteCount = 0;
  private ended = false;

  /** @param maxChars - chars kept before eliding the middle */
  constructor(maxChars: number) {
    this.text = new BoundedText(maxChars);
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.byteCount += bytes.length;
    this.decoder ??= new TerminalTextDecoder();
    this.text.append(this.decoder.push(bytes));
  }

  /** Flushes held-back text and returns the final result. */
  finish(): { text: string; bytes: number; truncated: boolean } {
    if (!this.ended) {
      this.ended = true;
      if (this.decoder) this.text.append(this.decoder.end());
    }
    return { text: this.text.toString(), bytes: this.byteCount, truncated: this.text.truncated };
  }
}
