/**
 * A minimal MCP client over stdio for measuring the server alone: newline-delimited JSON-RPC 2.0
 * messages as the MCP stdio transport specifies, the `initialize` handshake, and `tools/call`
 * requests matched to responses by id. No schema validation on either side of the pipe, so what
 * it measures is the server (and the pipe), not a client library.
 */
import { spawn } from 'node:child_process';

/**
 * Spawns `command args` and completes the MCP handshake.
 *
 * @returns `{ pid, callTool(name, args) → result, close() }`; `callTool` rejects on a JSON-RPC error
 */
export async function connectJsonRpc(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  let nextId = 0;
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => {
    buffer += text;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const message = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      const pending = waiting.get(message.id);
      if (!pending) continue;
      waiting.delete(message.id);
      if (message.error) pending.reject(new Error(`${message.error.code}: ${message.error.message}`));
      else pending.resolve(message.result);
    }
  });
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'execkit-bench', version: '0.0.0' } });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return {
    pid: child.pid,
    callTool: (name, args) => request('tools/call', { name, arguments: args }),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
      }),
  };
}
