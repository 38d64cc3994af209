import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { required } from '../errors.js';
import { toolSuccess, withToolErrors } from '../tool-result.js';
import type { ToolContext } from './context.js';

const inputSchema = {
  session_id: z.string({ error: required('session_id is required') }).min(1).describe('The session the command ran in.'),
  output_id: z.string({ error: required('output_id is required: take it from a session_exec result') }).min(1).describe('output_id from a session_exec result.'),
  offset: z.number().int().min(0).optional().describe('First line to return (0-based). Default 0.'),
  limit: z.number().int().min(1).max(10_000).optional().describe('Lines to return. Default 200.'),
  stream: z.enum(['stdout', 'stderr']).optional().describe('Which stream. Default stdout.'),
};

const outputSchema = {
  stream: z.enum(['stdout', 'stderr']),
  lines: z.array(z.string()).describe('The lines, without their newlines (redacted, cleaned text).'),
  offset: z.number().int(),
  next_offset: z.number().int().nullable().describe('Pass as offset to read on; null at the end.'),
  total_lines: z.number().int(),
  elided_bytes: z.number().int().describe('Bytes of a very long output that were not kept (its middle); 0 normally.'),
};

/** Registers `output_read`: pages through the whole output of a command whose result was cut. */
export function registerOutputRead(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'output_read',
    {
      title: 'Read a command’s full output',
      description:
        'Page through the whole output of a command whose session_exec result was cut (it returned an output_id), line by ' +
        'line, on stdout or stderr. Outputs live as long as their session, the oldest dropped first when many are kept.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    withToolErrors(async (args: z.infer<z.ZodObject<typeof inputSchema>>) => {
      const page = context.registry.get(args.session_id).session.readOutput(args.output_id, {
        ...(args.offset !== undefined ? { offset: args.offset } : {}),
        ...(args.limit !== undefined ? { limit: args.limit } : {}),
        ...(args.stream !== undefined ? { stream: args.stream } : {}),
      });
      return toolSuccess({ ...page });
    }),
  );
}
