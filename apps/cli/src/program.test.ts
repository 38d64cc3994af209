import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ROOT, runCli } from './test-support/cli.js';

const { version } = JSON.parse(readFileSync(join(CLI_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('execkit', () => {
  it('prints its version with --version', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('lists its commands with --help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: execkit [options] [command]');
    expect(run.stdout).toMatch(/^\s+exec \[options\] <command\.\.\.>/m);
    expect(run.stdout).toMatch(/^\s+shell \[options\]/m);
  });

  it('shows help for a command with `help <command>`', async () => {
    const run = await runCli(['help', 'shell']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: execkit shell [options]');
  });

  it('shows usage on stderr and exits 2 without a command', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: execkit');
  });

  it('rejects an unknown command with exit 2', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("execkit: unknown command 'frobnicate'");
  });

  it('rejects an unknown global option with exit 2', async () => {
    const run = await runCli(['--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("execkit: unknown option '--frobnicate'");
  });
});
