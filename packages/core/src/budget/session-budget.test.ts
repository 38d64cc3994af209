import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Session } from '../session/session.js';
import { execResultToJson } from '../session/result-json.js';
import { createLocalTransport } from '../transport/local.js';

const scratch = mkdtempSync(join(tmpdir(), 'execkit-budget-session-'));
const sessions: Session[] = [];
afterAll(async () => {
  for (const session of sessions) await session.close();
});

async function open(options: Parameters<typeof Session.open>[1] = {}): Promise<Session> {
  const session = await Session.open(createLocalTransport(), { cwd: scratch, ...options });
  sessions.push(session);
  return session;
}

describe('output budgets and recall in sessions', () => {
  it('applies grep, then keep, and reports per stream', async () => {
    const session = await open();
    const result = await session.exec('seq 1 1000; echo warn-1 >&2; echo warn-2 >&2', {
      budget: { grep: { pattern: '^(5|9)[0-9]{2}$' }, keep: { mode: 'tail', n: 3 } },
    });
    // Line 1000 does not match: its elision is marked in place too.
    expect(result.stdout).toBe('… 996 lines elided …\n997\n998\n999\n… 1 lines elided …\n');
    expect(result.budget?.stdout).toMatchObject({ lines_total: 1000, lines_kept: 3 });
    expect(result.stderr).toMatch(/^… 2 lines elided …\n?$/);
    expect(result.truncated).toBe(true);
    expect(result.outputId).toMatch(/^[0-9a-f]{16}$/);
    expect(execResultToJson(result)).toMatchObject({ output_id: result.outputId, budget: { stdout: { lines_kept: 3 } } });
  });

  it('keeps the whole output of a cut result for paging, on either stream', async () => {
    const session = await open({ maxOutputChars: 200 });
    const result = await session.exec('seq 1 5000; seq 1 3 >&2');
    expect(result.truncated).toBe(true);
    const first = session.readOutput(result.outputId!, { offset: 0, limit: 2 });
    expect(first).toMatchObject({ lines: ['1', '2'], offset: 0, next_offset: 2, total_lines: 5000 });
    const last = session.readOutput(result.outputId!, { offset: 4998, limit: 10 });
    expect(last).toMatchObject({ lines: ['4999', '5000'], next_offset: null });
    expect(session.readOutput(result.outputId!, { stream: 'stderr' }).lines).toEqual(['1', '2', '3']);
    const small = await session.exec('echo short');
    expect(small.outputId).toBeNull();
  });

  it('uses the session default budget, and a call can replace it', async () => {
    const session = await open({ budget: { keep: { mode: 'head', n: 2 } } });
    expect((await session.exec('seq 1 10')).stdout).toBe('1\n2\n… 8 lines elided …\n');
    expect((await session.exec('seq 1 10', { budget: { keep: { mode: 'tail', n: 1 } } })).stdout).toBe('… 9 lines elided …\n10\n');
  });

  it('rejects an invalid budget before anything runs', async () => {
    const session = await open();
    const marker = join(scratch, 'ran');
    await expect(session.exec(`touch ${marker}`, { budget: { grep: { pattern: '(a+)+' } } })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(session.exec(`touch ${marker}`, { budget: { keep: { mode: 'head', n: -1 } } })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(existsSync(marker)).toBe(false);
    await expect(Session.open(createLocalTransport(), { budget: { nope: 1 } as never })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('forgets stored outputs when the session closes', async () => {
    const session = await open({ maxOutputChars: 10 });
    const result = await session.exec('seq 1 100');
    expect(session.readOutput(result.outputId!).total_lines).toBe(100);
    await session.close();
    expect(() => session.readOutput(result.outputId!)).toThrow(/output_id/);
  });
});
