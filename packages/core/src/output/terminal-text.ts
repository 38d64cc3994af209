import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import ansiRegex from 'ansi-regex';

const ANSI = ansiRegex();
/** The escape grammar of `ansi-regex`, matched at one position. */
const ANSI_STICKY = new RegExp(ANSI.source, 'y');
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
  /** Created at the first non-ASCII chunk: most output never needs one. */
  private decoder: TextDecoder | undefined;
  private pendingEscape = '';
  private pendingLine = '';
  /** The UTF-8 decoder may hold part of a character: the last bytes it got were not ASCII. */
  private decoderMayHold = false;

  /** Feeds bytes; returns the text that is final so far. */
  push(bytes: Uint8Array): string {
    let text = this.pendingEscape + this.decode(bytes);
    this.pendingEscape = '';
    const cut = unfinishedEscapeAt(text);
    if (cut >= 0) {
      this.pendingEscape = text.slice(cut);
      text = text.slice(0, cut);
    }
    return this.lines(text, false);
  }

  /** UTF-8 → text. ASCII chunks (most output) skip the decoder when it holds nothing. */
  private decode(bytes: Uint8Array): string {
    if (bytes.length === 0) return '';
    if (!this.decoderMayHold && isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    this.decoderMayHold = bytes[bytes.length - 1]! >= 0x80;
    this.decoder ??= new TextDecoder('utf-8', { fatal: false });
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Flushes everything held back; the decoder can then be discarded. */
  end(): string {
    const text = this.pendingEscape + (this.decoder ? this.decoder.decode() : '');
    this.pendingEscape = '';
    return this.lines(text, true);
  }

  /** Cleans `text` and returns the lines it completes (all of it when `final`). */
  private lines(text: string, final: boolean): string {
    const all = clean(text, this.pendingLine);
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

/**
 * Where the last chars of `text` may be an escape sequence that the next chunk completes or
 * lengthens: the first introducer (ESC or a C1 control) among the last {@link MAX_PENDING_ESCAPE}
 * chars followed only by chars a sequence can hold; -1 when there is none. A sequence that looks
 * complete there is held too: `ESC P` is a whole escape, and also the start of a DCS string.
 */
function unfinishedEscapeAt(text: string): number {
  for (let i = Math.max(0, text.length - MAX_PENDING_ESCAPE); i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x1b && (code < 0x80 || code > 0x9f)) continue;
    if (MAY_GROW.test(text.slice(i))) return i;
    ANSI_STICKY.lastIndex = i;
    const sequence = ANSI_STICKY.exec(text);
    if (sequence) i += sequence[0].length - 1;
  }
  return -1;
}

/**
 * An introducer followed by chars a sequence can hold (parameters, intermediates, string
 * payloads, which may end in the ESC of a split `ESC \\` terminator). Anything else after it
 * (a newline, another control) means the sequence can never complete.
 */
// eslint-disable-next-line no-control-regex
const MAY_GROW = /^[\u001B\u0080-\u009F][^\u0000-\u001F\u007F]*\u001B?$/;

/** Any char `clean` removes (every escape sequence starts with one: ESC or a C1 control). */
const ANY_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** `prefix` followed by `text` without its escape sequences and control chars. */
function clean(text: string, prefix: string): string {
  // Most output has none: one scan.
  if (text.length === 0 || !ANY_CONTROL.test(text)) return prefix + text;
  // Every escape sequence starts with a control char (ESC or a C1 introducer), so only those
  // positions are tried against the escape grammar: the same result as removing every sequence
  // and then every other control char, in one pass.
  // Pieces joined once, the prefix with them: one flat string, not a chain the next stage must
  // flatten (a copy of the whole text).
  const out: string[] = [prefix];
  let at = 0;
  // `test` and `lastIndex` rather than `exec`: no match object per escape sequence.
  CONTROL.lastIndex = 0;
  while (CONTROL.test(text)) {
    const index = CONTROL.lastIndex - 1;
    if (index > at) out.push(text.slice(at, index));
    let skip = 1;
    const code = text.charCodeAt(index);
    if (code === 0x1b || code >= 0x80) {
      ANSI_STICKY.lastIndex = index;
      if (ANSI_STICKY.test(text)) skip = Math.max(1, ANSI_STICKY.lastIndex - index);
    }
    at = index + skip;
    CONTROL.lastIndex = at;
  }
  out.push(text.slice(at));
  return out.join('');
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
