/**
 * Makes sure a Docker Engine answers before the Docker transport tests run: if none does, starts
 * `dockerd` (as root) in the background and waits for it. The tests never skip for want of an
 * engine: they fail with a message saying what to install or start.
 *
 * In CI, `.ci/run` starts dockerd before the tests; this is for a developer machine. A dockerd
 * started here is left running for the other test files (and later runs); one that was already
 * running is never touched.
 *
 * Test support code; not part of the published build.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isRoot, sleep, spawnCollect } from './proc.js';

/** The `docker` CLI the fixtures run: `$EXECKIT_DOCKER_CLI`, or `docker` from `PATH`. */
export const DOCKER_CLI = process.env['EXECKIT_DOCKER_CLI'] ?? 'docker';

/** The engine's default Unix socket. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** How long {@link ensureDockerEngine} waits for a dockerd it started. */
export const DOCKERD_START_TIMEOUT_MS = 60_000;

/**
 * The Unix socket the engine is expected on: the path of `DOCKER_HOST` when that is a
 * `unix://` URL, otherwise {@link DEFAULT_DOCKER_SOCKET}. Pass it to dockerode as `socketPath`.
 */
export function dockerSocketPath(): string {
  const host = process.env['DOCKER_HOST'];
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return DEFAULT_DOCKER_SOCKET;
}

/**
 * Whether the engine answers `GET /_ping` with `OK` on `socketPath` (default
 * {@link dockerSocketPath}) within `timeoutMs`. Never rejects.
 */
export function pingDockerEngine(socketPath: string = dockerSocketPath(), timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'OK'));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Whether `docker info` succeeds (covers a `DOCKER_HOST` or CLI context that is not a socket). */
async function dockerInfoWorks(): Promise<boolean> {
  try {
    const result = await spawnCollect(DOCKER_CLI, ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 });
    return result.exitCode === 0 && result.stdout.trim() !== '';
  } catch {
    return false;
  }
}

async function engineAnswers(): Promise<boolean> {
  return (await pingDockerEngine()) || (await dockerInfoWorks());
}

function findOnPath(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, fsConstants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

let startedLog: string | undefined;

/** Where the log of a dockerd started by this process goes, if {@link ensureDockerEngine} started one. */
export function startedDockerdLog(): string | undefined {
  return startedLog;
}

let ensured: Promise<void> | undefined;

/**
 * Resolves once a Docker Engine answers on {@link dockerSocketPath} (or `docker info` works).
 *
 * If none answers and this process is root, starts `dockerd` detached in the background (its log
 * goes to `<tmpdir>/execkit-dockerd-XXXXXX/dockerd.log`, see {@link startedDockerdLog}) and waits up to
 * {@link DOCKERD_START_TIMEOUT_MS} for it. That dockerd is left running when the tests end, so
 * other test files (and parallel workers) can use it. Two workers racing to start one is fine:
 * the loser's dockerd exits on the taken pid file and both wait for the winner.
 *
 * Rejects with a message saying what to do when docker.io is not installed, when not root, or
 * when dockerd does not come up (with the tail of its log). Memoized per process.
 */
export function ensureDockerEngine(): Promise<void> {
  ensured ??= ensureDockerEngineUncached().catch((error: unknown) => {
    ensured = undefined;
    throw error;
  });
  return ensured;
}

async function ensureDockerEngineUncached(): Promise<void> {
  if (await engineAnswers()) return;
  const socket = dockerSocketPath();
  const dockerd = findOnPath('dockerd');
  if (!dockerd) {
    throw new Error(
      `no Docker Engine answers on ${socket} and dockerd is not installed: install Debian's docker.io ` +
        '(apt-get install -y docker.io) and start it (dockerd &, or systemctl start docker) to run the Docker transport tests',
    );
  }
  if (!isRoot()) {
    throw new Error(
      `no Docker Engine answers on ${socket}: start dockerd as root (sudo dockerd &, or sudo systemctl start docker) ` +
        'and make the socket usable by this user, then run the Docker transport tests again',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'execkit-dockerd-'));
  const log = join(dir, 'dockerd.log');
  const fd = openSync(log, 'a', 0o600);
  const args = socket === DEFAULT_DOCKER_SOCKET ? [] : ['--host', `unix://${socket}`];
  let exited: string | undefined;
  let exitedAt = 0;
  const onGone = (why: string) => {
    exited = why;
    exitedAt = Date.now();
  };
  try {
    const child = spawn(dockerd, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', (error) => onGone(`could not spawn: ${error.message}`));
    child.on('exit', (code, signal) => onGone(`exited: ${signal ?? `status ${String(code)}`}`));
    child.unref();
  } finally {
    closeSync(fd);
  }
  startedLog = log;
  const until = Date.now() + DOCKERD_START_TIMEOUT_MS;
  while (Date.now() < until) {
    if (await engineAnswers()) return;
    // Ours died (e.g. another worker's dockerd holds the pid file): give that one a while longer.
    if (exited !== undefined && Date.now() - exitedAt > 15_000) break;
    await sleep(250);
  }
  throw new Error(
    `started ${dockerd} ${args.join(' ')} but no Docker Engine answered on ${socket}` +
      `${exited ? ` (dockerd ${exited})` : ` within ${DOCKERD_START_TIMEOUT_MS / 1000} s`}; ` +
      `is docker.io installed and working (apt-get install -y docker.io)? Last lines of ${log}:\n${tail(log, 20)}`,
  );
}
