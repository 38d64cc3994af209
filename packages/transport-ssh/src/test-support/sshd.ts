/**
 * A real OpenSSH server (`/usr/sbin/sshd`) on 127.0.0.1 for integration tests of the SSH
 * transport. Every fixture lives in its own temp directory with its own config, host keys and
 * `authorized_keys` files; nothing in `/etc/ssh` is read or changed.
 *
 * Must run as root (sshd needs it for privilege separation and to switch to the test users).
 * Test support code; not part of the published build.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { constants as fsConstants, rmSync } from 'node:fs';
import { access, chmod, copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { basename, join } from 'node:path';
import {
  descendantProcesses,
  isProcessAlive,
  makeOwnedTempDir,
  processIdentity,
  runCommand,
  spawnTiedToParent,
  sshSessionProcesses,
  stopChild,
  terminateProcesses,
  type ProcessIdentity,
} from './proc.js';
import { TEST_USER_NAMES } from './users.js';

/** Where the fixture expects the OpenSSH server. */
export const SSHD_PATH = '/usr/sbin/sshd';

/** The only address fixtures listen on. */
export const LOOPBACK = '127.0.0.1';

/** Host key algorithms a fixture can generate. */
export type HostKeyType = 'ed25519' | 'rsa' | 'ecdsa';

/** Options for {@link startSshd}. */
export interface SshdOptions {
  /** Host key types to generate (ignored when `hostKeyFiles` is given). Default `['ed25519']`. */
  hostKeyTypes?: HostKeyType[];
  /**
   * Use these private host keys instead of generating new ones (they are copied into the fixture
   * directory with mode 0600; a missing `.pub` is derived with `ssh-keygen -y`). Pass another
   * fixture's `hostKeyFiles` to give a second server the same identity.
   */
  hostKeyFiles?: string[];
  /** sshd `MaxSessions` (channels of type session per connection). Unset: sshd default 10. */
  maxSessions?: number;
  /** Listen on this port instead of a free one (retries while it is still in use, up to 5 s). */
  port?: number;
  /** sshd `ClientAliveInterval` in seconds. Unset: sshd default 0 (off). */
  clientAliveInterval?: number;
  /** sshd `ClientAliveCountMax`. Unset: sshd default 3. */
  clientAliveCountMax?: number;
  /** sshd `LoginGraceTime` in seconds. Unset: sshd default 120. */
  loginGraceTime?: number;
  /** `AllowUsers`. Default: the two test users (`execkit-bash`, `execkit-dash`). */
  allowUsers?: string[];
  /**
   * Extra sshd_config lines. Lines before the first `Match` are put at the top of the file, so
   * they override the fixture's defaults (sshd uses the *first* value it reads for a keyword);
   * a `Match` block and everything after it goes to the end.
   */
  extraConfig?: string[];
  /** Give up starting after this many ms. Default 15 000. */
  startTimeoutMs?: number;
}

/** Options for {@link SshdFixture.stop}. */
export interface SshdStopOptions {
  /**
   * Only stop the listener and leave established connections (their per-connection sshd
   * processes) running, like `systemctl restart ssh`. Default `false`: every process of the
   * server is killed, like a crash or reboot, and clients see their connection close.
   */
  keepConnections?: boolean;
}

/** Options for {@link SshdFixture.restart}: everything of {@link SshdOptions} but the port. */
export interface SshdRestartOptions extends Omit<SshdOptions, 'port'>, SshdStopOptions {
  /**
   * Generate fresh host keys (of `hostKeyTypes`, or of the current types) so the server comes
   * back with a different identity. Also implied by giving `hostKeyTypes`. Default: keep the
   * current host keys, unless `hostKeyFiles` is given.
   */
  regenerateHostKeys?: boolean;
}

