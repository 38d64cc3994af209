import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitForFile } from '../../test-support/cli.js';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'execkit-cli-exec-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NO_STACK = /^\s+at /m;

describe('execkit exec', () => {
  it('writes the command stdout and stderr apart, byte for byte', async () => {
    const run = await runCli(['exec', '--', 'printf out; printf err >&2']);
    expect(run).toMatchObject({ code: 0, stdout: 'out', stderr: 'err' });
  });

  it('exits with the command exit status', async () => {
    expect((await runCli(['exec', '--', 'exit 7'])).code).toBe(7);
    const run = await runCli(['exec', '--', 'echo hi; exit 3']);
    expect(run).toMatchObject({ code: 3, stdout: 'hi\n', stderr: '' });
  });

  it('joins the words after -- with spaces into one shell command', async () => {
    const run = await runCli(['exec', '--', 'echo', 'a', 'b', '|', 'tr', 'ab', 'xy']);
    expect(run).toMatchObject({ code: 0, stdout: 'x y\n' });
  });

  it('passes options after the first word through to the command', async () => {
    const run = await runCli(['exec', 'printf', '%s-%s', '--json', '-x']);
    expect(run).toMatchObject({ code: 0, stdout: '--json--x' });
  });

  it('runs in --cwd', async () => {
    const run = await runCli(['exec', '--cwd', '/tmp', '--', 'pwd']);
    expect(run).toMatchObject({ code: 0, stdout: '/tmp\n', stderr: '' });
  });

  it('prints the whole result as one JSON object with --json and keeps the exit status', async () => {
    const run = await runCli(['exec', '--json', '--cwd', scratch, '--', 'printf out; printf err >&2; cd /; (exit 3)']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('');
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(
      ['aborted', 'command', 'cwd', 'duration_ms', 'exit_code', 'output_id', 'reconnected', 'stderr', 'stderr_bytes', 'stdout', 'session_closed', 'stdout_bytes', 'timed_out', 'truncated'].sort(),
    );
    expect(result).toMatchObject({
      command: 'printf out; printf err >&2; cd /; (exit 3)',
      stdout: 'out',
      stderr: 'err',
      exit_code: 3,
      cwd: '/',
      truncated: false,
      timed_out: false,
      aborted: false,
      stdout_bytes: 3,
      stderr_bytes: 3,
      session_closed: false,
    });
    expect(typeof result['duration_ms']).toBe('number');
    expect(result['duration_ms']).toBeGreaterThanOrEqual(0);
  });

  it('interrupts a command at --timeout and exits 124', async () => {
    const run = await runCli(['exec', '--timeout', '1', '--', 'printf partial; sleep 30; printf finished']);
    expect(run.code).toBe(124);
    // Interrupted, not waited out: the rest of the command never ran.
    expect(run.stdout).toBe('partial');
    expect(run.stderr).toBe('execkit: timed out after 1s\n');
  });

  it('reports a timeout in --json and exits 124', async () => {
    const run = await runCli(['exec', '--json', '--timeout', '0.5', '--', 'sleep 30']);
    expect(run.code).toBe(124);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ timed_out: true, exit_code: 130 });
  });

  it('feeds its own stdin to the command with --stdin', async () => {
    const run = await runCli(['exec', '--stdin', '--', 'cat'], { input: 'line one\nline two' });
    expect(run).toMatchObject({ code: 0, stdout: 'line one\nline two' });
    const sorted = await runCli(['exec', '--stdin', '--', 'sort'], { input: 'b\na\n' });
    expect(sorted.stdout).toBe('a\nb\n');
  });

  it('gives the command end-of-file on stdin without --stdin, even when its own stdin stays open', async () => {
    const run = await runCli(['exec', '--', 'cat; echo done'], { keepStdinOpen: true });
    // A cat left waiting on the open stdin would keep the CLI running until the harness kills it (no exit code).
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
  });

  it('strips ANSI escapes and keeps JSON-RPC-looking output as plain text', async () => {
    const command = `printf '\\033[1;31m{"jsonrpc":"2.0","id":1,"method":"x"}\\033[0m\\n'; printf '\\033[33mwarn\\033[0m' >&2`;
    const plain = await runCli(['exec', '--', command]);
    expect(plain).toMatchObject({ code: 0, stdout: '{"jsonrpc":"2.0","id":1,"method":"x"}\n', stderr: 'warn' });
    const json = await runCli(['exec', '--json', '--', command]);
    expect(json.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(json.stdout).not.toContain('\u001B');
    expect(JSON.parse(json.stdout)).toMatchObject({ stdout: '{"jsonrpc":"2.0","id":1,"method":"x"}\n', stderr: 'warn' });
  });

  it('passes through the status of a command that ends the shell', async () => {
    const run = await runCli(['exec', '--', 'echo bye; exit 5']);
    expect(run).toMatchObject({ code: 5, stdout: 'bye\n' });
  });

  it('kills background jobs when the command is done', async () => {
    const marker = join(scratch, 'background-survived');
    const run = await runCli(['exec', '--', `(sleep 2; touch '${marker}') & echo started`]);
    expect(run).toMatchObject({ code: 0, stdout: 'started\n' });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await expect(waitForFile(marker, 0)).rejects.toThrow();
  });

  it('aborts the command on SIGINT, prints the partial result and exits 130', async () => {
    const marker = join(scratch, 'sigint-started');
    const cli = startCli(['exec', '--', 'echo started; touch "$EK_MARKER"; sleep 30; echo finished'], { env: { EK_MARKER: marker } });
    await waitForFile(marker);
    cli.kill('SIGINT');
    const run = await cli.exited;
    expect(run.code).toBe(130);
    // Interrupted, not waited out: the rest of the command never ran.
    expect(run.stdout).toBe('started\n');
    expect(run.stderr).toBe('execkit: interrupted\n');
  });

  it('fails with 125 and a clear message when --cwd does not exist', async () => {
    const run = await runCli(['exec', '--cwd', '/no/such/directory', '--', 'pwd']);
    expect(run.code).toBe(125);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^execkit: .*cwd.*\/no\/such\/directory.*No such file or directory.* \(INVALID_OPTIONS\)\n$/);
    expect(run.stderr).not.toMatch(NO_STACK);
  });

  it.each([['abc'], ['0'], ['-1'], ['']])('rejects --timeout %j as a usage error (exit 2)', async (value) => {
    const run = await runCli(['exec', `--timeout=${value}`, '--', 'true']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^execkit: option .*--timeout.* is invalid/);
    expect(run.stderr).not.toMatch(NO_STACK);
  });

  it('rejects an unknown option as a usage error (exit 2)', async () => {
    const run = await runCli(['exec', '--bogus', '--', 'true']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("execkit: unknown option '--bogus'");
    expect(run.stderr).toContain("Run 'execkit exec --help' for usage.");
  });

  it('rejects a missing or empty command as a usage error (exit 2)', async () => {
    const missing = await runCli(['exec']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^execkit: missing required argument 'command'/);
    const empty = await runCli(['exec', '--', '  ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe("execkit: the command is empty\nRun 'execkit exec --help' for usage.\n");
  });

  it('documents itself in --help', async () => {
    const run = await runCli(['exec', '--help']);
    expect(run.code).toBe(0);
    for (const text of ['Usage: execkit exec [options] <command...>', '--cwd <dir>', '--timeout <seconds>', '--json', '--stdin', 'Examples:']) {
      expect(run.stdout).toContain(text);
    }
  });
});
