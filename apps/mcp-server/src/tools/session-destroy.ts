import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { required } from '../errors.js';
import { toolSuccess, withToolErrors } from '../tool-result.js';
import type { ToolContext } from './context.js';

const inputSchema = {
  session_id: z
    .string({ error: required('session_id is required: pass the id session_create returned') })
    .min(1, 'session_id must not be empty')
    .describe('The session to close.'),
};

const outputSchema = {
  destroyed: z.literal(true).describe('Always true; failures come back as tool errors.'),
};

/** Registers `session_destroy`: closes a session's shell and every process it started. */
export function registerSessionDestroy(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'session_destroy',
    {
      title: 'Destroy shell session',
      description:
        'Close a session: its shell and every process it started (including background jobs) are ended, and a running ' +
        'command is killed. The session_id cannot be used afterwards.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    withToolErrors(async (args: z.infer<z.ZodObject<typeof inputSchema>>) => {
      await context.registry.destroy(args.session_id);
      return toolSuccess({ destroyed: true as const });
    }),
  );
}
