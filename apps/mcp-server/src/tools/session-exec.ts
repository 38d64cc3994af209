import { ExecKitError, execResultToJson, type ConnectionLostError, type ExecResult } from '@execkit/core';
import { ToolInputError, required } from '../errors.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { withToolErrors, toolSuccess } from '../tool-result.js';
import type { ToolContext, ToolExtra } from './context.js';

/** Longest timeout accepted, in seconds (one day). */
const MAX_TIMEOUT_SECS = 86_400;

/** The wire shape of an output budget; `validateBudget` in core checks the rest before anything runs. */
export const budgetSchema = z
  .object({
    keep: z
      .object({
        mode: z.enum(['head', 'tail', 'head_tail']).describe('Which lines to keep.'),
        n: z.number().int().min(0).optional().describe('Lines to keep (head_tail: split between head and tail).'),
        head: z.number().int().min(0).optional().describe('head_tail: lines from the start.'),
        tail: z.number().int().min(0).optional().describe('head_tail: lines from the end.'),
      })
      .optional(),
    grep: z
      .object({
        pattern: z.string().describe('Keep lines matching this regular expression (a linear-time subset: no backreferences, lookarounds or nested quantifiers).'),
        context: z.number().int().min(0).optional().describe('Lines of context around each match.'),
      })
      .optional(),
    max_chars: z.number().int().min(0).optional().describe('Cap on characters per stream after grep and keep (head and tail kept).'),
  })
  .describe('Trim the output before it reaches you: grep first, then keep, then max_chars; elided runs are marked in place. The whole output stays readable with output_read.');

const inputSchema = {
  session_id: z
    .string({ error: required('session_id is required: pass the id session_create returned') })
    .min(1, 'session_id must not be empty')
    .describe('The session to run in, as returned by session_create (e.g. "1_local").'),
  command: z
    .string({ error: required('command is required: pass the shell text to run') })
    .describe('Shell text to run (bash; pipes, &&, redirections, multi-line scripts all work).'),
  timeout_secs: z
    .number({ error: 'timeout_secs must be a number of seconds' })
    .positive('timeout_secs must be a positive number of seconds')
    .max(MAX_TIMEOUT_SECS, `timeout_secs must be at most ${MAX_TIMEOUT_SECS} (one day)`)
    .optional()
    .describe('Seconds before the command is interrupted (the session survives). Default 120.'),
  stdin: z
    .string({ error: 'stdin must be a string' })
    .optional()
    .describe('Text fed to the command’s standard input. Default: none (the command reads end-of-file).'),
  budget: budgetSchema.optional(),
  force: z
    .boolean({ error: 'force must be true or false' })
    .optional()
    .describe('Run even though the guard flags the command as dangerous (rm -rf /, mkfs…). Only if the operator allows it.'),
};

const outputSchema = {
  command: z.string().describe('The command as given.'),
  stdout: z.string().describe('Standard output as clean text (ANSI codes removed); head and tail kept when capped.'),
  stderr: z.string().describe('Standard error, kept apart from stdout.'),
  exit_code: z.number().int().nullable().describe('Exit status (130 after an interrupt); null when unknown.'),
  duration_ms: z.number().describe('Wall time in milliseconds.'),
  cwd: z.string().describe('Working directory after the command.'),
  truncated: z.boolean().describe('True when stdout or stderr was capped (middle elided).'),
  timed_out: z.boolean().describe('True when the command hit its timeout and was interrupted; the session is still usable.'),
  aborted: z.boolean().describe('True when the request was cancelled and the command interrupted; the session is still usable.'),
  stdout_bytes: z.number().int().describe('Raw bytes written to stdout, before cleaning or capping.'),
  stderr_bytes: z.number().int().describe('Raw bytes written to stderr, before cleaning or capping.'),
  session_closed: z.boolean().describe('True when the command ended the shell (e.g. `exit`); the session is gone.'),
  reconnected: z
    .boolean()
    .describe(
      'True when this ran in a new shell (the connection had been lost, or the last shell could not be interrupted and was replaced): cwd and exported variables were restored; functions, aliases and jobs were not.',
    ),
  output_id: z
    .string()
    .nullable()
    .describe('When the output was cut (by the cap or a budget): pass it to output_read to page through the whole output. Else null.'),
  budget: z
    .object({
      stdout: z.object({ mode: z.string(), lines_total: z.number().int(), lines_kept: z.number().int() }),
      stderr: z.object({ mode: z.string(), lines_total: z.number().int(), lines_kept: z.number().int() }),
    })
    .optional()
    .describe('What the budget did per stream, when one applied.'),
};

