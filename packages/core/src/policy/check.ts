/**
 * The policy fence: finds every simple command a bash command string would run and checks it against a
 * {@link Policy}. The parser and why it was chosen are described in `parser.ts`.
 *
 * What the checker does, in order:
 * 1. Screens the raw text (control, bidi and zero-width characters, size, bracket depth) without parsing.
 * 2. Parses with tree-sitter-bash, re-parsing once with bash's line continuations joined where tree-sitter
 *    would otherwise split a word (`r\⏎m` is `rm` to bash).
 * 3. Walks the whole tree: pipelines, lists, subshells, groups, control flow, function bodies, `[[ ]]`,
 *    arithmetic, redirections, assignments, `$(…)`, backquotes (re-parsed after bash's backslash rules),
 *    `<(…)`, `>(…)`, unquoted heredoc bodies (re-parsed as double-quoted text), and any word in which
 *    tree-sitter left a substitution unparsed.
 * 4. For each simple command, normalises the command word (quote removal, escapes, `$'…'`, path → name),
 *    sees through wrappers (`sudo`, `env`, `timeout`, `xargs`, `find -exec`, `busybox`, `sh -c '…'`,
 *    `eval '…'`, `trap '…'`, `alias x='…'`, …) and records each program.
 * 5. Applies the lists, the guard and the deny patterns.
 *
 * Fail-closed rules (each an `unknown_program` violation, reported only when an allow or deny list is
 * active): a command word that is not static (variable, substitution, glob, brace expansion); a wrapper
 * option that is not static; `-c`/`eval`/`trap`/`alias`/`watch`/`su -c` code that is not literal; a shell or
 * interpreter that reads its program from standard input (a pipe, here-string, heredoc, `< file`, or the
 * session itself: `echo … | sh`, `bash <<< …`, `sh < file`, a bare `python3`) or from a stream operand
 * (`bash <(…)`, `source /dev/stdin`); `env -S`; nesting of shell code deeper than {@link MAX_CODE_DEPTH}.
 *
 * A parse error is a `parse_error` violation only when a list is active: with no list nothing depends on
 * knowing the programs, and the shell reports the syntax error itself.
 */
import * as vm from 'node:vm';
import { InvalidOptionsError } from '../errors/index.js';
import { DOWNLOADERS, deviceRedirect, guardSimpleCommand, isDownloader } from './guard.js';
import { MAX_NESTING, screenInput } from './input.js';
import { hasAny, scanOptions, type OptionSpec } from './options.js';
import { getParser, MAX_TREE_DEPTH, parseBash, type SyntaxNode } from './parser.js';
import type { Policy, PolicyDecision, PolicyRule, PolicyViolation } from './types.js';
import { compileDenyPattern, foldName, validatePolicy } from './validate.js';
import { DYNAMIC, evaluateWord, literalWord, programName, type Word } from './words.js';

/** Deepest nesting of shell code inside shell code (`sh -c`, `eval`, backquotes, heredoc bodies, …). */
export const MAX_CODE_DEPTH = 8;
/** Most parser calls one check may make (nested code is parsed separately). */
const MAX_PARSES = 1024;
/** Commands whose pattern-checked text is longer than this run deny patterns under a time limit. */
const PATTERN_FAST_PATH_CHARS = 4096;
/** Time limit for deny patterns on long commands; exceeding it counts as a match. */
const PATTERN_TIMEOUT_MS = 250;

interface Ctx {
  readonly parser: Awaited<ReturnType<typeof getParser>>;
  readonly allow: ReadonlySet<string> | null;
  readonly deny: ReadonlySet<string>;
  readonly listActive: boolean;
  readonly guard: boolean;
  readonly programs: string[];
  readonly programSeen: Set<string>;
  readonly violations: PolicyViolation[];
  readonly violationKeys: Set<string>;
  readonly renders: Array<{ text: string; program: string }>;
  readonly infos: WeakMap<SyntaxNode, CommandInfo>;
  parses: number;
  nestingReported: boolean;
}

interface Doc {
  readonly source: string;
  /** Nesting level of this shell code (0 for the command itself). */
  readonly depth: number;
}

interface Scope {
  readonly nesting: number;
  /** Inside double quotes (affects how backquoted code is unescaped). */
  readonly inDq: boolean;
  /** Inside an unquoted heredoc body, where `\"` inside backquotes is ambiguous: both readings are checked. */
  readonly heredoc: boolean;
}

/** What one simple command does, for checks that span a pipeline. */
interface CommandInfo {
  readonly programs: string[];
  /** A shell or interpreter that reads its program from standard input. */
  readsCode: boolean;
  /** A downloader (`curl`, `wget`, …) runs. */
  downloads: boolean;
}

const NESTING_TYPES = new Set([
  'subshell',
  'compound_statement',
  'command_substitution',
  'process_substitution',
  'if_statement',
  'while_statement',
  'for_statement',
  'c_style_for_statement',
  'case_statement',
  'function_definition',
  'arithmetic_expansion',
  'parenthesized_expression',
  'test_command',
  'expansion',
]);

/** Leaves whose text bash expands; if one still contains `$(`, `${`, `$[` or a backquote, tree-sitter missed it. */
const EXPANDED_LEAVES = new Set(['word', 'string_content', 'extglob_pattern', 'regex']);

/** Shell reserved words: unquoted in command position they mean tree-sitter misread the structure. */
const RESERVED_WORDS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', 'in', '{', '}', '[[', ']]', 'function', 'if', 'case', 'for', 'select', 'while', 'until']);

const SHELLS = new Set(['sh', 'bash', 'rbash', 'dash', 'zsh', 'ksh', 'ksh93', 'mksh', 'pdksh', 'ash', 'yash', 'posh', 'fish', 'csh', 'tcsh']);

interface InterpreterSpec {
  /** Short options whose argument is program text (`python -c`, `perl -e`). */
  readonly inline: string;
  readonly inlineLong?: readonly string[];
  /** Short options that name a module or file to run instead of reading stdin (`python -m`, `php -f`). */
  readonly runs?: string;
  /** Short options that take a separate argument. */
  readonly short?: string;
  readonly long?: readonly string[];
}

