import { ConnectionLostError, ExecKitError, InvalidOptionsError, PolicyDeniedError, SessionClosedError, TimeoutHandlingError, TransportStartError, UnsupportedTransportError } from '../errors/index.js';
import { StreamOutput } from '../output/stream-output.js';
import {
  TRANSPORT_SPECIFICATION_VERSION,
  type ShellChannel,
  type ShellChannelCloseInfo,
  type Transport,
} from '../transport/contract.js';
import { mayChangeExports, parseExports, restorableExports } from './exports.js';
import { MarkerScanner } from './marker-scanner.js';
import { NONCE_LENGTH, newNonce } from './nonce.js';
import { commandText, probeLine, quoteShellWord, recoveryText, setupScript, userOptionsFromFlags, type ShellDialect, type StdinSpec, type UserShellOptions } from './shell-dialect.js';
import { signalScript, type SignalScope } from './signal-script.js';
import type { ExecOptions, ExecResult, SessionInfo, SessionOptions } from './types.js';
import { checkCommand } from '../policy/check.js';
import { PolicyChecker } from '../policy/checker.js';
import type { PolicyDecision } from '../policy/types.js';
import { applyBudget, validateBudget, type OutputBudget } from '../budget/budget.js';
import { OutputStore, type OutputPage } from '../budget/output-store.js';
import { redactDecision, redactError } from '../redaction/redact-error.js';
import { Redactor } from '../redaction/redactor.js';

/** Chars per stream kept for recall and budgets (head and tail beyond this). */
const RECALL_CHARS = 4 * 1024 * 1024;

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_OUTPUT_CHARS = 100_000;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_INTERRUPT_GRACE_MS = 1_000;
/** Output that arrives between commands (from background jobs) is kept for the next command, up to this many bytes per stream. */
const IDLE_BUFFER_LIMIT = 1024 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Frame {
  nonce: string;
  exitCode: number | null;
  /** Flags the shell set: `x` when xtrace is on. */
  flags: string;
  cwd: string;
  body: string;
}

/** One command (or probe) in flight: scanners, outputs and the frames seen so far. */
class PendingCommand {
  readonly stdoutOut: StreamOutput;
  readonly stderrOut: StreamOutput;
  readonly stdoutScanner: MarkerScanner;
  /** Finds the stderr marker; absent on channels with ordered streams, where there is none. */
  readonly stderrScanner: MarkerScanner | undefined;
  readonly stdoutFrames: Frame[] = [];
  /** Nonces whose marker came on stderr. */
  readonly stderrMarks: string[] = [];
  /** The nonce whose frame, on both streams, ends this command. */
  lastNonce: string;
  closeInfo: ShellChannelCloseInfo | undefined;
  /** Called once the command is done, in order, synchronously (see {@link whenDone}). */
  private waiters: Array<() => void> | undefined;
  private finished = false;
  private settling = false;

  /**
   * @param stderrMarker - the frame ends with a marker on stderr too; without one (a channel with
   *   ordered streams) the command ends once the event loop has polled for I/O after the turn
   *   that brought its stdout frame, by which time everything it wrote to stderr has arrived
   */
  constructor(
    readonly nonce: string,
    maxChars: number,
    recallChars = maxChars,
    redactor?: Redactor,
    stderrMarker = true,
  ) {
    this.lastNonce = nonce;
    this.stdoutOut = new StreamOutput(maxChars, recallChars, redactor);
    this.stderrOut = new StreamOutput(maxChars, recallChars, redactor);
    this.stdoutScanner = new MarkerScanner({
      withBody: true,
      onPayload: (bytes) => this.stdoutOut.push(bytes),
      onFrame: (frameNonce, body) => {
        this.stdoutFrames.push(parseFrame(frameNonce, body));
        this.check();
      },
      markerLength: NONCE_LENGTH,
      isFrameBody: isFrameBody,
    });
    this.stderrScanner = stderrMarker
      ? new MarkerScanner({
          withBody: false,
          onPayload: (bytes) => this.stderrOut.push(bytes),
          onFrame: (marker) => {
            this.stderrMarks.push(marker.slice(0, NONCE_LENGTH));
            this.check();
          },
          markerLength: 2 * NONCE_LENGTH,
        })
      : undefined;
    this.watch(nonce);
  }

  get isDone(): boolean {
    return this.finished;
  }

  /**
   * Calls `waiter` once the command is done: at once if it is, else synchronously when its last
   * frame (or the channel's end) arrives, inside the transport's callback.
   */
  whenDone(waiter: () => void): void {
    if (this.finished) waiter();
    else (this.waiters ??= []).push(waiter);
  }

  /** Resolves once the command is done. */
  get done(): Promise<void> {
    return new Promise((resolve) => this.whenDone(resolve));
  }

  watch(nonce: string): void {
    this.lastNonce = nonce;
    this.stdoutScanner.watch(Buffer.from(nonce, 'latin1'));
    this.stderrScanner?.watch(Buffer.from(nonce + nonce, 'latin1'));
  }

