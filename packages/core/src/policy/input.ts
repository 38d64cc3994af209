/** Pre-parse screening of command text: cheap, linear checks that run before the parser is called. */

/** Commands longer than this many UTF-8 bytes are rejected. */
export const MAX_COMMAND_BYTES = 64 * 1024;

/** Brackets (`(`, `{`, `$(`, `${`, …) nested deeper than this are rejected. */
export const MAX_NESTING = 32;

/**
 * Characters rejected anywhere in a command: C0 controls other than tab and newline (so NUL, ESC and CR
 * too), DEL, C1 controls, bidirectional-text controls (U+061C, U+200E, U+200F, U+202A–U+202E,
 * U+2066–U+2069) and invisible characters (U+200B–U+200D, U+2060–U+2064, U+FEFF). They either cannot reach
 * a shell intact (NUL), drive the terminal (ESC, CR) or make what a reviewer sees differ from what runs.
 */
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Returns why `text` must be rejected before parsing, or `null` when it passes.
 * Runs in time linear in the length of `text` and never calls the parser.
 */
export function screenInput(text: string): string | null {
  if (text.length > MAX_COMMAND_BYTES || Buffer.byteLength(text, 'utf8') > MAX_COMMAND_BYTES) {
    return `command is longer than ${MAX_COMMAND_BYTES} bytes`;
  }
  const forbidden = FORBIDDEN_CHAR.exec(text);
  if (forbidden) {
    return `command contains the control or invisible character ${describeChar(forbidden[0])} at offset ${forbidden.index}`;
  }
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) return `command contains an unpaired UTF-16 surrogate at offset ${surrogate.index}`;
  // Bracket depth, ignoring quoting (so deep brackets inside quoted data are rejected too: fail closed).
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 /* ( */ || c === 0x7b /* { */) {
      if (++depth > MAX_NESTING) return `command nests brackets deeper than ${MAX_NESTING} levels`;
    } else if ((c === 0x29 /* ) */ || c === 0x7d) /* } */ && depth > 0) {
      depth--;
    }
  }
  return null;
}
