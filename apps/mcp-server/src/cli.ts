/**
 * Entry point of the `execkit-mcp` binary: serves execkit over stdio.
 *
 * stdout carries protocol messages only; every log line goes to stderr. All sessions are closed
 * when the client disconnects (stdin ends), on SIGINT, SIGTERM and SIGHUP, and on a fatal error.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createExecKitServer } from './server.js';

// Anything that would print to stdout through console goes to stderr instead.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

function log(message: string): void {
  process.stderr.write(`execkit-mcp: ${message}\n`);
}

let execkit: ReturnType<typeof createExecKitServer>;
try {
  execkit = createExecKitServer();
} catch (error) {
  // A bad operator setting (for example EXECKIT_MCP_HOST_KEY_POLICY): say so and stop.
  log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const transport = new StdioServerTransport();
let shuttingDown = false;

async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`shutting down (${reason})`);
  // Do not hang on a shell that will not die; the client kills us soon after anyway.
  const giveUp = setTimeout(() => {
    log('sessions did not close in time; exiting');
    process.exit(exitCode);
  }, 5_000);
  giveUp.unref();
  try {
    await execkit.close();
  } catch (error) {
    log(`error while closing sessions: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(exitCode);
}

process.stdin.on('end', () => void shutdown('stdin ended', 0));
process.stdin.on('close', () => void shutdown('stdin closed', 0));
process.stdout.on('error', () => void shutdown('stdout closed', 0));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(signal, 0));
}
process.on('uncaughtException', (error) => {
  log(`fatal: ${error.stack ?? error.message}`);
  void shutdown('fatal error', 1);
});
process.on('unhandledRejection', (error) => {
  log(`unhandled rejection: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});

execkit.server.server.onclose = () => void shutdown('connection closed', 0);

try {
  await execkit.server.connect(transport);
  log(`ready (pid ${process.pid})`);
} catch (error) {
  log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown('start failed', 1);
}
