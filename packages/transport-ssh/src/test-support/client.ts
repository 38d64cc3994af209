/**
 * Small promise wrappers around ssh2's `Client` for fixture tests (not the transport under test).
 *
 * Test support code; not part of the published build.
 *
 * @module
 */
import { Client, type ClientChannel, type ConnectConfig, type ExecOptions } from 'ssh2';

/**
 * Connects an ssh2 `Client` and resolves once it is authenticated (`ready`); rejects with the
 * client's `error` (e.g. `All configured authentication methods failed`, level
 * `client-authentication`) or when the connection closes first. On failure the client is destroyed.
 */
export function connectClient(config: ConnectConfig): Promise<Client> {
  const client = new Client();
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      cleanup();
      client.destroy();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('connection closed before authentication completed'));
    };
    const onReady = () => {
      cleanup();
      // Keep a listener so a later socket error does not crash the test process.
      client.on('error', () => undefined);
      resolve(client);
    };
    const cleanup = () => {
      client.off('error', onError);
      client.off('close', onClose);
      client.off('ready', onReady);
    };
    client.on('error', onError);
    client.on('close', onClose);
    client.on('ready', onReady);
    client.connect({ readyTimeout: 15_000, ...config });
  });
}

/** Opens an exec channel (rejects if the server refuses the channel or the request). */
export function openExec(client: Client, command: string, options: ExecOptions = {}): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, options, (error, channel) => (error ? reject(error) : resolve(channel)));
  });
}

/** Result of {@link execCommand}. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status, or `undefined` when the command was killed by a signal or none was sent. */
  code: number | undefined;
  signal: string | undefined;
}

/** Runs `command` on its own exec channel and collects its output until the channel closes. */
export async function execCommand(
  client: Client,
  command: string,
  options: ExecOptions & { timeoutMs?: number } = {},
): Promise<ExecResult> {
  const { timeoutMs = 15_000, ...execOptions } = options;
  const channel = await openExec(client, command, execOptions);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let code: number | undefined;
    let signal: string | undefined;
    const timer = setTimeout(() => {
      channel.close();
      reject(new Error(`command did not finish within ${timeoutMs} ms: ${command}`));
    }, timeoutMs);
    channel.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
      code = exitCode ?? undefined;
      signal = exitSignal ?? undefined;
    });
    channel.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal });
    });
  });
}

/** Ends the connection and resolves when the client emitted `close` (destroys it after `timeoutMs`). */
export function closeClient(client: Client, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