const PYTHON: InterpreterSpec = { inline: 'c', runs: 'm', short: 'WX', long: ['check-hash-based-pycs'] };
const INTERPRETERS = new Map<string, InterpreterSpec>([
  ['perl', { inline: 'eE' }],
  ['ruby', { inline: 'e', short: 'IrCEx' }],
  ['irb', { inline: '', short: 'Ir' }],
  ['node', { inline: 'ep', inlineLong: ['eval', 'print'], short: 'rC', long: ['require', 'import', 'loader', 'experimental-loader', 'conditions', 'input-type', 'env-file'] }],
  ['nodejs', { inline: 'ep', inlineLong: ['eval', 'print'], short: 'rC', long: ['require', 'import', 'loader', 'experimental-loader', 'conditions', 'input-type', 'env-file'] }],
  ['php', { inline: 'rBRE', runs: 'f', short: 'cdz' }],
  ['lua', { inline: 'e', short: 'l' }],
  ['luajit', { inline: 'e', short: 'lj' }],
  ['tclsh', { inline: '' }],
  ['wish', { inline: '' }],
  ['osascript', { inline: 'e' }],
]);

function interpreterSpec(name: string): InterpreterSpec | undefined {
  if (/^(?:python|pypy)[0-9.]*$/.test(name)) return PYTHON;
  return INTERPRETERS.get(name);
}

/** Wrappers that run the rest of their arguments as a command, after options (and fixed operands). */
interface WrapperSpec extends OptionSpec {
  /** Operands to skip before the command (`timeout` DURATION, `chroot` NEWROOT, `taskset` MASK). */
  readonly operands?: number;
  /** Skip `NAME=value` words before the command (`env`, `sudo`). */
  readonly assignments?: boolean;
  /** Options after which nothing is run (`command -v`, `sudo -l`). */
  readonly noExec?: readonly string[];
  /** Options that, without a command, start an interactive shell (`sudo -s`); `true`: always. */
  readonly shellWhenEmpty?: readonly string[] | true;
  /** The command run when none is given (`xargs` runs `echo`). */
  readonly defaultCommand?: string;
}

