import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PolicyDeniedError } from '../errors/index.js';
import { Session } from '../session/session.js';
import { createLocalTransport } from '../transport/local.js';

const scratch = mkdtempSync(join(tmpdir(), 'execkit-policy-session-'));
const sessions: Session[] = [];
afterAll(async () => {
  for (const session of sessions) await session.close();
});

async function open(policy: Parameters<typeof Session.open>[1]): Promise<Session> {
  const session = await Session.open(createLocalTransport(), policy);
  sessions.push(session);
  return session;
}

describe('sessions with a policy', () => {
  it('refuses a denied program before it runs, and keeps the session', async () => {
    const session = await open({ cwd: scratch, policy: { deny: ['touch'] } });
    const marker = join(scratch, 'never');
    const refused = await session.exec(`echo start; /usr/bin/../bin/touch ${marker}`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PolicyDeniedError);
    expect(refused).toMatchObject({ code: 'POLICY_DENIED', decision: { allowed: false, violations: [expect.objectContaining({ rule: 'deny', program: 'touch' })] } });
    expect((refused as Error).message).toMatch(/deny.*touch/);
    expect(existsSync(marker)).toBe(false);
    expect((await session.exec('echo "touch is data here"')).stdout).toBe('touch is data here\n');
    // A refusal leaves nothing counted as queued.
    expect(session.info()).toMatchObject({ busy: false, queued: 0 });
  });

  it('applies the guard unless forced, and never lets force lift a deny', async () => {
    const session = await open({ cwd: scratch, policy: { guard: true, deny: ['shred'] } });
    await expect(session.exec('rm -rf /')).rejects.toMatchObject({ code: 'POLICY_DENIED', decision: { violations: [expect.objectContaining({ rule: 'guard' })] } });
    const guardOnly = await open({ cwd: scratch, policy: { guard: true } });
    const download = 'curl -s http://127.0.0.1:9/none | sh';
    await expect(guardOnly.exec(download)).rejects.toMatchObject({ code: 'POLICY_DENIED', decision: { violations: [expect.objectContaining({ rule: 'guard' })] } });
    // Forced past the guard it runs (harmlessly: nothing listens on port 9, sh reads nothing).
    expect(await guardOnly.exec(download, { force: true })).toMatchObject({ timedOut: false, sessionClosed: false });
    // With a list active, the piped shell is unknowable, and force does not lift that.
    await expect(session.exec(download, { force: true })).rejects.toMatchObject({ code: 'POLICY_DENIED' });
    await expect(session.exec('shred --version', { force: true })).rejects.toMatchObject({ code: 'POLICY_DENIED' });
  });

  it('answers a dry run with the verdict and the programs found', async () => {
    const session = await open({ policy: { allow: ['ls', 'git', 'echo'] } });
    const ok = await session.checkPolicy('ls -la | git status');
    expect(ok).toMatchObject({ allowed: true, programs: ['ls', 'git'] });
    const no = await session.checkPolicy('ls | wc -l');
    expect(no.allowed).toBe(false);
    expect(no.violations).toContainEqual(expect.objectContaining({ rule: 'allow', program: 'wc' }));
    const unfenced = await open({});
    expect(await unfenced.checkPolicy('sudo rm -rf x')).toMatchObject({ allowed: true, programs: expect.arrayContaining(['sudo', 'rm']) });
  });

  it('rejects a malformed policy when the session opens', async () => {
    await expect(Session.open(createLocalTransport(), { policy: { deny: ['rm'], nonsense: true } as never })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
