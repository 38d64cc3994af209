/**
 * Throwaway containers for the Docker transport tests, driven through the `docker` CLI (not
 * dockerode, so the fixtures never share a code path with the transport under test).
 *
 * Every container runs a keepalive (`sleep 2147483647`) under Docker's `--init` (tini, installed
 * by Debian's docker.io as `/usr/bin/docker-init` and bind-mounted into the container as
 * `/sbin/docker-init`), so PID 1 reaps orphaned zombies and forwards `docker stop`'s SIGTERM;
 * it has no network (`--network none`), a unique name `execkit-test-<random>`, the label
 * `execkit-test=1`, and a label naming the process that created it so that stale containers
 * of crashed runs can be told from those of parallel test workers.
 *
 * Test support code; not part of the published build.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { DOCKER_CLI, ensureDockerEngine } from './engine.js';
import { isOwnerAlive, ownerToken, spawnCollect, type SpawnResult } from './proc.js';

/** Label (value `1`) on every container made by {@link startTestContainer}. */
export const TEST_CONTAINER_LABEL = 'execkit-test';

/** Label holding the {@link ownerToken} of the process that made the container. */
export const TEST_CONTAINER_OWNER_LABEL = 'execkit-test.owner';

/** Prefix of every test container's name. */
export const TEST_CONTAINER_NAME_PREFIX = 'execkit-test-';

/** The keepalive every test container runs (busybox and coreutils `sleep` both take it). */
export const KEEPALIVE_COMMAND: readonly string[] = ['sleep', '2147483647'];

/**
 * The labels {@link startTestContainer} puts on a container, as `key → value`. Put them on
 * containers created some other way (e.g. through dockerode in a transport test) to have
 * {@link removeTestContainers} clean those up too.
 */
export function testContainerLabels(): Record<string, string> {
  return { [TEST_CONTAINER_LABEL]: '1', [TEST_CONTAINER_OWNER_LABEL]: ownerToken() };
}

/** A fresh `execkit-test-<12 hex>` container name. */
export function uniqueTestContainerName(): string {
  return `${TEST_CONTAINER_NAME_PREFIX}${randomBytes(6).toString('hex')}`;
}

/** Options for {@link startTestContainer}. */
export interface TestContainerOptions {
  /** Container name. Default: {@link uniqueTestContainerName}. */
  name?: string;
  /** `--user` for the container (and the default for its execs), e.g. `app` or `1000:1000`. Default: root. */
  user?: string;
  /** Extra environment, `NAME=value` each. */
  env?: string[];
  /** `--workdir`. Default: the image's (`/`). */
  workdir?: string;
  /**
   * Run PID 1 under Docker's `--init` (tini). Default `true`. With `false`, PID 1 is the bare
   * keepalive `sleep`: it reaps no orphans (they stay zombies) and ignores SIGTERM (the kernel
   * drops signals without a handler for a namespace's init), so `docker stop` waits its full
   * timeout and then SIGKILLs. Use `false` only to test exactly that.
   */
  init?: boolean;
  /** Command instead of {@link KEEPALIVE_COMMAND}. */
  command?: string[];
  /** Extra labels. */
  labels?: Record<string, string>;
}

/** Options for {@link TestContainer.exec}. */
export interface TestExecOptions {
  /** `docker exec --user`; default: the container's user. */
  user?: string;
  /** Extra environment, `NAME=value` each. */
  env?: string[];
  /** `docker exec --workdir`. */
  workdir?: string;
  /** Written to the command's stdin (`docker exec -i`), which is then closed. */
  input?: string;
  /** Give up (SIGKILL the `docker exec` client and reject) after this many ms. Default 60 000. The command may go on running in the container. */
  timeoutMs?: number;
}

