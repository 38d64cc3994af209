import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The package directory (where `bin/` and `dist/` live). */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** A client connected to a freshly spawned, built `execkit-mcp` over stdio. */
export interface SpawnedServer {
  client: Client;
  transport: StdioClientTransport;
  /** Errors the client saw on the connection (for example a non-JSON line on stdout). */
  errors: Error[];
  /** Everything the server wrote to stderr so far. */
  stderr: () => string;
}

/** Spawns `node bin/execkit-mcp.js` (with `env` added to its environment) and connects an SDK client to it. */
export async function spawnServer(env: Record<string, string> = {}): Promise<SpawnedServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['bin/execkit-mcp.js'],
    cwd: PACKAGE_DIR,
    stderr: 'pipe',
    env: { ...getDefaultEnvironment(), ...env },
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'execkit-test', version: '0.0.0' });
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  return { client, transport, errors, stderr: () => stderr };
}

/** Calls a tool and returns its result as a `CallToolResult`. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The text of a result's first content item. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error(`expected a text content item, got ${JSON.stringify(result.content)}`);
  return first.text;
}

/** Calls a tool that must succeed and returns its structured content. */
export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
  return result.structuredContent as T;
}

/** True while process `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** Waits until `predicate` holds, polling every 50 ms, for at most `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (predicate()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
