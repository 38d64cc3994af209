import { Session } from '@execkit/core';
import type { Command } from 'commander';
import type { CliIo } from '../../io.js';
import { DEFAULT_TIMEOUT_SECONDS, cwdOption, sessionCwd, timeoutOption } from '../../options.js';
import type { CommandContext } from '../../program.js';
import { transportFor, withTransportOptions, type TransportCommandOptions } from '../../transport.js';
import { ShellRepl } from './repl.js';

/** Options of `execkit shell`, as commander parses them. */
export interface ShellCommandOptions extends TransportCommandOptions {
  cwd?: string;
  timeout?: number;
}

/** Registers `execkit shell [options]`. */
export function registerShellCommand(program: Command, context: CommandContext): Command {
  return withTransportOptions(program.command('shell'))
    .summary('an interactive prompt over one persistent session')
    .description(
      [
        'Read commands line by line and run each in the same session (on this machine, on a remote host with --ssh, or in a container with --docker), so the working directory, variables and functions carry over. After each command a status line goes to stderr: [exit 0 · 12 ms · /tmp].',
        "A line ending with \\ continues on the next. Ctrl-C clears the line being typed or interrupts the running command (the session is kept). Ctrl-D or `exit [N]` leaves; the exit status is N, or the last command's.",
        'Commands read end-of-file on stdin. Output appears when a command ends.',
      ].join('\n\n'),
    )
    .addOption(cwdOption())
    .addOption(timeoutOption())
    .addHelpText(
      'after',
      ['', 'Examples:', '  $ execkit shell --cwd /tmp', '  $ execkit shell --ssh deploy@build-1', '  $ execkit shell --docker web-1', "  $ printf 'cd /tmp\\npwd\\nexit 4\\n' | execkit shell"].join('\n'),
    )
    .action(async (options: ShellCommandOptions) => {
      context.setExitCode(await runShell(options, context.io));
    });
}

/** Runs `execkit shell`; resolves with the exit status. */
export async function runShell(options: ShellCommandOptions, io: CliIo): Promise<number> {
  const transport = transportFor(options, 'shell');
  try {
    const session = await Session.open(transport, sessionCwd(options));
    try {
      return await new ShellRepl(session, io, (options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000).run();
    } finally {
      await session.close();
    }
  } finally {
    await transport.close();
  }
}