  /** Routes a chunk of the shell's stdout or stderr. */
  push(stream: 0 | 1, chunk: Uint8Array): void {
    if (stream === 0) this.stdoutScanner.push(chunk);
    else if (this.stderrScanner) this.stderrScanner.push(chunk);
    else this.stderrOut.push(chunk);
  }

  frameFor(nonce: string): Frame | undefined {
    for (const frame of this.stdoutFrames) if (frame.nonce === nonce) return frame;
    return undefined;
  }

  closed(info: ShellChannelCloseInfo): void {
    this.closeInfo = info;
    this.stdoutScanner.flush();
    this.stderrScanner?.flush();
    this.finish();
  }

  private check(): void {
    if (!this.frameFor(this.lastNonce)) return;
    if (this.stderrScanner) {
      if (this.stderrMarks.includes(this.lastNonce)) this.finish();
    } else if (!this.settling) {
      // The frame came in some phase of this turn. An immediate queued from the check phase runs
      // in the next turn's check phase, after its poll phase, which reads every stream that had
      // bytes waiting: stderr the command wrote before its frame has arrived by then. An
      // interrupt may watch a newer recovery nonce meanwhile: then its frame is awaited too.
      this.settling = true;
      setImmediate(() =>
        setImmediate(() => {
          this.settling = false;
          if (this.frameFor(this.lastNonce)) this.finish();
        }),
      );
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters) for (const waiter of waiters) waiter();
  }
}

/**
 * The shape of a frame's body (see shell-dialect.ts): `<exit code>:<flags>:<cwd>`, or the probe's
 * `:<BASH_VERSION>:<pid>`. Text between two nonces without it is output (a DEBUG trap printing
 * `$BASH_COMMAND`, say, or `history` once the command turned history back on).
 */
const FRAME_BODY = /^(?:\d+:[0-9A-Za-z]*:|:[^:]*:\d+$)/;

function isFrameBody(body: string): boolean {
  return FRAME_BODY.test(body);
}

function parseFrame(nonce: string, body: string): Frame {
  const first = body.indexOf(':');
  const second = body.indexOf(':', first + 1);
  const code = Number.parseInt(body.slice(0, first), 10);
  return {
    nonce,
    exitCode: Number.isInteger(code) ? code : null,
    flags: body.slice(first + 1, second),
    cwd: body.slice(second + 1),
    body,
  };
}

/** What {@link Session} needs to run one command. */
interface RunOptions {
  timeoutMs: number;
  maxChars?: number | undefined;
  stdin?: string | undefined;
  signal?: AbortSignal | undefined;
  budget?: OutputBudget | undefined;
  /** Keep a longer head and tail for recall and budgets, and redact (user commands, not probes). */
  recall?: boolean;
}

const NO_STDIN: StdinSpec = Object.freeze({ kind: 'none' });

/**
 * A live shell on some machine, reached through a {@link Transport}. Commands run one at a time
 * in the same shell, so the working directory, exported variables, functions, aliases and shell
 * options persist from one `exec` to the next. Calls to `exec` made while one runs wait their turn.
 *
 * @example
 * ```ts
 * const session = await Session.open(createLocalTransport());
 * await session.exec('cd /tmp && export GREETING=hi');
 * const result = await session.exec('echo "$GREETING from $PWD"');
 * // result.stdout === 'hi from /tmp\n', result.exitCode === 0
 * await session.close();
 * ```
 */
export class Session {
  private pending: PendingCommand | undefined;
  /** The last command queued; the next one starts once it has settled. */
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private busy = false;
  private closeInfo: ShellChannelCloseInfo | undefined;
  private closeReason: string | undefined;
  /**
   * Set when a shell that could not be interrupted was killed: the session stays open and the
   * next command starts in a new shell (as after a lost connection).
   */
  private shellKilled = false;
  /** Set once a command mentions `trap`: from then on the sh dialect leaves SIGINT traps to the user. */
  private userTraps = false;
  private idleStdout: Buffer[] = [];
  private idleStderr: Buffer[] = [];
  private idleBytes = [0, 0];
  private lastActivityAt = Date.now();
  private currentCwd = '';
  private channel!: ShellChannel;
  private dialect: ShellDialect = 'bash';
  /** The shell options the last command left (bash), restored before the next one runs. */
  private userOptions: UserShellOptions = { xtrace: false, posix: false };

  private shellPid = 0;
  /**
   * The running command's deadline (`performance.now()` ms) and what to do when it passes. One
   * timer per session watches it and is set again only when it would fire too late or fires
   * early; commands that end in time cost no timer of their own.
   */
  private deadline = 0;
  private onDeadline: (() => void) | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private watchdogAt = 0;

