/**
 * `@execkit/mcp`: an MCP server that gives agents persistent, structured shell sessions.
 *
 * Run it with the `execkit-mcp` binary (stdio), or embed it with {@link createExecKitServer} and
 * connect it to any MCP transport.
 *
 * @packageDocumentation
 */
export { createExecKitServer, type ExecKitServer, type ExecKitServerOptions } from './server.js';
export { SessionRegistry, type CreateSessionOptions, type RegisteredSession, type SessionRegistryOptions } from './session-registry.js';
export { TRANSPORT_KINDS, isTransportKind, openTransport, operatorSettingsFromEnv, type OperatorSettings, type TransportKind, type TransportRequest } from './transports.js';
export { ToolInputError } from './errors.js';
export { SERVER_INSTRUCTIONS } from './instructions.js';
export { toExecToolResult, type ExecToolResult } from './tools/index.js';
export { PACKAGE_VERSION } from './package-info.js';
