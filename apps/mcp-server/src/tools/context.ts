import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { SessionRegistry } from '../session-registry.js';
import type { OperatorSettings } from '../transports.js';

/** What every tool registration receives from the server factory. */
export interface ToolContext {
  /** The server's sessions. */
  readonly registry: SessionRegistry;
  /** Timeout for `session_exec` when the call gives none, in seconds. */
  readonly defaultTimeoutSecs: number;
  /** How often `session_exec` sends progress notifications while a command runs, in ms (when the client asked for progress). */
  readonly progressIntervalMs: number;
  /** Operator settings (ssh_config path for `host_list`, key directory, known_hosts…). */
  readonly operator: OperatorSettings;
}

/** The request context the SDK passes to a tool handler. */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;
