import type { Duplex, Readable } from 'node:stream';
import Docker from 'dockerode';
import {
  InvalidOptionsError,
  LaunchedShell,
  TRANSPORT_SPECIFICATION_VERSION,
  TransportError,
  TransportStartError,
  newLaunchTag,
  shellLaunchScript,
  signalScript,
  type ShellChannel,
  type ShellChannelCloseInfo,
  type ShellChannelHandlers,
  type ShellOpenOptions,
  type SideCommandOptions,
  type SideCommandResult,
  type Transport,
} from '@execkit/core';
import { attachDemuxed } from './demux.js';
import { dockerConnectionOptions, describeDockerEndpoint } from './docker-host.js';
import { ContainerUnavailableError } from './errors.js';
import { validateContainerReference } from './reference.js';

/** Options for {@link createDockerTransport}. */
export interface DockerTransportOptions {
  /** The container, by name or id. Validated before any call (no `-` prefix, whitespace or control bytes). */
  container: string;
  /** User to run the shell and side commands as (`user`, `user:group`, `uid[:gid]`). Default: the container's. */
  user?: string;
  /** Extra environment for the shell (passed to the exec). */
  env?: Readonly<Record<string, string>>;
  /**
   * How to reach the Engine: a dockerode instance, or its options. Default: from `DOCKER_HOST`
   * (and `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`) like the docker CLI, else the local socket.
   */
  docker?: Docker | Docker.DockerOptions;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;

/**
 * A transport that runs session shells inside a running container: one long-lived exec of the
 * container's shell per session (bash if present, else `sh`), attached over the Engine API with
 * stdin, stdout and stderr apart (Tty off, the multiplexed stream demultiplexed). The Engine has
 * no exec-kill, so interrupts and cleanup run as side execs in the container.
 *
 * @throws InvalidOptionsError at once for a malformed container reference, user or env name
 * @returns a {@link Transport} of kind `docker`; `openShell` throws ContainerUnavailableError
 *   (`CONTAINER_UNAVAILABLE`) when the container is missing, stopped or paused
 */
export function createDockerTransport(options: DockerTransportOptions): Transport {
  return new DockerTransport(options);
}

interface ExecStream {
  stream: Duplex;
  exec: Docker.Exec;
}

class DockerTransport implements Transport {
  readonly specificationVersion = TRANSPORT_SPECIFICATION_VERSION;
  readonly kind = 'docker';
  readonly target: string;
  private readonly docker: Docker;
  private readonly container: Docker.Container;
  private readonly reference: string;
  private events: Readable | undefined;
  private watching: Promise<void> | undefined;
  private paused = false;
  private closed = false;

  constructor(private readonly options: DockerTransportOptions) {
    this.reference = validateContainerReference(options.container);
    if (options.user !== undefined && (typeof options.user !== 'string' || !USER.test(options.user))) {
      throw new InvalidOptionsError('user', 'must be a user name or uid, optionally with :group');
    }
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (!ENV_NAME.test(name) || typeof value !== 'string' || value.includes('\0')) {
        throw new InvalidOptionsError('env', `${JSON.stringify(name)} must be a variable name with a string value without NUL bytes`);
      }
    }
    this.docker = options.docker instanceof Docker ? options.docker : new Docker(options.docker ?? dockerConnectionOptions());
    this.container = this.docker.getContainer(this.reference);
    this.target = `${this.reference}${options.user ? ` (as ${options.user})` : ''}`;
  }