/** One public host key of a fixture, read from its `.pub` file. */
export interface HostPublicKey {
  /** Key type as it appears on the wire and in known_hosts, e.g. `ssh-ed25519`, `ssh-rsa`. */
  type: string;
  /** The raw public key blob (what ssh2's `hostVerifier` receives without `hostHash`). */
  blob: Buffer;
  /** `blob` in base64, as in known_hosts. */
  base64: string;
  /** OpenSSH-style SHA256 fingerprint: `SHA256:` + unpadded base64 of sha256(blob). */
  fingerprint: string;
  /** The `.pub` file line (`<type> <base64> <comment>`). */
  line: string;
  /** Path of the private key file. */
  privateKeyFile: string;
}

/** A running (or stopped, restartable) sshd; see {@link startSshd}. */
export interface SshdFixture {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The TCP port; stays the same across {@link SshdFixture.restart}. */
  readonly port: number;
  /** Pid of the current sshd listener, `undefined` while stopped. */
  readonly pid: number | undefined;
  /** Whether the listener is running. */
  readonly running: boolean;
  /** The fixture's temp directory (config, host keys, authorized_keys). */
  readonly dir: string;
  /** Directory of per-user authorized_keys files: `<authorizedKeysDir>/<username>`. */
  readonly authorizedKeysDir: string;
  /** Path of the generated sshd_config. */
  readonly configPath: string;
  /** Private host key files currently in use. */
  readonly hostKeyFiles: readonly string[];
  /** Public host keys currently in use, in the order of `hostKeyFiles`. */
  readonly hostPublicKeys: readonly HostPublicKey[];
  /**
   * Everything sshd logged (LogLevel VERBOSE, all processes, across restarts), one entry per line
   * joined with `\n`. With `sinceMark` (from {@link SshdFixture.logMark}), only later lines.
   */
  logs(sinceMark?: number): string;
  /** A mark for {@link SshdFixture.logs} / {@link SshdFixture.waitForLog}: the current line count. */
  logMark(): number;
  /**
   * Resolves with the first log line (after `sinceMark`, default 0) matching `pattern`; rejects
   * after `timeoutMs` (default 5 000). sshd logs asynchronously: wait for a line rather than
   * asserting on `logs()` right after a client call returns.
   */
  waitForLog(pattern: RegExp | string, options?: { sinceMark?: number; timeoutMs?: number }): Promise<string>;
  /**
   * known_hosts text for the current host keys: one `<hostnameForm> <type> <base64>` line per key,
   * each ending in `\n`. `hostnameForm` defaults to `[127.0.0.1]:<port>`; pass e.g. an alias, a
   * comma-separated list, `@revoked [127.0.0.1]:<port>`, or a {@link hashKnownHostsName} result.
   */
  knownHostsLine(hostnameForm?: string): string;
  /** Like {@link SshdFixture.knownHostsLine} but one array entry per key, without newlines. */
  knownHostsLines(hostnameForm?: string): string[];
  /**
   * Pids of the listener and every live descendant (per-connection sshd processes, shells…),
   * including connections kept by `stop({ keepConnections: true })` and commands still running
   * after their client disconnected (found by their `SSH_CONNECTION`).
   */
  processIds(): number[];
  /**
   * Stops the server: SIGTERM to the listener (SIGKILL after 3 s), waits until it exited and its
   * listening socket is closed; by default also kills every per-connection process (including
   * those kept by an earlier `keepConnections` stop, and commands left running by clients that
   * already disconnected): clients then see `end` + `close` and no `error`. Files stay, so the fixture can be restarted. Idempotent.
   */
  stop(options?: SshdStopOptions): Promise<void>;
  /** Stops (see {@link SshdFixture.stop}) and starts again on the same port. */
  restart(options?: SshdRestartOptions): Promise<void>;
  /** Stops and removes the temp directory. Idempotent. */
  dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Finds a free TCP port on 127.0.0.1 by binding port 0 and closing the socket again. */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

/**
 * Hashes a known_hosts host name the way `ssh-keygen -H` / `HashKnownHosts yes` do:
 * `|1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>`. `name` is e.g. `[127.0.0.1]:2222`.
 */
export function hashKnownHostsName(name: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

/** OpenSSH-style `SHA256:` fingerprint of a public key blob. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Parses one OpenSSH public key line (`<type> <base64> [comment]`). */
export function parsePublicKeyLine(line: string): { type: string; blob: Buffer; base64: string } {
  const [type, base64] = line.trim().split(/\s+/);
  if (!type || !base64) throw new Error(`not an OpenSSH public key line: ${line}`);
  return { type, blob: Buffer.from(base64, 'base64'), base64 };
}

let sshdVersionCache: Promise<[number, number] | undefined> | undefined;

/** The installed OpenSSH version as `[major, minor]` (from `sshd -V`), if it can be told. */
function sshdVersion(): Promise<[number, number] | undefined> {
  sshdVersionCache ??= new Promise((resolve) => {
    const child = spawn(SSHD_PATH, ['-V'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', () => {
      const match = /OpenSSH_(\d+)\.(\d+)/.exec(text);
      resolve(match ? [Number(match[1]), Number(match[2])] : undefined);
    });
  });
  return sshdVersionCache;
}

async function assertSshdInstalled(): Promise<void> {
  try {
    await access(SSHD_PATH, fsConstants.X_OK);
  } catch {
    throw new Error(
      `OpenSSH server not found at ${SSHD_PATH}: install openssh-server (apt-get install -y openssh-server) to run the SSH transport tests`,
    );
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('the sshd test fixture must run as root (sshd needs it to switch to the test users)');
  }
}

/** sshd refuses to start without its privilege separation directory (root-owned, not writable by others). */
async function ensurePrivsepDir(): Promise<void> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const info = await stat('/run/sshd');
  if ((info.mode & 0o022) !== 0) await chmod('/run/sshd', 0o755);
}

async function generateHostKey(dir: string, type: HostKeyType): Promise<string> {
  const file = join(dir, `ssh_host_${type}_key`);
  const bits = type === 'rsa' ? ['-b', '2048'] : type === 'ecdsa' ? ['-b', '256'] : [];
  const args = ['-q', '-t', type, ...bits, '-N', '', '-C', `execkit-test-host-${type}`, '-f', file];
  await runCommand('ssh-keygen', args);
  return file;
}

async function importHostKey(dir: string, source: string, index: number): Promise<string> {
  const file = join(dir, `${index}-${basename(source)}`);
  await copyFile(source, file);
  // sshd ignores host keys readable by group/others ("UNPROTECTED PRIVATE KEY FILE").
  await chmod(file, 0o600);
  let pub: string;
  try {
    pub = await readFile(`${source}.pub`, 'utf8');
  } catch {
    pub = (await runCommand('ssh-keygen', ['-y', '-f', file])).stdout;
  }
  await writeFile(`${file}.pub`, pub, { mode: 0o644 });
  return file;
}

async function readHostPublicKey(privateKeyFile: string): Promise<HostPublicKey> {
  const line = (await readFile(`${privateKeyFile}.pub`, 'utf8')).trim();
  const { type, blob, base64 } = parsePublicKeyLine(line);
  return { type, blob, base64, fingerprint: sshFingerprint(blob), line, privateKeyFile };
}

/** Live fixtures, killed synchronously if the process exits without disposing them. */
const liveFixtures = new Set<SshdFixtureImpl>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const fixture of liveFixtures) fixture.killSync();
  });
}