/** The wire shape of a `session_exec` result (snake_case). */
export type ExecToolResult = z.infer<z.ZodObject<typeof outputSchema>>;

/** Converts a core `ExecResult` to the `session_exec` wire shape. */
export function toExecToolResult(result: ExecResult): ExecToolResult {
  return execResultToJson(result);
}

/** Registers `session_exec`: runs one command in a session and returns its structured result. */
export function registerSessionExec(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'session_exec',
    {
      title: 'Run command in shell session',
      description:
        'Run a shell command in a session and return stdout, stderr, exit_code and the cwd afterwards. State persists: ' +
        '`cd`, `export`, functions and aliases carry over to the next call. Commands on one session run one at a time ' +
        '(extra calls wait). A command that exceeds timeout_secs is interrupted and timed_out is true; the session stays ' +
        'usable. Long output is capped, keeping head and tail. Commands get no interactive input; use stdin or ' +
        'non-interactive flags. If the command ends the shell (`exit`), session_closed is true and the session is gone.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    withToolErrors(async (args: z.infer<z.ZodObject<typeof inputSchema>>, extra: ToolExtra) => {
      const { registry } = context;
      const entry = registry.get(args.session_id);
      if (args.force && !context.operator.allowForce) {
        throw new ToolInputError('force is not allowed on this server (the operator has not enabled it); change the command instead.');
      }
      const stopProgress = startProgress(extra, context.progressIntervalMs, args.session_id);
      let result: ExecResult;
      try {
        result = await entry.session.exec(args.command, {
          timeoutMs: (args.timeout_secs ?? context.defaultTimeoutSecs) * 1000,
          stdin: args.stdin,
          signal: extra.signal,
          ...(args.force ? { force: true } : {}),
          ...(args.budget ? { budget: args.budget } : {}),
        });
      } catch (error) {
        if (ExecKitError.isInstance(error) && error.code === 'CONNECTION_LOST' && (error as ConnectionLostError).partial && !entry.session.closed) {
          const partial = execResultToJson((error as ConnectionLostError).partial!);
          throw new ToolInputError(
            `CONNECTION_LOST: ${error.message} Output before the loss: ${JSON.stringify({ stdout: partial.stdout, stderr: partial.stderr, cwd: partial.cwd })}`,
          );
        }
        if (entry.session.closed) {
          const reason = ExecKitError.isInstance(error) ? `${error.code}: ${error.message}` : 'its shell ended';
          registry.markEnded(entry.id, reason);
        }
        throw error;
      } finally {
        stopProgress();
      }
      if (result.sessionClosed) {
        registry.markEnded(
          entry.id,
          result.exitCode === null ? 'its shell ended' : `its shell exited with code ${result.exitCode}`,
        );
      }
      return toolSuccess(toExecToolResult(result));
    }),
  );
}

/**
 * Sends `notifications/progress` every `intervalMs` while a command runs, when the client gave a
 * progress token (so clients that reset their timeout on progress do not give up on long
 * commands). Returns a function that stops it.
 */
function startProgress(extra: ToolExtra, intervalMs: number, sessionId: string): () => void {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    const elapsedSecs = Math.round((Date.now() - started) / 1000);
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress: Date.now() - started, message: `still running in ${sessionId} (${elapsedSecs} s)` },
      })
      .catch(() => undefined);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
