import { Session, type ExecResult } from '@execkit/core';
import type { Command } from 'commander';
import { UsageError, exitCodeForResult, exitCodeForSignal } from '../../errors.js';
import type { CliIo, CliSignal } from '../../io.js';
import { DEFAULT_TIMEOUT_SECONDS, cwdOption, sessionCwd, formatSeconds, timeoutOption } from '../../options.js';
import type { CommandContext } from '../../program.js';
import { transportFor, withTransportOptions, type TransportCommandOptions } from '../../transport.js';
import { execResultToJson } from '@execkit/core';

/** Options of `execkit exec`, as commander parses them. */
export interface ExecCommandOptions extends TransportCommandOptions {
  cwd?: string;
  timeout?: number;
  json?: boolean;
  stdin?: boolean;
}

/** Registers `execkit exec [options] -- <command...>`. */
export function registerExecCommand(program: Command, context: CommandContext): Command {
  return withTransportOptions(program.command('exec'))
    .summary('run one command in a fresh session and exit with its status')
    .description(
      [
        'Run one shell command in a fresh session (on this machine, on a remote host with --ssh, or in a container with --docker) and exit with its exit status.',
        'The words after `--` are joined with spaces and run by the shell, so quoting, pipes and `;` work as in `sh -c`. Output is cleaned (UTF-8, ANSI escapes removed) and written once the command ends: stdout to stdout, stderr to stderr.',
        "Exit status: the command's own; 124 when it timed out; 130 when interrupted with Ctrl-C; 125 when execkit itself failed; 2 for a bad command line.",
      ].join('\n\n'),
    )
    .argument('<command...>', 'the shell command (words are joined with spaces)')
    .addOption(cwdOption())
    .addOption(timeoutOption())
    .option('--json', 'print the whole result as one JSON object on stdout')
    .option('--stdin', "pass this program's standard input to the command (default: the command reads end-of-file)")
    .passThroughOptions()
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        "  $ execkit exec -- 'echo hi; exit 3'",
        '  $ execkit exec --cwd /tmp -- ls -la',
        "  $ execkit exec --timeout 5 --json -- 'make test'",
        '  $ printf "b\\na\\n" | execkit exec --stdin -- sort',
        "  $ execkit exec --ssh deploy@build-1 -- 'uname -a'",
        '  $ execkit exec --docker web-1 --cwd /app -- ls',
      ].join('\n'),
    )
    .action(async (words: string[], options: ExecCommandOptions) => {
      context.setExitCode(await runExec(words, options, context.io));
    });
}

/** Runs `execkit exec`; resolves with the exit status. Throws for usage and execkit errors. */
export async function runExec(words: readonly string[], options: ExecCommandOptions, io: CliIo): Promise<number> {
  const command = words.join(' ');
  if (command.trim() === '') throw new UsageError('the command is empty', 'exec');
  const timeoutSeconds = options.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const stdin = options.stdin ? await readAll(io.stdin) : undefined;

  const controller = new AbortController();
  let session: Session | undefined;
  let endedBy: CliSignal | undefined;
  const stop = (signal: CliSignal) => {
    if (signal === 'SIGINT' && !controller.signal.aborted) {
      controller.abort();
      return;
    }
    // A second Ctrl-C, or SIGTERM/SIGHUP: stop waiting for a clean interrupt and end the shell.
    endedBy ??= signal;
    controller.abort();
    void session?.close();
  };
  const unsubscribe = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => io.onSignal(signal, () => stop(signal)));

  let result: ExecResult;
  const transport = transportFor(options, 'exec');
  try {
    session = await Session.open(transport, sessionCwd(options));
    if (endedBy) return exitCodeForSignal(endedBy);
    result = await session.exec(command, {
      timeoutMs: timeoutSeconds * 1000,
      signal: controller.signal,
      ...(stdin !== undefined ? { stdin } : {}),
    });
  } finally {
    await session?.close();
    await transport.close();
    for (const off of unsubscribe) off();
  }

  if (options.json) {
    io.stdout.write(`${JSON.stringify(execResultToJson(result))}\n`);
  } else {
    io.stdout.write(result.stdout);
    io.stderr.write(result.stderr);
    const note = endedBy && endedBy !== 'SIGINT' ? `terminated by ${endedBy}` : resultNote(result, timeoutSeconds);
    if (note) io.stderr.write(`${result.stderr === '' || result.stderr.endsWith('\n') ? '' : '\n'}execkit: ${note}\n`);
  }
  if (endedBy && endedBy !== 'SIGINT') return exitCodeForSignal(endedBy);
  return exitCodeForResult(result);
}

/** The note `exec` adds on stderr when the command did not simply finish. */
function resultNote(result: ExecResult, timeoutSeconds: number): string | undefined {
  if (result.aborted) return 'interrupted';
  if (result.timedOut) return `timed out after ${formatSeconds(timeoutSeconds)}`;
  if (result.exitCode === null) return 'the shell ended without an exit status';
  return undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
