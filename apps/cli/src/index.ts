/**
 * `@execkit/cli`: the `execkit` command line. The binary is `bin/execkit.js`; this module exposes
 * the program for embedding and tests.
 *
 * @packageDocumentation
 */
export { runCli, createProgram, cliVersion, type CommandContext } from './program.js';
export { processIo, type CliIo, type CliSignal } from './io.js';
export { ExitCode, UsageError } from './errors.js';
export { runExec, type ExecCommandOptions } from './commands/exec/index.js';
export { resultToJson, type ExecResultJson } from './commands/exec/json.js';
export { runShell, type ShellCommandOptions } from './commands/shell/index.js';
