export type { ToolContext, ToolExtra } from './context.js';
export { registerSessionCreate } from './session-create.js';
export { registerSessionDestroy } from './session-destroy.js';
export { registerSessionExec, toExecToolResult, type ExecToolResult } from './session-exec.js';
export { registerSessionList } from './session-list.js';
export { registerHostList } from './host-list.js';
export { registerContainerList } from './container-list.js';
export { registerPolicyCheck } from './policy-check.js';
export { registerOutputRead } from './output-read.js';