  async openShell(open: ShellOpenOptions, handlers: ShellChannelHandlers): Promise<ShellChannel> {
    await this.requireRunning();
    await this.watchEvents();
    const tag = newLaunchTag();
    const { stream, exec } = await this.startExec(['sh', '-c', shellLaunchScript(tag, open)], true);
    const shell = new LaunchedShell(tag, handlers);
    let closedByUs = false;
    const report = (info: ShellChannelCloseInfo) => shell.close(info);

    attachDemuxed(stream, {
      onStdout: (chunk) => shell.stdout(chunk),
      onStderr: (chunk) => shell.stderr(chunk),
      onEnd: (info) => {
        if ((info.reason === 'protocol-error' || info.reason === 'handler-error') && !closedByUs) {
          // A corrupt stream: nothing after this point can be trusted.
          const error = info.error instanceof Error ? info.error : new TransportError(`The exec stream broke: ${String(info.error)}`);
          report({ exitCode: null, signal: null, reason: 'error', error });
          return;
        }
        // The exec's own exit confirms how the shell ended; a container that stopped says why.
        void this.closeInfoFor(exec, closedByUs).then(report, (error: unknown) =>
          report({ exitCode: null, signal: null, reason: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
        );
      },
    });

    let shellPid: number;
    try {
      shellPid = await shell.pid;
    } catch (error) {
      stream.destroy();
      throw new TransportStartError(`No shell started in container ${JSON.stringify(this.reference)}: ${(error as Error).message}`);
    }
    const transport = this;
    return {
      write: (data) => {
        if (!shell.isClosed && !closedByUs) stream.write(data);
      },
      get fault() {
        return transport.paused ? transport.unavailable('paused') : undefined;
      },
      close: async () => {
        if (!closedByUs && !shell.isClosed) {
          closedByUs = true;
          // Ending the exec's stdin only ends the shell; background jobs would live on.
          await this.runSideCommand(signalScript(shellPid, 'KILL', 'group'), { timeoutMs: 5_000 }).catch(() => undefined);
          stream.end();
          const timer = setTimeout(() => {
            stream.destroy();
            report({ exitCode: null, signal: 'SIGKILL', reason: 'closed' });
          }, 5_000);
          await shell.closed;
          clearTimeout(timer);
        }
        await shell.closed;
      },
    };
  }

  async runSideCommand(command: string, options: SideCommandOptions = {}): Promise<SideCommandResult> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const { stream, exec } = await this.startExec(['sh', '-c', command], false);
    return new Promise((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const timer = setTimeout(() => {
        stream.destroy();
        settle(() => reject(new TransportError(`A side command in container ${JSON.stringify(this.reference)} did not finish within ${timeoutMs} ms.`)));
      }, timeoutMs);
      const onAbort = () => {
        stream.destroy();
        settle(() => reject(new TransportError(`A side command in container ${JSON.stringify(this.reference)} was cancelled.`)));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      attachDemuxed(stream, {
        onStdout: (chunk) => stdout.push(Buffer.from(chunk)),
        onStderr: (chunk) => stderr.push(Buffer.from(chunk)),
        onEnd: () => {
          exec.inspect().then(
            (info) =>
              settle(() =>
                resolve({
                  exitCode: typeof info.ExitCode === 'number' ? info.ExitCode : null,
                  stdout: Buffer.concat(stdout).toString('utf8'),
                  stderr: Buffer.concat(stderr).toString('utf8'),
                }),
              ),
            (error: unknown) => settle(() => reject(this.engineError(error, 'inspect a side command'))),
          );
        },
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events?.destroy();
    this.events = undefined;
  }

  /** Creates and starts an exec attached to stdout and stderr (and stdin for the shell). */
  private async startExec(cmd: string[], withStdin: boolean): Promise<ExecStream> {
    if (this.closed) throw new TransportError('The transport is closed.');
    if (this.paused) throw this.unavailable('paused');
    const env = Object.entries(this.options.env ?? {}).map(([name, value]) => `${name}=${value}`);
    let exec: Docker.Exec;
    try {
      exec = await this.container.exec({
        Cmd: cmd,
        AttachStdin: withStdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        ...(this.options.user !== undefined ? { User: this.options.user } : {}),
        ...(env.length > 0 ? { Env: env } : {}),
      });
    } catch (error) {
      throw await this.explain(error, 'start a command');
    }
    try {
      const stream = (await exec.start({ hijack: true, stdin: withStdin })) as Duplex;
      return { stream, exec };
    } catch (error) {
      throw await this.explain(error, 'start a command');
    }
  }

  /** How the shell's exec ended: its exit code, or the container's state when that stopped it. */
  private async closeInfoFor(exec: Docker.Exec, closedByUs: boolean): Promise<ShellChannelCloseInfo> {
    if (closedByUs) return { exitCode: null, signal: null, reason: 'closed' };
    const info = await exec.inspect();
    const exitCode = typeof info.ExitCode === 'number' ? info.ExitCode : null;
    // A shell killed by a signal may mean the container is stopping: the Engine updates the
    // container's state a moment after its processes die, so look again for a while.
    const attempts = exitCode === null || exitCode > 128 ? 20 : 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const state = await this.state();
      if (state !== 'running') return { exitCode: null, signal: null, reason: 'error', error: this.unavailable(state) };
    }
    return { exitCode, signal: null, reason: 'exited' };
  }

  /** The container's state as a word for messages: `running`, `paused`, `exited (137)`, `missing`… */
  private async state(): Promise<string> {
    try {
      const info = await this.container.inspect();
      const state = info.State;
      if (state.Paused) return 'paused';
      if (state.Running) return 'running';
      return state.Status === 'exited' ? `exited (${state.ExitCode})` : state.Status;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return 'missing';
      throw this.engineError(error, 'inspect the container');
    }
  }

  private async requireRunning(): Promise<void> {
    const state = await this.state();
    this.paused = state === 'paused';
    if (state !== 'running') throw this.unavailable(state);
  }

  private unavailable(state: string): ContainerUnavailableError {
    const name = JSON.stringify(this.reference);
    const message =
      state === 'missing'
        ? `No such container: ${name}.`
        : state === 'paused'
          ? `Container ${name} is paused; unpause it to run commands.`
          : `Container ${name} is not running (${state}).`;
    return new ContainerUnavailableError(message, this.reference, state);
  }

  /** Turns an Engine API failure into a typed error, asking the Engine for the container's state when that explains it. */
  private async explain(error: unknown, action: string): Promise<Error> {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404 || status === 409) {
      const state = await this.state().catch(() => undefined);
      if (state && state !== 'running') return this.unavailable(state);
    }
    return this.engineError(error, action);
  }

  private engineError(error: unknown, action: string): TransportError {
    const detail = (error as { json?: { message?: string } }).json?.message ?? (error as Error).message ?? String(error);
    return new TransportError(`Could not ${action} in container ${JSON.stringify(this.reference)} (${describeDockerEndpoint(this.docker.modem)}): ${detail}`, {
      cause: error,
    });
  }

  /** Follows the container's pause and unpause events, so paused shells fail fast. */
  private watchEvents(): Promise<void> {
    this.watching ??= (async () => {
      const events = (await this.docker.getEvents({
        filters: { type: ['container'], container: [this.reference], event: ['pause', 'unpause', 'start'] },
      })) as Readable;
      if (this.closed) {
        events.destroy();
        return;
      }
      this.events = events;
      let buffered = '';
      events.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          try {
            const event = JSON.parse(line) as { Action?: string; status?: string };
            const action = event.Action ?? event.status;
            if (action === 'pause') this.paused = true;
            if (action === 'unpause' || action === 'start') this.paused = false;
          } catch {
            // Not an event line.
          }
        }
      });
      events.on('error', () => undefined);
    })().catch(() => {
      // Without events, pauses are found when a command times out.
      this.watching = undefined;
    });
    return this.watching;
  }
}