  /** The policy fence, when the session has one. */
  private policy: PolicyChecker | undefined;
  /** Masks secrets in everything a command's result carries (unless turned off). */
  private redactor: Redactor | undefined;
  /** The last cwd and its redacted form (the cwd seldom changes between commands). */
  private cwdRedaction: [string, string] = ['', ''];
  /** The default output budget, when the session has one. */
  private budget: OutputBudget | undefined;
  /** Whole outputs of commands whose results were cut, for {@link Session.readOutput}. */
  private readonly outputs = new OutputStore();
  /** Bumped per shell started, so callbacks of an earlier (lost) channel are ignored. */
  private generation = 0;
  /** Exported variables as last seen, for restoring after a lost connection. */
  private exportSnapshot: Array<[string, string]> = [];

  private constructor(
    private readonly transport: Transport,
    private readonly options: Required<Pick<SessionOptions, 'timeoutMs' | 'maxOutputChars' | 'interruptGraceMs' | 'reconnect' | 'startTimeoutMs'>>,
    private readonly openOptions: SessionOptions,
  ) {}

  /**
   * Starts a shell through `transport` and prepares it for framed commands.
   *
   * @param transport - where the shell runs (see `createLocalTransport`)
   * @param options - see {@link SessionOptions}
   * @throws InvalidOptionsError for bad options (unknown cwd, bad env name) — nothing is left running
   * @throws TransportStartError when no shell starts or it does not answer within `startTimeoutMs`
   * @throws UnsupportedTransportError when the transport speaks another contract version
   */
  static async open(transport: Transport, options: SessionOptions = {}): Promise<Session> {
    if (transport.specificationVersion !== TRANSPORT_SPECIFICATION_VERSION) {
      throw new UnsupportedTransportError(transport.specificationVersion, TRANSPORT_SPECIFICATION_VERSION);
    }
    const timeoutMs = checkPositive('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
    const maxOutputChars = checkPositive('maxOutputChars', options.maxOutputChars, DEFAULT_MAX_OUTPUT_CHARS, true);
    const startTimeoutMs = checkPositive('startTimeoutMs', options.startTimeoutMs, DEFAULT_START_TIMEOUT_MS);
    const interruptGraceMs = checkPositive('interruptGraceMs', options.interruptGraceMs, DEFAULT_INTERRUPT_GRACE_MS);
    for (const name of Object.keys(options.env ?? {})) {
      if (!ENV_NAME.test(name)) throw new InvalidOptionsError('env', `${JSON.stringify(name)} is not a valid variable name`);
    }
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (typeof value !== 'string' || value.includes('\0')) throw new InvalidOptionsError('env', `the value of ${name} must be a string without NUL bytes`);
    }
    if (options.cwd !== undefined && (typeof options.cwd !== 'string' || options.cwd.length === 0 || options.cwd.includes('\0'))) {
      throw new InvalidOptionsError('cwd', 'must be a non-empty path without NUL bytes');
    }

    const reconnect = options.reconnect ?? true;
    const policy = options.policy === undefined ? undefined : new PolicyChecker(options.policy);
    const budget = options.budget === undefined ? undefined : validateBudget(options.budget);
    const session = new Session(transport, { timeoutMs, maxOutputChars, interruptGraceMs, reconnect, startTimeoutMs }, options);
    session.policy = policy;
    if (options.redaction?.enabled !== false) {
      session.redactor = new Redactor({ ...(options.redaction?.disable ? { disable: options.redaction.disable } : {}) });
      session.redactor.addKnownEnv(options.env ?? {});
      session.redactor.addKnownValues(options.redaction?.knownValues ?? []);
    }
    session.budget = budget;
    try {
      await session.start(options, startTimeoutMs);
    } catch (error) {
      throw session.redactor ? redactError(error, session.redactor) : error;
    }
    // What a reconnect restores until the first snapshot: the variables given at open.
    session.exportSnapshot = Object.entries(options.env ?? {});
    return session;
  }

  private async start(options: SessionOptions, startTimeoutMs: number): Promise<void> {
    const generation = ++this.generation;
    this.channel = await this.transport.openShell(
      { shells: options.shells ?? ['bash', 'sh'] },
      {
        onStdout: (chunk) => generation === this.generation && this.onOutput(0, chunk),
        onStderr: (chunk) => generation === this.generation && this.onOutput(1, chunk),
        onClose: (info) => generation === this.generation && this.onClose(info),
      },
    );
    try {
      const probeNonce = newNonce();
      const probe = this.begin(probeNonce, 0);
      this.channel.write(Buffer.from(probeLine(probeNonce, this.stderrMarker)));
      await withTimeout(probe.done, startTimeoutMs, () => new TransportStartError(`The shell did not answer within ${startTimeoutMs} ms.`));
      this.pending = undefined;
      const frame = probe.frameFor(probeNonce);
      if (!frame) throw new TransportStartError(`The shell ended during start-up${describeClose(probe.closeInfo)}.`);
      // Probe body: ":<BASH_VERSION>:<pid>".
      const [, bashVersion = '', pid = ''] = frame.body.split(':');
      const major = Number.parseInt(bashVersion, 10);
      const minor = Number.parseInt(bashVersion.split('.')[1] ?? '', 10);
      this.dialect = major > 5 || (major === 5 && minor >= 1) ? 'bash' : 'sh';
      this.shellPid = Number.parseInt(pid, 10);
      this.userOptions = { xtrace: false, posix: false };
      this.channel.write(Buffer.from(setupScript(this.dialect, this.stderrMarker)));

      const setup: string[] = [];
      if (options.cwd !== undefined) setup.push(`cd -- ${quoteShellWord(options.cwd)}`);
      const env = Object.entries(options.env ?? {});
      if (env.length > 0) setup.push(`export ${env.map(([name, value]) => `${name}=${quoteShellWord(value)}`).join(' ')}`);
      const first = await this.run(setup.join(' && '), { timeoutMs: startTimeoutMs });
      if (first.sessionClosed) throw new TransportStartError(`The shell ended during start-up${describeClose(this.closeInfo)}.`);
      if (first.exitCode !== 0) {
        const detail = first.stderr.trim() || `exit code ${first.exitCode}`;
        if (options.cwd !== undefined && first.cwd !== options.cwd && !first.stderr.includes('export')) {
          throw new InvalidOptionsError('cwd', `${JSON.stringify(options.cwd)} is not a directory the shell can enter (${detail})`);
        }
        throw new InvalidOptionsError('env', `the variables could not be exported (${detail})`);
      }
      this.lastActivityAt = Date.now();
    } catch (error) {
      await this.channel.close();
      throw error;
    }
  }

