import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, callOk, spawnServer, textOf, type SpawnedServer } from './__fixtures__/helpers.js';
import type { ExecToolResult } from './tools/session-exec.js';

let server: SpawnedServer;
beforeAll(async () => {
  server = await spawnServer();
});
afterAll(async () => {
  await server?.client.close();
});

describe('execkit-mcp output budgets and output_read', () => {
  it('trims with a budget, reports it, and pages through the whole output', async () => {
    const { session_id } = await callOk<{ session_id: string }>(server.client, 'session_create', { transport: 'local' });
    const result = await callOk<ExecToolResult>(server.client, 'session_exec', {
      session_id,
      command: 'seq 1 3000',
      budget: { grep: { pattern: '^29[0-9][0-9]$' }, keep: { mode: 'head', n: 2 } },
    });
    expect(result.stdout).toBe('… 2899 lines elided …\n2900\n2901\n… 99 lines elided …\n');
    expect(result.budget?.stdout).toMatchObject({ lines_total: 3000, lines_kept: 2 });
    expect(result.output_id).toMatch(/^[0-9a-f]{16}$/);
    const page = await callOk<{ lines: string[]; next_offset: number | null; total_lines: number }>(server.client, 'output_read', {
      session_id,
      output_id: result.output_id,
      offset: 2998,
    });
    expect(page).toMatchObject({ lines: ['2999', '3000'], next_offset: null, total_lines: 3000 });
  });

  it('applies a session default budget, and rejects bad budgets and unknown ids clearly', async () => {
    const { session_id } = await callOk<{ session_id: string }>(server.client, 'session_create', { transport: 'local', budget: { keep: { mode: 'tail', n: 1 } } });
    expect((await callOk<ExecToolResult>(server.client, 'session_exec', { session_id, command: 'seq 1 5' })).stdout).toBe('… 4 lines elided …\n5\n');
    const bad = await call(server.client, 'session_exec', { session_id, command: 'echo never', budget: { grep: { pattern: '(a+)+' } } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/^INVALID_OPTIONS: .*budget/);
    const unknown = await call(server.client, 'output_read', { session_id, output_id: '0123456789abcdef' });
    expect(textOf(unknown)).toMatch(/output_id/);
  });
});
