import { spawn, type ChildProcess } from 'node:child_process';
import { TransportError, TransportStartError } from '../errors/index.js';
import {
  TRANSPORT_SPECIFICATION_VERSION,
  type ShellChannel,
  type ShellChannelCloseInfo,
  type ShellChannelHandlers,
  type ShellOpenOptions,
  type SideCommandOptions,
  type SideCommandResult,
  type Transport,
} from './contract.js';

/** Options for {@link createLocalTransport}. */
export interface LocalTransportOptions {
  /** Environment for shells and side commands. Default: this process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Program paths for each shell. Default `{ bash: 'bash', sh: 'sh' }` (looked up on `PATH`). */
  programs?: { bash?: string; sh?: string };
  /**
   * How long to wait after the shell exits for its output pipes to drain, in ms, before reporting
   * the close (a background job can hold them open forever). Default 200.
   */
  drainMs?: number;
}

const SHELL_ARGS = {
  bash: ['--noprofile', '--norc', '--noediting', '-i'],
  sh: ['-i'],
} as const;

/**
 * A transport that runs shells on this machine as child processes over pipes (no PTY), each in
 * its own process group so a session's processes can be signalled together.
 *
 * @param options - see {@link LocalTransportOptions}
 * @returns a {@link Transport} of kind `local`
 */
export function createLocalTransport(options: LocalTransportOptions = {}): Transport {
  const baseEnv = options.env ?? process.env;
  const drainMs = options.drainMs ?? 200;

  const startShell = (
    shell: 'bash' | 'sh',
    open: ShellOpenOptions,
  ): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const program = options.programs?.[shell] ?? shell;
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
      Object.assign(env, open.env ?? {}, { PS1: '', PS2: '', PS4: '+ ', ENV: '' });
      const child = spawn(program, [...SHELL_ARGS[shell]], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        env,
      });
      const onError = (error: Error) => reject(error);
      child.once('error', onError);
      child.once('spawn', () => {
        child.off('error', onError);
        resolve(child);
      });
    });

  return {
    specificationVersion: TRANSPORT_SPECIFICATION_VERSION,
    kind: 'local',
    target: 'local',

    async openShell(open, handlers) {
      const shells = open.shells ?? ['bash', 'sh'];
      const failures: string[] = [];
      for (const shell of shells) {
        try {
          const child = await startShell(shell, open);
          return wrapChild(child, handlers, drainMs);
        } catch (error) {
          failures.push(`${shell}: ${(error as Error).message}`);
        }
      }
      throw new TransportStartError(`Could not start a local shell (${failures.join('; ')}).`);
    },

    runSideCommand(command, sideOptions) {
      return runLocalCommand(command, baseEnv, sideOptions);
    },

    async close() {},
  };
}

function wrapChild(child: ChildProcess, handlers: ShellChannelHandlers, drainMs: number): ShellChannel {
  const pid = child.pid;
  let closeInfo: ShellChannelCloseInfo | undefined;
  let closedByUs = false;
  let reported = false;
  const waiters: Array<() => void> = [];
  let stdoutEnded = false;
  let stderrEnded = false;
  let exitInfo: { code: number | null; signal: string | null } | undefined;
  let drainTimer: NodeJS.Timeout | undefined;

  const report = () => {
    if (reported || exitInfo === undefined) return;
    reported = true;
    if (drainTimer) clearTimeout(drainTimer);
    closeInfo = {
      exitCode: exitInfo.code,
      signal: exitInfo.signal,
      reason: closedByUs ? 'closed' : 'exited',
    };
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    child.stdout?.destroy();
    child.stderr?.destroy();
    handlers.onClose(closeInfo);
    for (const waiter of waiters.splice(0)) waiter();
  };

  child.stdout?.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
  child.stderr?.on('data', (chunk: Buffer) => handlers.onStderr(chunk));
  child.stdout?.on('end', () => {
    stdoutEnded = true;
    if (stdoutEnded && stderrEnded) report();
  });
  child.stderr?.on('end', () => {
    stderrEnded = true;
    if (stdoutEnded && stderrEnded) report();
  });
  child.stdin?.on('error', () => {
    // EPIPE after the shell exited: the close is reported through 'exit'.
  });
  child.on('exit', (code, signal) => {
    exitInfo = { code, signal };
    if (stdoutEnded && stderrEnded) report();
    else drainTimer = setTimeout(report, drainMs);
  });

  const killGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };

  return {
    // Both streams are sockets read by this process's event loop: see `orderedStreams`.
    orderedStreams: true,
    write(data) {
      if (child.stdin && !child.stdin.destroyed && child.stdin.writable) child.stdin.write(data);
    },
    close() {
      if (reported) return Promise.resolve();
      closedByUs = true;
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        child.stdin?.end();
        killGroup('SIGKILL');
      });
    },
  };
}

function runLocalCommand(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  options: SideCommandOptions = {},
): Promise<SideCommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env as NodeJS.ProcessEnv,
      timeout: options.timeoutMs ?? 10_000,
      killSignal: 'SIGKILL',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error) => reject(new TransportError(`Side command failed to run: ${error.message}`, { cause: error })));
    child.once('close', (code) =>
      resolve({
        exitCode: code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}
