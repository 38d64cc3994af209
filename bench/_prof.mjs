import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
const require = createRequire(import.meta.url);
const mcpBin = join(dirname(require.resolve('@execkit/mcp/package.json')), 'bin', 'execkit-mcp.js');
const serverArgs = process.env.SPROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--cpu-prof-interval=50', mcpBin] : [mcpBin];
const client = new Client({ name: 'x', version: '0' });
await client.connect(new StdioClientTransport({ command: process.execPath, args: serverArgs, stderr: 'ignore' }));
if (process.env.LIST) await client.listTools();
const c = await client.callTool({ name: 'session_create', arguments: { transport: 'local' } });
const id = c.structuredContent.session_id;
const N = +(process.env.N ?? 3000);
const times = [];
for (let i = 0; i < N; i++) {
  const s = process.hrtime.bigint();
  await client.callTool({ name: 'session_exec', arguments: { session_id: id, command: 'echo hi' } });
  times.push(Number(process.hrtime.bigint() - s) / 1000);
}
times.sort((a, b) => a - b);
console.log('p50', times[N >> 1].toFixed(0), 'p99', times[Math.floor(N * 0.99)].toFixed(0));
await client.close();
