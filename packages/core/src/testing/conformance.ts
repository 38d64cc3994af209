import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecKitError, SessionClosedError } from '../errors/index.js';
import { Session } from '../session/session.js';
import type { ExecResult, SessionOptions } from '../session/types.js';
import type { Transport } from '../transport/contract.js';

/** How to reach the machine under test, for {@link describeTransportConformance}. */
export interface ConformanceTarget {
  /** Makes a transport (a fresh one per suite; closed afterwards). */
  createTransport(): Transport | Promise<Transport>;
  /** Options for every session the suite opens (e.g. `{ shells: ['sh'] }`). */
  sessionOptions?: SessionOptions;
  /** A directory that exists on the target and is writable. Default `/tmp`. */
  scratchDir?: string;
}

const HIJACKED = ['printf', 'echo', 'cat', 'rm', 'tr', 'builtin', 'command', 'trap', 'read'];

/**
 * Counts processes on the target whose command line matches `pattern` (a basic regex that must
 * not match its own text, e.g. `1000[.]4242`).
 */
export async function countProcesses(transport: Transport, pattern: string): Promise<number> {
  const result = await transport.runSideCommand(`grep -la -- '${pattern}' /proc/[0-9]*/cmdline 2>/dev/null | wc -l`);
  return Number.parseInt(result.stdout.trim(), 10);
}

/**
 * Registers the transport conformance suite with vitest: every framing, state and timeout
 * behaviour a session must have, run for real against `target`. Every transport runs it.
 *
 * @param name - suite title, e.g. `local bash`
 * @param target - how to reach the machine under test
 */