const WRAPPERS = new Map<string, WrapperSpec>([
  ['nohup', {}],
  ['builtin', {}],
  ['setsid', {}],
  ['unbuffer', {}],
  ['command', { noExec: ['v', 'V'] }],
  ['exec', { short: 'a' }],
  ['timeout', { short: 'ks', long: ['signal', 'kill-after'], operands: 1 }],
  ['nice', { short: 'n', long: ['adjustment'], numeric: true }],
  ['ionice', { short: 'cnpPu', long: ['class', 'classdata', 'pid', 'pgid', 'uid'], noExec: ['p', 'P', 'u', 'pid', 'pgid', 'uid'] }],
  ['stdbuf', { short: 'ioe', long: ['input', 'output', 'error'] }],
  ['time', { short: 'fo', long: ['format', 'output'] }],
  ['chroot', { long: ['userspec', 'groups'], operands: 1, shellWhenEmpty: true }],
  ['taskset', { noExec: ['p', 'pid'], operands: 1 }],
  ['chrt', { short: 'TPD', long: ['sched-runtime', 'sched-period', 'sched-deadline'], noExec: ['p', 'pid', 'm', 'max'], operands: 1 }],
  [
    'sudo',
    {
      short: 'CDgpRrTtUu',
      long: ['close-from', 'chdir', 'group', 'host', 'prompt', 'chroot', 'role', 'type', 'command-timeout', 'other-user', 'user'],
      assignments: true,
      noExec: ['l', 'list', 'v', 'validate', 'V', 'version', 'e', 'edit', 'K', 'remove-timestamp'],
      shellWhenEmpty: ['s', 'shell', 'i', 'login'],
    },
  ],
  ['doas', { short: 'uC', noExec: ['C', 'L'], shellWhenEmpty: ['s'] }],
  ['env', { short: 'uCPS', long: ['unset', 'chdir', 'split-string'], assignments: true, dash: true }],
  ['xargs', { short: 'adEILnPs', long: ['arg-file', 'delimiter', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'], defaultCommand: 'echo' }],
]);

function violate(ctx: Ctx, rule: PolicyRule, detail: string, program?: string): void {
  const key = `${rule}\u0000${program ?? ''}\u0000${detail}`;
  if (ctx.violationKeys.has(key)) return;
  ctx.violationKeys.add(key);
  ctx.violations.push(program === undefined ? { rule, detail } : { rule, program, detail });
}

/** A fail-closed violation: only when a list is active. */
function unknown(ctx: Ctx, detail: string, program?: string): void {
  if (ctx.listActive) violate(ctx, 'unknown_program', `unknown_program: ${detail}`, program);
}

function parseError(ctx: Ctx, detail: string): void {
  if (ctx.listActive) violate(ctx, 'parse_error', `parse_error: ${detail}; failing closed because a program list is active`);
}

function guardHit(ctx: Ctx, detail: string, program?: string): void {
  if (ctx.guard) violate(ctx, 'guard', `guard: ${detail}`, program);
}

function recordProgram(ctx: Ctx, name: string): void {
  if (!ctx.programSeen.has(name)) {
    ctx.programSeen.add(name);
    ctx.programs.push(name);
  }
  const key = foldName(name);
  if (ctx.deny.has(key)) violate(ctx, 'deny', `deny: program "${name}" is on the deny list`, name);
  if (ctx.allow && !ctx.allow.has(key)) violate(ctx, 'allow', `allow: program "${name}" is not on the allow list`, name);
}

function snippet(source: string, at: number): string {
  const text = source.slice(Math.max(0, at), at + 24).replace(/\n/g, '⏎');
  return JSON.stringify(text);
}

function shown(word: Word): string {
  return word.raw.length > 60 ? `${word.raw.slice(0, 57)}...` : word.raw;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

/** Bash removes backslash-newline everywhere outside quotes and comments; tree-sitter treats it as a space. */
function joinContinuations(source: string, root: SyntaxNode): string | null {
  const covered = new Uint8Array(source.length);
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.children.length === 0 || node.type === 'heredoc_body') covered.fill(1, node.start, node.end);
    else stack.push(...node.children);
  }
  let out = '';
  let last = 0;
  for (let i = source.indexOf('\\\n'); i >= 0; i = source.indexOf('\\\n', i + 1)) {
    if (covered[i] === 1) continue;
    out += source.slice(last, i);
    last = i + 2;
  }
  if (last === 0) return null;
  return out + source.slice(last);
}

interface ParsedDoc {
  readonly doc: Doc;
  readonly root: SyntaxNode;
  readonly errorAt: number;
}

function parseDoc(ctx: Ctx, source: string, depth: number, what: string): ParsedDoc | null {
  if (++ctx.parses > MAX_PARSES) {
    unknown(ctx, `the command needs more than ${MAX_PARSES} parses of nested shell code`);
    return null;
  }
  try {
    let parsed = parseBash(ctx.parser, source);
    if (source.includes('\\\n')) {
      const joined = joinContinuations(source, parsed.root);
      if (joined !== null) {
        source = joined;
        parsed = parseBash(ctx.parser, source);
      }
    }
    return { doc: { source, depth }, root: parsed.root, errorAt: parsed.errorAt };
  } catch (error) {
    if (error instanceof RangeError) {
      violate(ctx, 'rejected_input', `rejected_input: ${what} nests deeper than ${MAX_TREE_DEPTH} syntax levels`);
      return null;
    }
    throw error;
  }
}

/** Parses and checks a piece of shell code (the command itself, or code found inside it). */
function analyseCode(ctx: Ctx, code: string, depth: number, what: string, scope?: Scope): void {
  if (depth > MAX_CODE_DEPTH) {
    unknown(ctx, `${what} nests shell code more than ${MAX_CODE_DEPTH} levels deep`);
    return;
  }
  if (depth > 0) {
    const reason = screenInput(code);
    if (reason) {
      violate(ctx, 'rejected_input', `rejected_input: ${what}: ${reason}`);
      return;
    }
  }
  const parsed = parseDoc(ctx, code, depth, what);
  if (!parsed) return;
  if (parsed.errorAt >= 0) {
    parseError(ctx, `${what}: syntax error near offset ${parsed.errorAt} ${snippet(parsed.doc.source, parsed.errorAt)}`);
  }
  visit(ctx, parsed.doc, parsed.root, scope ?? { nesting: 0, inDq: false, heredoc: false });
}

/**
 * Checks text that bash expands like the inside of double quotes (an unquoted heredoc body, a prompt
 * string, or a leaf in which tree-sitter left a substitution unparsed). Outside substitutions such text
 * has no structure but backslash escapes, so it is scanned for `$(`, `${`, `$[` and backquotes; each
 * substitution is parsed on its own, in a growing window, inside double quotes.
 */
function analyseExpanded(ctx: Ctx, text: string, depth: number, what: string, scope: Scope): void {
  if (depth > MAX_CODE_DEPTH) {
    unknown(ctx, `${what} nests shell code more than ${MAX_CODE_DEPTH} levels deep`);
    return;
  }
  const inner: Scope = { ...scope, inDq: true };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '`') {
      const close = backquoteEnd(text, i);
      if (close < 0) {
        parseError(ctx, `${what}: unterminated backquote near ${snippet(text, i)}`);
        return;
      }
      analyseBackquoted(ctx, text.slice(i + 1, close), depth + 1, inner);
      i = close + 1;
      continue;
    }
    if (!(c === '$' && (text[i + 1] === '(' || text[i + 1] === '{' || text[i + 1] === '['))) {
      i++;
      continue;
    }
    const simple = /^\$\{[#!]?(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])\}/.exec(text.slice(i, i + 300));
    if (simple) {
      i += simple[0].length; // `${name}`: nothing to run
      continue;
    }
    const end = substitutionAt(ctx, text, i, depth, what, inner);
    if (end < 0) return;
    i = end;
  }
}

/** Parses and visits the substitution starting at `text[start]`; returns the index after it, or -1. */
function substitutionAt(ctx: Ctx, text: string, start: number, depth: number, what: string, scope: Scope): number {
  for (let window = 256; ; window *= 2) {
    const slice = text.slice(start, start + window);
    const complete = start + window >= text.length;
    const parsed = parseDoc(ctx, `"${slice}"`, depth, what);
    if (!parsed) return -1;
    const string = findString(parsed.root);
    const node = string?.children[1];
    const close = node?.children[node.children.length - 1];
    const ok =
      node !== undefined &&
      node.start === 1 &&
      node.end - 1 <= slice.length &&
      ['command_substitution', 'expansion', 'arithmetic_expansion'].includes(node.type) &&
      close !== undefined &&
      !close.missing &&
      (parsed.errorAt < 0 || parsed.errorAt >= node.end);
    if (ok) {
      visit(ctx, parsed.doc, node, scope);
      return start + node.end - 1;
    }
    if (complete) {
      parseError(ctx, `${what}: cannot parse the substitution at ${snippet(text, start)}`);
      return -1;
    }
  }
}

function findString(root: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode | undefined = root;
  while (node && node.type !== 'string') node = node.children[0];
  return node && node.start === 0 ? node : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Tree walk

function visitChildren(ctx: Ctx, doc: Doc, node: SyntaxNode, scope: Scope): void {
  for (const child of node.children) visit(ctx, doc, child, scope);
}

function visit(ctx: Ctx, doc: Doc, node: SyntaxNode, scope: Scope): void {
  if (NESTING_TYPES.has(node.type)) {
    scope = { ...scope, nesting: scope.nesting + 1 };
    if (scope.nesting > MAX_NESTING) {
      if (!ctx.nestingReported) {
        ctx.nestingReported = true;
        violate(ctx, 'rejected_input', `rejected_input: command nests deeper than ${MAX_NESTING} levels`);
      }
      return;
    }
  }
  switch (node.type) {
    case 'command':
      handleCommand(ctx, doc, node, scope);
      visitChildren(ctx, doc, node, scope);
      return;
    case 'declaration_command':
    case 'unset_command': {
      const keyword = node.children[0];
      if (keyword && !keyword.named) recordProgram(ctx, doc.source.slice(keyword.start, keyword.end));
      visitChildren(ctx, doc, node, scope);
      return;
    }
    case 'function_definition':
      checkForkBomb(ctx, doc, node);
      visitChildren(ctx, doc, node, scope);
      return;
    case 'command_substitution':
      if (node.children[0]?.type === '`' || node.children[0]?.type === '$`') {
        handleBackquotes(ctx, doc, node, scope);
        return;
      }
      visitChildren(ctx, doc, node, { ...scope, inDq: false, heredoc: false });
      return;
    case 'process_substitution':
      visitChildren(ctx, doc, node, { ...scope, inDq: false, heredoc: false });
      return;
    case 'string':
    case 'translated_string':
      visitChildren(ctx, doc, node, { ...scope, inDq: true });
      return;
    case 'heredoc_redirect':
      handleHeredoc(ctx, doc, node, scope);
      return;
    case 'variable_assignment':
      handleAssignment(ctx, doc, node, scope);
      visitChildren(ctx, doc, node, scope);
      return;
    case 'file_redirect':
      handleRedirect(ctx, doc, node);
      visitChildren(ctx, doc, node, scope);
      return;
    case 'pipeline':
      visitChildren(ctx, doc, node, scope);
      checkDownloadPipe(ctx, node);
      return;
    default:
      if (node.children.length === 0) {
        // Inside double quotes, `'…'` within `${x:-'…'}` is not quoting for bash: `$(…)` in it runs.
        if (EXPANDED_LEAVES.has(node.type) || (node.type === 'raw_string' && scope.inDq)) {
          checkUnparsedSubstitution(ctx, doc, node, scope);
        }
        return;
      }
      visitChildren(ctx, doc, node, scope);
  }
}

/** Unescaped backquote, `$(`, `${` or `$[` in a leaf tree-sitter did not expand. */
function hasUnparsedSubstitution(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '`') return true;
    if (c === '$' && (text[i + 1] === '(' || text[i + 1] === '{' || text[i + 1] === '[')) return true;
  }
  return false;
}

function checkUnparsedSubstitution(ctx: Ctx, doc: Doc, node: SyntaxNode, scope: Scope): void {
  const text = doc.source.slice(node.start, node.end);
  if (!hasUnparsedSubstitution(text)) return;
  analyseExpanded(ctx, text, doc.depth + 1, `substitution inside ${JSON.stringify(text.slice(0, 40))}`, scope);
}

/** Index of the backquote that closes the one at `open`, by bash's rule (the next unescaped backquote), or -1. */
function backquoteEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '`') return i;
  }
  return -1;
}