  /** The working directory after the last command. */
  get cwd(): string {
    return this.currentCwd;
  }

  /**
   * True once the shell has ended (by `exit`, by `close()`, or by failure). A session whose
   * connection was lost is not closed while it can reconnect.
   */
  get closed(): boolean {
    if (this.closeReason !== undefined) return true;
    if (this.closeInfo === undefined || this.shellKilled) return false;
    return !(this.closeInfo.reason === 'lost' && this.reconnects);
  }

  /** Whether this session reopens its shell after a lost connection. */
  private get reconnects(): boolean {
    return this.options.reconnect && this.transport.reconnectable === true;
  }

  /** Whether the next command must first open a new shell (after a lost connection or a killed shell). */
  private get needsNewShell(): boolean {
    return this.shellKilled || this.closeInfo?.reason === 'lost';
  }

  /** A snapshot of the session's state. */
  info(): SessionInfo {
    return {
      transport: this.transport.kind,
      target: this.transport.target,
      dialect: this.dialect,
      shellPid: this.shellPid,
      cwd: this.currentCwd,
      busy: this.busy,
      queued: this.queued,
      lastActivityAt: this.lastActivityAt,
      closed: this.closed,
    };
  }

  /**
   * Runs `command` in the session's shell and resolves with its {@link ExecResult}. Waits for
   * earlier commands on this session to finish first.
   *
   * A command that runs past `timeoutMs`, or whose `signal` aborts, is interrupted (SIGINT to the
   * session's processes, escalating to SIGTERM and SIGKILL of its child processes after
   * `interruptGraceMs` each) and the session stays usable, with its state intact.
   *
   * @param command - shell text (bash or POSIX sh, as the session's dialect); any bytes but NUL
   * @throws InvalidOptionsError for bad arguments; nothing runs
   * @throws SessionClosedError when the shell has ended
   * @throws TimeoutHandlingError when the session's processes could not be signalled to interrupt
   *   a command (the session is then closed). A shell that gets the signals but still does not
   *   answer is killed instead; the next command runs in a new shell (`reconnected: true`)
   * @throws ConnectionLostError (`CONNECTION_LOST`) when the connection to the shell's machine broke
   *   during the command (outcome unknown; `partial` holds its output; a reconnectable transport
   *   reconnects on the next call)
   * @throws the transport's own `ExecKitError` when it ended the shell during the command (e.g.
   *   `CONTAINER_UNAVAILABLE` for a container that stopped; `partial` holds the output) or when the
   *   channel reports a `fault` (e.g. a paused container) — then nothing was sent
   *
   * Every error is redacted like a result (see `redactError`) unless redaction is off.
   */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    let timeoutMs: number;
    let maxChars: number;
    let budget: OutputBudget | undefined;
    try {
      if (typeof command !== 'string') throw new InvalidOptionsError('command', 'must be a string');
      if (command.includes('\0')) throw new InvalidOptionsError('command', 'contains a NUL byte, which a shell cannot receive');
      if (options.stdin !== undefined && typeof options.stdin !== 'string') throw new InvalidOptionsError('stdin', 'must be a string');
      if (options.stdin?.includes('\0')) throw new InvalidOptionsError('stdin', 'contains a NUL byte');
      timeoutMs = checkPositive('timeoutMs', options.timeoutMs, this.options.timeoutMs);
      maxChars = checkPositive('maxOutputChars', options.maxOutputChars, this.options.maxOutputChars, true);
      budget = options.budget === undefined ? this.budget : validateBudget(options.budget);
      if (this.closed) throw this.closedError();
    } catch (error) {
      return Promise.reject(this.masked(error));
    }
    const policy = this.policy;
    const vetted = policy ? this.enforcePolicy(command, policy, options.force === true) : undefined;
    // Handled when the queue reaches it; this keeps an early refusal from counting as unhandled.
    vetted?.catch(() => undefined);
    const idle = this.queued === 0 && !this.busy;
    this.queued++;
    const run: RunOptions = { timeoutMs, maxChars, stdin: options.stdin, signal: options.signal, budget, recall: true };
    const start = (): Promise<ExecResult> => this.runQueued(command, run, vetted);
    // An idle session starts at once: the command is on its way before exec() returns. Otherwise
    // it runs when the one before it has settled, whatever its outcome (each caller handles its own).
    const running = idle ? start() : this.queue.then(start, start);
    this.queue = running;
    return running;
  }

  /** A user command's turn in the queue. Errors come out redacted (see `redactError`). */
  private runQueued(command: string, options: RunOptions, vetted: Promise<void> | undefined): Promise<ExecResult> {
    if (vetted || this.needsNewShell) return this.runQueuedAfterChecks(command, options, vetted);
    this.queued--;
    if (this.closed) return Promise.reject(this.masked(this.closedError()));
    this.busy = true;
    return this.runUser(command, options, false);
  }

  /** {@link runQueued} once the policy has vetted the command, reconnecting first if the connection was lost. */
  private async runQueuedAfterChecks(command: string, options: RunOptions, vetted: Promise<void> | undefined): Promise<ExecResult> {
    try {
      if (vetted) await vetted;
    } catch (error) {
      throw this.masked(error);
    } finally {
      this.queued--;
    }
    if (this.closed) throw this.masked(this.closedError());
    this.busy = true;
    const reconnected = this.needsNewShell;
    if (reconnected) {
      try {
        await this.reconnect();
      } catch (error) {
        this.markIdle();
        throw this.masked(error);
      }
    }
    return this.runUser(command, options, reconnected);
  }

  /** Runs a user command on a busy session; the session is idle again once it has settled. */
  private runUser(command: string, options: RunOptions, reconnected: boolean): Promise<ExecResult> {
    return this.run(command, options).then(
      (result) => {
        result.reconnected = reconnected;
        if (!this.options.reconnect || result.sessionClosed || !mayChangeExports(command)) {
          this.markIdle();
          return result;
        }
        return this.snapshotExports().then(() => {
          this.markIdle();
          return result;
        });
      },
      (error: unknown) => {
        this.markIdle();
        throw this.masked(error);
      },
    );
  }

  private markIdle(): void {
    this.busy = false;
    this.lastActivityAt = Date.now();
  }

  /** `error` as a caller may see it: redacted like a result, unless redaction is off. */
  private masked(error: unknown): unknown {
    return this.redactor ? redactError(error, this.redactor) : error;
  }

  /**
   * Pages through the whole output of a command whose result was cut (its `outputId`), by line.
   *
   * @param options - `offset` (line, default 0), `limit` (lines, default 200), `stream`
   *   (`stdout` default, or `stderr`), `max_chars` (per page, default 50_000)
   * @throws InvalidOptionsError for an unknown or expired id, or bad paging options
   */
  readOutput(outputId: string, options: Parameters<OutputStore['read']>[1] = {}): OutputPage {
    return this.outputs.read(outputId, options);
  }

  private redactedCwd(cwd: string, redactor: Redactor): string {
    if (this.cwdRedaction[0] !== cwd) this.cwdRedaction = [cwd, redactor.redact(cwd).text];
    return this.cwdRedaction[1];
  }

  /** Applies the budget to the longer kept text, and stores the whole output when the result was cut. */
  private shapeOutput(
    result: ExecResult,
    out: ReturnType<StreamOutput['finish']>,
    err: ReturnType<StreamOutput['finish']>,
    budget: OutputBudget | undefined,
  ): void {
    let cut = result.truncated;
    if (budget) {
      const stdout = applyBudget(out.full, budget);
      const stderr = applyBudget(err.full, budget);
      result.stdout = stdout.text;
      result.stderr = stderr.text;
      result.stdoutTruncated = stdout.truncated || out.fullTruncated;
      result.stderrTruncated = stderr.truncated || err.fullTruncated;
      result.truncated = result.stdoutTruncated || result.stderrTruncated;
      result.budget = { stdout: stdout.report, stderr: stderr.report };
      cut = result.truncated;
    }
    if (cut) result.outputId = this.outputs.store(out.full, err.full);
  }

  /**
   * Dry run of the session's policy fence: parses `command` and returns the verdict and every
   * program found, without running anything. With no policy set, everything is allowed (the
   * programs are still listed). Violation details are redacted like results.
   */
  checkPolicy(command: string): Promise<PolicyDecision> {
    if (typeof command !== 'string') return Promise.reject(new InvalidOptionsError('command', 'must be a string'));
    const decision = this.policy ? this.policy.check(command) : checkCommand(command, {});
    const redactor = this.redactor;
    if (!redactor) return decision;
    return decision.then((verdict) => redactDecision(verdict, redactor));
  }

  private async enforcePolicy(command: string, policy: PolicyChecker, force: boolean): Promise<void> {
    const decision = await policy.check(command);
    const violations = force ? decision.violations.filter((violation) => violation.rule !== 'guard') : decision.violations;
    if (violations.length === 0) return;
    throw new PolicyDeniedError(`Command refused by policy: ${violations.map((violation) => violation.detail).join('; ')}`, {
      ...decision,
      allowed: false,
      violations,
    });
  }

  /**
   * Ends the shell and every process it started, including background jobs. Commands waiting in
   * the queue reject with `SessionClosedError`. Safe to call more than once.
   */
  async close(): Promise<void> {
    this.outputs.clear();
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    if (this.needsNewShell) this.closeReason ??= 'closed by the caller';
    if (this.closeInfo) return;
    this.closeReason ??= 'closed by the caller';
    await this.channel.close();
  }

  /**
   * Opens a new shell after a lost connection (or a shell killed because it could not be
   * interrupted) and restores the working directory and the exported variables last seen. Leaves
   * the session as it was (to retry on the next command) when that fails.
   */
  private async reconnect(): Promise<void> {
    const lost = this.closeInfo!;
    const killed = this.shellKilled;
    const cwd = this.currentCwd;
    const oldShellPid = this.shellPid;
    this.closeInfo = undefined;
    this.shellKilled = false;
    this.pending = undefined;
    this.idleStdout = [];
    this.idleStderr = [];
    this.idleBytes = [0, 0];
    try {
      await this.start({ ...this.openOptions, cwd: undefined, env: undefined }, this.options.startTimeoutMs);
    } catch (error) {
      this.closeInfo = lost;
      this.shellKilled = killed;
      throw error;
    }
    // The old shell may live on over there (a command running, the server not yet aware the
    // connection died): end it and what it started, if that pid still runs an interactive shell.
    if (!killed) {
      await this.transport
        .runSideCommand(
          `c=$(tr '\\0' ' ' < /proc/${oldShellPid}/cmdline 2>/dev/null); case "$c" in *' -i ') ${signalScript(oldShellPid, 'KILL', 'group').replaceAll('\n', '; ')};; esac`,
          { timeoutMs: 10_000 },
        )
        .catch(() => undefined);
    }
    const restore: string[] = [];
    if (cwd) restore.push(`cd -- ${quoteShellWord(cwd)} 2>/dev/null`);
    const exports = restorableExports(this.exportSnapshot);
    if (exports.length > 0) restore.push(`export ${exports.map(([name, value]) => `${name}=${quoteShellWord(value)}`).join(' ')} 2>/dev/null`);
    if (restore.length > 0) await this.run(restore.join('; '), { timeoutMs: this.options.startTimeoutMs });
  }

  /** Records the shell's exported variables (on reconnectable transports), ignoring failures. */
  private async snapshotExports(): Promise<void> {
    try {
      const result = await this.run('export -p', { timeoutMs: this.options.startTimeoutMs, maxChars: 1_000_000 });
      if (result.exitCode === 0 && !result.truncated) this.exportSnapshot = parseExports(result.stdout);
    } catch {
      // A lost connection here surfaces on the next command.
    }
  }


  /** Calls `fire` once `ms` from now unless {@link disarmDeadline} comes first. */
  private armDeadline(ms: number, fire: () => void): void {
    const at = performance.now() + ms;
    this.deadline = at;
    this.onDeadline = fire;
    if (this.watchdog !== undefined && this.watchdogAt <= at) {
      this.watchdog.ref();
      return;
    }
    clearTimeout(this.watchdog);
    this.watchdogAt = at;
    this.watchdog = setTimeout(this.checkDeadline, ms);
  }

  /** Drops the deadline; the watchdog, if still set, no longer keeps the process alive. */
  private disarmDeadline(): void {
    this.onDeadline = undefined;
    this.watchdog?.unref();
  }

  private readonly checkDeadline = (): void => {
    this.watchdog = undefined;
    const fire = this.onDeadline;
    if (!fire) return;
    const left = this.deadline - performance.now();
    if (left > 0) {
      // Set for an earlier command's deadline, or a timer that ran a little early.
      this.watchdogAt = this.deadline;
      this.watchdog = setTimeout(this.checkDeadline, Math.ceil(left));
      return;
    }
    this.onDeadline = undefined;
    fire();
  };

  /** Frames end with a stderr marker unless the channel delivers its streams in order. */
  private get stderrMarker(): boolean {
    return this.channel.orderedStreams !== true;
  }

  private closedError(): SessionClosedError {
    const reason = this.closeReason ?? (this.closeInfo?.reason === 'exited' ? 'the shell exited' : 'the shell ended');
    return new SessionClosedError(reason, this.closeInfo?.exitCode ?? null);
  }

  private begin(nonce: string, maxChars: number, recallChars = maxChars, redactor?: Redactor): PendingCommand {
    const pending = new PendingCommand(nonce, maxChars, recallChars, redactor, this.stderrMarker);
    this.pending = pending;
    for (const chunk of this.idleStdout.splice(0)) pending.push(0, chunk);
    for (const chunk of this.idleStderr.splice(0)) pending.push(1, chunk);
    this.idleBytes = [0, 0];
    return pending;
  }

  /**
   * Sends `command` with a fresh frame and resolves with its result once the frame has come
   * back on both streams (or the shell ended). The result is built, and the promise resolved,
   * synchronously inside the transport's callback that brought the last frame.
   */
  private run(command: string, options: RunOptions): Promise<ExecResult> {
    const maxChars = options.maxChars ?? this.options.maxOutputChars;
    const started = performance.now();
    if (options.signal?.aborted) return Promise.resolve(this.emptyResult(command, { aborted: true }));
    const fault = this.channel.fault;
    if (fault) return Promise.reject(fault);
    const nonce = newNonce();
    const stdin: StdinSpec = options.stdin === undefined ? NO_STDIN : { kind: 'data', text: options.stdin };
    const tag = this.dialect === 'sh' ? heredocTag(command, options.stdin) : '';
    if (this.dialect === 'sh' && !this.userTraps && /\btrap\b/.test(command)) this.userTraps = true;
    this.channel.write(
      Buffer.from(
        commandText(this.dialect, command, nonce, {
          stdin,
          heredocTag: tag,
          interruptTrap: !this.userTraps,
          stderrMarker: this.stderrMarker,
          userOptions: this.userOptions,
        }),
      ),
    );
    // After the write, so the command is on its way while this runs: output can only arrive on a
    // later tick (or, from a transport that answers inside write(), waits in the idle buffers).
    const pending = this.begin(nonce, maxChars, options.recall ? RECALL_CHARS : maxChars, options.recall ? this.redactor : undefined);
    if (this.closeInfo) pending.closed(this.closeInfo);
    // While the shell runs it: what the result shows of the command.
    const shown = options.recall && this.redactor ? this.redactor.redact(command).text : command;

    let timedOut = false;
    let aborted = false;
    let interruption: Promise<void> | undefined;
    const interrupt = (why: 'timeout' | 'abort') => {
      if (interruption || pending.isDone) return;
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      interruption = this.interrupt(pending);
    };
    const signal = options.signal;
    const onAbort = signal ? () => interrupt('abort') : undefined;
    return new Promise<ExecResult>((resolve, reject) => {
      const settle = (failure?: { error: unknown }) => {
        this.disarmDeadline();
        if (onAbort) signal!.removeEventListener('abort', onAbort);
        if (this.pending === pending) this.pending = undefined;
        if (failure) return reject(failure.error);
        try {
          resolve(this.commandResult(command, shown, nonce, pending, options, performance.now() - started, timedOut, aborted));
        } catch (error) {
          reject(error);
        }
      };
      this.armDeadline(options.timeoutMs, () => interrupt('timeout'));
      if (onAbort) signal!.addEventListener('abort', onAbort, { once: true });
      pending.whenDone(() => {
        if (interruption) interruption.then(() => settle(), (error: unknown) => settle({ error }));
        else settle();
      });
    });
  }

  /**
   * The result of a command whose frames have arrived (or whose shell ended), from what
   * `pending` holds.
   *
   * @throws ConnectionLostError, the transport's own error — as {@link Session.exec} documents
   */
  private commandResult(
    command: string,
    shown: string,
    nonce: string,
    pending: PendingCommand,
    options: RunOptions,
    durationMs: number,
    timedOut: boolean,
    aborted: boolean,
  ): ExecResult {
    const own = pending.frameFor(nonce);
    const last = pending.frameFor(pending.lastNonce) ?? pending.stdoutFrames.at(-1);
    const first = own ?? pending.stdoutFrames[0];
    if (last) {
      this.currentCwd = last.cwd;
      if (this.dialect === 'bash') this.userOptions = userOptionsFromFlags(last.flags) ?? this.userOptions;
    }
    const out = pending.stdoutOut.finish();
    const err = pending.stderrOut.finish();
    const sessionClosed = pending.closeInfo !== undefined && !own && !this.shellKilled;
    // A shell we closed or killed has no status of the command's to report.
    const closedByUs = pending.closeInfo?.reason === 'closed' && !own;
    const exitCode: number | null = closedByUs ? null : first ? first.exitCode : (pending.closeInfo?.exitCode ?? null);
    const result: ExecResult = {
      command: shown,
      stdout: out.text,
      stderr: err.text,
      exitCode,
      durationMs: Math.round(durationMs * 1000) / 1000,
      cwd: this.currentCwd,
      truncated: out.truncated || err.truncated,
      stdoutTruncated: out.truncated,
      stderrTruncated: err.truncated,
      timedOut,
      aborted,
      stdoutBytes: out.bytes,
      stderrBytes: err.bytes,
      sessionClosed,
      reconnected: false,
      outputId: null,
    };
    if (options.recall) {
      if (this.redactor) result.cwd = this.redactedCwd(result.cwd, this.redactor);
      this.shapeOutput(result, out, err, options.budget);
    }
    if (pending.closeInfo?.reason === 'lost' && !own) {
      const why = pending.closeInfo.error ? `: ${pending.closeInfo.error.message}` : '';
      throw new ConnectionLostError(
        `Lost the connection to ${this.transport.target}${why}. The command's outcome is unknown.${this.reconnects ? ' The next command reconnects.' : ''}`,
        { ...result, exitCode: null, sessionClosed: !this.reconnects },
        { cause: pending.closeInfo.error },
      );
    }
    const transportError = pending.closeInfo?.reason === 'error' ? pending.closeInfo.error : undefined;
    if (sessionClosed && transportError && ExecKitError.isInstance(transportError)) {
      this.closeReason ??= transportError.message;
      transportError.partial = { ...result, exitCode: null };
      throw transportError;
    }
    if (sessionClosed && (timedOut || aborted) && this.closeReason === undefined) {
      this.closeReason = 'the shell could not be interrupted';
    }
    return result;
  }

  private emptyResult(command: string, flags: { aborted: boolean }): ExecResult {
    return {
      command,
      stdout: '',
      stderr: '',
      exitCode: null,
      durationMs: 0,
      cwd: this.currentCwd,
      truncated: false,
      stdoutTruncated: false,
      stderrTruncated: false,
      timedOut: false,
      aborted: flags.aborted,
      stdoutBytes: 0,
      stderrBytes: 0,
      sessionClosed: false,
      reconnected: false,
      outputId: null,
    };
  }

  /**
   * Brings the shell back from a running command: SIGINT to the session's process group (the
   * interactive shell aborts its current command, children die), then SIGTERM and SIGKILL to its
   * other processes; after each step a recovery probe asks the shell for a fresh frame. When none
   * comes back the shell is killed and the session closed.
   */
  private async interrupt(pending: PendingCommand): Promise<void> {
    const steps: Array<Array<[string, SignalScope]>> = [
      [['INT', 'group']],
      [['TERM', 'others'], ['INT', 'shell']],
      [['KILL', 'others'], ['INT', 'shell']],
    ];
    let failure: unknown;
    for (const step of steps) {
      if (pending.isDone) return;
      try {
        for (const [signal, scope] of step) {
          await this.transport.runSideCommand(signalScript(this.shellPid, signal, scope), { timeoutMs: 10_000 });
        }
      } catch (error) {
        failure = error;
      }
      // Two probes per step: a shell that reads ahead (dash) drops buffered input when the
      // interrupt lands after a probe was written, so the second probe finds it again.
      for (let probe = 0; probe < 2 && !pending.isDone; probe++) {
        const recovery = newNonce();
        pending.watch(recovery);
        this.channel.write(Buffer.from(recoveryText(this.dialect, recovery, this.stderrMarker)));
        await Promise.race([pending.done, delay(this.options.interruptGraceMs / 2)]);
      }
    }
    if (pending.isDone) return;
    if (failure === undefined && this.options.reconnect) {
      // The signals went out but the shell does not answer (it ignores SIGINT inside a loop of its
      // own, or its framing was broken): kill it; the next command starts in a new shell.
      this.shellKilled = true;
      await this.channel.close();
      return;
    }
    this.closeReason = 'the shell could not be interrupted';
    await this.channel.close();
    // A transport that knows why (e.g. the container is paused or gone) says so itself.
    if (failure && ExecKitError.isInstance(failure) && failure.code !== 'TRANSPORT_FAILED') throw failure;
    if (failure) throw new TimeoutHandlingError('Could not signal the session\'s processes; the session was closed.', { cause: failure });
  }

  private onOutput(stream: 0 | 1, chunk: Uint8Array): void {
    const pending = this.pending;
    if (pending) {
      pending.push(stream, chunk);
      return;
    }
    if (this.idleBytes[stream]! + chunk.length > IDLE_BUFFER_LIMIT) return;
    this.idleBytes[stream]! += chunk.length;
    (stream === 0 ? this.idleStdout : this.idleStderr).push(Buffer.from(chunk));
  }

  private onClose(info: ShellChannelCloseInfo): void {
    this.closeInfo = info;
    this.pending?.closed(info);
  }
}

function heredocTag(command: string, stdin: string | undefined): string {
  for (;;) {
    const tag = `EK_${newNonce().slice(0, 16)}`;
    if (!command.includes(tag) && !(stdin ?? '').includes(tag)) return tag;
  }
}

/** The longest delay a Node.js timer supports, in ms (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function checkPositive(field: string, value: number | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidOptionsError(field, `must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
  }
  if (field.endsWith('Ms') && value > MAX_TIMER_MS) {
    throw new InvalidOptionsError(field, `must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${value}`);
  }
  return value;
}

function describeClose(info: ShellChannelCloseInfo | undefined): string {
  if (!info) return '';
  if (info.signal) return ` (killed by ${info.signal})`;
  return info.exitCode === null ? '' : ` (exit code ${info.exitCode})`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

async function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(error()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
