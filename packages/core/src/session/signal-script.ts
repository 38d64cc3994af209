/**
 * Which of a session's processes a signal goes to: `group` — the shell and all it started
 * (its process group when the shell leads one, else its descendants); `others` — the same less
 * the shell itself; `shell` — the shell alone.
 */
export type SignalScope = 'group' | 'others' | 'shell';

const SIGNALS = new Set(['INT', 'TERM', 'KILL', 'HUP']);

/**
 * A POSIX sh script, run as a side command on the shell's machine, that sends `signal` to the
 * processes of the session whose shell has pid `shellPid`. Reads `/proc` (Linux); where there is
 * no `/proc` it falls back to `ps -A -o pid=,ppid=,pgid=`.
 */
export function signalScript(shellPid: number, signal: string, scope: SignalScope): string {
  if (!Number.isInteger(shellPid) || shellPid <= 1) throw new Error(`bad shell pid ${shellPid}`);
  if (!SIGNALS.has(signal)) throw new Error(`bad signal ${signal}`);
  if (scope === 'shell') return `kill -s ${signal} ${shellPid} 2>/dev/null; exit 0`;
  // Lists "pid ppid pgid" for every process, then picks the session's.
  return [
    `p=${shellPid}`,
    'list() { if [ -d /proc/self ]; then for d in /proc/[0-9]*; do read -r s < "$d/stat" 2>/dev/null || continue; q=${d#/proc/}; s=${s##*) }; set -- $s; echo "$q $2 $3"; done; else ps -A -o pid=,ppid=,pgid=; fi; }',
    't=$(list)',
    'g=$(echo "$t" | while read -r q pp pg; do [ "$q" = "$p" ] && echo "$pg"; done)',
    '[ -n "$g" ] || exit 0',
    'if [ "$g" = "$p" ]; then m=$(echo "$t" | while read -r q pp pg; do [ "$pg" = "$g" ] && echo "$q"; done)',
    'else m=$p; n=; while [ "$m" != "$n" ]; do n=$m; m=$(echo "$t" | while read -r q pp pg; do case " $n " in *" $pp "*|*" $q "*) echo "$q";; esac; done | tr "\\n" " "); m=${m% }; done; fi',
    scope === 'group'
      ? `if [ "$g" = "$p" ]; then kill -s ${signal} -- -$g 2>/dev/null; else kill -s ${signal} $m 2>/dev/null; fi`
      : `for q in $m; do [ "$q" = "$p" ] || kill -s ${signal} "$q" 2>/dev/null; done`,
    'exit 0',
  ].join('\n');
}