/** Backquoted code: bash removes the backslash before `$`, backquote and `\` (and `"` inside double quotes). */
function analyseBackquoted(ctx: Ctx, inner: string, depth: number, scope: Scope): void {
  const unescape = (withQuote: boolean): string => inner.replace(withQuote ? /\\([$`\\"])/g : /\\([$`\\])/g, '$1');
  const fresh: Scope = { nesting: scope.nesting, inDq: false, heredoc: false };
  analyseCode(ctx, unescape(scope.inDq && !scope.heredoc), depth, 'backquoted command', fresh);
  // In a heredoc body it is unclear whether `\"` loses its backslash: check both readings.
  if (scope.heredoc && inner.includes('\\"')) analyseCode(ctx, unescape(true), depth, 'backquoted command', fresh);
}

/**
 * A backquoted command found by tree-sitter. Its extent is recomputed by bash's rule: tree-sitter reads
 * "` `" as one token, so `` `a` `b` `` comes out as a single substitution; whatever follows the real
 * closing backquote inside tree-sitter's node is checked again as expanded text.
 */
function handleBackquotes(ctx: Ctx, doc: Doc, node: SyntaxNode, scope: Scope): void {
  const open = node.children[0]!.end - 1; // the backquote (tree-sitter also has a `$`+backquote token)
  const close = backquoteEnd(doc.source, open);
  if (close < 0) {
    parseError(ctx, `unterminated backquote near offset ${open}`);
    return;
  }
  analyseBackquoted(ctx, doc.source.slice(open + 1, close), doc.depth + 1, scope);
  if (close + 1 < node.end) {
    analyseExpanded(ctx, doc.source.slice(close + 1, node.end), doc.depth + 1, 'text after a backquoted command', scope);
  }
}

