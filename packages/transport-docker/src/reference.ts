/**
 * Validation of container references supplied by an untrusted caller.
 *
 * @module
 */
import { InvalidOptionsError } from '@execkit/core';

/** Longest container name accepted, in characters, not counting an optional leading `/`. */
export const MAX_CONTAINER_NAME_LENGTH = 128;

/** Docker's container name rule (`RestrictedNamePattern` in moby), here allowing one character too. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** A full (64) or short (12 and up) hex container id. */
const HEX_ID = /^[0-9a-f]{12,64}$/i;
/** Longest excerpt of a refused value quoted back in an error message, in characters. */
const MAX_ECHO_CHARS = 40;

/**
 * Quotes an untrusted string for an error or log message: JSON string syntax (so control bytes,
 * NUL, quotes and backslashes appear as escapes, never raw), with DEL, C1 controls, line and
 * paragraph separators, zero-width and bidirectional-override characters also escaped as
 * `\uXXXX`, truncated to `maxChars` characters (whole code points) with `…` and the full length
 * appended when cut.
 *
 * @param value Any string.
 * @param maxChars Characters (code points) of `value` to show; default 40.
 * @returns A double-quoted, single-line, printable ASCII-safe representation.
 */
export function quoteUntrusted(value: string, maxChars = MAX_ECHO_CHARS): string {
  const codePoints = Array.from(value);
  const shown = codePoints.length > maxChars ? codePoints.slice(0, maxChars).join('') : value;
  const quoted = JSON.stringify(shown).replace(
    /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return codePoints.length > maxChars ? `${quoted}… (${codePoints.length} characters)` : quoted;
}

/**
 * Checks a container reference received from an untrusted caller before it reaches the Docker
 * Engine API (`/containers/{id}/…`) or a command line.
 *
 * Accepted (the container's name or id, as `docker inspect` takes them):
 *
 * - a name by Docker's rule `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, 1–128 characters, optionally after one
 *   leading `/` (the form the Engine API reports names in), and without `..`;
 * - a hex id of 12–64 characters (short or full), in either case.
 *
 * Refused: non-strings, the empty string, anything over 128 characters, anything starting with
 * `-` (option injection such as `--privileged` or `-it` when the value reaches a command line),
 * whitespace, control characters or NUL, `/` other than a single leading one (path traversal in
 * the API URL), `..`, and any other character.
 *
 * Note: the Engine also resolves a reference as an id *prefix* when no container has that exact
 * name or id, so a short all-hex name may match another container; compare the resolved
 * container's `Id`/`Name` when scope matters.
 *
 * @param ref The untrusted value.
 * @returns The reference with the optional leading `/` removed (the Engine API accepts the bare
 *   name and the path stays `/containers/<ref>/…`).
 * @throws InvalidOptionsError (field `container`, code `INVALID_OPTIONS`) when refused; the
 *   message names the rule broken and quotes the value JSON-escaped and truncated, so it never
 *   carries raw control bytes.
 */
export function validateContainerReference(ref: unknown): string {
  if (typeof ref !== 'string') {
    const kind = ref === null ? 'null' : Array.isArray(ref) ? 'array' : typeof ref;
    throw new InvalidOptionsError('container', `must be a container name or id string, got ${kind}`);
  }
  const refuse = (why: string): never => {
    throw new InvalidOptionsError(
      'container',
      `${why}; expected a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*, at most ${MAX_CONTAINER_NAME_LENGTH} characters, ` +
        `optionally after one leading "/") or a 12-64 character hex id, got ${quoteUntrusted(ref)}`,
    );
  };
  if (ref.length === 0) return refuse('must not be empty');
  const name = ref.startsWith('/') ? ref.slice(1) : ref;
  if (name.length === 0) return refuse('must not be empty');
  if (ref.startsWith('-') || name.startsWith('-')) return refuse('must not start with "-" (it would read as an option)');
  if (/[\u0000-\u001f\u007f-\u009f]/.test(ref)) return refuse('must not contain control characters');
  if (/\s/.test(ref)) return refuse('must not contain whitespace');
  if (ref.includes('..')) return refuse('must not contain ".."');
  if (name.includes('/')) return refuse('must not contain "/" (except one leading "/")');
  if (name.length > MAX_CONTAINER_NAME_LENGTH) {
    return refuse(`must be at most ${MAX_CONTAINER_NAME_LENGTH} characters long (not counting a leading "/")`);
  }
  if (HEX_ID.test(name) || NAME.test(name)) return name;
  return refuse('contains a character Docker does not allow in container names');
}
