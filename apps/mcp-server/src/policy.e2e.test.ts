import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_DIR, call, callOk, spawnServer, textOf, type SpawnedServer } from './__fixtures__/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'execkit-mcp-policy-'));
let server: SpawnedServer;

beforeAll(async () => {
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ deny: ['shred'], deny_patterns: ['git\\s+push\\s+--force'] }));
  server = await spawnServer({ EXECKIT_MCP_POLICY_FILE: policyFile });
});
afterAll(async () => {
  await server?.client.close();
});

async function session(extra: Record<string, unknown> = {}): Promise<string> {
  return (await callOk<{ session_id: string }>(server.client, 'session_create', { transport: 'local', cwd: dir, ...extra })).session_id;
}

describe('execkit-mcp policy fence', () => {
  it('refuses what the operator denies, naming the rule and program, and runs nothing', async () => {
    const id = await session();
    const marker = join(dir, 'shredded');
    writeFileSync(marker, 'x');
    const refused = await call(server.client, 'session_exec', { session_id: id, command: `echo go; /usr/bin/shred -u ${marker}` });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/^POLICY_DENIED: .*deny.*shred/);
    expect(existsSync(marker)).toBe(true);
    const pattern = await call(server.client, 'session_exec', { session_id: id, command: 'git push --force origin main' });
    expect(textOf(pattern)).toMatch(/^POLICY_DENIED: .*deny_pattern/);
    // A refusal quoting the command does not carry its secrets out.
    const token = `ghp_${'Ab3'.repeat(12)}`;
    const quoted = await call(server.client, 'session_exec', { session_id: id, command: `sh -c 'git push "--force" https://x:${token}@127.0.0.1/r.git main'` });
    expect(textOf(quoted)).toMatch(/^POLICY_DENIED: .*deny_pattern.*\[REDACTED:/);
    expect(textOf(quoted)).not.toContain(token);
  });

  it('lets a session narrow the policy but never widen it', async () => {
    const id = await session({ allow: ['echo', 'ls', 'shred'] });
    expect((await callOk<{ stdout: string }>(server.client, 'session_exec', { session_id: id, command: 'echo ok' })).stdout).toBe('ok\n');
    expect(textOf(await call(server.client, 'session_exec', { session_id: id, command: 'cat /etc/hostname' }))).toMatch(/POLICY_DENIED: .*allow.*cat/);
    expect(textOf(await call(server.client, 'session_exec', { session_id: id, command: 'shred --version' }))).toMatch(/POLICY_DENIED: .*deny.*shred/);
  });

  it('guards dangerous operations by default and refuses force unless the operator allows it', async () => {
    const id = await session();
    expect(textOf(await call(server.client, 'session_exec', { session_id: id, command: 'rm -rf /' }))).toMatch(/^POLICY_DENIED: .*guard/);
    expect(textOf(await call(server.client, 'session_exec', { session_id: id, command: 'rm -rf /', force: true }))).toMatch(/force is not allowed/);
    expect((await callOk<{ stdout: string }>(server.client, 'session_exec', { session_id: id, command: 'echo rm -rf /' })).stdout).toBe('rm -rf /\n');
  });

  it('answers policy_check dry runs', async () => {
    const id = await session({ deny: ['curl'] });
    const verdict = await callOk<{ allowed: boolean; programs: string[]; violations: Array<{ rule: string; program?: string }> }>(server.client, 'policy_check', {
      session_id: id,
      command: 'sudo curl -s x | tee out',
    });
    expect(verdict.allowed).toBe(false);
    expect(verdict.programs).toEqual(expect.arrayContaining(['sudo', 'curl', 'tee']));
    expect(verdict.violations).toContainEqual(expect.objectContaining({ rule: 'deny', program: 'curl' }));
  });

  it('stops at start on a bad policy file, naming the problem', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ deny: ['rm'], alow: ['ls'] }));
    const run = spawnSync(process.execPath, ['bin/execkit-mcp.js'], { cwd: PACKAGE_DIR, env: { ...process.env, EXECKIT_MCP_POLICY_FILE: bad }, input: '', encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/EXECKIT_MCP_POLICY_FILE/);
    expect(run.stderr).toMatch(/alow/);
  });
});
