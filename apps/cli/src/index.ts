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
export { execResultToJson as resultToJson, type ExecResultJson } from '@execkit/core';
export { runShell, type ShellCommandOptions } from './commands/shell/index.js';
