import type { SessionOptions, Transport } from '@execkit/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SERVER_INSTRUCTIONS } from './instructions.js';
import { PACKAGE_VERSION } from './package-info.js';
import { SessionRegistry } from './session-registry.js';
import { registerContainerList, registerHostList, registerOutputRead, registerPolicyCheck, registerSessionCreate, registerSessionDestroy, registerSessionExec, registerSessionList, type ToolContext } from './tools/index.js';
import { openTransport as defaultOpenTransport, operatorSettingsFromEnv, type OperatorSettings, type TransportRequest } from './transports.js';

/** Options for {@link createExecKitServer}. All optional. */
export interface ExecKitServerOptions {
  /** Timeout for `session_exec` calls that give no `timeout_secs`, in seconds. Default 120. */
  defaultTimeoutSecs?: number;
  /**
   * How often `session_exec` sends `notifications/progress` while a command runs, in ms, when the
   * client's request carries a progress token. Default 5_000.
   */
  progressIntervalMs?: number;
  /**
   * Options for every new session, for example `{ maxOutputChars: 50_000 }`. `cwd` and `env` come
   * from each `session_create` call instead. Default: core's defaults.
   */
  sessionDefaults?: Omit<SessionOptions, 'cwd' | 'env'>;
  /**
   * Creates the transport for a new session. Default: `openTransport` with `operator`'s settings
   * (a fresh local transport for `local`, an SSH transport for `ssh`).
   */
  openTransport?: (request: TransportRequest) => Transport;
  /**
   * Operator settings for SSH (key directory, known_hosts, ssh_config, host key policy). Default:
   * read from the environment (`EXECKIT_MCP_KEY_DIR`, `EXECKIT_MCP_KNOWN_HOSTS`,
   * `EXECKIT_MCP_SSH_CONFIG`, `EXECKIT_MCP_HOST_KEY_POLICY`, `EXECKIT_MCP_INSECURE_ACCEPT_ANY_HOSTKEY`).
   */
  operator?: OperatorSettings;
}

/** What {@link createExecKitServer} returns. */
export interface ExecKitServer {
  /** The MCP server with the four session tools registered; connect it to any MCP transport. */
  readonly server: McpServer;
  /** The server's sessions. Call `registry.closeAll()` when shutting down so no shell outlives the server. */
  readonly registry: SessionRegistry;
  /** Closes every session, then the MCP server. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Creates the execkit MCP server (name `execkit`, this package's version) with the tools
 * `session_create`, `session_exec`, `session_list` and `session_destroy`, not yet connected.
 *
 * @example
 * ```ts
 * const { server, close } = createExecKitServer();
 * await server.connect(new StdioServerTransport());
 * process.on('SIGTERM', () => void close());
 * ```
 *
 * @param options - see {@link ExecKitServerOptions}
 * @throws RangeError when `defaultTimeoutSecs` or `progressIntervalMs` is not a positive number
 */
export function createExecKitServer(options: ExecKitServerOptions = {}): ExecKitServer {
  const defaultTimeoutSecs = positive('defaultTimeoutSecs', options.defaultTimeoutSecs, 120);
  const progressIntervalMs = positive('progressIntervalMs', options.progressIntervalMs, 5_000);
  const operator = options.operator ?? operatorSettingsFromEnv();
  const registry = new SessionRegistry({
    openTransport: options.openTransport ?? ((request) => defaultOpenTransport(request, operator)),
    ...(options.sessionDefaults ? { sessionDefaults: options.sessionDefaults } : {}),
  });
  const server = new McpServer(
    { name: 'execkit', title: 'execkit', version: PACKAGE_VERSION },
    { instructions: SERVER_INSTRUCTIONS, capabilities: { tools: {} } },
  );
  const context: ToolContext = { registry, defaultTimeoutSecs, progressIntervalMs, operator };
  registerSessionCreate(server, context);
  registerSessionExec(server, context);
  registerSessionList(server, context);
  registerSessionDestroy(server, context);
  registerHostList(server, context);
  registerContainerList(server);
  registerPolicyCheck(server, context);
  registerOutputRead(server, context);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await registry.closeAll();
      await server.close().catch(() => undefined);
    })());
  return { server, registry, close };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}
