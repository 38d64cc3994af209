/**
 * The in-band protocol spoken to a session's shell: a probe that tells bash from POSIX sh, the
 * one-time setup each dialect needs, and the text sent per command.
 *
 * Every command is followed by a frame the shell prints itself: on stdout
 * `<N><exit code>:<flags>:<cwd><N>`, preceded on channels whose streams can arrive out of order
 * (see `ShellChannel.orderedStreams`) by a marker `<N><N>` on stderr; `N` is a fresh 128-bit nonce
 * that appears only in the text of the shell's own trailer: never in the command's environment,
 * arguments, files or variables (bash shows its own input only to a command that asks for it, via a
 * DEBUG trap or history, and the session reads such text as output). See docs/framing.md.
 */

/** Which shell language the session speaks. */
export type ShellDialect = 'bash' | 'sh';

/** Quotes `text` as one single-quoted shell word (POSIX; bash and sh alike). */
export function quoteShellWord(text: string): string {
  return text.includes("'") ? `'${text.replaceAll("'", `'\\''`)}'` : `'${text}'`;
}

/**
 * The probe line sent first on a new channel. Prints `<N><N>` on stderr (when `stderrMarker`), then
 * `<N>:<$BASH_VERSION>:<$$><N>` on stdout, in both bash and sh; everything a shell printed before
 * it (banners, job-control warnings) is discarded.
 */
export function probeLine(nonce: string, stderrMarker: boolean): string {
  const marker = stderrMarker ? `printf '%s' ${nonce}${nonce} >&2; ` : '';
  return `${marker}printf '%s:%s:%s%s' ${nonce} "\${BASH_VERSION-}" "$$" ${nonce}\n`;
}

/**
 * One-time setup per dialect: quiet prompts, no history or job control, marker fds, helpers.
 *
 * @param stderrMarker - end every frame with a marker on stderr too (channels whose streams are
 *   not delivered in order)
 */
export function setupScript(dialect: ShellDialect, stderrMarker: boolean): string {
  if (dialect === 'bash') {
    const marker = stderrMarker ? 'builtin printf %s "$1$1" >&60; ' : '';
    return [
      // fds 58/59: /dev/null for reading/writing; 60/61: the channel's stderr/stdout, where frames go.
      'set +m +H +o history; history -c; unset PROMPT_COMMAND MAILCHECK HISTFILE; PS1= PS2= PS0= PS4="+ "; exec 58</dev/null 59>/dev/null 60>&2 61>&1 2>&59; __ek_u=',
      // __ek_e runs after every command, at top level where fd 2 is /dev/null (so its trace, if
      // xtrace is on, is not seen). One assignment captures the exit code and the flags: `1` when
      // the command's own text began to run (it unsets __ek_u), the shell options it left (`$-`,
      // plus `2` for posix mode), then turns posix mode on, where special builtins cannot be
      // shadowed by functions; it then removes a function named `builtin` and prints the frame.
      // xtrace is left as the command left it: the next command's text hides its own prefix.
      '__ek_e() { __ek_r=${2-$?} __ek_o=${__ek_u-1}$-${POSIXLY_CORRECT+2} __ek_u= POSIXLY_CORRECT=y; \\unset -f builtin; ' +
        marker +
        'builtin printf %s "$1$__ek_r:$__ek_o:$PWD$1" >&61; }',
      '__ek_p() { POSIXLY_CORRECT=y; \\unset -f builtin; builtin printf %s "$1"; }',
      'readonly -f __ek_e __ek_p; POSIXLY_CORRECT=y',
      '',
    ].join('\n');
  }
  return 'set +m 2>/dev/null; PS1= PS2= PS4="+ "; exec 7>&2 8>&1 2>/dev/null; __ek_x= __ek_u= __ek_i=\n';
}

/** `&` that does not start a background job: `&&`, `>&`, `<&`, `&>`. */
const NOT_ASYNC = /&&|[<>]&|&>/g;
/** A background job, or a word that ends the shell (bash reports both when eval'd). */
const ASYNC_OR_EXIT = /&|\b(exit|logout)\b/;

/** What to feed a command on its standard input. */
export type StdinSpec = { kind: 'none' } | { kind: 'data'; text: string };

/**
 * The SIGINT trap a POSIX sh session holds while a command runs. Without a trap, dash and
 * busybox ash leave their signal handler by longjmp, and busybox (statically linked, or on musl)
 * can then deadlock on a lock the interrupted code held, wedging the shell for good. With the
 * trap, the signal only sets a flag; the action runs at a safe point, removes itself (an idle
 * busybox ash with an INT trap exits on SIGINT) and unwinds to the prompt through a syntax error
 * in `eval`, as an interrupt would. `__ek_i` makes the frame report 130.
 */
const SH_INTERRUPT_TRAP = `trap '__ek_i=1; trap - INT; eval "(" 2>/dev/null' INT; `;

/** Options for {@link commandText}. */
export interface CommandTextOptions {
  /** What the command reads on stdin. */
  stdin: StdinSpec;
  /** A random word that the command and the stdin text do not contain (sh only). */
  heredocTag: string;
  /**
   * Hold {@link SH_INTERRUPT_TRAP} while the command runs (sh only; off once the user manages
   * SIGINT traps themselves). Default false.
   */
  interruptTrap?: boolean;
  /** As given to {@link setupScript}. Default true. */
  stderrMarker?: boolean;
  /**
   * The shell options the previous command left, as its frame reported them (bash only): posix
   * mode is given back before this command's text runs, and with xtrace on (it stays on between
   * commands) the text's own prefix is kept out of the trace. Default: neither.
   */
  userOptions?: UserShellOptions;
}

/** Shell options a user's command may leave on and the next command must find again. */
export interface UserShellOptions {
  /** `set -x` */
  xtrace: boolean;
  /** POSIX mode (`set -o posix`, `POSIXLY_CORRECT`) */
  posix: boolean;
}

/**
 * Reads the options a bash frame's flags report: `undefined` when the command's text never
 * began to run (e.g. a syntax error), so the options in force are still the previous ones.
 */
export function userOptionsFromFlags(flags: string): UserShellOptions | undefined {
  if (!flags.startsWith('1')) return undefined;
  return { xtrace: flags.includes('x'), posix: flags.includes('2') };
}

/** The text that runs `command` and then prints its frame with `nonce`. */
export function commandText(dialect: ShellDialect, command: string, nonce: string, options: CommandTextOptions): string {
  const { stdin, heredocTag, interruptTrap = false, stderrMarker = true } = options;
  if (dialect === 'bash') {
    let redirect = '<&58';
    if (stdin.kind === 'data') {
      if (stdin.text.endsWith('\n')) redirect = `<<<${quoteShellWord(stdin.text.slice(0, -1))}`;
      else redirect = `< <(\\__ek_p ${quoteShellWord(stdin.text)})`;
    }
    // Runs first inside the command: marks that its text began to run (unsets __ek_u) and turns
    // posix mode off again unless the last command left it on (it is on between commands; see
    // __ek_e). Posix mode is on here, so `unset` cannot be a function. With xtrace on (the last
    // command left it so) the prefix is traced to /dev/null.
    const user = options.userOptions;
    let prefix = user?.posix ? '\\unset __ek_u' : '\\unset __ek_u POSIXLY_CORRECT';
    prefix = user?.xtrace ? `{ ${prefix}; } 2>&59;` : `${prefix};`;
    const body = quoteShellWord(`${prefix}${command}`);
    // `eval` is the fast way in (no here-string pipe, no /dev/fd open). An interactive bash,
    // though, reports background jobs ("[1] 4242") and `exit` on stderr for eval'd text; a
    // sourced file counts as non-interactive and does not, so such commands are sourced.
    // Posix mode is on here (see __ek_e), so neither `eval` nor `.` can be a user function.
    if (!ASYNC_OR_EXIT.test(command.replace(NOT_ASYNC, ''))) return `\\eval ${body} ${redirect} 2>&60;\\__ek_e ${nonce}\n`;
    return `\\. /dev/fd/62 62<<<${body} ${redirect} 2>&60;\\__ek_e ${nonce}\n`;
  }
  let prefix = '';
  let redirect = '</dev/null';
  let cleanup = '';
  if (stdin.kind === 'data') {
    prefix = `__ek_t=$(mktemp) && command printf %s ${quoteShellWord(stdin.text)} >"$__ek_t"; `;
    redirect = '<"$__ek_t"';
    cleanup = ' command rm -f "$__ek_t";';
  }
  // The braces make the shell read the whole text, trailer included, before running any of it:
  // nothing of it is left in the input pipe for the command to read.
  const trap = interruptTrap ? SH_INTERRUPT_TRAP : '';
  return (
    `{ ${prefix}${trap}command . /dev/fd/9 9<<'${heredocTag}' ${redirect} 2>&7\n` +
    `__ek_u=1; case \${__ek_x-} in 1) set -x;; esac;${command}\n${heredocTag}\n` +
    `${shFrameTrailer(nonce, cleanup + (interruptTrap ? ' trap - INT;' : ''), stderrMarker).slice(0, -1)}\n}\n`
  );
}

function shFrameTrailer(nonce: string, cleanup: string, stderrMarker: boolean): string {
  const marker = stderrMarker ? `command printf %s ${nonce}${nonce} >&7; ` : '';
  return (
    `{ __ek_r=$? __ek_o=$-; set +x; unset -f command;${cleanup} case \${__ek_i-} in 1) __ek_r=130 __ek_i=;; esac; if [ -n "\${__ek_u-}" ]; then __ek_u=; case $__ek_o in *x*) __ek_x=1;; *) __ek_x=;; esac; fi; ` +
    `${marker}command printf '%s%s:%s:%s%s' ${nonce} "$__ek_r" "\${__ek_x:+x}" "$PWD" ${nonce} >&8; } 2>/dev/null\n`
  );
}

/**
 * Text that makes an idle shell print a frame with `nonce` without running anything: used to
 * find the shell again after an interrupt.
 */
export function recoveryText(dialect: ShellDialect, nonce: string, stderrMarker: boolean): string {
  // Reopens the helper fds in case the command closed them (posix mode is on here, so `exec`
  // is the builtin).
  if (dialect === 'bash') return `{ __ek_q=$?; \\exec 58</dev/null 59>/dev/null; \\__ek_e ${nonce} "$__ek_q"; } 2>/dev/null\n`;
  return shFrameTrailer(nonce, '', stderrMarker);
}
