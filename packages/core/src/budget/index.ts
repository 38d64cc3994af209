/**
 * Output budgets (grep / keep / char cap, applied to a command's output before it reaches an
 * agent) and full-output recall (page through what a budget left out).
 *
 * @packageDocumentation
 */
export {
  applyBudget,
  validateBudget,
  DEFAULT_KEEP_LINES,
  MAX_BUDGET_CHARS,
  MAX_BUDGET_LINES,
  type BudgetReport,
  type BudgetResult,
  type GrepBudget,
  type KeepBudget,
  type OutputBudget,
} from './budget.js';
export { MAX_PATTERN_LENGTH, MAX_PATTERN_STATES, MAX_REPEAT_BOUND } from './line-pattern.js';
export {
  OutputStore,
  DEFAULT_READ_CHARS,
  DEFAULT_READ_LIMIT,
  MAX_READ_CHARS,
  MAX_READ_LIMIT,
  type OutputPage,
  type OutputReadOptions,
  type OutputStoreOptions,
  type OutputStream,
} from './output-store.js';
