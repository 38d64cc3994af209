import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerExecCommand } from './commands/exec/index.js';
import { registerShellCommand } from './commands/shell/index.js';
import { ExitCode, exitCodeForError, formatUsageMessage } from './errors.js';
import { processIo, type CliIo } from './io.js';

/** What a command's action needs: the streams and a place to put its exit status. */
export interface CommandContext {
  readonly io: CliIo;
  setExitCode(code: number): void;
}

/** The CLI's version, from its package.json. */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

/**
 * Builds the `execkit` commander program writing to `context.io`. Commander never exits the
 * process: errors are thrown (see `exitOverride`) and turned into exit statuses by {@link runCli}.
 */
export function createProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command('execkit')
    .description('Run shell commands in stateful local sessions with structured, clean results.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(formatUsageMessage(text)),
      getOutHelpWidth: () => (io.stdout.isTTY ? ((io.stdout as { columns?: number }).columns ?? 80) : 80),
      getErrHelpWidth: () => (io.stderr.isTTY ? ((io.stderr as { columns?: number }).columns ?? 80) : 80),
    })
    .showHelpAfterError("Run 'execkit --help' for usage.");
  program.addHelpText(
    'after',
    ['', 'Examples:', "  $ execkit exec -- 'echo hi; exit 3'", '  $ execkit exec --json --cwd /tmp -- ls', '  $ execkit shell'].join('\n'),
  );

  for (const register of [registerExecCommand, registerShellCommand]) {
    const command = register(program, context);
    command.showHelpAfterError(`Run 'execkit ${command.name()} --help' for usage.`);
  }
  return program;
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and resolves with the exit
 * status. Never rejects and never exits the process; every error is reported on `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = createProgram({
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return exitCodeForError(error, io);
  }
}
