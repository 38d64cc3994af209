import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { required } from '../errors.js';
import { toolSuccess, withToolErrors } from '../tool-result.js';
import type { ToolContext } from './context.js';

const inputSchema = {
  session_id: z.string({ error: required('session_id is required') }).min(1).describe('The session whose policy to check against.'),
  command: z.string({ error: required('command is required') }).describe('The shell text to check; it is not run.'),
};

const outputSchema = {
  allowed: z.boolean().describe('True when session_exec would run the command.'),
  programs: z.array(z.string()).describe('Every program the command would run, normalised (e.g. "rm" for /usr/bin/rm).'),
  violations: z
    .array(z.object({ rule: z.string(), program: z.string().optional(), detail: z.string() }))
    .describe('Why it would be refused: the rule (allow, deny, deny_pattern, guard, unknown_program, rejected_input, parse_error) and the program.'),
};

/** Registers `policy_check`: a dry run of a session's policy fence. */
export function registerPolicyCheck(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'policy_check',
    {
      title: 'Check a command against the policy',
      description:
        'Dry run: parse a command and say whether session_exec would run it in this session, which programs it runs and ' +
        'which rule would refuse it. Nothing is executed.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    withToolErrors(async (args: z.infer<z.ZodObject<typeof inputSchema>>) => {
      const decision = await context.registry.get(args.session_id).session.checkPolicy(args.command);
      return toolSuccess({
        allowed: decision.allowed,
        programs: decision.programs,
        violations: decision.violations.map((violation) => ({
          rule: violation.rule,
          ...(violation.program !== undefined ? { program: violation.program } : {}),
          detail: violation.detail,
        })),
      });
    }),
  );
}
