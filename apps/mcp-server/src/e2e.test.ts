import { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, callOk, isAlive, spawnServer, textOf, waitFor, type SpawnedServer } from './__fixtures__/helpers.js';
import type { ExecToolResult } from './tools/session-exec.js';

interface ListResult {
  sessions: Array<{ session_id: string; transport: string; cwd: string; idle_secs: number; busy: boolean }>;
}

let server: SpawnedServer;

beforeAll(async () => {
  server = await spawnServer();
});

afterAll(async () => {
  await server?.client.close();
});

async function createSession(args: Record<string, unknown> = {}): Promise<string> {
  const { session_id } = await callOk<{ session_id: string }>(server.client, 'session_create', { transport: 'local', ...args });
  return session_id;
}

function exec(sessionId: string, command: string, extra: Record<string, unknown> = {}): Promise<ExecToolResult> {
  return callOk<ExecToolResult>(server.client, 'session_exec', { session_id: sessionId, command, ...extra });
}

/** The server still answers requests. */
async function expectServerAnswers(): Promise<void> {
  const result = await call(server.client, 'session_list');
  expect(result.isError).toBeFalsy();
}

describe('execkit-mcp over stdio', () => {
  it('identifies itself and gives instructions', () => {
    expect(server.client.getServerVersion()).toMatchObject({ name: 'execkit', version: '0.1.0' });
    const instructions = server.client.getInstructions() ?? '';
    expect(instructions).toContain('session_create');
    expect(instructions).toMatch(/one command at a time/);
    expect(instructions).toMatch(/timed_out/);
    expect(instructions).toMatch(/head and the tail/);
    expect(instructions).toContain('session_destroy');
  });

  it('lists the eight tools with output schemas and annotations', async () => {
    const { tools } = await server.client.listTools();
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(Object.keys(byName).sort()).toEqual([
      'container_list',
      'host_list',
      'output_read',
      'policy_check',
      'session_create',
      'session_destroy',
      'session_exec',
      'session_list',
    ]);
    for (const tool of tools) {
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.description).toBeTruthy();
      expect(tool.title).toBeTruthy();
    }
    expect(Object.keys(byName.session_exec!.outputSchema!.properties!)).toEqual(
      expect.arrayContaining(['command', 'stdout', 'stderr', 'exit_code', 'duration_ms', 'cwd', 'truncated', 'timed_out', 'stdout_bytes', 'stderr_bytes', 'session_closed', 'reconnected', 'output_id']),
    );
    expect(byName.session_exec!.inputSchema.required).toEqual(['session_id', 'command']);
    expect(byName.session_create!.inputSchema.properties!.transport).toMatchObject({ enum: ['local', 'ssh', 'docker'] });
    expect(byName.session_list!.outputSchema!.properties).toHaveProperty('sessions');
    expect(byName.session_exec!.annotations).toMatchObject({ destructiveHint: true, openWorldHint: true });
    expect(byName.session_list!.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.session_create!.annotations).toMatchObject({ readOnlyHint: false });
    expect(byName.session_destroy!.annotations).toMatchObject({ destructiveHint: true, idempotentHint: false });
  });

  it('creates self-describing session ids and runs a command with separate streams and cwd', async () => {
    const id = await createSession();
    expect(id).toMatch(/^\d+_local$/);
    const result = await call(server.client, 'session_exec', { session_id: id, command: 'echo hi; echo err 1>&2; cd /tmp' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      command: 'echo hi; echo err 1>&2; cd /tmp',
      stdout: 'hi\n',
      stderr: 'err\n',
      exit_code: 0,
      cwd: '/tmp',
      truncated: false,
      timed_out: false,
      stdout_bytes: 3,
      stderr_bytes: 4,
      session_closed: false,
    });
    expect(typeof (result.structuredContent as ExecToolResult).duration_ms).toBe('number');
    expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
    await callOk(server.client, 'session_destroy', { session_id: id });
  });

  it('numbers ids with a counter', async () => {
    const a = await createSession();
    const b = await createSession();
    expect(Number.parseInt(b, 10)).toBe(Number.parseInt(a, 10) + 1);
    await callOk(server.client, 'session_destroy', { session_id: a });
    await callOk(server.client, 'session_destroy', { session_id: b });
  });

  it('keeps cwd, env and functions between calls, and applies cwd/env given at creation', async () => {
    const id = await createSession({ cwd: '/tmp', env: { GREETING: 'hello there' } });
    expect((await exec(id, 'pwd; echo "$GREETING"')).stdout).toBe('/tmp\nhello there\n');
    await exec(id, 'cd /; export Y=2; f() { echo "fn $1"; }');
    const result = await exec(id, 'pwd; echo "$Y"; f arg');
    expect(result.stdout).toBe('/\n2\nfn arg\n');
    expect(result.cwd).toBe('/');
    await callOk(server.client, 'session_destroy', { session_id: id });
  });

  it('reports a non-zero exit code and feeds stdin', async () => {
    const id = await createSession();
    expect(await exec(id, 'false')).toMatchObject({ exit_code: 1, session_closed: false });
    expect((await exec(id, 'tr a-z A-Z', { stdin: 'abc\n' })).stdout).toBe('ABC\n');
    await callOk(server.client, 'session_destroy', { session_id: id });
  });

  it('returns a JSON-RPC-looking line as data and keeps the connection working', async () => {
    const id = await createSession();
    const line = '{"jsonrpc":"2.0","id":1,"result":{}}';
    const result = await exec(id, `printf '${line}\\n'; printf '${line}\\n' >&2`);
    expect(result.stdout).toBe(`${line}\n`);
    expect(result.stderr).toBe(`${line}\n`);
    expect((await exec(id, 'echo still here')).stdout).toBe('still here\n');
    await expectServerAnswers();
    expect(server.errors).toEqual([]);
    await callOk(server.client, 'session_destroy', { session_id: id });
  });

  it('interrupts a command at timeout_secs and keeps the session with its state', async () => {
    const id = await createSession();
    await exec(id, 'cd /tmp; KEEP=yes');
    const result = await exec(id, 'sleep 30; KEEP=finished', { timeout_secs: 1 });
    expect(result.timed_out).toBe(true);
    expect(result.session_closed).toBe(false);
    // Interrupted, not waited out: the rest of the command never ran.
    const after = await exec(id, 'echo "$KEEP $PWD"');
    expect(after).toMatchObject({ stdout: 'yes /tmp\n', exit_code: 0, timed_out: false });
    await callOk(server.client, 'session_destroy', { session_id: id });
  });

  it('returns the result of a command that ends the shell, then treats the session as closed', async () => {
    const id = await createSession();
    const result = await exec(id, 'echo bye; exit 3');
    expect(result).toMatchObject({ stdout: 'bye\n', exit_code: 3, session_closed: true });
    const again = await call(server.client, 'session_exec', { session_id: id, command: 'echo hi' });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/closed/);
    expect(textOf(again)).toMatch(/session_create/);
    const listed = await callOk<ListResult>(server.client, 'session_list');
    expect(listed.sessions.map((session) => session.session_id)).not.toContain(id);
    await expectServerAnswers();
  });

  it('lists sessions with transport, cwd, idle_secs and busy', async () => {
    const id = await createSession({ cwd: '/tmp' });
    const listed = await callOk<ListResult>(server.client, 'session_list');
    const entry = listed.sessions.find((session) => session.session_id === id);
    expect(entry).toMatchObject({ session_id: id, transport: 'local', cwd: '/tmp', busy: false });
    expect(entry!.idle_secs).toBeGreaterThanOrEqual(0);

    const running = exec(id, 'sleep 1');
    let whileBusy: ListResult['sessions'][number] | undefined;
    for (let attempt = 0; attempt < 20 && !whileBusy?.busy; attempt++) {
      const snapshot = await callOk<ListResult>(server.client, 'session_list');
      whileBusy = snapshot.sessions.find((session) => session.session_id === id);
      if (!whileBusy?.busy) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(whileBusy).toMatchObject({ busy: true, idle_secs: 0 });
    await running;
    const afterwards = await callOk<ListResult>(server.client, 'session_list');
    expect(afterwards.sessions.find((session) => session.session_id === id)).toMatchObject({ busy: false });
    await callOk(server.client, 'session_destroy', { session_id: id });
  });

  it('destroys a session; later calls on it are tool errors', async () => {
    const id = await createSession();
    const destroyed = await call(server.client, 'session_destroy', { session_id: id });
    expect(destroyed.structuredContent).toEqual({ destroyed: true });
    expect(JSON.parse(textOf(destroyed))).toEqual({ destroyed: true });
    const execAfter = await call(server.client, 'session_exec', { session_id: id, command: 'echo hi' });
    expect(execAfter.isError).toBe(true);
    expect(textOf(execAfter)).toMatch(/closed/);
    const destroyAgain = await call(server.client, 'session_destroy', { session_id: id });
    expect(destroyAgain.isError).toBe(true);
    await expectServerAnswers();
  });

  it('turns bad calls into tool errors that say what to do, and keeps answering', async () => {
    const unknown = await call(server.client, 'session_exec', { session_id: '999_local', command: 'echo hi' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/Unknown session_id "999_local"/);
    expect(textOf(unknown)).toMatch(/session_create/);
    await expectServerAnswers();

    const id = await createSession();
    const missingCommand = await call(server.client, 'session_exec', { session_id: id });
    expect(missingCommand.isError).toBe(true);
    expect(textOf(missingCommand)).toMatch(/command is required/);
    await expectServerAnswers();

    const negativeTimeout = await call(server.client, 'session_exec', { session_id: id, command: 'echo hi', timeout_secs: -1 });
    expect(negativeTimeout.isError).toBe(true);
    expect(textOf(negativeTimeout)).toMatch(/timeout_secs must be a positive number/);
    await expectServerAnswers();

    const numericId = await call(server.client, 'session_exec', { session_id: 7, command: 'echo hi' });
    expect(numericId.isError).toBe(true);
    expect(textOf(numericId)).toMatch(/expected string, received number at session_id/);
    const missingTransport = await call(server.client, 'session_create', {});
    expect(textOf(missingTransport)).toMatch(/transport is required; supported transports/);
    const envNumber = await call(server.client, 'session_create', { transport: 'local', env: { A: 1 } });
    expect(textOf(envNumber)).toMatch(/env values must be strings/);
    const envList = await call(server.client, 'session_create', { transport: 'local', env: ['A=1'] });
    expect(textOf(envList)).toMatch(/env must be an object mapping variable names to string values/);
    await expectServerAnswers();

    const unknownTransport = await call(server.client, 'session_create', { transport: 'telnet' });
    expect(unknownTransport.isError).toBe(true);
    expect(textOf(unknownTransport)).toMatch(/Unsupported transport "telnet"; supported transports: "local", "ssh", "docker"/);
    await expectServerAnswers();

    const missingCwd = await call(server.client, 'session_create', { transport: 'local', cwd: '/definitely/not/here' });
    expect(missingCwd.isError).toBe(true);
    expect(textOf(missingCwd)).toMatch(/^INVALID_OPTIONS: /);
    await expectServerAnswers();

    const badEnv = await call(server.client, 'session_create', { transport: 'local', env: { 'NOT-A-NAME': 'x' } });
    expect(badEnv.isError).toBe(true);
    expect(textOf(badEnv)).toMatch(/^INVALID_OPTIONS: Invalid env/);

    const nul = await call(server.client, 'session_exec', { session_id: id, command: 'echo a\u0000b' });
    expect(nul.isError).toBe(true);
    expect(textOf(nul)).toMatch(/^INVALID_OPTIONS: /);

    // The session is untouched by the rejected calls.
    expect((await exec(id, 'echo fine')).stdout).toBe('fine\n');
    await callOk(server.client, 'session_destroy', { session_id: id });
    expect(server.errors).toEqual([]);
  });

  it('runs commands in different sessions concurrently', async () => {
    const a = await createSession();
    const b = await createSession();
    const timed = 'date +%s%N; sleep 1; date +%s%N';
    const [ra, rb] = await Promise.all([exec(a, timed), exec(b, timed)]);
    const [startA, endA] = ra.stdout.trim().split('\n').map(BigInt);
    const [startB, endB] = rb.stdout.trim().split('\n').map(BigInt);
    // Both started before either finished.
    expect(startA! < endB!).toBe(true);
    expect(startB! < endA!).toBe(true);
    await callOk(server.client, 'session_destroy', { session_id: a });
    await callOk(server.client, 'session_destroy', { session_id: b });
  });

  it('queues concurrent calls on one session in order', async () => {
    const id = await createSession();
    const [first, second] = await Promise.all([
      exec(id, 'sleep 0.5; X=1; date +%s%N'),
      exec(id, 'date +%s%N; echo "$X"'),
    ]);
    const [secondStart, x] = second.stdout.trim().split('\n');
    expect(x).toBe('1');
    expect(BigInt(secondStart!) >= BigInt(first.stdout.trim())).toBe(true);
    await callOk(server.client, 'session_destroy', { session_id: id });
  });

  it('writes nothing but protocol messages to stdout', () => {
    expect(server.errors).toEqual([]);
    expect(server.stderr()).toMatch(/ready/);
  });
});