export function describeTransportConformance(name: string, target: ConformanceTarget): void {
  describe(`transport conformance: ${name}`, () => {
    // A sleep length unique to this suite, so process counts never see another suite's sleeps.
    const tag = String(Math.floor(Math.random() * 900_000) + 100_000);
    const sleepArg = `1000.${tag}`;
    const sleepPattern = `1000[.]${tag}`;
    let transport: Transport;
    let session: Session;
    const scratch = target.scratchDir ?? '/tmp';
    const open = (extra: SessionOptions = {}) => Session.open(transport, { ...target.sessionOptions, ...extra });
    const run = (command: string, options?: Parameters<Session['exec']>[1]) => session.exec(command, options);

    beforeAll(async () => {
      transport = await target.createTransport();
      session = await open();
    });
    afterAll(async () => {
      await session?.close();
      await transport?.close();
    });

    describe('framing', () => {
      it('splits stdout and stderr and reports exit code and cwd', async () => {
        const result = await run(`echo hi; echo err 1>&2; cd ${scratch}`);
        expect(result).toMatchObject({ stdout: 'hi\n', stderr: 'err\n', exitCode: 0, cwd: scratch, timedOut: false, truncated: false, sessionClosed: false });
        expect(result.stdoutBytes).toBe(3);
        expect(result.stderrBytes).toBe(4);
        expect(result.durationMs).toBeGreaterThan(0);
      });

      it('keeps output with no trailing newline and empty output exact', async () => {
        expect((await run('printf END')).stdout).toBe('END');
        const empty = await run('true');
        expect(empty).toMatchObject({ stdout: '', stderr: '', exitCode: 0, stdoutBytes: 0, stderrBytes: 0 });
        expect((await run('printf END >&2')).stderr).toBe('END');
      });

      it('counts binary bytes, NUL and invalid UTF-8 exactly and cleans the text', async () => {
        const result = await run(`printf 'a\\000b\\001c\\377d\\n'`);
        expect(result.stdoutBytes).toBe(8);
        expect(result.stdout).toBe('abc\uFFFDd\n');
      });

      it('turns CRLF into LF and keeps emoji and CJK intact', async () => {
        expect((await run(`printf 'one\\r\\ntwo\\r\\n'`)).stdout).toBe('one\ntwo\n');
        const text = '😀 漢字 ünïcödé';
        const result = await run(`printf '%s\\n' '${text}'`);
        expect(result.stdout).toBe(`${text}\n`);
        expect(result.stdoutBytes).toBe(Buffer.byteLength(`${text}\n`));
      });

      it('strips ANSI sequences and applies carriage-return overwrites', async () => {
        expect((await run(`printf '\\033[31mred\\033[0m \\033]0;title\\007plain\\n'`)).stdout).toBe('red plain\n');
        expect((await run(`printf '10%%\\r50%%\\r100%%\\n'`)).stdout).toBe('100%\n');
      });

      it('keeps 1 MiB of stdout and 1 MiB of stderr written interleaved apart, byte-exact', async () => {
        const line = `${'0'.repeat(1023)}\n`;
        const result = await run(`i=0; while [ $i -lt 1024 ]; do printf '%s\\n' ${'0'.repeat(1023)}; printf '%s\\n' ${'0'.repeat(1023)} >&2; i=$((i+1)); done`, {
          maxOutputChars: 2 * 1024 * 1024,
        });
        expect(result.stdoutBytes).toBe(1024 * 1024);
        expect(result.stderrBytes).toBe(1024 * 1024);
        expect(result.stdout).toBe(line.repeat(1024));
        expect(result.stderr).toBe(line.repeat(1024));
        expect(result.truncated).toBe(false);
      });

      it('runs heredocs, multi-line commands and trailing comments', async () => {
        expect((await run("cat <<'EOF'\nline $HOME\n  indented\nEOF")).stdout).toBe('line $HOME\n  indented\n');
        expect((await run('a=1\nb=2\n\necho $((a + b))')).stdout).toBe('3\n');
        expect((await run('echo hi # a trailing comment')).stdout).toBe('hi\n');
        expect((await run('echo hi #')).stdout).toBe('hi\n');
      });

      it('returns at once from a command that leaves a background job', async () => {
        const result = await run('sleep 100 &', { timeoutMs: 10_000 });
        expect(result).toMatchObject({ exitCode: 0, timedOut: false });
        expect((await run('echo next')).stdout).toBe('next\n');
      });

      it('stays in sync after history and set -x', async () => {
        const history = await run('history');
        expect(typeof history.exitCode).toBe('number');
        expect(history.stdout).not.toMatch(/__ek_|[A-Za-z0-9_-]{22}/);
        const traced = await run('set -x; echo traced');
        expect(traced.stdout).toBe('traced\n');
        expect(traced.stderr).toContain('echo traced');
        const still = await run('echo still; (exit 4)');
        expect(still.stdout).toBe('still\n');
        expect(still.exitCode).toBe(4);
        expect(still.stderr).toContain('echo still');
        await run('set +x');
        const quiet = await run('echo quiet');
        expect(quiet).toMatchObject({ stdout: 'quiet\n', stderr: '', exitCode: 0 });
      });

      it('reports a syntax error without running anything and stays usable', async () => {
        for (const bad of [`echo ran; echo 'unterminated`, 'echo ran; ls $(', 'echo ran; if true; then']) {
          const result = await run(bad);
          expect(result.stdout).toBe('');
          expect(result.exitCode).not.toBe(0);
          expect(result.stderr.length).toBeGreaterThan(0);
          expect(result.sessionClosed).toBe(false);
        }
        expect(await run('echo ok')).toMatchObject({ stdout: 'ok\n', exitCode: 0 });
      });

      it('keeps framing when functions and aliases shadow common commands', async () => {
        const s = await open();
        try {
          for (const name of HIJACKED) {
            // Some shells refuse some of these names; the rest must still be defined.
            await s.exec(`${name}() { return 99; }`);
          }
          await s.exec(`alias ls='exit 1'`);
          const result = await s.exec(`cd ${scratch}; (exit 7)`);
          expect(result).toMatchObject({ stdout: '', stderr: '', exitCode: 7, cwd: scratch, sessionClosed: false });
          const again = await s.exec('cd /; false');
          expect(again).toMatchObject({ exitCode: 1, cwd: '/' });
          // A syntax error inside the command leaves the shell healthy for children and aliases.
          await s.exec('echo ran; ls $(');
          await s.exec(`export EK_H=1; ek_h() { printf x; }`);
          expect(await s.exec('sh -c "exit 5"')).toMatchObject({ exitCode: 5, sessionClosed: false });
        } finally {
          await s.close();
        }
      });

      it('cannot be forged by text shaped like frames or by searching for the nonce', async () => {
        const hunt = [
          `printf '0000000000000000000000' ; printf '0::/x0000000000000000000000\\n'`,
          // Every word shaped like a nonce (22 base64url chars) anywhere the command can look.
          `for n in $( { set; env; ps -ef; cat /proc/$$/cmdline /proc/$$/environ; ls -a ${scratch}; } 2>/dev/null | grep -aoE '[A-Za-z0-9_-]+' | grep -xE '[A-Za-z0-9_-]{22}' | sort -u)`,
          `do printf '%s0::/forged%s' "$n" "$n"; printf '%s' "$n" >&2; done`,
          `printf 'EK_0123456789abcdef\\n__ek_e 0\\n' >&2`,
          'cd /; false',
        ].join('\n');
        const result = await run(hunt);
        expect(result.exitCode).toBe(1);
        expect(result.cwd).toBe('/');
        expect(result.stdout).toContain('0::/x0000');
        expect(result.stderr).toContain('__ek_e 0');
        const next = await run(`cd ${scratch}; (exit 6)`);
        expect(next).toMatchObject({ exitCode: 6, cwd: scratch, stdout: '', stderr: '' });
      });

      it('keeps results whole when the shell prints the text of its own input (DEBUG trap, history)', async () => {
        const s = await open();
        try {
          const isBash = (await s.exec('echo "${BASH_VERSION:+bash}"')).stdout === 'bash\n';
          // Shows every command bash runs, the session's own trailer (and its nonce) included.
          const armed = await s.exec(`trap 'echo "[dbg: $BASH_COMMAND]"; echo "[dbg: $BASH_COMMAND]" >&2' DEBUG`);
          if (!isBash) {
            // POSIX sh has no DEBUG trap: refused, and the session carries on.
            expect(armed.exitCode).not.toBe(0);
            expect(await s.exec('echo fine; (exit 4)')).toMatchObject({ stdout: 'fine\n', exitCode: 4, sessionClosed: false });
            return;
          }
          const traced = await s.exec(`echo hi; echo oops >&2; cd ${scratch}; false`);
          expect(traced).toMatchObject({ exitCode: 1, cwd: scratch, timedOut: false, sessionClosed: false });
          expect(traced.stdout).toContain('[dbg: echo hi]\nhi\n');
          expect(traced.stderr).toContain('[dbg: echo oops 1>&2]\noops\n');
          expect(traced.stdout).toMatch(/\[dbg: \\__ek_e [A-Za-z0-9_-]{22}\]\n$/);
          // History back on: `history` lists this very line, trailer and nonce included.
          await s.exec('trap - DEBUG; set -o history');
          const listed = await s.exec('history; history >&2; cd /; false');
          expect(listed).toMatchObject({ exitCode: 1, cwd: '/' });
          expect(listed.stdout).toMatch(/__ek_e [A-Za-z0-9_-]{22}\n$/);
          expect(listed.stderr).toMatch(/__ek_e [A-Za-z0-9_-]{22}\n$/);
          expect(await s.exec('echo fine')).toMatchObject({ stdout: 'fine\n', stderr: '', exitCode: 0 });
        } finally {
          await s.close();
        }
      });
    });

    describe('state', () => {
      it('persists cwd, exported env, shell variables, functions and aliases', async () => {
        await run(`cd ${scratch}; export EK_CONF=exported; ek_var=plain; ek_fn() { echo "fn:$1"; }; alias ek_alias='echo aliased'`);
        const result = await run('echo "$PWD $EK_CONF $ek_var"; ek_fn x; ek_alias; sh -c \'echo "child:$EK_CONF"\'');
        expect(result.stdout).toBe(`${scratch} exported plain\nfn:x\naliased\nchild:exported\n`);
      });

      it('keeps traps the user sets, and still times out and recovers', async () => {
        const s = await open({ interruptGraceMs: 500 });
        try {
          await s.exec(`trap 'echo caught-int' INT; trap 'echo caught-usr1' USR1`);
          expect((await s.exec('kill -USR1 $$; echo next')).stdout).toBe('caught-usr1\nnext\n');
          const listed = await s.exec('trap');
          expect(listed.stdout).toContain('caught-int');
          const timedOut = await s.exec(`echo before; sleep ${sleepArg}`, { timeoutMs: 300 });
          expect(timedOut).toMatchObject({ timedOut: true, sessionClosed: false, stdout: expect.stringContaining('before\n') });
          expect((await s.exec('echo alive')).stdout).toBe('alive\n');
        } finally {
          await s.close();
        }
      });

      it('feeds stdin byte for byte, and EOF when none is given', async () => {
        expect((await run('cat', { stdin: 'a\nb' })).stdout).toBe('a\nb');
        expect((await run('cat', { stdin: 'line\n' })).stdout).toBe('line\n');
        expect((await run('cat', { stdin: '' })).stdout).toBe('');
        expect((await run('wc -c', { stdin: "it's \"quoted\" $HOME `x`\n\n" })).stdout.trim()).toBe('25');
        const none = await run('cat; echo done', { timeoutMs: 10_000 });
        expect(none).toMatchObject({ stdout: 'done\n', timedOut: false });
      });

      it('queues concurrent calls on one session in order', async () => {
        const [first, second] = await Promise.all([run('sleep 0.3; ek_q=1; echo first'), run('echo "second:${ek_q-unset}"')]);
        expect(first.stdout).toBe('first\n');
        expect(second.stdout).toBe('second:1\n');
      });

      it('caps each stream, keeping head and tail, and still counts every byte', async () => {
        const result = await run('i=1; while [ $i -le 20000 ]; do echo $i; i=$((i+1)); done', { maxOutputChars: 1000 });
        let bytes = 0;
        for (let i = 1; i <= 20000; i++) bytes += String(i).length + 1;
        expect(result.stdoutBytes).toBe(bytes);
        expect(result).toMatchObject({ truncated: true, stdoutTruncated: true, stderrTruncated: false });
        expect(result.stdout.startsWith('1\n2\n3\n')).toBe(true);
        expect(result.stdout.endsWith('19999\n20000\n')).toBe(true);
        expect(result.stdout).toMatch(/… \d+ chars elided …/);
        expect(result.stdout.length).toBeLessThan(1100);
      });
    });

    describe('timeouts and cancellation', () => {
      const timeoutCases: Array<[string, string]> = [
        ['a sleeping child', `echo before; sleep ${sleepArg}`],
        ['a busy child', 'echo before; yes > /dev/null'],
        ['a loop inside the shell itself', 'echo before; while :; do :; done'],
        ['a grandchild', `echo before; sh -c 'sh -c "sleep ${sleepArg}"'`],
        ['a child that ignores SIGINT', `echo before; sh -c 'trap "" INT; sleep ${sleepArg}'`],
      ];
      for (const [label, command] of timeoutCases) {
        it(`ends ${label} at the timeout and keeps the session`, async () => {
          const s = await open({ interruptGraceMs: 500 });
          try {
            await s.exec(`cd ${scratch}; export EK_KEEP=kept; ek_keep() { echo fn-kept; }`);
            const result: ExecResult = await s.exec(command, { timeoutMs: 1000 });
            expect(result.timedOut).toBe(true);
            expect(result.sessionClosed).toBe(false);
            expect(result.stdout).toBe('before\n');
            expect(result.exitCode).not.toBe(0);
            const after = await s.exec('echo "$PWD $EK_KEEP"; ek_keep');
            expect(after).toMatchObject({ stdout: `${scratch} kept\nfn-kept\n`, exitCode: 0, timedOut: false });
            expect(await countProcesses(transport, sleepPattern)).toBe(0);
          } finally {
            await s.close();
          }
        });
      }

      it('cancels through an AbortSignal and keeps the session', async () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 300);
        const result = await run(`echo started; sleep ${sleepArg}`, { signal: controller.signal });
        expect(result).toMatchObject({ aborted: true, timedOut: false, stdout: 'started\n' });
        expect((await run('echo alive')).stdout).toBe('alive\n');
        const already = await run('echo never', { signal: AbortSignal.abort() });
        expect(already).toMatchObject({ aborted: true, stdout: '', exitCode: null });
      });

      // The shell ignores SIGINT and loops inside itself: no signal brings it back to its input.
      const wedge = `trap '' INT; echo before; while :; do :; done`;
      const isAlive = async (pid: number) => (await transport.runSideCommand(`test -d /proc/${pid} && echo alive || echo gone`)).stdout.trim();

      it('kills a shell that cannot be interrupted and runs the next command in a new one, cwd and exports restored', async () => {
        const s = await open({ interruptGraceMs: 300 });
        try {
          await s.exec(`cd ${scratch}; export EK_KEEP=kept; ek_plain=plain; ek_fn() { :; }`);
          const oldPid = s.info().shellPid;
          const wedged = s.exec(wedge, { timeoutMs: 500 });
          // Waiting in the queue meanwhile: it runs in the new shell.
          const queued = s.exec('echo "$PWD ${EK_KEEP-lost} ${ek_plain-gone}"; type ek_fn >/dev/null 2>&1 || echo no-fn');
          const result = await wedged;
          expect(result).toMatchObject({ timedOut: true, sessionClosed: false, exitCode: null, stdout: 'before\n', reconnected: false });
          expect(s.closed).toBe(false);
          expect(await queued).toMatchObject({ stdout: `${scratch} kept gone\nno-fn\n`, exitCode: 0, reconnected: true, sessionClosed: false });
          expect(await isAlive(oldPid)).toBe('gone');
          expect(s.info().shellPid).not.toBe(oldPid);
          expect(await s.exec('echo again')).toMatchObject({ stdout: 'again\n', reconnected: false });
        } finally {
          await s.close();
        }
      });

      it('closes the session instead when reconnect is off', async () => {
        const s = await open({ interruptGraceMs: 300, reconnect: false });
        const oldPid = s.info().shellPid;
        const result = await s.exec(wedge, { timeoutMs: 500 });
        expect(result).toMatchObject({ timedOut: true, sessionClosed: true, exitCode: null, stdout: 'before\n' });
        expect(s.closed).toBe(true);
        expect(await isAlive(oldPid)).toBe('gone');
        await expect(s.exec('echo never')).rejects.toMatchObject({ code: 'SESSION_CLOSED', message: expect.stringContaining('could not be interrupted') });
        await s.close();
      });
    });

    describe('ending the shell', () => {
      it('reports exit N as the exit code and the session closed', async () => {
        const s = await open();
        const result = await s.exec('echo bye; exit 3');
        expect(result).toMatchObject({ stdout: 'bye\n', exitCode: 3, sessionClosed: true });
        expect(s.closed).toBe(true);
        const next = s.exec('echo again');
        await expect(next).rejects.toBeInstanceOf(SessionClosedError);
        await expect(s.exec('echo again')).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
        await s.close();
      });

      it('reports exec replacing the shell as closed', async () => {
        const s = await open();
        const result = await s.exec('exec sleep 0.2');
        expect(result).toMatchObject({ exitCode: 0, sessionClosed: true });
        await expect(s.exec('true')).rejects.toSatisfy((error: unknown) => ExecKitError.isInstance(error) && error.code === 'SESSION_CLOSED');
      });

      it('after set -e and a failing command, either survives or reports the exit code', async () => {
        const s = await open();
        try {
          await s.exec('set -e');
          const result = await s.exec('false', { timeoutMs: 10_000 });
          expect(result.timedOut).toBe(false);
          expect(result.exitCode).toBe(1);
          if (result.sessionClosed) await expect(s.exec('true')).rejects.toBeInstanceOf(SessionClosedError);
          else expect((await s.exec('echo survived')).stdout).toBe('survived\n');
        } finally {
          await s.close();
        }
      });

      it('close() ends background jobs too', async () => {
        const s = await open();
        await s.exec(`sleep 2000.${tag} &`);
        expect(await countProcesses(transport, `2000[.]${tag}`)).toBe(1);
        await s.close();
        for (let i = 0; i < 50 && (await countProcesses(transport, `2000[.]${tag}`)) > 0; i++) await new Promise((r) => setTimeout(r, 100));
        expect(await countProcesses(transport, `2000[.]${tag}`)).toBe(0);
        await expect(s.exec('true')).rejects.toBeInstanceOf(SessionClosedError);
      });
    });
  });
}
