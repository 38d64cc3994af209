/**
 * Command policy: a fence that checks each command an (untrusted) agent sends, before it runs.
 *
 * ```ts
 * const policy = narrowPolicy(validatePolicy(operatorConfig), validatePolicy(sessionConfig));
 * const decision = await checkCommand('git status && rm -rf build', policy);
 * if (!decision.allowed) console.error(decision.violations.map((v) => v.detail).join('\n'));
 * ```
 *
 * Prefer `allow` lists: a deny list names programs, and whatever the checker cannot see through gets by.
 *
 * Limits — what a static check of the command text cannot catch:
 * - Code the command does not contain: script files (`bash ./x.sh`, `source x`, `make`, `npm run`), files
 *   written by an earlier command, `BASH_ENV`, functions and aliases defined in earlier commands (their
 *   definitions are checked when they are made), history expansion (`!!`; keep it off, as it is in
 *   non-interactive shells).
 * - Programs that run other programs from their own arguments or input: `awk 'BEGIN{system("…")}'`,
 *   `python3 -c`, `perl -e`, `node -e`, `git -c core.pager=…`, `vim -c '!…'`, `tar --to-command`,
 *   `ssh host cmd`, `docker exec`, `parallel`, `strace`, `make`… Only the wrappers listed for
 *   {@link checkCommand} are seen through; any other program is just a program.
 * - Names, not binaries: `allow: ['ls']` also allows `./ls` or `/tmp/x/ls`, and a `PATH` change or a copy
 *   (`cp /bin/rm ./tidy; ./tidy x`) defeats name matching. Pair lists with file-system and `PATH` controls.
 * - Values set at run time: arithmetic evaluation of a variable holding `a[$(…)]` (`x='a[$(cmd)]';
 *   echo $((x))`) runs `cmd`; only literal substitutions in the command are seen.
 * - Parser fidelity: tree-sitter-bash is not bash. Known disagreements are repaired or fail closed (see
 *   `check.ts`); unknown ones could hide a command. Deny patterns and the guard share this limit.
 * - Guard: it matches well-known spellings of destructive operations; it is a seat belt, not a sandbox.
 *
 * @module
 */
export { checkCommand, MAX_CODE_DEPTH } from './check.js';
export { DEFAULT_DECISION_CACHE_ENTRIES, MAX_CACHED_COMMAND_CHARS, PolicyChecker } from './checker.js';
export { MAX_COMMAND_BYTES, MAX_NESTING } from './input.js';
export type { Policy, PolicyDecision, PolicyRule, PolicyViolation } from './types.js';
export { MAX_PATTERN_LENGTH, MAX_PATTERNS, MAX_PROGRAMS, narrowPolicy, validatePolicy } from './validate.js';