/** Result of {@link TestContainer.exec}. */
export interface TestExecResult {
  /**
   * Exit status of the command. Failures of `docker exec` itself also land here: 126 when the
   * command is not found or cannot be executed, or the user is unknown, with the runtime's
   * message (`OCI runtime exec failed: …`, `unable to find user …`) on **stdout** (the daemon
   * writes it into the exec's stdout stream); 1 when the container is paused or not running,
   * with the daemon's `Error response from daemon: …` on stderr.
   */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The parts of `docker inspect`'s `.State` the tests look at. */
export interface TestContainerState {
  /** `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`. */
  status: string;
  running: boolean;
  paused: boolean;
  exitCode: number;
  /** Host pid of the container's PID 1 (0 when not running). */
  pid: number;
  oomKilled: boolean;
}

/** A container started by {@link startTestContainer}. */
export interface TestContainer {
  /** Full container id. */
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** `docker stop -t <timeoutSecs>` (default 10): SIGTERM to PID 1, SIGKILL after the timeout. */
  stop(timeoutSecs?: number): Promise<void>;
  /** `docker start`: starts a stopped (or killed) container again, with the same keepalive. */
  start(): Promise<void>;
  /** `docker kill -s <signal>` to PID 1 (default `KILL`); e.g. `TERM`, `SIGHUP`, `9`. */
  kill(signal?: string): Promise<void>;
  /** `docker pause` (freezes every process in the container's cgroup). */
  pause(): Promise<void>;
  /** `docker unpause`. */
  unpause(): Promise<void>;
  /** `docker rm -f -v`: kills and removes the container (also when paused). Idempotent. */
  remove(): Promise<void>;
  /**
   * `docker exec [-i] [-u] [-e…] [-w] <id> cmd…` through the CLI, resolving with the exit
   * status and output whatever the status. Rejects only on a timeout or a missing CLI.
   */
  exec(cmd: string[], options?: TestExecOptions): Promise<TestExecResult>;
  /**
   * `ps -o pid,args` inside the container (as root), one trimmed line per process without the
   * header and without that `ps` itself, e.g. `1 /sbin/docker-init -- sleep 2147483647`. Rejects
   * when ps fails (e.g. container paused or stopped).
   */
  processes(): Promise<string[]>;
  /** `docker inspect` state, or `undefined` once the container is removed. */
  state(): Promise<TestContainerState | undefined>;
}

async function dockerCli(args: readonly string[], timeoutMs = 60_000): Promise<SpawnResult> {
  return spawnCollect(DOCKER_CLI, args, { timeoutMs });
}

async function dockerOrThrow(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const result = await dockerCli(args, timeoutMs);
  if (result.exitCode !== 0) {
    throw new Error(`docker ${args.join(' ')} failed (exit ${String(result.exitCode)}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function isNoSuchContainer(result: SpawnResult): boolean {
  return /no such container/i.test(result.stderr);
}

let staleSwept: Promise<unknown> | undefined;

/**
 * Starts a container from `image` (e.g. one of {@link ensureTestImages}'s) running the
 * keepalive, and resolves once it is running. See the module doc for how it is run. The first
 * call in a process also removes stale test containers of dead processes.
 */
export async function startTestContainer(image: string, options: TestContainerOptions = {}): Promise<TestContainer> {
  await ensureDockerEngine();
  staleSwept ??= removeTestContainers().catch(() => undefined);
  await staleSwept;
  const name = options.name ?? uniqueTestContainerName();
  const labels = { ...testContainerLabels(), ...options.labels };
  const args = ['run', '--detach', '--network', 'none', '--name', name];
  if (options.init !== false) args.push('--init');
  for (const [key, value] of Object.entries(labels)) args.push('--label', `${key}=${value}`);
  if (options.user !== undefined) args.push('--user', options.user);
  if (options.workdir !== undefined) args.push('--workdir', options.workdir);
  for (const entry of options.env ?? []) args.push('--env', entry);
  args.push(image, ...(options.command ?? KEEPALIVE_COMMAND));
  const id = (await dockerOrThrow(args, 120_000)).trim();
  return makeTestContainer(id, name, image);
}

function makeTestContainer(id: string, name: string, image: string): TestContainer {
  const container: TestContainer = {
    id,
    name,
    image,
    async stop(timeoutSecs = 10) {
      await dockerOrThrow(['stop', '--time', String(timeoutSecs), id], (timeoutSecs + 60) * 1000);
    },
    async start() {
      await dockerOrThrow(['start', id]);
    },
    async kill(signal = 'KILL') {
      await dockerOrThrow(['kill', '--signal', signal, id]);
    },
    async pause() {
      await dockerOrThrow(['pause', id]);
    },
    async unpause() {
      await dockerOrThrow(['unpause', id]);
    },
    async remove() {
      const result = await dockerCli(['rm', '--force', '--volumes', id]);
      if (result.exitCode !== 0 && !isNoSuchContainer(result)) {
        throw new Error(`docker rm -f ${name} failed: ${result.stderr.trim()}`);
      }
    },
    async exec(cmd, options = {}) {
      const args = ['exec'];
      if (options.input !== undefined) args.push('--interactive');
      if (options.user !== undefined) args.push('--user', options.user);
      if (options.workdir !== undefined) args.push('--workdir', options.workdir);
      for (const entry of options.env ?? []) args.push('--env', entry);
      args.push(id, ...cmd);
      const result = await spawnCollect(DOCKER_CLI, args, {
        timeoutMs: options.timeoutMs ?? 60_000,
        ...(options.input !== undefined ? { input: options.input } : {}),
      });
      if (result.exitCode === null) {
        throw new Error(`docker exec ${name} ${cmd.join(' ')}: the docker client died of ${String(result.signal)}`);
      }
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    },
    async processes() {
      const result = await container.exec(['ps', '-o', 'pid,args'], { user: '0' });
      if (result.exitCode !== 0) {
        throw new Error(`ps in ${name} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
      }
      return result.stdout
        .split('\n')
        .slice(1)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !/^\d+\s+ps -o pid,args$/.test(line));
    },
    async state() {
      const result = await dockerCli(['inspect', '--type', 'container', '--format', '{{json .State}}', id]);
      if (result.exitCode !== 0) {
        if (isNoSuchContainer(result)) return undefined;
        throw new Error(`docker inspect ${name} failed: ${result.stderr.trim()}`);
      }
      const raw = JSON.parse(result.stdout) as {
        Status: string;
        Running: boolean;
        Paused: boolean;
        ExitCode: number;
        Pid: number;
        OOMKilled: boolean;
      };
      return {
        status: raw.Status,
        running: raw.Running,
        paused: raw.Paused,
        exitCode: raw.ExitCode,
        pid: raw.Pid,
        oomKilled: raw.OOMKilled,
      };
    },
  };
  return container;
}

