import { createInterface, type Interface } from 'node:readline';
import { ExecKitError, type ExecResult, type Session } from '@execkit/core';
import { ExitCode, exitCodeForSignal, formatExecKitError } from '../../errors.js';
import { colorEnabled, type CliIo, type CliSignal } from '../../io.js';
import { bannerLine, continuesOnNextLine, dim, parseExitLine, promptFor, statusLine } from './format.js';

const CONTINUATION_PROMPT = '> ';

/**
 * A read–run–print loop over one session. Lines come from `io.stdin` through readline; with a
 * terminal on stdin and stderr it shows a prompt and edits lines there (stderr, like bash), and
 * otherwise reads plain lines without prompts. Each command's stdout goes to stdout, its stderr
 * and a status line to stderr.
 */
export class ShellRepl {
  private readonly terminal: boolean;
  private readonly color: boolean;
  private readonly rl: Interface;
  private readonly lines: string[] = [];
  private inputEnded = false;
  private wake: (() => void) | undefined;
  private running: AbortController | undefined;
  private continued: string[] = [];
  private lastStatus = 0;
  /** Set when a signal ends the loop; the status to exit with. */
  private endStatus: number | undefined;

  constructor(
    private readonly session: Session,
    private readonly io: CliIo,
    private readonly timeoutMs: number,
  ) {
    this.terminal = Boolean(io.stdin.isTTY && io.stderr.isTTY);
    this.color = colorEnabled(io, io.stderr);
    this.rl = createInterface({
      input: io.stdin,
      ...(this.terminal ? { output: io.stderr } : {}),
      terminal: this.terminal,
      historySize: 1000,
      removeHistoryDuplicates: true,
    });
    this.rl.on('line', (line) => {
      this.lines.push(line);
      this.notify();
    });
    this.rl.on('close', () => {
      this.inputEnded = true;
      this.notify();
    });
    // Ctrl-C and Ctrl-Z typed at the terminal (readline has it in raw mode, so they arrive as keys).
    this.rl.on('SIGINT', () => this.interrupt());
    this.rl.on('SIGTSTP', () => undefined);
  }

  /** Runs until `exit`, end of input, the shell ending, or a terminating signal; resolves with the exit status. */
  async run(): Promise<number> {
    const unsubscribe = [
      this.io.onSignal('SIGINT', () => this.interrupt()),
      this.io.onSignal('SIGTERM', () => this.terminate('SIGTERM')),
      this.io.onSignal('SIGHUP', () => this.terminate('SIGHUP')),
    ];
    try {
      if (this.terminal) {
        this.io.stderr.write(`${dim(bannerLine(this.session.info()), this.color)}\n`);
      }
      return await this.loop();
    } finally {
      for (const off of unsubscribe) off();
      if (!this.inputEnded) this.rl.close();
    }
  }

  private async loop(): Promise<number> {
    for (;;) {
      const line = await this.nextLine();
      if (this.endStatus !== undefined) return this.endStatus;
      if (line === undefined) {
        if (this.terminal) this.io.stderr.write('\n');
        return this.lastStatus;
      }
      if (continuesOnNextLine(line)) {
        this.continued.push(line);
        continue;
      }
      const command = [...this.continued, line].join('\n');
      this.continued = [];
      if (command.trim() === '') continue;

      const exitStatus = parseExitLine(command);
      if (exitStatus !== undefined) return exitStatus ?? this.lastStatus;

      const result = await this.execute(command);
      if (this.endStatus !== undefined) return this.endStatus;
      if (!result) continue;
      this.print(result);
      if (result.sessionClosed) {
        if (result.exitCode !== null) return result.exitCode;
        this.io.stderr.write('execkit: the shell ended without an exit status\n');
        return ExitCode.toolFailure;
      }
      if (result.exitCode !== null) this.lastStatus = result.exitCode;
    }
  }

  private async nextLine(): Promise<string | undefined> {
    if (this.lines.length === 0 && !this.inputEnded) this.prompt();
    while (this.lines.length === 0 && !this.inputEnded && this.endStatus === undefined) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.endStatus === undefined ? this.lines.shift() : undefined;
  }

  private async execute(command: string): Promise<ExecResult | undefined> {
    const controller = new AbortController();
    this.running = controller;
    try {
      return await this.session.exec(command, { timeoutMs: this.timeoutMs, signal: controller.signal });
    } catch (error) {
      if (this.endStatus !== undefined) return undefined;
      // A command the session refuses (a NUL byte) is reported and the loop goes on.
      if (ExecKitError.isInstance(error) && error.code === 'INVALID_OPTIONS') {
        this.io.stderr.write(formatExecKitError(error));
        return undefined;
      }
      throw error;
    } finally {
      this.running = undefined;
    }
  }

  private print(result: ExecResult): void {
    const { stdout, stderr } = this.io;
    stdout.write(result.stdout);
    stderr.write(result.stderr);
    // Start the status line at the beginning of a line on screen.
    const lastText = result.stderr !== '' ? result.stderr : stdout.isTTY ? result.stdout : '';
    const open = lastText !== '' && !lastText.endsWith('\n');
    stderr.write(`${open ? '\n' : ''}${statusLine(result, this.color)}\n`);
  }

  private prompt(): void {
    if (!this.terminal) return;
    this.rl.setPrompt(this.continued.length > 0 ? CONTINUATION_PROMPT : promptFor(this.session.cwd, this.io.env['HOME']));
    this.rl.prompt();
  }

  /** Ctrl-C: aborts the running command, or clears the line being typed, or (without a terminal) ends. */
  private interrupt(): void {
    if (this.running) {
      this.running.abort();
      return;
    }
    if (this.inputEnded) return;
    if (!this.terminal) {
      this.endStatus = ExitCode.interrupted;
      this.notify();
      return;
    }
    this.rl.write('', { ctrl: true, name: 'e' });
    this.io.stderr.write('^C\n');
    this.rl.write('', { ctrl: true, name: 'u' });
    this.continued = [];
    this.prompt();
  }

  /** SIGTERM/SIGHUP: stop the running command, end the session and leave with 128 + the signal's number. */
  private terminate(signal: CliSignal): void {
    this.endStatus ??= exitCodeForSignal(signal);
    this.running?.abort();
    void this.session.close();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