function handleHeredoc(ctx: Ctx, doc: Doc, node: SyntaxNode, scope: Scope): void {
  const op = node.children[0];
  const start = node.children.find((c) => c.type === 'heredoc_start');
  const body = node.children.find((c) => c.type === 'heredoc_body');
  const end = node.children.find((c) => c.type === 'heredoc_end');
  for (const child of node.children) {
    if (child.type !== 'heredoc_body') visit(ctx, doc, child, scope);
  }
  if (!start) return;
  const startText = doc.source.slice(start.start, start.end);
  const quoted = /['"\\]/.test(startText);
  const delimiter = startText.replace(/['"\\]/g, '');
  const stripTabs = op?.type === '<<-';
  if (!end || end.missing) {
    parseError(ctx, `heredoc ${JSON.stringify(delimiter)} is not terminated`);
    return;
  }
  const endText = doc.source.slice(end.start, end.end);
  if (endText.replace(/^\t+/, '') !== delimiter) {
    parseError(ctx, `heredoc ${JSON.stringify(delimiter)} ends at ${JSON.stringify(endText)}`);
    return;
  }
  if (!body) return;
  const bodyText = doc.source.slice(body.start, end.start);
  // tree-sitter must end the body at the first delimiter line, as bash does; otherwise fail closed.
  const lines = bodyText.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const line = stripTabs ? lines[i]!.replace(/^\t+/, '') : lines[i]!;
    if (line === delimiter) {
      parseError(ctx, `heredoc ${JSON.stringify(delimiter)} body boundary is ambiguous`);
      return;
    }
  }
  if (!quoted && /`|\$[({[]/.test(bodyText)) {
    analyseExpanded(ctx, bodyText, doc.depth + 1, 'heredoc body', { ...scope, heredoc: true });
  }
}

/** Assignments whose value bash later runs as code. */
function handleAssignment(ctx: Ctx, doc: Doc, node: SyntaxNode, scope: Scope): void {
  const name = node.children.find((c) => c.field === 'name');
  const value = node.children.find((c) => c.field === 'value');
  if (!name || !value) return;
  const variable = doc.source.slice(name.start, name.end).replace(/\[.*$/, '');
  const isPromptCommand = variable === 'PROMPT_COMMAND';
  const isPrompt = /^PS[0-4]$/.test(variable);
  if (!isPromptCommand && !isPrompt) return;
  const word = evaluateWord([value], doc.source);
  if (word.dynamic !== null) {
    unknown(ctx, `${variable} is set to a value that is not literal (${shown(word)}); it runs as code later`);
    return;
  }
  if (isPromptCommand) analyseCode(ctx, word.text, doc.depth + 1, variable);
  else if (/`|\$[({[]/.test(word.text)) analyseExpanded(ctx, word.text, doc.depth + 1, variable, scope);
}

function handleRedirect(ctx: Ctx, doc: Doc, node: SyntaxNode): void {
  if (!ctx.guard) return;
  const op = node.children.find((c) => !c.named && c.field === null);
  if (!op || !['>', '>>', '>|', '&>', '&>>', '<>', '>&'].includes(op.type)) return;
  const targets = node.children.filter((c) => c.field === 'destination');
  if (targets.length === 0) return;
  const hit = deviceRedirect(evaluateWord(targets, doc.source));
  if (hit) guardHit(ctx, hit);
}

// ---------------------------------------------------------------------------------------------------------
// Simple commands

/** Groups a command's word nodes: nodes with no space between them are one shell word. */
function commandWords(doc: Doc, node: SyntaxNode): Word[] | null {
  const nameNode = node.children.find((c) => c.field === 'name');
  if (!nameNode) return null;
  const parts: SyntaxNode[] = [...nameNode.children];
  for (const child of node.children) if (child.field === 'argument') parts.push(child);
  const groups: SyntaxNode[][] = [];
  for (const part of parts) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    if (last && prev && prev.end === part.start) last.push(part);
    else groups.push([part]);
  }
  return groups.map((group) => evaluateWord(group, doc.source));
}

function handleCommand(ctx: Ctx, doc: Doc, node: SyntaxNode, scope: Scope): void {
  const nameNode = node.children.find((c) => c.field === 'name');
  if (!nameNode) return;
  // `(( … ))` is parsed as a command whose name is an arithmetic expansion: it runs no program.
  if (nameNode.children.length === 1 && nameNode.children[0]!.type === 'arithmetic_expansion' && doc.source.startsWith('((', nameNode.start)) {
    return;
  }
  const words = commandWords(doc, node);
  if (!words || words.length === 0) return;
  // `exec {fd}>file`: tree-sitter reads the `{fd}` of a named-descriptor redirection as an argument.
  const lastWord = words[words.length - 1]!;
  if (words.length > 1 && /^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(lastWord.raw) && /^[<>]/.test(doc.source.slice(node.end, node.end + 1))) {
    words.pop();
  }
  const info: CommandInfo = { programs: [], readsCode: false, downloads: false };
  resolveCommand(ctx, doc, words, scope, info);
  ctx.infos.set(node, info);
}

function render(words: readonly Word[]): string {
  return words.map((w) => (w.dynamic !== null ? w.raw : w.text)).join(' ');
}

/** Records the program `words[0]` and follows wrappers to the programs they run. */
function resolveCommand(ctx: Ctx, doc: Doc, words: Word[], scope: Scope, info: CommandInfo): void {
  for (let hops = 0; words.length > 0; hops++) {
    if (hops > 32) {
      unknown(ctx, 'too many nested wrapper commands');
      return;
    }
    const word = words[0]!;
    if (word.dynamic !== null) {
      unknown(ctx, `command word ${shown(word)} is built from a ${word.dynamic} and cannot be checked statically`);
      return;
    }
    if (word.glob) {
      unknown(ctx, `command word ${shown(word)} is a glob pattern and cannot be checked statically`);
      return;
    }
    if (word.brace) {
      unknown(ctx, `command word ${shown(word)} may be a brace expansion and cannot be checked statically`);
      return;
    }
    if (word.raw === '!') {
      // tree-sitter parses `! ! cmd` as a command named `!`; bash negates twice and runs `cmd`.
      words = words.slice(1);
      continue;
    }
    if (RESERVED_WORDS.has(word.raw)) {
      parseError(ctx, `reserved word ${JSON.stringify(word.raw)} where a command name was expected`);
      words = words.slice(1);
      continue;
    }
    const name = programName(word.text);
    if (name === '' || name.includes('{}')) {
      unknown(ctx, `command word ${shown(word)} is not a program name`);
      return;
    }
    recordProgram(ctx, name);
    info.programs.push(name);
    ctx.renders.push({ text: render(words), program: name });
    if (ctx.guard) {
      const hit = guardSimpleCommand(name, words);
      if (hit) guardHit(ctx, hit, name);
    }
    const folded = foldName(name);
    if (DOWNLOADERS.has(folded)) info.downloads = true;
    const next = followWrapper(ctx, doc, folded, name, words, scope, info);
    if (!next) return;
    words = next;
  }
}

/** For a wrapper, the words of the command it runs; `null` when it runs none (or it was handled here). */
function followWrapper(ctx: Ctx, doc: Doc, folded: string, name: string, words: Word[], scope: Scope, info: CommandInfo): Word[] | null {
  if (SHELLS.has(folded)) return handleShell(ctx, doc, name, words, info);
  const interpreter = interpreterSpec(folded);
  if (interpreter) return handleInterpreter(ctx, name, words, interpreter, info);
  switch (folded) {
    case 'eval':
      return handleEval(ctx, doc, words);
    case 'source':
    case '.':
      return handleSource(ctx, doc, name, words, info);
    case 'alias':
      return handleAlias(ctx, doc, words);
    case 'trap':
      return handleTrap(ctx, doc, words);
    case 'find':
      return handleFind(ctx, doc, words, scope, info);
    case 'watch':
      return handleWatch(ctx, doc, words);
    case 'flock':
      return handleFlock(ctx, doc, words);
    case 'su':
    case 'runuser':
      return handleSu(ctx, doc, name, words, info);
    case 'hash':
      return handleHash(ctx, words);
    case 'coproc':
      // `coproc NAME { …; }`: tree-sitter does not parse a coprocess with a compound command.
      if (words.slice(1, 3).some((w) => w.raw === '{' || w.raw === '(')) {
        parseError(ctx, 'coproc with a compound command is not parsed reliably');
        return null;
      }
      return words.length > 1 ? words.slice(1) : null;
    case 'enable':
      if (words.some((w) => w.dynamic !== null || /^-[a-zA-Z]*f/.test(w.text))) {
        unknown(ctx, 'enable -f loads a builtin from a shared library, which cannot be checked', name);
      }
      return null;
    case 'mapfile':
    case 'readarray':
      return handleMapfile(ctx, doc, name, words);
    case 'fc':
      unknown(ctx, 'fc re-runs (possibly edited) history commands, which cannot be checked statically', name);
      return null;
    case 'busybox':
    case 'toybox': {
      const applet = words[1];
      if (!applet || (applet.dynamic === null && applet.text.startsWith('-'))) return null;
      return words.slice(1);
    }
    default:
      break;
  }
  const spec = WRAPPERS.get(folded);
  if (!spec) return null;
  const scan = scanOptions(words, 1, spec);
  if ('unknown' in scan) {
    unknown(ctx, `${name}: option word ${shown(scan.unknown)} is not literal, so the command it runs is unknown`, name);
    return null;
  }
  if (folded === 'env' && hasAny(scan.flags, 'S', 'split-string')) {
    unknown(ctx, 'env -S splits a string into a command, which is not checked', name);
    return null;
  }
  if (spec.noExec && hasAny(scan.flags, ...spec.noExec)) return null;
  let index = scan.index + (spec.operands ?? 0);
  if (spec.assignments) {
    while (index < words.length && words[index]!.dynamic === null && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[index]!.text)) index++;
  }
  if (index < words.length) return words.slice(index);
  if (spec.defaultCommand) return [literalWord(spec.defaultCommand)];
  if (spec.shellWhenEmpty === true || (spec.shellWhenEmpty && hasAny(scan.flags, ...spec.shellWhenEmpty))) {
    info.readsCode = true;
    unknown(ctx, `${name} without a command starts a shell that reads commands from standard input`, name);
  }
  return null;
}

/** Operands that are streams: the code they supply cannot be read statically. */
function isStreamOperand(word: Word): boolean {
  if (word.nodes.some((n) => n.type === 'process_substitution')) return true;
  return /^\/dev\/(?:stdin|fd\/|tcp\/|udp\/)|^\/proc\/[^/]+\/fd\//.test(word.text);
}

/** Whether a word's substitutions run a downloader (for `bash <(curl …)` and `sh -c "$(wget …)"`). */
function substitutionDownloads(doc: Doc, word: Word): boolean {
  const stack = [...word.nodes];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'word' && isDownloader(doc.source.slice(node.start, node.end))) {
      return true;
    }
    stack.push(...node.children);
  }
  return false;
}

function handleShell(ctx: Ctx, doc: Doc, name: string, words: Word[], info: CommandInfo): null {
  let i = 1;
  let command = false;
  let stdin = false;
  while (i < words.length) {
    const word = words[i]!;
    if (word.dynamic !== null) {
      // `<(…)` expands to a /dev/fd path, never to an option: it is the script operand.
      if (word.nodes.length === 1 && word.nodes[0]!.type === 'process_substitution') break;
      if (command) break; // the code operand of -c (checked below)
      unknown(ctx, `${name}: argument ${shown(word)} is not literal, so what it runs is unknown`, name);
      return null;
    }
    const t = word.text;
    if (t === '--' || t === '-') {
      i++;
      break;
    }
    if (t.startsWith('--')) {
      i += t === '--rcfile' || t === '--init-file' ? 2 : 1;
      continue;
    }
    if ((t.startsWith('-') || t.startsWith('+')) && t.length > 1) {
      let takesArgument = false;
      for (const ch of t.slice(1)) {
        if (ch === 'c' && t.startsWith('-')) command = true;
        else if (ch === 's') stdin = true;
        else if (ch === 'o' || ch === 'O') takesArgument = true;
      }
      i += takesArgument ? 2 : 1;
      continue;
    }
    break;
  }
  if (command) {
    const code = words[i];
    if (!code) return null;
    if (code.dynamic !== null) {
      if (substitutionDownloads(doc, code)) guardHit(ctx, `${name} -c runs downloaded code`, name);
      unknown(ctx, `${name} -c runs ${shown(code)}, which is not a literal and cannot be checked statically`, name);
      return null;
    }
    analyseCode(ctx, code.text, doc.depth + 1, `${name} -c`);
    return null;
  }
  if (stdin || i >= words.length) {
    info.readsCode = true;
    unknown(ctx, `${name} reads commands from standard input (a pipe, here-string, heredoc, redirect or the session), which cannot be checked statically`, name);
    return null;
  }
  const script = words[i]!;
  if (isStreamOperand(script)) {
    if (substitutionDownloads(doc, script)) guardHit(ctx, `${name} runs downloaded code`, name);
    unknown(ctx, `${name} runs code from ${shown(script)}, a stream that cannot be checked statically`, name);
  }
  return null;
}

function handleInterpreter(ctx: Ctx, name: string, words: Word[], spec: InterpreterSpec, info: CommandInfo): null {
  let i = 1;
  let stdin = false;
  while (i < words.length) {
    const word = words[i]!;
    if (word.dynamic !== null) return null; // a script (or options) chosen at run time: not inspected
    const t = word.text;
    if (t === '-') {
      stdin = true;
      break;
    }
    if (t === '--') {
      i++;
      break;
    }
    if (t.startsWith('--') && t.length > 2) {
      const eq = t.indexOf('=');
      const long = eq >= 0 ? t.slice(2, eq) : t.slice(2);
      if (spec.inlineLong?.includes(long)) return null;
      i += eq < 0 && spec.long?.includes(long) ? 2 : 1;
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      let skipNext = false;
      for (let j = 1; j < t.length; j++) {
        const ch = t[j]!;
        if (spec.inline.includes(ch) || spec.runs?.includes(ch)) return null; // inline code or a module: not inspected
        if (spec.short?.includes(ch)) {
          skipNext = j + 1 === t.length;
          break;
        }
      }
      i += skipNext ? 2 : 1;
      continue;
    }
    break;
  }
  const script = stdin ? undefined : words[i];
  if (script && !isStreamOperand(script)) return null; // a script file: its contents are not inspected
  info.readsCode = true;
  unknown(ctx, script
    ? `${name} runs code from ${shown(script)}, a stream that cannot be checked statically`
    : `${name} reads its program from standard input, which cannot be checked statically`, name);
  return null;
}

function literalArguments(ctx: Ctx, what: string, words: readonly Word[]): string[] | null {
  for (const word of words) {
    if (word.dynamic !== null) {
      unknown(ctx, `${what} runs ${shown(word)}, which is not a literal and cannot be checked statically`, what.split(' ')[0]);
      return null;
    }
  }
  return words.map((w) => w.text);
}

function handleEval(ctx: Ctx, doc: Doc, words: Word[]): null {
  const args = literalArguments(ctx, 'eval', words.slice(1));
  if (args && args.length > 0) analyseCode(ctx, args.join(' '), doc.depth + 1, 'eval');
  return null;
}

function handleSource(ctx: Ctx, doc: Doc, name: string, words: Word[], info: CommandInfo): null {
  const file = words[1];
  if (file && isStreamOperand(file)) {
    info.readsCode = true;
    if (substitutionDownloads(doc, file)) guardHit(ctx, `${name} runs downloaded code`, name);
    unknown(ctx, `${name} runs code from ${shown(file)}, a stream that cannot be checked statically`, name);
  }
  return null;
}

function handleAlias(ctx: Ctx, doc: Doc, words: Word[]): null {
  for (const word of words.slice(1)) {
    if (word.dynamic === null && word.text.startsWith('-')) continue;
    if (word.dynamic !== null) {
      unknown(ctx, `alias ${shown(word)} is not literal, so the command it defines is unknown`, 'alias');
      continue;
    }
    const eq = word.text.indexOf('=');
    if (eq > 0) analyseCode(ctx, word.text.slice(eq + 1), doc.depth + 1, `alias ${word.text.slice(0, eq)}`);
  }
  return null;
}

function handleTrap(ctx: Ctx, doc: Doc, words: Word[]): null {
  let i = 1;
  const first = words[1];
  if (first && first.dynamic === null && (first.text === '-p' || first.text === '-l' || first.text === '-P')) return null;
  if (first && first.dynamic === null && first.text === '--') i++;
  const action = words[i];
  if (!action) return null;
  if (action.dynamic !== null) {
    unknown(ctx, `trap action ${shown(action)} is not literal, so the command it runs is unknown`, 'trap');
    return null;
  }
  if (action.text === '-' || action.text === '' || /^\d+$/.test(action.text)) return null;
  analyseCode(ctx, action.text, doc.depth + 1, 'trap action');
  return null;
}

function handleFind(ctx: Ctx, doc: Doc, words: Word[], scope: Scope, info: CommandInfo): null {
  for (let i = 1; i < words.length; i++) {
    const t = words[i]!.dynamic === null ? words[i]!.text : '';
    if (t !== '-exec' && t !== '-execdir' && t !== '-ok' && t !== '-okdir') continue;
    let end = i + 1;
    while (end < words.length && !(words[end]!.dynamic === null && (words[end]!.text === ';' || words[end]!.text === '+'))) end++;
    const inner = words.slice(i + 1, end);
    if (inner.length > 0) resolveCommand(ctx, doc, inner, scope, info);
    i = end;
  }
  return null;
}

function handleWatch(ctx: Ctx, doc: Doc, words: Word[]): Word[] | null {
  const scan = scanOptions(words, 1, { short: 'nq', long: ['interval', 'equexit'] });
  if ('unknown' in scan) {
    unknown(ctx, `watch: option word ${shown(scan.unknown)} is not literal`, 'watch');
    return null;
  }
  const rest = words.slice(scan.index);
  if (rest.length === 0) return null;
  if (hasAny(scan.flags, 'x', 'exec')) return rest;
  // watch runs its arguments, joined by spaces, with `sh -c`.
  const args = literalArguments(ctx, 'watch', rest);
  if (args) analyseCode(ctx, args.join(' '), doc.depth + 1, 'watch');
  return null;
}

function handleFlock(ctx: Ctx, doc: Doc, words: Word[]): Word[] | null {
  const scan = scanOptions(words, 1, { short: 'wE', long: ['timeout', 'wait', 'conflict-exit-code'] });
  if ('unknown' in scan) {
    unknown(ctx, `flock: option word ${shown(scan.unknown)} is not literal`, 'flock');
    return null;
  }
  const index = scan.index + 1; // the lock file (or descriptor)
  const next = words[index];
  if (!next) return null;
  if (next.dynamic === null && (next.text === '-c' || next.text === '--command')) {
    const code = words[index + 1];
    if (!code) return null;
    const args = literalArguments(ctx, 'flock -c', [code]);
    if (args) analyseCode(ctx, args[0]!, doc.depth + 1, 'flock -c');
    return null;
  }
  return words.slice(index);
}

function handleSu(ctx: Ctx, doc: Doc, name: string, words: Word[], info: CommandInfo): Word[] | null {
  const scan = scanOptions(words, 1, {
    short: name === 'runuser' ? 'cgGswu' : 'cgGsw',
    long: ['command', 'shell', 'group', 'supp-group', 'session-command', 'whitelist-environment', 'user'],
    dash: true,
  });
  if ('unknown' in scan) {
    unknown(ctx, `${name}: option word ${shown(scan.unknown)} is not literal`, name);
    return null;
  }
  const code = scan.values.get('c') ?? scan.values.get('command') ?? scan.values.get('session-command');
  if (code !== undefined) {
    const text = typeof code === 'string' ? code : code.dynamic === null ? code.text : null;
    if (text === null) unknown(ctx, `${name} -c runs a command that is not literal`, name);
    else analyseCode(ctx, text, doc.depth + 1, `${name} -c`);
    return null;
  }
  if (name === 'runuser' && hasAny(scan.flags, 'u', 'user')) {
    return scan.index < words.length ? words.slice(scan.index) : null;
  }
  info.readsCode = true;
  unknown(ctx, `${name} without -c starts a shell that reads commands from standard input`, name);
  return null;
}

/** `hash -p /bin/rm ls` makes `ls` run `/bin/rm`: the path's program counts as run. */
function handleHash(ctx: Ctx, words: Word[]): null {
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word.dynamic !== null) {
      unknown(ctx, `hash argument ${shown(word)} is not literal, so the program it binds is unknown`, 'hash');
      return null;
    }
    if (/^-[a-zA-Z]*p$/.test(word.text)) {
      const path = words[i + 1];
      if (!path) return null;
      if (path.dynamic !== null) {
        unknown(ctx, `hash -p ${shown(path)} is not literal, so the program it binds is unknown`, 'hash');
        return null;
      }
      recordProgram(ctx, programName(path.text));
      i++;
    }
  }
  return null;
}