/** Options for {@link removeTestContainers}. */
export interface RemoveTestContainersOptions {
  /**
   * Remove every container labelled `execkit-test=1`, including those of other live processes
   * (parallel test workers!) and those without an owner label. Default `false`: only this
   * process's containers and those whose owner process is dead (crashed runs).
   */
  all?: boolean;
}

/**
 * Force-removes test containers (see {@link RemoveTestContainersOptions}) and resolves with the
 * names removed. Call it in `afterAll`. Idempotent.
 */
export async function removeTestContainers(options: RemoveTestContainersOptions = {}): Promise<string[]> {
  await ensureDockerEngine();
  const listed = await dockerOrThrow([
    'ps',
    '--all',
    '--no-trunc',
    '--filter',
    `label=${TEST_CONTAINER_LABEL}=1`,
    '--format',
    `{{.ID}}\t{{.Names}}\t{{.Label "${TEST_CONTAINER_OWNER_LABEL}"}}`,
  ]);
  const me = ownerToken();
  const doomed: { id: string; name: string }[] = [];
  for (const line of listed.split('\n')) {
    const [id, name, owner] = line.split('\t');
    if (!id || !name) continue;
    const mine = owner === me;
    const stale = owner !== undefined && owner !== '' && !mine && !isOwnerAlive(owner);
    if (options.all || mine || stale) doomed.push({ id, name });
  }
  if (doomed.length === 0) return [];
  const result = await dockerCli(['rm', '--force', '--volumes', ...doomed.map((c) => c.id)], 120_000);
  if (result.exitCode !== 0) {
    const unexpected = result.stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !/no such container|removal of container .* is already in progress/i.test(line));
    if (unexpected.length > 0) throw new Error(`docker rm -f failed: ${unexpected.join('\n')}`);
  }
  return doomed.map((c) => c.name);
}