type LaunchOutcome = { kind: 'ready' } | { kind: 'addrinuse' } | { kind: 'failed'; reason: string };

class SshdFixtureImpl implements SshdFixture {
  readonly host = LOOPBACK;
  readonly authorizedKeysDir: string;
  readonly configPath: string;
  #port = 0;
  #child: ChildProcess | undefined;
  #listener: ProcessIdentity | undefined;
  #hostKeyFiles: string[] = [];
  #hostPublicKeys: HostPublicKey[] = [];
  #hostKeyGeneration = 0;
  #options: SshdOptions;
  #lines: string[] = [];
  #partial = '';
  #lineWaiters = new Set<() => void>();
  #disposed = false;
  /** Processes of connections left running by `stop({ keepConnections: true })`. */
  #orphans: ProcessIdentity[] = [];

  constructor(
    readonly dir: string,
    options: SshdOptions,
  ) {
    this.authorizedKeysDir = join(dir, 'authorized_keys');
    this.configPath = join(dir, 'sshd_config');
    this.#options = { ...options };
  }

  get port(): number {
    return this.#port;
  }
  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }
  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }
  get hostKeyFiles(): readonly string[] {
    return this.#hostKeyFiles;
  }
  get hostPublicKeys(): readonly HostPublicKey[] {
    return this.#hostPublicKeys;
  }

  logs(sinceMark = 0): string {
    return this.#lines.slice(sinceMark).join('\n');
  }
  logMark(): number {
    return this.#lines.length;
  }

  waitForLog(
    pattern: RegExp | string,
    options: { sinceMark?: number; timeoutMs?: number } = {},
  ): Promise<string> {
    const matches = (line: string) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line));
    let index = options.sinceMark ?? 0;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (; index < this.#lines.length; index++) {
          const line = this.#lines[index];
          if (line !== undefined && matches(line)) {
            cleanup();
            resolve(line);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `sshd did not log ${String(pattern)} within ${options.timeoutMs ?? 5_000} ms; log:\n${this.logs(options.sinceMark ?? 0)}`,
          ),
        );
      }, options.timeoutMs ?? 5_000);
      const waiter = () => void check();
      const cleanup = () => {
        clearTimeout(timer);
        this.#lineWaiters.delete(waiter);
      };
      if (!check()) this.#lineWaiters.add(waiter);
    });
  }

  knownHostsLines(hostnameForm = `[${LOOPBACK}]:${this.#port}`): string[] {
    return this.#hostPublicKeys.map((key) => `${hostnameForm} ${key.type} ${key.base64}`);
  }
  knownHostsLine(hostnameForm?: string): string {
    return this.knownHostsLines(hostnameForm)
      .map((line) => `${line}\n`)
      .join('');
  }

  processIds(): number[] {
    const pid = this.#child?.pid;
    const orphans = this.#orphans.filter((p) => isProcessAlive(p)).map((p) => p.pid);
    if (pid === undefined || !this.running) return orphans;
    const all = [pid, ...descendantProcesses(pid).map((p) => p.pid), ...orphans];
    for (const p of sshSessionProcesses(LOOPBACK, this.#port)) all.push(p.pid);
    return [...new Set(all)];
  }

  #log(line: string): void {
    this.#lines.push(line);
    for (const waiter of [...this.#lineWaiters]) waiter();
  }

  #onStderr(chunk: Buffer): void {
    const text = this.#partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) this.#log(part.replace(/\r$/, ''));
  }

  async setUpHostKeys(options: SshdOptions, regenerate: boolean): Promise<void> {
    if (!options.hostKeyFiles && !regenerate && this.#hostKeyFiles.length > 0) return;
    const keyDir = join(this.dir, `hostkeys-${++this.#hostKeyGeneration}`);
    await mkdir(keyDir, { mode: 0o700 });
    const files: string[] = [];
    if (options.hostKeyFiles && options.hostKeyFiles.length > 0) {
      for (const [index, source] of options.hostKeyFiles.entries()) {
        files.push(await importHostKey(keyDir, source, index));
      }
    } else {
      const types = options.hostKeyTypes ?? this.#currentHostKeyTypes() ?? ['ed25519'];
      if (types.length === 0) throw new Error('hostKeyTypes must not be empty');
      for (const type of new Set(types)) files.push(await generateHostKey(keyDir, type));
    }
    this.#hostKeyFiles = files;
    this.#hostPublicKeys = await Promise.all(files.map(readHostPublicKey));
  }

  #currentHostKeyTypes(): HostKeyType[] | undefined {
    if (this.#hostPublicKeys.length === 0) return undefined;
    return this.#hostPublicKeys.map((key) =>
      key.type === 'ssh-ed25519' ? 'ed25519' : key.type === 'ssh-rsa' ? 'rsa' : 'ecdsa',
    );
  }

  async #writeConfig(port: number): Promise<void> {
    const options = this.#options;
    const version = await sshdVersion();
    const extra = options.extraConfig ?? [];
    const matchAt = extra.findIndex((line) => /^\s*match\s/i.test(line));
    const extraTop = matchAt < 0 ? extra : extra.slice(0, matchAt);
    const extraMatch = matchAt < 0 ? [] : extra.slice(matchAt);
    const users = options.allowUsers ?? [...TEST_USER_NAMES];
    for (const path of [this.dir, ...this.#hostKeyFiles]) {
      if (/\s/.test(path)) throw new Error(`sshd fixture paths must not contain whitespace: ${path}`);
    }
    const lines = [
      '# Generated by @execkit/transport-ssh test-support. sshd keeps the FIRST value of a keyword.',
      ...extraTop,
      `ListenAddress ${LOOPBACK}`,
      `Port ${port}`,
      'AddressFamily inet',
      ...this.#hostKeyFiles.map((file) => `HostKey ${file}`),
      'PidFile none',
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication yes',
      'PermitEmptyPasswords no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `AuthorizedKeysFile ${this.authorizedKeysDir}/%u`,
      'PermitRootLogin no',
      'AllowTcpForwarding yes',
      'X11Forwarding no',
      'PermitUserEnvironment no',
      `AllowUsers ${users.join(' ')}`,
      'LogLevel VERBOSE',
      'PrintMotd no',
      'PrintLastLog no',
      'UseDNS no',
      // Default 10:30:100 randomly drops unauthenticated connections beyond 10: flaky in tests
      // that open many connections at once.
      'MaxStartups 200',
      ...(options.maxSessions !== undefined ? [`MaxSessions ${options.maxSessions}`] : []),
      ...(options.clientAliveInterval !== undefined ? [`ClientAliveInterval ${options.clientAliveInterval}`] : []),
      ...(options.clientAliveCountMax !== undefined ? [`ClientAliveCountMax ${options.clientAliveCountMax}`] : []),
      ...(options.loginGraceTime !== undefined ? [`LoginGraceTime ${options.loginGraceTime}`] : []),
      // OpenSSH >= 9.8 penalises (refuses) source addresses after failed auths or crashes; every
      // test connects from 127.0.0.1, so one negative test would break the following ones.
      ...(version && (version[0] > 9 || (version[0] === 9 && version[1] >= 8)) ? ['PerSourcePenalties no'] : []),
      // No Subsystem (no sftp) and no AcceptEnv on purpose.
      ...extraMatch,
      '',
    ];
    await writeFile(this.configPath, lines.join('\n'), { mode: 0o644 });
  }

  /** Starts sshd; with `fixedPort`, on that port (waiting while it is still in use). */
  async launch(fixedPort: number | undefined): Promise<void> {
    const deadline = Date.now() + (this.#options.startTimeoutMs ?? 15_000);
    let lastFailure = '';
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      const port = fixedPort ?? (await pickFreePort());
      await this.#writeConfig(port);
      const outcome = await this.#spawnAndWait(port, deadline);
      if (outcome.kind === 'ready') {
        this.#port = port;
        return;
      }
      if (outcome.kind === 'failed') {
        throw new Error(`sshd failed to start on ${LOOPBACK}:${port}: ${outcome.reason}\nsshd log:\n${this.logs()}`);
      }
      lastFailure = `port ${port} in use (attempt ${attempt})`;
      if (fixedPort !== undefined) await sleep(100);
    }
    throw new Error(`sshd did not start within the timeout: ${lastFailure}\nsshd log:\n${this.logs()}`);
  }

  #spawnAndWait(port: number, deadline: number): Promise<LaunchOutcome> {
    const mark = this.logMark();
    this.#log(`--- execkit fixture: starting sshd on ${LOOPBACK}:${port} ---`);
    // sshd must be started by absolute path (it re-executes itself for every connection).
    const child = spawnTiedToParent(SSHD_PATH, ['-D', '-e', '-f', this.configPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#child = child;
    child.stderr?.on('data', (chunk: Buffer) => this.#onStderr(chunk));
    child.unref();
    (child.stderr as Socket | null)?.unref();
    child.once('exit', (code, signal) => {
      if (this.#partial) {
        this.#log(this.#partial);
        this.#partial = '';
      }
      this.#log(`--- execkit fixture: sshd pid ${String(child.pid)} exited (${signal ?? `code ${String(code)}`}) ---`);
    });

    return new Promise<LaunchOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: LaunchOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(outcome);
      };
      const onExit = () => {
        const log = this.logs(mark);
        finish(/Address already in use|Cannot bind any address/.test(log) ? { kind: 'addrinuse' } : { kind: 'failed', reason: `sshd exited: ${log}` });
      };
      child.once('exit', onExit);
      child.once('error', (error) => finish({ kind: 'failed', reason: error.message }));
      const timer = setTimeout(() => {
        finish({ kind: 'failed', reason: 'timed out waiting for sshd to listen' });
        child.kill('SIGKILL');
      }, Math.max(0, deadline - Date.now()));
      // First the log line (so we know it is *our* sshd that bound the port), then the banner.
      this.waitForLog(`Server listening on ${LOOPBACK} port ${port}`, {
        sinceMark: mark,
        timeoutMs: Math.max(1, deadline - Date.now()),
      }).then(
        async () => {
          try {
            await this.#probeBanner(port, deadline);
            this.#listener = child.pid !== undefined ? processIdentity(child.pid) : undefined;
            liveFixtures.add(this);
            installExitHook();
            finish({ kind: 'ready' });
          } catch (error) {
            finish({ kind: 'failed', reason: (error as Error).message });
            child.kill('SIGKILL');
          }
        },
        () => {
          /* the exit or timeout handler reports */
        },
      );
    });
  }

  /** Connects, waits for `SSH-2.0-…\r\n`, disconnects, and waits until sshd logged the probe's end. */
  async #probeBanner(port: number, deadline: number): Promise<void> {
    for (;;) {
      const mark = this.logMark();
      const result = await new Promise<{ banner?: string; localPort?: number; error?: NodeJS.ErrnoException }>(
        (resolve) => {
          const socket = connect({ host: LOOPBACK, port });
          let data = '';
          const timer = setTimeout(() => {
            socket.destroy();
            resolve({ error: Object.assign(new Error('no banner within 2 s'), { code: 'ETIMEDOUT' }) });
          }, 2_000);
          socket.on('data', (chunk: Buffer) => {
            data += chunk.toString('latin1');
            const end = data.indexOf('\n');
            if (end >= 0) {
              clearTimeout(timer);
              const localPort = socket.localPort;
              socket.destroy();
              resolve({ banner: data.slice(0, end).trim(), ...(localPort !== undefined ? { localPort } : {}) });
            }
          });
          socket.on('error', (error: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            resolve({ error });
          });
          socket.on('close', () => {
            clearTimeout(timer);
            resolve({ error: Object.assign(new Error(`connection closed before banner: ${data}`), { code: 'ECONNRESET' }) });
          });
        },
      );
      if (result.banner !== undefined) {
        if (!result.banner.startsWith('SSH-2.0-')) throw new Error(`unexpected banner on port ${port}: ${result.banner}`);
        // Let sshd log the probe's disconnect now, so it does not show up in a test's log window.
        if (result.localPort !== undefined) {
          await this.waitForLog(new RegExp(`(?<!Connection from ${LOOPBACK} )port ${result.localPort}\\b(?! on )`), {
            sinceMark: mark,
            timeoutMs: 2_000,
          }).catch(() => undefined);
        }
        return;
      }
      if (Date.now() >= deadline) throw new Error(`no SSH banner on port ${port}: ${result.error?.message ?? ''}`);
      await sleep(25);
    }
  }

  async stop(options: SshdStopOptions = {}): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const pid = child.pid;
    const wasRunning = this.running;
    if (this.running && pid !== undefined) {
      child.ref();
      // Freeze the listener so it accepts no connection between the snapshot and the kill.
      try {
        process.kill(pid, 'SIGSTOP');
      } catch {
        /* exited meanwhile */
      }
      const descendants = descendantProcesses(pid);
      const exited = stopChild(child, 3_000);
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* exited meanwhile */
      }
      await exited;
      // Once the listener is gone its children are re-parented, so remember them now.
      this.#orphans = [...this.#orphans, ...descendants].filter((p) => isProcessAlive(p));
    }
    // Commands whose client already disconnected are no longer sshd's descendants; find them by
    // their SSH_CONNECTION (only while the port is surely still ours).
    const stragglers = wasRunning || this.#orphans.length > 0 ? sshSessionProcesses(LOOPBACK, this.#port) : [];
    if (!options.keepConnections && this.#orphans.length + stragglers.length > 0) {
      const victims = [...this.#orphans, ...stragglers];
      this.#orphans = [];
      if (!(await terminateProcesses(victims, 2_000))) {
        throw new Error(`sshd connection processes survived SIGKILL: ${victims.map((p) => p.pid).join(', ')}`);
      }
    }
    this.#listener = undefined;
    if (this.#orphans.length === 0) liveFixtures.delete(this);
    if (await isPortAccepting(this.#port)) {
      throw new Error(`port ${this.#port} still accepts connections after sshd (pid ${String(pid)}) exited`);
    }
  }

  async restart(options: SshdRestartOptions = {}): Promise<void> {
    if (this.#disposed) throw new Error('sshd fixture is disposed');
    const { keepConnections, regenerateHostKeys, ...rest } = options;
    await this.stop({ keepConnections: keepConnections ?? false });
    this.#options = { ...this.#options, ...rest };
    if (!rest.hostKeyFiles) delete this.#options.hostKeyFiles;
    await this.setUpHostKeys(rest, regenerateHostKeys === true || rest.hostKeyTypes !== undefined);
    await this.launch(this.#port);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    try {
      await this.stop();
    } finally {
      this.#disposed = true;
      liveFixtures.delete(this);
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Synchronous last-resort cleanup from the process `exit` hook. */
  killSync(): void {
    const pid = this.#child?.pid;
    const all = [...this.#orphans];
    if (pid !== undefined && this.#listener && isProcessAlive(this.#listener)) {
      all.push(this.#listener, ...descendantProcesses(pid));
    }
    if (all.length > 0) all.push(...sshSessionProcesses(LOOPBACK, this.#port));
    for (const p of all) {
      if (isProcessAlive(p)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` right now. */
export function isPortAccepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    const done = (accepting: boolean) => {
      socket.destroy();
      resolve(accepting);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Starts a real sshd on 127.0.0.1 in a fresh temp directory and resolves once it answers with its
 * `SSH-2.0-` banner. Throws (never skips) when sshd is not installed.
 *
 * Authorize client keys with `authorizeKeys(fixture, users)` from `users.ts`; the test users must
 * exist (`ensureTestUsers()`) and have a password set, or sshd refuses them as locked accounts.
 *
 * @example
 * ```ts
 * const users = await ensureTestUsers();
 * const sshd = await startSshd({ maxSessions: 2 });
 * await authorizeKeys(sshd, users);
 * // … connect to sshd.host:sshd.port …
 * await sshd.dispose();
 * ```
 */
export async function startSshd(options: SshdOptions = {}): Promise<SshdFixture> {
  await assertSshdInstalled();
  await ensurePrivsepDir();
  const dir = await makeOwnedTempDir('execkit-sshd-', 0o755);
  const fixture = new SshdFixtureImpl(dir, options);
  try {
    // sshd reads authorized_keys *as the target user*: every directory on the path must be
    // traversable by others (mkdtemp creates 0700) and the files readable.
    await chmod(dir, 0o755);
    await mkdir(fixture.authorizedKeysDir, { mode: 0o755 });
    await chmod(fixture.authorizedKeysDir, 0o755);
    await fixture.setUpHostKeys(options, true);
    await fixture.launch(options.port);
    return fixture;
  } catch (error) {
    await fixture.dispose().catch(() => undefined);
    throw error;
  }
}
