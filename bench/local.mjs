/**
 * Local benchmark: a raw persistent bash over pipes (the floor) against session.exec through the
 * library and session_exec through the MCP server over stdio, in one run.
 *
 * On this kind of machine a wake-up across CPUs costs tens of µs, so where the scheduler happens
 * to put each shell decides much of its latency (the same raw bash measures ~35 µs or ~80 µs from
 * one process to the next). Each placement is therefore also measured under control: `same-cpu`
 * (this process and every child on CPU 0) and `split` (this process on CPU 0; each shell, and the
 * MCP server with its shell, on CPU 1), after an `unpinned` run where the scheduler places
 * everything. Needs `taskset` (util-linux) and two CPUs.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Session, createLocalTransport } from '@execkit/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { connectJsonRpc } from './jsonrpc-client.mjs';
import { pin } from './placement.mjs';
import { markerRunner } from './raw-shell.mjs';
import { measureInterleaved } from './stats.mjs';

const require = createRequire(import.meta.url);

/** A bare bash over pipes answering `echo hi` plus an end marker (stdout only, or stdout and stderr). */
async function rawBash(withStderrMarker, place) {
  const bash = spawn('bash', ['--noprofile', '--norc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  place(bash.pid);
  const run = markerRunner(bash.stdout, bash.stderr, (text) => bash.stdin.write(text), withStderrMarker);
  return { run, close: () => bash.kill('SIGKILL') };
}

export async function benchLocal() {
  const placements = {};
  // First as an unpinned measurement is taken: wherever the scheduler puts each process.
  placements.unpinned = await measurePlacement(() => undefined);
  pin(process.pid, '0');
  placements['same-cpu'] = await measurePlacement(() => undefined);
  placements.split = await measurePlacement((pid) => pin(pid, '1'));
  const same = placements['same-cpu'];
  return {
    method:
      'per placement, each variant warmed up with 10 000 calls (the MCP server takes thousands of calls to reach its steady state: JIT tiers, heap sizing), then 1000 timed calls each, taken in turns of 50 so all see the same machine load; ' +
      'MCP measured twice: with the SDK Client (its schema checks included) and with a plain JSON-RPC client over the same stdio transport (the server alone); ' +
      'unpinned: no CPU affinity set (the scheduler places every process, as an unpinned measurement does); same-cpu: the benchmark and every child on CPU 0; split: the benchmark on CPU 0, each shell (and the MCP server with its shell) on CPU 1',
    results: same.results,
    ratios: same.ratios,
    placements,
    targets: { library_p50_over_floor: 1.5, mcp_p50_over_floor: 4 },
  };
}

async function measurePlacement(place) {
  const floor = await rawBash(false, place);
  const floorBoth = await rawBash(true, place);
  const session = await Session.open(createLocalTransport());
  place(session.info().shellPid);
  const mcpBin = join(dirname(require.resolve('@execkit/mcp/package.json')), 'bin', 'execkit-mcp.js');
  const client = new Client({ name: 'execkit-bench', version: '0.0.0' });
  const stdio = new StdioClientTransport({ command: process.execPath, args: [mcpBin], stderr: 'ignore' });
  await client.connect(stdio);
  // The server's shell starts after this, and inherits the server's CPUs.
  place(stdio.pid);
  const created = await client.callTool({ name: 'session_create', arguments: { transport: 'local' } });
  const sessionId = created.structuredContent.session_id;
  const plain = await connectJsonRpc(process.execPath, [mcpBin]);
  place(plain.pid);
  const plainSessionId = (await plain.callTool('session_create', { transport: 'local' })).structuredContent.session_id;

  const results = await measureInterleaved([
    ['floor: raw bash over pipes, stdout marker', floor.run],
    ['raw bash over pipes, stdout+stderr markers', floorBoth.run],
    [
      "library: session.exec('echo hi')",
      async () => {
        const r = await session.exec('echo hi');
        if (r.stdout !== 'hi\n') throw new Error(`unexpected ${JSON.stringify(r)}`);
      },
    ],
    [
      "mcp: session_exec 'echo hi' over stdio",
      async () => {
        const r = await client.callTool({ name: 'session_exec', arguments: { session_id: sessionId, command: 'echo hi' } });
        if (r.structuredContent?.stdout !== 'hi\n') throw new Error(`unexpected ${JSON.stringify(r)}`);
      },
    ],
    [
      "mcp, plain JSON-RPC client: session_exec 'echo hi'",
      async () => {
        const r = await plain.callTool('session_exec', { session_id: plainSessionId, command: 'echo hi' });
        if (r.structuredContent?.stdout !== 'hi\n') throw new Error(`unexpected ${JSON.stringify(r)}`);
      },
    ],
  ], { warmup: 10_000 });
  floor.close();
  floorBoth.close();
  await session.close();
  await client.close();
  await plain.close();

  const [floorResult, bothResult, library, mcp, mcpPlain] = results;
  return {
    results,
    ratios: {
      library_p50_over_floor: +(library.p50_us / floorResult.p50_us).toFixed(2),
      mcp_p50_over_floor: +(mcp.p50_us / floorResult.p50_us).toFixed(2),
      mcp_plain_client_p50_over_floor: +(mcpPlain.p50_us / floorResult.p50_us).toFixed(2),
      library_p50_over_stdout_stderr_floor: +(library.p50_us / bothResult.p50_us).toFixed(2),
    },
  };
}