describe('execkit-mcp shutdown', () => {
  it('closes every session and its processes when the client disconnects', async () => {
    const own = await spawnServer();
    const pids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { session_id } = await callOk<{ session_id: string }>(own.client, 'session_create', { transport: 'local' });
      const result = await callOk<ExecToolResult>(own.client, 'session_exec', { session_id, command: 'sleep 300 & echo $$ $!' });
      pids.push(...result.stdout.trim().split(' ').map(Number));
    }
    // A command still running at disconnect is ended too.
    const { session_id } = await callOk<{ session_id: string }>(own.client, 'session_create', { transport: 'local' });
    const shell = await callOk<ExecToolResult>(own.client, 'session_exec', { session_id, command: 'echo $$' });
    pids.push(Number(shell.stdout.trim()));
    void own.client.callTool({ name: 'session_exec', arguments: { session_id, command: 'sleep 300' } }).catch(() => undefined);

    const serverPid = own.transport.pid!;
    expect(pids).toHaveLength(5);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);

    // The client ends the server's stdin, and signals it only if it has not exited after a grace period.
    const kill = vi.spyOn(ChildProcess.prototype, 'kill');
    try {
      await own.client.close();
      // It exited on its own when stdin ended: the client never had to signal it.
      expect((kill.mock.contexts as ChildProcess[]).some((child) => child.pid === serverPid)).toBe(false);
    } finally {
      kill.mockRestore();
    }
    expect(await waitFor(() => pids.every((pid) => !isAlive(pid)), 5_000)).toBe(true);
    expect(await waitFor(() => !isAlive(serverPid), 5_000)).toBe(true);
    expect(own.stderr()).toMatch(/shutting down \(stdin ended\)/);
  });

  it('closes every session on SIGTERM', async () => {
    const own = await spawnServer();
    const { session_id } = await callOk<{ session_id: string }>(own.client, 'session_create', { transport: 'local' });
    const result = await callOk<ExecToolResult>(own.client, 'session_exec', { session_id, command: 'echo $$' });
    const shellPid = Number(result.stdout.trim());
    const serverPid = own.transport.pid!;
    process.kill(serverPid, 'SIGTERM');
    expect(await waitFor(() => !isAlive(shellPid) && !isAlive(serverPid), 5_000)).toBe(true);
    expect(own.stderr()).toMatch(/shutting down \(SIGTERM\)/);
    await own.client.close();
  });
});
