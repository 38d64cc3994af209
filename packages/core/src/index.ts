/**
 * `@execkit/core`: stateful, structured command execution for AI agents.
 *
 * Open a {@link Session} over a {@link Transport} (this package ships the local one; SSH and
 * Docker live in their own packages), run commands, get an {@link ExecResult} for each.
 *
 * @packageDocumentation
 */
export * from './errors/index.js';
export {
  TRANSPORT_SPECIFICATION_VERSION,
  type ShellChannel,
  type ShellChannelCloseInfo,
  type ShellChannelHandlers,
  type ShellOpenOptions,
  type SideCommandOptions,
  type SideCommandResult,
  type Transport,
} from './transport/contract.js';
export { createLocalTransport, type LocalTransportOptions } from './transport/local.js';
export { Session } from './session/session.js';
export type { ExecOptions, ExecResult, SessionInfo, SessionOptions } from './session/types.js';
export { execResultToJson, type ExecResultJson } from './session/result-json.js';
export { BoundedText } from './output/bounded-text.js';
export { TerminalTextDecoder } from './output/terminal-text.js';
export { signalScript, type SignalScope } from './session/signal-script.js';
export { quoteShellWord } from './session/shell-dialect.js';
export { LaunchedShell, ShellLaunchParser, newLaunchTag, shellLaunchScript } from './transport/launch.js';
export * from './policy/index.js';
export {
  applyBudget,
  validateBudget,
  OutputStore,
  type BudgetReport,
  type BudgetResult,
  type GrepBudget,
  type KeepBudget,
  type OutputBudget,
  type OutputPage,
} from './budget/index.js';
export {
  DEFAULT_RULES,
  Redactor,
  type RedactionResult,
  type RedactionStream,
  type RedactorOptions,
  type SecretRule,
} from './redaction/index.js';
