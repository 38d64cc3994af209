import { beforeEach, describe, expect, it, vi } from 'vitest';
import { checkCommand } from './check.js';
import { MAX_COMMAND_BYTES, MAX_NESTING, screenInput } from './input.js';
import { parseBash } from './parser.js';

// The real parser, wrapped so that the tests can see whether (and how often) it was called.
vi.mock('./parser.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./parser.js')>();
  return { ...actual, parseBash: vi.fn(actual.parseBash) };
});

const parses = vi.mocked(parseBash);

const REJECTED_CHARS: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['SOH', '\u0001'],
  ['backspace', '\u0008'],
  ['vertical tab', '\u000B'],
  ['form feed', '\u000C'],
  ['carriage return', '\r'],
  ['ESC', '\u001B'],
  ['unit separator', '\u001F'],
  ['DEL', '\u007F'],
  ['C1 0x80', '\u0080'],
  ['CSI (C1)', '\u009B'],
  ['C1 0x9F', '\u009F'],
  ['ALM', '\u061C'],
  ['ZWSP', '\u200B'],
  ['ZWNJ', '\u200C'],
  ['ZWJ', '\u200D'],
  ['LRM', '\u200E'],
  ['RLM', '\u200F'],
  ['LRE', '\u202A'],
  ['RLE', '\u202B'],
  ['PDF', '\u202C'],
  ['LRO', '\u202D'],
  ['RLO', '\u202E'],
  ['word joiner', '\u2060'],
  ['invisible times', '\u2062'],
  ['LRI', '\u2066'],
  ['RLI', '\u2067'],
  ['FSI', '\u2068'],
  ['PDI', '\u2069'],
  ['BOM / ZWNBSP', '\uFEFF'],
  ['lone high surrogate', '\uD800'],
  ['lone low surrogate', '\uDC00'],
];

describe('input screening', () => {
  beforeEach(() => {
    parses.mockClear();
  });

  it('sees the parser calls of a check (the wrapper is in place)', async () => {
    await checkCommand('ls', { deny: ['rm'] });
    expect(parses).toHaveBeenCalledTimes(1);
  });

  it.each(REJECTED_CHARS)('rejects %s before parsing', async (_name, char) => {
    for (const command of [`ls${char}`, `${char}rm x`, `echo "a${char}b"`]) {
      const decision = await checkCommand(command, {});
      expect(decision.allowed).toBe(false);
      expect(decision.programs).toEqual([]);
      expect(decision.violations).toHaveLength(1);
      expect(decision.violations[0]!.rule).toBe('rejected_input');
      expect(decision.violations[0]!.detail).toMatch(/^rejected_input: /);
    }
    expect(parses).not.toHaveBeenCalled();
  });

  it('names the character and its offset', () => {
    expect(screenInput('ls\u202Ex')).toBe('command contains the control or invisible character U+202E at offset 2');
  });

  it('allows tab, newline and ordinary Unicode', async () => {
    const decision = await checkCommand('echo "héllo\tworld 😀"\necho ok', { deny: ['rm'] });
    expect(decision.allowed).toBe(true);
  });

  it('rejects ESC even when it would come from $\'\\e\' code inside sh -c', async () => {
    const decision = await checkCommand("sh -c $'ls\\e[2J'", { deny: ['rm'] });
    expect(decision.violations.map((v) => v.rule)).toContain('rejected_input');
  });

  it('accepts exactly 64 KiB and rejects 64 KiB + 1 byte before parsing', async () => {
    const ok = `echo ${'a'.repeat(MAX_COMMAND_BYTES - 5)}`;
    expect(Buffer.byteLength(ok)).toBe(MAX_COMMAND_BYTES);
    expect(screenInput(ok)).toBeNull();
    const decision = await checkCommand(`${ok}a`, { deny: ['rm'] });
    expect(decision.violations).toEqual([{ rule: 'rejected_input', detail: `rejected_input: command is longer than ${MAX_COMMAND_BYTES} bytes` }]);
    expect(parses).not.toHaveBeenCalled();
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = 'é'.repeat(MAX_COMMAND_BYTES / 2 + 1);
    expect(text.length).toBeLessThan(MAX_COMMAND_BYTES);
    expect(screenInput(text)).toMatch(/longer than/);
  });

  it.each([
    ['subshells', '('.repeat(MAX_NESTING + 1) + 'ls' + ')'.repeat(MAX_NESTING + 1)],
    ['command substitutions', 'echo ' + '$('.repeat(MAX_NESTING + 1) + 'ls' + ')'.repeat(MAX_NESTING + 1)],
    ['groups', '{ '.repeat(MAX_NESTING + 1) + 'ls; ' + '}; '.repeat(MAX_NESTING + 1)],
    ['very deep', '('.repeat(20_000) + ')'.repeat(20_000)],
  ])('rejects nesting deeper than the limit (%s) before parsing', async (_name, command) => {
    const decision = await checkCommand(command, {});
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]!.rule).toBe('rejected_input');
    expect(decision.violations[0]!.detail).toMatch(/nests brackets deeper than 32/);
    expect(parses).not.toHaveBeenCalled();
  });

  it('accepts nesting at the limit', async () => {
    const command = 'echo ' + '$(echo '.repeat(MAX_NESTING - 2) + '$(ls)' + ')'.repeat(MAX_NESTING - 2);
    const decision = await checkCommand(command, { deny: ['rm'] });
    expect(decision.violations).toEqual([]);
    expect(decision.programs).toEqual(['echo', 'ls']);
  });

  it('rejects nesting the bracket scan cannot see, after parsing', async () => {
    // Each level hides its `(` from the quote-blind bracket scan behind a quoted `)`.
    const hidden = 'echo ' + "$(echo ')' ".repeat(MAX_NESTING + 8) + '$(ls)' + ')'.repeat(MAX_NESTING + 8);
    expect(screenInput(hidden)).toBeNull();
    const decision = await checkCommand(hidden, { deny: ['rm'] });
    expect(decision.allowed).toBe(false);
    // Not the bracket scan's rejection: the nesting was found in the syntax tree, from one parse.
    expect(decision.violations).toEqual([{ rule: 'rejected_input', detail: `rejected_input: command nests deeper than ${MAX_NESTING} levels` }]);
    expect(parses).toHaveBeenCalledTimes(1);
    expect(parses.mock.calls[0]![1]).toBe(hidden);
  });
});