/** `mapfile -C callback` evaluates the callback as code. */
function handleMapfile(ctx: Ctx, doc: Doc, name: string, words: Word[]): null {
  const scan = scanOptions(words, 1, { short: 'CcdnOsu' });
  if ('unknown' in scan) {
    unknown(ctx, `${name}: option word ${shown(scan.unknown)} is not literal`, name);
    return null;
  }
  const callback = scan.values.get('C');
  if (callback === undefined) return null;
  const text = typeof callback === 'string' ? callback : callback.dynamic === null ? callback.text : null;
  if (text === null) unknown(ctx, `${name} -C runs a callback that is not literal`, name);
  else analyseCode(ctx, text, doc.depth + 1, `${name} -C`);
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Guard checks that span several commands

/** A function that calls itself in a pipeline or in the background: a fork bomb (`:(){ :|:& };:`). */
function checkForkBomb(ctx: Ctx, doc: Doc, node: SyntaxNode): void {
  if (!ctx.guard) return;
  const nameNode = node.children.find((c) => c.field === 'name');
  const body = node.children.find((c) => c.field === 'body');
  if (!nameNode || !body) return;
  const fn = evaluateWord([nameNode], doc.source).text;
  const search = (n: SyntaxNode, inPipeline: boolean, background: boolean): boolean => {
    if (n.type === 'function_definition') return false;
    if (n.type === 'command' && (inPipeline || background)) {
      const words = commandWords(doc, n);
      if (words?.[0] && words[0].dynamic === null && words[0].text === fn) return true;
    }
    const pipe = inPipeline || n.type === 'pipeline';
    return n.children.some((child, i) => search(child, pipe, background || n.children[i + 1]?.type === '&'));
  };
  if (search(body, false, false)) guardHit(ctx, `fork bomb: function ${JSON.stringify(fn)} calls itself in a pipeline or in the background`, fn);
}

function topLevelInfos(ctx: Ctx, node: SyntaxNode): CommandInfo[] {
  const out: CommandInfo[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'command_substitution' || n.type === 'process_substitution') continue;
    const info = ctx.infos.get(n);
    if (info) out.push(info);
    stack.push(...n.children);
  }
  return out;
}

