import { describe, expect, it } from 'vitest';
import { isAlive, waitFor } from './__fixtures__/helpers.js';
import { SessionRegistry } from './session-registry.js';
import { isTransportKind, TRANSPORT_KINDS } from './transports.js';

describe('SessionRegistry', () => {
  it('hands out counter ids, lists live sessions and forgets destroyed ones', async () => {
    const registry = new SessionRegistry();
    try {
      const a = await registry.create('local');
      const b = await registry.create('local', { cwd: '/tmp', env: { A: '1' } });
      expect([a.id, b.id]).toEqual(['1_local', '2_local']);
      expect(registry.list().map((entry) => entry.id)).toEqual(['1_local', '2_local']);
      expect((await b.session.exec('echo "$A $PWD"')).stdout).toBe('1 /tmp\n');

      await registry.destroy('1_local');
      expect(a.session.closed).toBe(true);
      expect(registry.list().map((entry) => entry.id)).toEqual(['2_local']);
      expect(() => registry.get('1_local')).toThrow(/Session 1_local is closed \(destroyed with session_destroy\)/);
      await expect(registry.destroy('1_local')).rejects.toThrow(/closed/);
      expect(() => registry.get('nope')).toThrow(/Unknown session_id "nope". Live sessions: 2_local/);
    } finally {
      await registry.closeAll();
    }
  });

  it('does not reuse ids after a failed create', async () => {
    const registry = new SessionRegistry();
    try {
      await expect(registry.create('local', { cwd: '/no/such/dir' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
      expect((await registry.create('local')).id).toBe('1_local');
    } finally {
      await registry.closeAll();
    }
  });

  it('markEnded drops a session and remembers why', async () => {
    const registry = new SessionRegistry();
    try {
      const entry = await registry.create('local');
      const pid = entry.session.info().shellPid;
      registry.markEnded(entry.id, 'its shell exited with code 3');
      expect(registry.size).toBe(0);
      expect(() => registry.get(entry.id)).toThrow(/its shell exited with code 3/);
      expect(await waitFor(() => !isAlive(pid), 5_000)).toBe(true);
    } finally {
      await registry.closeAll();
    }
  });

  it('closes sessions that were still opening when closeAll ran', async () => {
    const registry = new SessionRegistry();
    const creating = registry.create('local');
    await registry.closeAll();
    await expect(creating).rejects.toThrow(/shutting down/);
    expect(registry.size).toBe(0);
  });
});

describe('transports', () => {
  it('knows the supported kinds', () => {
    expect(TRANSPORT_KINDS).toEqual(['local', 'ssh', 'docker']);
    expect(isTransportKind('local')).toBe(true);
    expect(isTransportKind('ssh')).toBe(true);
    expect(isTransportKind('docker')).toBe(true);
    expect(isTransportKind('telnet')).toBe(false);
  });
});
