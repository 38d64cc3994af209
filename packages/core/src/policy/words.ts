/** Static evaluation of shell words: quote removal, escapes, ANSI-C strings, and what cannot be known. */
import type { SyntaxNode } from './parser.js';

/** Placeholder for a part of a word whose value is only known at run time. */
export const DYNAMIC = '\u0000';

/** A shell word after quote removal, as far as it can be known statically. */
export interface Word {
  /** The value with quotes and escapes removed; dynamic parts appear as {@link DYNAMIC}. */
  readonly text: string;
  /** Why the value cannot be known statically (`variable`, `command substitution`, …), or `null`. */
  readonly dynamic: string | null;
  /** Contains an unquoted glob character (`*`, `?`, `[…]`). */
  readonly glob: boolean;
  /** Contains an unquoted brace expansion (`{a,b}`, `{1..3}`). */
  readonly brace: boolean;
  /** Starts with an unquoted `~`. */
  readonly tilde: boolean;
  /** The source text of the word, as written. */
  readonly raw: string;
  /** The syntax nodes the word was made of. */
  readonly nodes: readonly SyntaxNode[];
}

interface Builder {
  text: string;
  /** The value with quoted special characters escaped by a backslash, for glob and brace detection. */
  pattern: string;
  dynamic: string | null;
}

const SPECIAL = new Set(['*', '?', '[', ']', '{', '}', ',', '.', '\\', '~', '@', '+', '!', '(', ')']);

function addQuoted(b: Builder, s: string): void {
  b.text += s;
  for (const ch of s) b.pattern += SPECIAL.has(ch) ? `\\${ch}` : ch;
}

function addUnquoted(b: Builder, s: string): void {
  b.text += s;
  b.pattern += s;
}

function addDynamic(b: Builder, reason: string): void {
  b.text += DYNAMIC;
  b.pattern += DYNAMIC;
  b.dynamic ??= reason;
}

/** Unquoted word text: backslash escapes the next character; backslash-newline disappears. */
function addWordText(b: Builder, raw: string): void {
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === undefined) {
        addUnquoted(b, '\\');
        i++;
      } else {
        if (next !== '\n') addQuoted(b, next);
        i += 2;
      }
      continue;
    }
    addUnquoted(b, c);
    i++;
  }
}

/** Double-quoted text: backslash escapes only `$`, backquote, `"`, `\` and newline. */
function addDoubleQuotedText(b: Builder, raw: string): void {
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      if (next === '\n') {
        i += 2;
        continue;
      }
      if (next === '$' || next === '`' || next === '"' || next === '\\') {
        addQuoted(b, next);
        i += 2;
        continue;
      }
    }
    addQuoted(b, c);
    i++;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\u0007',
  b: '\b',
  e: '\u001b',
  E: '\u001b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** Decodes the body of a bash ANSI-C string (`$'…'`, without the quotes), as bash does. */
export function decodeAnsiC(body: string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1]!;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^[0-7]{1,3}/.exec(body.slice(i + 1, i + 4)))) {
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += 1 + m[0].length;
    } else if (e === 'x' && (m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 2, i + 4)))) {
      out += String.fromCharCode(parseInt(m[0], 16));
      i += 2 + m[0].length;
    } else if (e === 'u' && (m = /^[0-9a-fA-F]{1,4}/.exec(body.slice(i + 2, i + 6)))) {
      out += String.fromCodePoint(parseInt(m[0], 16));
      i += 2 + m[0].length;
    } else if (e === 'U' && (m = /^[0-9a-fA-F]{1,8}/.exec(body.slice(i + 2, i + 10)))) {
      const cp = parseInt(m[0], 16);
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      i += 2 + m[0].length;
    } else if (e === 'c' && i + 2 < body.length) {
      out += String.fromCharCode(body.charCodeAt(i + 2) & 0x1f);
      i += 3;
    } else {
      out += `\\${e}`;
      i += 2;
    }
  }
  // bash truncates the value at the first NUL byte.
  const nul = out.indexOf('\u0000');
  return nul >= 0 ? out.slice(0, nul) : out;
}

const DYNAMIC_KINDS: Record<string, string> = {
  simple_expansion: 'variable',
  expansion: 'parameter expansion',
  command_substitution: 'command substitution',
  process_substitution: 'process substitution',
  arithmetic_expansion: 'arithmetic expansion',
  array: 'array',
};

function addNode(b: Builder, node: SyntaxNode, source: string, flags: { brace: boolean }): void {
  const raw = source.slice(node.start, node.end);
  switch (node.type) {
    case 'word':
    case 'extglob_pattern':
      addWordText(b, raw);
      return;
    case 'raw_string':
      addQuoted(b, raw.slice(1, -1));
      return;
    case 'ansi_c_string':
      addQuoted(b, decodeAnsiC(raw.slice(2, -1)));
      return;
    case 'string':
      for (const child of node.children) {
        if (child.type === '"') continue;
        if (child.type === 'string_content') addDoubleQuotedText(b, source.slice(child.start, child.end));
        else if (!child.named) addQuoted(b, source.slice(child.start, child.end));
        else addDynamic(b, DYNAMIC_KINDS[child.type] ?? child.type);
      }
      return;
    case 'translated_string':
      for (const child of node.children) addNode(b, child, source, flags);
      return;
    case 'concatenation':
      for (const child of node.children) addNode(b, child, source, flags);
      return;
    case 'number':
      if (node.children.length === 0) addUnquoted(b, raw);
      else addDynamic(b, 'arithmetic expansion');
      return;
    case 'brace_expression':
      flags.brace = true;
      addUnquoted(b, raw);
      return;
    default:
      if (!node.named) {
        // A stray anonymous token inside a word (`$`, `=`, …) stands for itself.
        addWordText(b, raw);
        return;
      }
      addDynamic(b, DYNAMIC_KINDS[node.type] ?? `unsupported syntax (${node.type})`);
  }
}

const GLOB = /(?<!\\)(?:\\\\)*[*?]|(?<!\\)(?:\\\\)*\[[^\]]*(?<!\\)\]/;
/** Any unquoted brace: brace expansion is possible (checked loosely: `{` or `}` unquoted). */
const UNQUOTED_BRACE = /(?<!\\)(?:\\\\)*[{}]/;

/**
 * Evaluates adjacent syntax nodes that together form one shell word.
 * A `$` token immediately followed by a double-quoted string is a translated string (`$"…"`).
 */
export function evaluateWord(nodes: readonly SyntaxNode[], source: string): Word {
  const b: Builder = { text: '', pattern: '', dynamic: null };
  const flags = { brace: false };
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.type === '$' && !node.named && nodes[i + 1]?.type === 'string') continue;
    addNode(b, node, source, flags);
  }
  const first = nodes[0];
  const last = nodes[nodes.length - 1];
  const raw = first && last ? source.slice(first.start, last.end) : '';
  return {
    text: b.text,
    dynamic: b.dynamic,
    glob: GLOB.test(b.pattern),
    brace: flags.brace || UNQUOTED_BRACE.test(b.pattern),
    tilde: b.pattern.startsWith('~'),
    raw,
    nodes,
  };
}

/** A literal word (from already-evaluated text, e.g. split out of another word). */
export function literalWord(text: string): Word {
  return { text, dynamic: null, glob: false, brace: false, tilde: false, raw: text, nodes: [] };
}

/** Reduces a command path to its program name: `/usr/bin/../bin/rm` → `rm`. */
export function programName(text: string): string {
  const parts = text.split('/').filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? text;
}
