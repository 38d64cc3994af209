import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Session } from '../session/session.js';
import { createLocalTransport } from '../transport/local.js';

const sessions: Session[] = [];
afterAll(async () => {
  for (const session of sessions) await session.close();
});

async function open(options: Parameters<typeof Session.open>[1] = {}): Promise<Session> {
  const session = await Session.open(createLocalTransport(), options);
  sessions.push(session);
  return session;
}

/** A GitHub classic token of the right shape, random each run (never a real one). */
function githubToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `ghp_${[...randomBytes(36)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

describe('redaction in sessions', () => {
  it('masks secrets in stdout, stderr and the echoed command', async () => {
    const session = await open();
    const token = githubToken();
    const result = await session.exec(`echo "token=${token}"; echo "${token}" >&2`);
    expect(result.stdout).toBe('token=[REDACTED:github-pat]\n');
    expect(result.stderr).toBe('[REDACTED:github-pat]\n');
    expect(result.command).not.toContain(token.slice(4));
    expect(result.command).toContain('[REDACTED:github-pat]');
  });

  it('masks the values of secret-looking env given to the session, wherever they appear', async () => {
    const secret = `pw-${randomBytes(9).toString('hex')}`;
    const session = await open({ env: { DB_PASSWORD: secret, PLAIN: 'visible-value' } });
    const result = await session.exec('echo "$DB_PASSWORD and $PLAIN"; printf %s "$DB_PASSWORD" | rev | rev');
    expect(result.stdout).toBe('[REDACTED:known-value] and visible-value\n[REDACTED:known-value]');
  });

  it('never stores an unredacted secret for output_read', async () => {
    const session = await open({ maxOutputChars: 100 });
    const token = githubToken();
    const result = await session.exec(`for i in $(seq 1 50); do echo "line $i ${token}"; done`);
    expect(result.outputId).not.toBeNull();
    const page = session.readOutput(result.outputId!, { limit: 100 });
    expect(page.lines).toHaveLength(50);
    expect(page.lines.join('\n')).not.toContain(token.slice(4, 20));
    expect(page.lines[0]).toBe('line 1 [REDACTED:github-pat]');
  });

  it('can be turned off, and told about more known values', async () => {
    const token = githubToken();
    const off = await open({ redaction: { enabled: false } });
    expect((await off.exec(`echo ${token}`)).stdout).toBe(`${token}\n`);
    const extra = await open({ redaction: { knownValues: ['operator-registered-value'] } });
    expect((await extra.exec('echo operator-registered-value-suffix')).stdout).toBe('[REDACTED:known-value]-suffix\n');
  });

  it('masks secrets in error messages: a refused command, a bad cwd, a policy dry run', async () => {
    const token = githubToken();
    const secret = `pw-${randomBytes(9).toString('hex')}`;
    const session = await open({ env: { API_PASSWORD: secret }, policy: { deny_patterns: ['^curl .*-H'] } });
    // The pattern matches the inner command, so the message quotes it.
    const refused = await session.exec(`bash -c "curl -s -H 'Authorization: token ${token}' -u 'me:${secret}' http://127.0.0.1:9/"`).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'POLICY_DENIED' });
    const shown = JSON.stringify({ message: (refused as Error).message, stack: (refused as Error).stack, decision: (refused as { decision: unknown }).decision });
    expect(shown).toContain('deny pattern');
    expect(shown).toContain('[REDACTED:');
    expect(shown).not.toContain(token.slice(4));
    expect(shown).not.toContain(secret);

    const dryRun = await session.checkPolicy(`sh -c 'curl -H "X-Token: ${token}" http://127.0.0.1:9/'`);
    expect(dryRun.allowed).toBe(false);
    expect(JSON.stringify(dryRun)).not.toContain(token.slice(4));

    const badCwd = await Session.open(createLocalTransport(), { cwd: `/nonexistent/${token}` }).catch((error: unknown) => error);
    expect(badCwd).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect((badCwd as Error).message).toContain('[REDACTED:github-pat]');
    expect(`${(badCwd as Error).message} ${(badCwd as Error).stack}`).not.toContain(token.slice(4));
  });
});
