/**
 * Reading a shell's exported variables from `export -p` output, to restore them in a new shell
 * after a lost connection.
 *
 * Formats: bash `declare -x NAME="value"` (double quotes, `\` escaping `"$\` and backquote) or
 * `declare -x NAME` (no value); bash in posix mode, dash and busybox ash
 * `export NAME='value'` (single quotes, `'\''` for a quote); `$'…'` ANSI-C quoting where a shell
 * uses it for control characters.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Variables that belong to one shell or one connection, never carried to a new shell. */
const NOT_RESTORED = new Set(['PWD', 'OLDPWD', 'SHLVL', '_', 'SSH_CLIENT', 'SSH_CONNECTION', 'SSH_TTY', 'PS1', 'PS2', 'PS4', 'ENV', 'PPID']);

/** Parses `export -p` output into `[name, value]` pairs, in order; variables without a value are skipped. */
export function parseExports(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let i = 0;
  const n = text.length;
  const skipBlanks = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  while (i < n) {
    skipBlanks();
    // Command word and flags.
    const lineStart = i;
    while (i < n && text[i] !== ' ' && text[i] !== '\n') i++;
    const word = text.slice(lineStart, i);
    if (word !== 'declare' && word !== 'export' && word !== 'typeset') {
      while (i < n && text[i] !== '\n') i++;
      i++;
      continue;
    }
    skipBlanks();
    while (text[i] === '-') {
      while (i < n && text[i] !== ' ' && text[i] !== '\n') i++;
      skipBlanks();
    }
    const nameStart = i;
    while (i < n && /[A-Za-z0-9_]/.test(text[i]!)) i++;
    const name = text.slice(nameStart, i);
    if (text[i] !== '=') {
      while (i < n && text[i] !== '\n') i++;
      i++;
      continue;
    }
    i++;
    let value = '';
    while (i < n && text[i] !== '\n' && text[i] !== ' ') {
      const c = text[i]!;
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) return pairs;
        value += text.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n && '"$\\`\n'.includes(text[i + 1]!)) i++;
          value += text[i];
          i++;
        }
        i++;
      } else if (c === '$' && text[i + 1] === "'") {
        i += 2;
        while (i < n && text[i] !== "'") {
          if (text[i] === '\\' && i + 1 < n) {
            const [decoded, used] = decodeAnsiC(text, i + 1);
            value += decoded;
            i += 1 + used;
          } else {
            value += text[i];
            i++;
          }
        }
        i++;
      } else if (c === '\\' && i + 1 < n) {
        value += text[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    while (i < n && text[i] !== '\n') i++;
    i++;
    if (NAME.test(name)) pairs.push([name, value]);
  }
  return pairs;
}

function decodeAnsiC(text: string, at: number): [string, number] {
  const c = text[at]!;
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  if (c in simple) return [simple[c]!, 1];
  if (c === 'x') {
    const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(at + 1, at + 3))?.[0] ?? '';
    return hex ? [String.fromCharCode(Number.parseInt(hex, 16)), 1 + hex.length] : ['\\x', 1];
  }
  const octal = /^[0-7]{1,3}/.exec(text.slice(at, at + 3))?.[0];
  if (octal) return [String.fromCharCode(Number.parseInt(octal, 8)), octal.length];
  return [`\\${c}`, 1];
}

/** The exported variables worth carrying into a new shell (connection- and shell-specific ones left out). */
export function restorableExports(pairs: Array<[string, string]>): Array<[string, string]> {
  return pairs.filter(([name, value]) => !NOT_RESTORED.has(name) && !name.startsWith('BASH_FUNC_') && !value.includes('\0'));
}

/**
 * Whether `command` may change the shell's exported variables (and so calls for a new snapshot):
 * it assigns a variable, or uses a builtin that can export, unset or source.
 */
export function mayChangeExports(command: string): boolean {
  return /(^|[\s;&|(`{])([A-Za-z_][A-Za-z0-9_]*=|(export|declare|typeset|unset|source|readonly|eval|set|local|\.)(\s|$))/.test(command);
}
