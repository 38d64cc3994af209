import type { ExecResult, SessionInfo } from '@execkit/core';

const DIM = '\u001B[2m';
const NORMAL = '\u001B[22m';

/** The prompt for a session in `cwd`: `execkit /tmp $ `, with the home directory shown as `~`. */
export function promptFor(cwd: string, home: string | undefined): string {
  let shown = cwd;
  if (home && home !== '/' && (cwd === home || cwd.startsWith(`${home}/`))) shown = `~${cwd.slice(home.length)}`;
  return `execkit ${shown} $ `;
}

/**
 * The status line after a command, e.g. `[exit 0 · 12 ms · /tmp]`, dimmed when `color`. A command
 * that ran in a new shell (after a lost connection, or a shell that could not be interrupted and
 * was replaced) says so: its functions, aliases and unexported variables are gone.
 */
export function statusLine(result: ExecResult, color: boolean): string {
  const parts = [`exit ${result.exitCode ?? '?'}`];
  if (result.timedOut) parts.push('timed out');
  if (result.aborted) parts.push('interrupted');
  if (result.truncated) parts.push('output truncated');
  if (result.sessionClosed) parts.push('shell ended');
  if (result.reconnected) parts.push('new shell: cwd and exported env restored');
  parts.push(formatDuration(result.durationMs), result.cwd);
  const text = `[${parts.join(' · ')}]`;
  return color ? `${DIM}${text}${NORMAL}` : text;
}

/** The line a terminal session starts with, e.g. `execkit shell: one bash session (ssh deploy@build:2222). …`. */
export function bannerLine(info: Pick<SessionInfo, 'dialect' | 'transport' | 'target'>): string {
  const where = info.transport === 'local' ? 'local' : `${info.transport} ${info.target}`;
  return `execkit shell: one ${info.dialect} session (${where}). Ctrl-C interrupts a command; exit or Ctrl-D leaves.`;
}

/** `12 ms` below ten seconds, `12.3 s` above. */
export function formatDuration(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Dims `text` when `color`. */
export function dim(text: string, color: boolean): string {
  return color ? `${DIM}${text}${NORMAL}` : text;
}

/** True when `line` ends with an unescaped backslash, so the command continues on the next line. */
export function continuesOnNextLine(line: string): boolean {
  const trailing = /\\*$/.exec(line)?.[0].length ?? 0;
  return trailing % 2 === 1;
}

/**
 * The status requested by a line that is only `exit` or `exit N` (handled by the CLI itself:
 * the session is closed and the CLI exits). `null` for plain `exit` (keep the last status);
 * `undefined` when the line is anything else.
 */
export function parseExitLine(line: string): number | null | undefined {
  const match = /^\s*exit(?:\s+(-?\d+))?\s*;?\s*$/.exec(line);
  if (!match) return undefined;
  if (match[1] === undefined) return null;
  return ((Number.parseInt(match[1], 10) % 256) + 256) % 256;
}
