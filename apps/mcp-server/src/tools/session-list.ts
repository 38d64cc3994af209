import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { toolSuccess, withToolErrors } from '../tool-result.js';
import type { ToolContext } from './context.js';

const outputSchema = {
  sessions: z
    .array(
      z.object({
        session_id: z.string().describe('The session’s id.'),
        transport: z.string().describe('Where its shell runs (e.g. "local").'),
        cwd: z.string().describe('Working directory after its last command.'),
        idle_secs: z.number().describe('Whole seconds since its last command finished; 0 while one runs.'),
        busy: z.boolean().describe('True while a command runs in it.'),
      }),
    )
    .describe('Live sessions, oldest first.'),
};

/** Registers `session_list`: the live sessions with their cwd and activity. */
export function registerSessionList(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'session_list',
    {
      title: 'List shell sessions',
      description: 'List the live shell sessions with their working directory, seconds idle and whether a command is running.',
      inputSchema: {},
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    withToolErrors(async () => {
      const now = Date.now();
      const sessions = context.registry.list().map((entry) => {
        const info = entry.session.info();
        return {
          session_id: entry.id,
          transport: entry.transport,
          cwd: info.cwd,
          idle_secs: info.busy ? 0 : Math.max(0, Math.floor((now - info.lastActivityAt) / 1000)),
          busy: info.busy,
        };
      });
      return toolSuccess({ sessions });
    }),
  );
}