/** `curl … | sh`, `wget -O- … | sudo bash`, `curl … | python3`: downloaded code run unseen. */
function checkDownloadPipe(ctx: Ctx, node: SyntaxNode): void {
  if (!ctx.guard) return;
  let downloaded = false;
  for (const element of node.children) {
    if (!element.named) continue;
    const infos = topLevelInfos(ctx, element);
    if (downloaded) {
      const runner = infos.find((info) => info.readsCode);
      if (runner) {
        const program = runner.programs[runner.programs.length - 1];
        guardHit(ctx, `piping a download into ${program ?? 'a shell'} runs code nobody checked`, program);
        return;
      }
    }
    if (infos.some((info) => info.downloads)) downloaded = true;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Deny patterns

let patternContext: vm.Context | undefined;
let patternScript: vm.Script | undefined;

function matchPatterns(patterns: readonly RegExp[], texts: readonly string[]): Array<[number, number]> | 'timeout' {
  const total = texts.reduce((n, t) => n + t.length, 0);
  if (total <= PATTERN_FAST_PATH_CHARS) {
    const hits: Array<[number, number]> = [];
    patterns.forEach((re, i) => {
      const j = texts.findIndex((t) => re.test(t));
      if (j >= 0) hits.push([i, j]);
    });
    return hits;
  }
  // Long input: a backtracking pattern could take quadratic time; bound it (V8 interrupts regexes).
  patternContext ??= vm.createContext({});
  patternScript ??= new vm.Script(
    'hits = []; for (let i = 0; i < patterns.length; i++) { for (let j = 0; j < texts.length; j++) { if (patterns[i].test(texts[j])) { hits.push([i, j]); break; } } }',
  );
  patternContext.patterns = patterns;
  patternContext.texts = texts;
  try {
    patternScript.runInContext(patternContext, { timeout: PATTERN_TIMEOUT_MS });
    return (patternContext.hits as Array<[number, number]>).map(([i, j]) => [i, j]);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
    throw error;
  } finally {
    patternContext.patterns = undefined;
    patternContext.texts = undefined;
    patternContext.hits = undefined;
  }
}

function applyDenyPatterns(ctx: Ctx, command: string, patterns: readonly string[]): void {
  if (patterns.length === 0) return;
  const compiled = patterns.map((p, i) => compileDenyPattern(p, `policy.deny_patterns[${i}]`));
  const texts = [command];
  const programs: Array<string | undefined> = [undefined];
  const seen = new Set(texts);
  for (const r of ctx.renders) {
    if (seen.has(r.text)) continue;
    seen.add(r.text);
    texts.push(r.text);
    programs.push(r.program);
  }
  const hits = matchPatterns(compiled, texts);
  if (hits === 'timeout') {
    violate(ctx, 'deny_pattern', `deny_pattern: deny patterns took longer than ${PATTERN_TIMEOUT_MS} ms on this command; treated as a match`);
    return;
  }
  for (const [i, j] of hits) {
    const program = programs[j];
    const where = program === undefined ? 'the command' : `the command ${JSON.stringify(texts[j]!.slice(0, 80))}`;
    violate(ctx, 'deny_pattern', `deny_pattern: ${where} matches deny pattern /${patterns[i]}/`, program);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Entry point

/**
 * Checks a bash command string against a policy before it runs.
 *
 * Every simple command the string contains is found and checked — in pipelines and lists, subshells,
 * `{ }` groups, `$(…)`, backquotes, `<(…)`/`>(…)`, control flow, function bodies, `[[ ]]`, `$(( ))`,
 * redirection targets, assignment values, unquoted heredoc bodies — and the code passed to `sh -c`,
 * `eval`, `trap`, `alias`, `watch` and `su -c` when it is literal. Command words are normalised (quotes,
 * escapes and `$'…'` removed, paths reduced to the program name) and wrappers are seen through (`env`,
 * `sudo`, `doas`, `command`, `builtin`, `exec`, `nohup`, `timeout`, `nice`, `ionice`, `setsid`, `stdbuf`,
 * `time`, `watch`, `flock`, `xargs`, `find -exec`, `busybox`, `chroot`, `taskset`, `chrt`, `coproc`, …).
 *
 * When an allow or deny list is active, whatever cannot be known statically fails closed (see
 * `unknown_program` in the module documentation); a parse error also fails closed then. Control, bidi
 * and zero-width characters, commands over 64 KiB and nesting deeper than 32 levels are always rejected,
 * before parsing.
 *
 * The first call loads the parser (~60–90 ms); later checks of a typical command take well under a
 * millisecond. Throws {@link InvalidOptionsError} when `policy` is invalid (see {@link validatePolicy});
 * rejects if the parser cannot be loaded — callers must treat any rejection as a refusal.
 */
export async function checkCommand(command: string, policy: Policy): Promise<PolicyDecision> {
  if (typeof command !== 'string') throw new InvalidOptionsError('command', 'must be a string');
  return checkWithValidPolicy(command, validatePolicy(policy));
}

/**
 * {@link checkCommand} for a policy that {@link validatePolicy} already returned (not checked again).
 * @internal
 */
export async function checkWithValidPolicy(command: string, valid: Policy): Promise<PolicyDecision> {
  if (typeof command !== 'string') throw new InvalidOptionsError('command', 'must be a string');
  const rejected = screenInput(command);
  if (rejected) {
    return { allowed: false, programs: [], violations: [{ rule: 'rejected_input', detail: `rejected_input: ${rejected}` }] };
  }
  const parser = await getParser();
  const ctx: Ctx = {
    parser,
    allow: valid.allow ? new Set(valid.allow.map(foldName)) : null,
    deny: new Set((valid.deny ?? []).map(foldName)),
    listActive: valid.allow !== undefined || (valid.deny?.length ?? 0) > 0,
    guard: valid.guard === true,
    programs: [],
    programSeen: new Set(),
    violations: [],
    violationKeys: new Set(),
    renders: [],
    infos: new WeakMap(),
    parses: 0,
    nestingReported: false,
  };
  analyseCode(ctx, command, 0, 'command');
  applyDenyPatterns(ctx, command, valid.deny_patterns ?? []);
  return { allowed: ctx.violations.length === 0, programs: ctx.programs, violations: ctx.violations };
}
