/**
 * The bash parser behind the policy fence.
 *
 * Parser choice (recorded here on purpose; revisit it only with the bypass corpus in `check.test.ts` green):
 *
 * - **Chosen: tree-sitter's bash grammar, as shipped prebuilt in `@vscode/tree-sitter-wasm`** (the VS Code
 *   team's package: the `web-tree-sitter` runtime and `tree-sitter-bash` 0.25 compiled to WebAssembly, in one
 *   package with no dependencies and no install script). It is maintained (it ships with VS Code), runs on
 *   Node 20 without native builds, names every construct the fence needs (`command`, `pipeline`, `subshell`,
 *   `compound_statement`, `command_substitution`, `process_substitution`, `if_statement`, `case_statement`,
 *   `function_definition`, `test_command`, `arithmetic_expansion`, `heredoc_body`, `ansi_c_string`, …) and
 *   parses a typical command in about 0.02–0.05 ms once loaded. Loading (runtime + grammar WebAssembly) costs
 *   about 60–90 ms, once per process, on the first check. The package carries grammars for other languages
 *   too (~22 MB on disk); only the bash grammar is ever read.
 * - Rejected: `sh-syntax` 0.7 (mvdan/sh in Go WebAssembly). Its JSON hand-off drops every interface-typed
 *   node (a `Stmt`'s `Cmd` arrives as `{Pos, End}` only, so pipelines, lists and calls are invisible), it
 *   instantiates a fresh Go WebAssembly instance on every call (~4 ms per parse at steady state), and it
 *   assigns `globalThis.fs` as a side effect of being imported.
 * - Rejected: `mvdan-sh` (the GopherJS build of mvdan/sh): accurate and synchronous, but an old, unmaintained
 *   build that upstream no longer publishes.
 * - Rejected: `web-tree-sitter` + `tree-sitter-bash` as two packages: two dependencies for the same code, and
 *   `tree-sitter-bash` drags in `node-addon-api`/`node-gyp-build` and a native install script we do not want.
 * - Rejected: `bash-parser` / `@ericcornelissen/bash-parser`: unmaintained, incomplete bash coverage.
 *
 * Known grammar gaps are repaired or failed closed by the checker, not here: tree-sitter treats a line
 * continuation (`\` + newline) between two halves of a word as whitespace (bash joins them), so the checker
 * removes such continuations and parses again; tree-sitter never fails, it marks `ERROR`/`MISSING` nodes,
 * which the checker turns into a `parse_error` violation whenever a list is active.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';

/** A syntax node, copied out of the WebAssembly tree into plain objects so the tree can be freed at once. */
export interface SyntaxNode {
  /** Grammar type: `command`, `word`, `"|"`, … Anonymous tokens keep their literal text as type. */
  readonly type: string;
  /** Whether the node is a named grammar node (rather than an anonymous token such as `|`). */
  readonly named: boolean;
  /** The field this node fills in its parent (`name`, `argument`, `redirect`, `body`, …), if any. */
  readonly field: string | null;
  /** Start offset in the parsed string (UTF-16 code units). */
  readonly start: number;
  /** End offset in the parsed string (UTF-16 code units). */
  readonly end: number;
  /** Whether the parser inserted this node to recover from an error. */
  readonly missing: boolean;
  /** Child nodes in source order. */
  readonly children: SyntaxNode[];
}

/** A parsed string: the root node and whether any error or missing node was found. */
export interface ParsedSource {
  readonly root: SyntaxNode;
  /** Offset of the first `ERROR` or `MISSING` node, or -1 when the parse was clean. */
  readonly errorAt: number;
  /** The deepest node depth seen. */
  readonly maxDepth: number;
}

/** Hard cap on syntax-tree depth: deeper trees are not copied (the checker rejects them as too deeply nested). */
export const MAX_TREE_DEPTH = 400;

let parserPromise: Promise<TreeSitter.Parser> | undefined;

async function loadParser(): Promise<TreeSitter.Parser> {
  // The package is CommonJS (UMD); under Node's ESM loader its exports are the `default` export.
  const loaded = (await import('@vscode/tree-sitter-wasm')) as unknown as {
    default?: typeof TreeSitter;
  } & typeof TreeSitter;
  const api = loaded.default ?? loaded;
  await api.Parser.init();
  const require = createRequire(import.meta.url);
  const grammar = await readFile(require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-bash.wasm'));
  const language = await api.Language.load(new Uint8Array(grammar.buffer, grammar.byteOffset, grammar.byteLength));
  const parser = new api.Parser();
  parser.setLanguage(language);
  return parser;
}

/** Loads the parser once per process; later calls share the same promise. */
export function getParser(): Promise<TreeSitter.Parser> {
  parserPromise ??= loadParser().catch((error: unknown) => {
    parserPromise = undefined;
    throw error;
  });
  return parserPromise;
}

/**
 * Parses `source` as bash and copies the tree into plain {@link SyntaxNode} objects.
 * Throws `RangeError` when the tree is deeper than {@link MAX_TREE_DEPTH}.
 */
export function parseBash(parser: TreeSitter.Parser, source: string): ParsedSource {
  const tree = parser.parse(source);
  if (!tree) throw new Error('the bash parser returned no tree');
  const cursor = tree.walk();
  try {
    let errorAt = -1;
    let maxDepth = 0;
    // Iterative pre-order copy with an explicit stack of parents.
    const rootNode: SyntaxNode = {
      type: cursor.nodeType,
      named: cursor.nodeIsNamed,
      field: null,
      start: cursor.startIndex,
      end: cursor.endIndex,
      missing: cursor.nodeIsMissing,
      children: [],
    };
    if (cursor.nodeType === 'ERROR') errorAt = cursor.startIndex;
    const stack: SyntaxNode[] = [rootNode];
    if (cursor.gotoFirstChild()) {
      for (;;) {
        const parent = stack[stack.length - 1]!;
        const node: SyntaxNode = {
          type: cursor.nodeType,
          named: cursor.nodeIsNamed,
          field: cursor.currentFieldName,
          start: cursor.startIndex,
          end: cursor.endIndex,
          missing: cursor.nodeIsMissing,
          children: [],
        };
        parent.children.push(node);
        if (errorAt < 0 && (node.missing || node.type === 'ERROR')) errorAt = node.start;
        if (stack.length > maxDepth) maxDepth = stack.length;
        if (stack.length > MAX_TREE_DEPTH) throw new RangeError('syntax tree too deep');
        if (cursor.gotoFirstChild()) {
          stack.push(node);
          continue;
        }
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) break;
          stack.pop();
          if (stack.length === 0) break;
        }
        if (stack.length === 0) break;
      }
    }
    return { root: rootNode, errorAt, maxDepth };
  } finally {
    cursor.delete();
    tree.delete();
  }
}
