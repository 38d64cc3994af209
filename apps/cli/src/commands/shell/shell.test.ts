import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Running, runCli, startCli, waitForFile } from '../../test-support/cli.js';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'execkit-cli-shell-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const STATUS = /^\[exit \d+ · .*\]$/;
const ESC = '\u001B';

/** The pseudo-terminal tests need util-linux `script` (Debian: bsdutils; scripts/setup.sh installs it). */
function requireScript(): void {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('`script` (util-linux) is required for the pseudo-terminal tests; run scripts/setup.sh --test-deps');
  }
}

describe('execkit shell (piped stdin)', () => {
  it('keeps state across lines, prints a status line per command and exits with `exit N`', async () => {
    const run = await runCli(['shell'], { input: 'cd /tmp\nexport A=1\necho $A $PWD\nexit 4\necho never\n' });
    expect(run.code).toBe(4);
    expect(run.stdout).toBe('1 /tmp\n');
    const status = run.stderr.trimEnd().split('\n');
    expect(status).toHaveLength(3);
    for (const line of status) expect(line).toMatch(STATUS);
    expect(status[2]).toMatch(/^\[exit 0 · \d+ ms · \/tmp\]$/);
    // No prompt and no colour without a terminal.
    expect(run.stdout + run.stderr).not.toContain('execkit /');
    expect(run.stderr).not.toContain(ESC);
  });

  it('starts in --cwd and exits with the last status at end of input', async () => {
    const run = await runCli(['shell', '--cwd', scratch], { input: 'pwd\nfalse\n' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(`${scratch}\n`);
    expect(run.stderr).toContain('[exit 1 · ');
  });

  it('exits with the status of a command that ends the shell', async () => {
    const run = await runCli(['shell'], { input: 'echo bye; exit 3\necho never\n' });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('bye\n');
    expect(run.stderr).toMatch(/\[exit 3 · shell ended · .*\]/);
  });

  it('joins a line ending with a backslash to the next', async () => {
    const run = await runCli(['shell'], { input: 'echo one \\\ntwo\necho "a\\\\"\n' });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('one two\na\\\n');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  it('keeps stdout exact and starts the status line on its own line', async () => {
    const run = await runCli(['shell'], { input: 'printf out; printf err >&2\n' });
    expect(run.stdout).toBe('out');
    expect(run.stderr).toMatch(/^err\n\[exit 0 · /);
  });

  it('gives commands end-of-file on stdin rather than the lines that follow', async () => {
    const run = await runCli(['shell'], { input: 'cat\necho next\n' });
    expect(run).toMatchObject({ code: 0, stdout: 'next\n' });
  });

  it('interrupts a command at --timeout and keeps the session', async () => {
    const run = await runCli(['shell', '--timeout', '1'], { input: 'export KEPT=yes\nsleep 30; KEPT=finished\necho kept=$KEPT\n' });
    expect(run.code).toBe(0);
    // Interrupted, not waited out: the rest of the command never ran, and the session went on.
    expect(run.stdout).toBe('kept=yes\n');
    expect(run.stderr).toMatch(/\[exit 130 · timed out · \d+ ms · .*\]/);
  });

  it('replaces a shell that ignores the interrupt and says so in the next status line', async () => {
    const run = await runCli(['shell', '--timeout', '1'], { input: `cd /tmp\nexport KEPT=yes\nplain=set\ntrap '' INT; while :; do :; done\necho "kept=$KEPT plain=\${plain-gone} $PWD"\n` });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('kept=yes plain=gone /tmp\n');
    const status = run.stderr.trimEnd().split('\n');
    expect(status).toHaveLength(5);
    expect(status[3]).toMatch(/^\[exit \? · timed out · [\d.]+ m?s · \/tmp\]$/);
    expect(status[4]).toMatch(/^\[exit 0 · new shell: cwd and exported env restored · \d+ ms · \/tmp\]$/);
  });

  it('aborts the running command on SIGINT and keeps the session', async () => {
    const marker = join(scratch, 'shell-sigint');
    const cli = startCli(['shell'], { env: { EK_MARKER: marker } });
    cli.write('export KEPT=yes\ntouch "$EK_MARKER"; sleep 30\n');
    await waitForFile(marker);
    cli.kill('SIGINT');
    await cli.waitFor('stderr', /\[exit 130 · interrupted · /);
    cli.write('echo kept=$KEPT\nexit 0\n');
    const run = await cli.exited;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('kept=yes\n');
  });

  it('rejects a bad --timeout with exit 2 and a bad --cwd with exit 125', async () => {
    const timeout = await runCli(['shell', '--timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/^execkit: option .*--timeout.* is invalid/);
    const cwd = await runCli(['shell', '--cwd', '/no/such/directory']);
    expect(cwd.code).toBe(125);
    expect(cwd.stderr).toMatch(/^execkit: .*No such file or directory.* \(INVALID_OPTIONS\)\n$/);
  });
});

describe('execkit shell (pseudo-terminal)', () => {
  beforeAll(requireScript);

  const inTerminal = (args: string, env: Record<string, string | undefined> = {}) =>
    new Running('script', ['-qec', `'${process.execPath}' '${BIN}' shell ${args}`, '/dev/null'], {
      env: { TERM: 'xterm', NO_COLOR: undefined, ...env },
    });

  it('shows a prompt with the cwd, runs commands, handles Ctrl-C and leaves with `exit N`', async () => {
    const marker = join(scratch, 'pty-sigint');
    const tty = inTerminal('--cwd /tmp', { EK_MARKER: marker });
    try {
      await tty.waitFor('stdout', /one bash session \(local\)\. Ctrl-C interrupts a command/);
      await tty.waitFor('stdout', 'execkit /tmp $ ');

      tty.write('echo pty-$((6*7))\r');
      await tty.waitFor('stdout', /pty-42\r\n/);
      await tty.waitFor('stdout', `${ESC}[2m[exit 0 · `);

      // Ctrl-C at the prompt throws away the line being typed.
      tty.write('echo discarded');
      await tty.waitFor('stdout', 'echo discarded');
      tty.write('\u0003');
      await tty.waitFor('stdout', '^C');
      tty.write('echo kept\r');
      await tty.waitFor('stdout', /\nkept\r\n/);
      expect(tty.stdout).not.toContain('discardedecho');

      // Ctrl-C while a command runs interrupts it; the session stays.
      tty.write('cd /; touch "$EK_MARKER"; sleep 30\r');
      await waitForFile(marker);
      tty.write('\u0003');
      await tty.waitFor('stdout', /\[exit 130 · interrupted · \d+ ms · \/\]/);
      await tty.waitFor('stdout', 'execkit / $ ');

      tty.write('exit 5\r');
      const run = await tty.exited;
      expect(run.code).toBe(5);
    } finally {
      tty.kill('SIGKILL');
    }
  });

  it('leaves on Ctrl-D with the last status and no colour under NO_COLOR', async () => {
    const tty = inTerminal(`--cwd '${scratch}'`, { NO_COLOR: '1' });
    try {
      await tty.waitFor('stdout', ' $ ');
      tty.write('(exit 6)\r');
      await tty.waitFor('stdout', '[exit 6 · ');
      await tty.waitFor('stdout', /\[exit 6 · [^\n]*\n[^\n]* \$ /);
      tty.write('\u0004');
      const run = await tty.exited;
      expect(run.code).toBe(6);
      expect(run.stdout).not.toContain(`${ESC}[2m`);
    } finally {
      tty.kill('SIGKILL');
    }
  });
});
