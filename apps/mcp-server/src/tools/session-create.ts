import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { withToolErrors, toolSuccess } from '../tool-result.js';
import { TRANSPORT_KINDS } from '../transports.js';
import type { ToolContext } from './context.js';

const supported = TRANSPORT_KINDS.map((kind) => `"${kind}"`).join(', ');

const inputSchema = {
  transport: z
    .enum(TRANSPORT_KINDS, {
      errorMap: (problem) => ({
        message:
          problem.code === 'invalid_enum_value'
            ? `Unsupported transport ${JSON.stringify(problem.received)}; supported transports: ${supported}`
            : `transport is required; supported transports: ${supported}`,
      }),
    })
    .describe(`Where the shell runs. Supported: ${supported} (a shell on the machine running this server).`),
  cwd: z
    .string({ invalid_type_error: 'cwd must be a string (a directory path)' })
    .min(1, 'cwd must not be empty; omit it to start in the server’s working directory')
    .optional()
    .describe('Directory to start in (must exist). Default: the server’s working directory.'),
  env: z
    .record(z.string({ invalid_type_error: 'env values must be strings' }), {
      invalid_type_error: 'env must be an object mapping variable names to string values',
    })
    .optional()
    .describe('Environment variables to export in the session before the first command, e.g. {"NODE_ENV": "test"}.'),
};

const outputSchema = {
  session_id: z.string().describe('Id to pass to session_exec, session_destroy; e.g. "1_local".'),
};

/** Registers `session_create`: opens a persistent shell session and returns its id. */
export function registerSessionCreate(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'session_create',
    {
      title: 'Create shell session',
      description:
        'Start a persistent shell session and return its session_id. Create one session and reuse it for all related ' +
        'commands: the working directory, exported variables, functions and aliases persist between session_exec calls. ' +
        'Use several sessions only for work that must run in parallel. Destroy it with session_destroy when done.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    withToolErrors(async (args: z.infer<z.ZodObject<typeof inputSchema>>) => {
      const entry = await context.registry.create(args.transport, { cwd: args.cwd, env: args.env });
      return toolSuccess({ session_id: entry.id });
    }),
  );
}
