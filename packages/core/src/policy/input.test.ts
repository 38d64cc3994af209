import { describe, expect, it } from 'vitest';
import { checkCommand } from './check.js';
import { MAX_COMMAND_BYTES, MAX_NESTING, screenInput } from './input.js';

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

function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  return fn().then((value) => [value, performance.now() - started]);
}

describe('input screening', () => {
  it.each(REJECTED_CHARS)('rejects %s before parsing', async (_name, char) => {
    for (const command of [`ls${char}`, `${char}rm x`, `echo "a${char}b"`]) {
      const [decision, ms] = await timed(() => checkCommand(command, {}));
      expect(decision.allowed).toBe(false);
      expect(decision.programs).toEqual([]);
      expect(decision.violations).toHaveLength(1);
      expect(decision.violations[0]!.rule).toBe('rejected_input');
      expect(decision.violations[0]!.detail).toMatch(/^rejected_input: /);
      expect(ms).toBeLessThan(50);
    }
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

  it('accepts exactly 64 KiB and rejects 64 KiB + 1 byte quickly', async () => {
    const ok = `echo ${'a'.repeat(MAX_COMMAND_BYTES - 5)}`;
    expect(Buffer.byteLength(ok)).toBe(MAX_COMMAND_BYTES);
    expect(screenInput(ok)).toBeNull();
    const [decision, ms] = await timed(() => checkCommand(`${ok}a`, { deny: ['rm'] }));
    expect(decision.violations).toEqual([{ rule: 'rejected_input', detail: `rejected_input: command is longer than ${MAX_COMMAND_BYTES} bytes` }]);
    expect(ms).toBeLessThan(50);
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
  ])('rejects nesting deeper than the limit (%s) quickly', async (_name, command) => {
    const [decision, ms] = await timed(() => checkCommand(command, {}));
    expect(decision.allowed).toBe(false);
    expect(decision.violations[0]!.rule).toBe('rejected_input');
    expect(decision.violations[0]!.detail).toMatch(/nests brackets deeper than 32/);
    expect(ms).toBeLessThan(50);
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
    const [decision, ms] = await timed(() => checkCommand(hidden, { deny: ['rm'] }));
    expect(decision.allowed).toBe(false);
    expect(decision.violations).toEqual([{ rule: 'rejected_input', detail: `rejected_input: command nests deeper than ${MAX_NESTING} levels` }]);
    expect(ms).toBeLessThan(100);
  });
});
