import ansiRegex from 'ansi-regex';

const ANSI = ansiRegex();
const ANSI_AT_START = new RegExp(`^(?:${ansiRegex().source})`);
/** C0 controls except TAB, LF and CR; DEL; C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Longest escape sequence held back waiting for its end, in chars. */
const MAX_PENDING_ESCAPE = 256;
/** Longest line held back waiting for its newline (to apply `\r` overwrites), in chars. */
const MAX_PENDING_LINE = 64 * 1024;

/**
 * Turns a stream of terminal output bytes into clean text, chunk by chunk:
 * UTF-8 decoding (invalid sequences become U+FFFD), removal of ANSI escape sequences (CSI, OSC,
 * DCS… as matched by the `ansi-regex` package) and of other control characters (C0 but TAB,
 * LF and CR; DEL; C1), and carriage-return overwrites applied the way a terminal shows them
 * (`"10%\r100%\n"` becomes `"100%\n"`; `"abcdef\rXY"` becomes `"XYcdef"`).
 *
 * An escape sequence or a line split across chunks is held back until it is complete (at most
 * 256 chars of escape, 64 Ki chars of line), so the result does not depend on chunk boundaries.
 */
export class TerminalTextDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private pendingEscape = '';
  private pendingLine = '';

  /** Feeds bytes; returns the text that is final so far. */
  push(bytes: Uint8Array): string {
    let text = this.pendingEscape + this.decoder.decode(bytes, { stream: true });
    this.pendingEscape = '';
    const escapeAt = lastEscapeIndex(text);
    if (escapeAt >= 0 && text.length - escapeAt < MAX_PENDING_ESCAPE) {
      const tail = text.slice(escapeAt);
      if (!isCompleteEscape(tail)) {
        this.pendingEscape = tail;
        text = text.slice(0, escapeAt);
      }
    }
    return this.lines(clean(text), false);
  }

  /** Flushes everything held back; the decoder can then be discarded. */
  end(): string {
    const text = this.pendingEscape + this.decoder.decode();
    this.pendingEscape = '';
    return this.lines(clean(text), true);
  }

  private lines(text: string, final: boolean): string {
    const all = this.pendingLine + text;
    if (final) {
      this.pendingLine = '';
      return applyCarriageReturns(all);
    }
    const lastNewline = all.lastIndexOf('\n');
    let done = all.slice(0, lastNewline + 1);
    this.pendingLine = all.slice(lastNewline + 1);
    if (this.pendingLine.length > MAX_PENDING_LINE) {
      done += this.pendingLine;
      this.pendingLine = '';
    }
    return applyCarriageReturns(done);
  }
}

function lastEscapeIndex(text: string): number {
  const start = Math.max(0, text.length - MAX_PENDING_ESCAPE);
  for (let i = text.length - 1; i >= start; i--) {
    const code = text.charCodeAt(i);
    if (code === 0x1b || (code >= 0x90 && code <= 0x9f)) return i;
  }
  return -1;
}

function isCompleteEscape(tail: string): boolean {
  if (ANSI_AT_START.test(tail)) return true;
  // A lone introducer followed by something that can never start a sequence is just a control
  // character; anything shorter might still grow into a sequence.
  return tail.length > 1 && !/^[\u001B\u0090-\u009F][\u0020-\u007E\u0080-\u009F]*$/.test(tail);
}

/** Any char `clean` removes (every escape sequence starts with one: ESC or a C1 control). */
const ANY_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

function clean(text: string): string {
  // Most output has none: one scan instead of two replaces.
  if (text.length === 0 || !ANY_CONTROL.test(text)) return text;
  return text.replace(ANSI, '').replace(CONTROL, '');
}

/** Applies `\r` overwrites within each line (text between `\n`s). */
export function applyCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text;
  return text
    .split('\n')
    .map((line) => {
      if (!line.includes('\r')) return line;
      const parts = line.split('\r');
      let shown = parts[0] ?? '';
      for (let i = 1; i < parts.length; i++) {
        const part = parts[i] ?? '';
        shown = part + shown.slice(part.length);
      }
      return shown;
    })
    .join('\n');
}
