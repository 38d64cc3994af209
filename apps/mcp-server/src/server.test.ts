import { createLocalTransport, type Transport } from '@execkit/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { call, callOk, isAlive, textOf, waitFor } from './__fixtures__/helpers.js';
import { createExecKitServer, type ExecKitServer, type ExecKitServerOptions } from './server.js';
import type { ExecToolResult } from './tools/session-exec.js';

const open: ExecKitServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function connect(options: ExecKitServerOptions = {}): Promise<{ execkit: ExecKitServer; client: Client }> {
  const execkit = createExecKitServer(options);
  open.push(execkit);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await execkit.server.connect(serverSide);
  const client = new Client({ name: 'execkit-test', version: '0.0.0' });
  await client.connect(clientSide);
  return { execkit, client };
}

async function newSession(client: Client): Promise<string> {
  return (await callOk<{ session_id: string }>(client, 'session_create', { transport: 'local' })).session_id;
}

describe('createExecKitServer', () => {
  it('interrupts a running command when the client cancels the request, keeping the session', async () => {
    const { client } = await connect();
    const id = await newSession(client);
    await callOk(client, 'session_exec', { session_id: id, command: 'STATE=kept' });
    const controller = new AbortController();
    const cancelled = client.callTool({ name: 'session_exec', arguments: { session_id: id, command: 'sleep 30; STATE=finished' } }, undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    await expect(cancelled).rejects.toThrow();
    // Interrupted, not waited out: the rest of the command never ran.
    const next = await callOk<ExecToolResult>(client, 'session_exec', { session_id: id, command: 'echo "$STATE"' });
    expect(next.stdout).toBe('kept\n');
  });

  it('sends progress notifications while a command runs when the client asks for them', async () => {
    const { client } = await connect({ progressIntervalMs: 100 });
    const id = await newSession(client);
    const progress: number[] = [];
    const result = await client.callTool({ name: 'session_exec', arguments: { session_id: id, command: 'sleep 0.6; echo done' } }, undefined, {
      onprogress: (notification) => progress.push(notification.progress),
    });
    expect(result.structuredContent).toMatchObject({ stdout: 'done\n' });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('applies defaultTimeoutSecs and sessionDefaults', async () => {
    const { client } = await connect({ defaultTimeoutSecs: 0.5, sessionDefaults: { maxOutputChars: 200 } });
    const id = await newSession(client);
    const timedOut = await callOk<ExecToolResult>(client, 'session_exec', { session_id: id, command: 'sleep 10' });
    expect(timedOut.timed_out).toBe(true);
    const long = await callOk<ExecToolResult>(client, 'session_exec', { session_id: id, command: 'seq 1 5000' });
    expect(long.truncated).toBe(true);
    expect(long.stdout.startsWith('1\n2\n')).toBe(true);
    expect(long.stdout.endsWith('4999\n5000\n')).toBe(true);
    expect(long.stdout_bytes).toBeGreaterThan(long.stdout.length);
  });

  it('creates sessions through the injected transport factory', async () => {
    const kinds: unknown[] = [];
    const { client } = await connect({
      openTransport: (request): Transport => {
        kinds.push(request);
        return createLocalTransport();
      },
    });
    const id = await newSession(client);
    expect(id).toBe('1_local');
    expect(kinds).toEqual([{ kind: 'local' }]);
  });

  it('notices a shell killed from outside and reports the session as closed', async () => {
    const { client } = await connect();
    const id = await newSession(client);
    const shellPid = Number((await callOk<ExecToolResult>(client, 'session_exec', { session_id: id, command: 'echo $$' })).stdout.trim());
    process.kill(shellPid, 'SIGKILL');
    expect(await waitFor(() => !isAlive(shellPid), 5_000)).toBe(true);
    // Give the transport time to report the close.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const listed = await callOk<{ sessions: Array<{ session_id: string }> }>(client, 'session_list');
    expect(listed.sessions).toEqual([]);
    const result = await call(client, 'session_exec', { session_id: id, command: 'echo hi' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Session 1_local is closed/);
  });

  it('close() ends every session and refuses new ones', async () => {
    const { execkit, client } = await connect();
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await newSession(client);
      pids.push(Number((await callOk<ExecToolResult>(client, 'session_exec', { session_id: id, command: 'echo $$' })).stdout.trim()));
    }
    expect(execkit.registry.size).toBe(3);
    await execkit.close();
    expect(execkit.registry.size).toBe(0);
    expect(await waitFor(() => pids.every((pid) => !isAlive(pid)), 5_000)).toBe(true);
    await expect(execkit.registry.create('local')).rejects.toThrow(/shutting down/);
  });

  it('rejects invalid options', () => {
    expect(() => createExecKitServer({ defaultTimeoutSecs: 0 })).toThrow(RangeError);
    expect(() => createExecKitServer({ progressIntervalMs: Number.NaN })).toThrow(RangeError);
  });
});
