/**
 * Local benchmark: a raw persistent bash over pipes (the floor) against session.exec through the
 * library and session_exec through the MCP server over stdio, in one run.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Session, createLocalTransport } from '@execkit/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { markerRunner } from './raw-shell.mjs';
import { measureInterleaved } from './stats.mjs';

const require = createRequire(import.meta.url);

/** A bare bash over pipes answering `echo hi` plus an end marker (stdout only, or stdout and stderr). */
async function rawBash(withStderrMarker) {
  const bash = spawn('bash', ['--noprofile', '--norc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const run = markerRunner(bash.stdout, bash.stderr, (text) => bash.stdin.write(text), withStderrMarker);
  return { run, close: () => bash.kill('SIGKILL') };
}

export async function benchLocal() {
  const floor = await rawBash(false);
  const floorBoth = await rawBash(true);
  const session = await Session.open(createLocalTransport());
  const mcpBin = join(dirname(require.resolve('@execkit/mcp/package.json')), 'bin', 'execkit-mcp.js');
  const client = new Client({ name: 'execkit-bench', version: '0.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [mcpBin], stderr: 'ignore' }));
  const created = await client.callTool({ name: 'session_create', arguments: { transport: 'local' } });
  const sessionId = created.structuredContent.session_id;

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
  ]);
  floor.close();
  floorBoth.close();
  await session.close();
  await client.close();

  const [floorResult, bothResult, library, mcp] = results;
  return {
    method: 'each variant warmed up with 1000 calls, then 1000 timed calls each, taken in turns of 50 so all see the same machine load',
    results,
    ratios: {
      library_p50_over_floor: +(library.p50_us / floorResult.p50_us).toFixed(2),
      mcp_p50_over_floor: +(mcp.p50_us / floorResult.p50_us).toFixed(2),
      library_p50_over_stdout_stderr_floor: +(library.p50_us / bothResult.p50_us).toFixed(2),
    },
    targets: { library_p50_over_floor: 1.5, mcp_p50_over_floor: 4 },
  };
}
