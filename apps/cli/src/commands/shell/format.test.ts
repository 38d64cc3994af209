import type { ExecResult } from '@execkit/core';
import { describe, expect, it } from 'vitest';
import { bannerLine, statusLine } from './format.js';

const result: ExecResult = {
  command: 'true',
  stdout: '',
  stderr: '',
  exitCode: 0,
  durationMs: 12.3,
  cwd: '/tmp',
  truncated: false,
  stdoutTruncated: false,
  stderrTruncated: false,
  timedOut: false,
  aborted: false,
  stdoutBytes: 0,
  stderrBytes: 0,
  sessionClosed: false,
  reconnected: false,
  outputId: null,
};

describe('shell status and banner lines', () => {
  it('says when a command ran in a new shell', () => {
    expect(statusLine(result, false)).toBe('[exit 0 · 12 ms · /tmp]');
    expect(statusLine({ ...result, reconnected: true }, false)).toBe('[exit 0 · new shell: cwd and exported env restored · 12 ms · /tmp]');
    expect(statusLine({ ...result, exitCode: null, timedOut: true, durationMs: 12_345 }, false)).toBe('[exit ? · timed out · 12.3 s · /tmp]');
  });

  it('names where the session runs', () => {
    expect(bannerLine({ dialect: 'bash', transport: 'local', target: 'local' })).toMatch(/^execkit shell: one bash session \(local\)\. /);
    expect(bannerLine({ dialect: 'sh', transport: 'ssh', target: 'deploy@build:2222' })).toMatch(/^execkit shell: one sh session \(ssh deploy@build:2222\)\. /);
    expect(bannerLine({ dialect: 'bash', transport: 'docker', target: 'web (as app)' })).toMatch(/one bash session \(docker web \(as app\)\)/);
  });
});
