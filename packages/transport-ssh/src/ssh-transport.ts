import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyAuthMethod } from 'ssh2';
import {
  InvalidOptionsError,
  TRANSPORT_SPECIFICATION_VERSION,
  newLaunchTag,
  TransportError,
  TransportStartError,
  quoteShellWord,
  signalScript,
  type ShellChannel,
  type ShellChannelCloseInfo,
  type ShellChannelHandlers,
  type ShellOpenOptions,
  type SideCommandOptions,
  type SideCommandResult,
  type Transport,
} from '@execkit/core';
import { homeDirectory, localUserName, resolveHostConfig, resolveJumpHost, type ResolvedHostConfig, type SshConfigOptions } from './config/index.js';
import { checkPrivateKeyPermissions, loadPrivateKey, resolvePermittedKeyPath } from './keys/index.js';
import { HostKeyError } from './errors.js';
import { parseFingerprint, parseKnownHosts, preferredHostKeyAlgorithms, recordKnownHost, verifyHostKey } from './host-keys/index.js';
import { ChannelOpenRefused, SshConnection, type ConnectionSettings, type Endpoint } from './connection.js';
import { attachShellChannel, remoteShellCommand } from './shell-channel.js';

/**
 * How host keys are checked (known_hosts in the format of sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"):
 * - `strict`: only hosts already in known_hosts are accepted.
 * - `accept-new` (default): unknown hosts are learned (one line appended); changed keys refused.
 * - `insecure-accept-any`: any key is accepted and nothing is written. Operator opt-in only:
 *   it gives up protection against a machine in the middle.
 *
 * A key marked `@revoked` is refused under every policy. Giving `fingerprint` pins the target's
 * key instead (known_hosts is then used only for `@revoked` and for jump hosts).
 */
export type HostKeyPolicy = 'strict' | 'accept-new' | 'insecure-accept-any';

/** Options for {@link createSshTransport}. Explicit options override ssh_config. */
export interface SshTransportOptions {
  /** Host name, address or ssh_config `Host` alias. */
  host: string;
  /** Port. Default: ssh_config `Port`, else 22. */
  port?: number;
  /** Login name. Default: ssh_config `User`, else the local user name. */
  user?: string;
  /** Password for password authentication. Never logged or put in errors. */
  password?: string;
  /**
   * A private key file (OpenSSH or PEM format), absolute or relative to `keyDir`. Must resolve,
   * symlinks followed, to a regular file inside `keyDir`, not readable by group or others.
   */
  privateKeyPath?: string;
  /** Passphrase of an encrypted private key. Never logged or put in errors. */
  passphrase?: string;
  /** ssh-agent socket. Default `$SSH_AUTH_SOCK`; `false` never uses an agent. */
  agent?: string | false;
  /** The directory private key paths must stay inside. Default `~/.ssh`. */
  keyDir?: string;
  /** known_hosts file. Default `~/.ssh/known_hosts`. */
  knownHostsPath?: string;
  /** See {@link HostKeyPolicy}. Default `accept-new`. */
  hostKeyPolicy?: HostKeyPolicy;
  /**
   * Pins the target's host key: `SHA256:<base64>` (as `ssh-keygen -l` prints), 64 hex digits
   * of the SHA-256, or `MD5:aa:bb:…`.
   */
  fingerprint?: string;
  /** ssh_config file (ssh_config(5)). Default `~/.ssh/config`; `false` reads none. */
  sshConfigPath?: string | false;
  /** Time allowed for TCP connect + handshake + authentication per hop, in ms. Default: `ConnectTimeout`, else 15_000. */
  connectTimeoutMs?: number;
  /** Keepalive interval in ms; 0 disables. Default: `ServerAliveInterval`, else 15_000. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as lost. Default: `ServerAliveCountMax`, else 3. */
  keepaliveCountMax?: number;
  /** Channels per connection (sshd's `MaxSessions`); more sessions open more connections. Default 10. */
  maxChannelsPerConnection?: number;
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

interface ResolvedTarget {
  chain: Endpoint[];
  settings: ConnectionSettings;
  description: string;
}

/**
 * A transport that runs session shells on a remote host over SSH (ssh2), one exec channel per
 * session (no PTY, stdout and stderr apart), with OpenSSH-compatible host key checking and
 * ssh_config resolution (aliases, ProxyJump chains, Include, Match host). Connections are opened
 * on first use and shared by sessions up to `maxChannelsPerConnection` channels each.
 *
 * @throws InvalidOptionsError at once for malformed options (host, port, fingerprint…)
 * @returns a reconnectable {@link Transport} of kind `ssh`. `openShell` throws HostKeyError,
 *   AuthenticationError, InvalidKeyError, KeyNotPermittedError or TransportStartError.
 */
export function createSshTransport(options: SshTransportOptions): Transport {
  return new SshTransport(options);
}

class SshTransport implements Transport {
  readonly specificationVersion = TRANSPORT_SPECIFICATION_VERSION;
  readonly kind = 'ssh';
  readonly reconnectable = true;
  target: string;
  private resolved: Promise<ResolvedTarget> | undefined;
  private readonly connections: SshConnection[] = [];
  private connecting: Promise<SshConnection> | undefined;
  private closing = false;

  constructor(private readonly options: SshTransportOptions) {
    validateOptions(options);
    this.target = `${options.user ? `${options.user}@` : ''}${options.host}${options.port ? `:${options.port}` : ''}`;
  }

  async openShell(open: ShellOpenOptions, handlers: ShellChannelHandlers): Promise<ShellChannel> {
    const { connection, channel } = await this.openChannel((tag) => remoteShellCommand(tag, open), true);
    const tag = channel.tag;
    let closedByUs = false;
    let lost = false;
    const wired = attachShellChannel(channel.stream, tag, handlers, () => (closedByUs ? 'closed' : lost ? 'lost' : undefined));
    const stopWatching = connection.onLoss((error) => {
      lost = true;
      wired.close({ exitCode: null, signal: null, reason: 'lost', error: new TransportError(`connection lost: ${error.message}`) });
    });
    void wired.closed.then(stopWatching);
    let pid: number;
    try {
      pid = await wired.pid;
    } catch (error) {
      channel.stream.close();
      throw new TransportStartError(`No shell started on ${this.target}: ${(error as Error).message}`);
    }
    const close = async () => {
      if (closedByUs) return void (await wired.closed);
      closedByUs = true;
      if (!connection.isEnded) {
        // Closing the channel only closes the shell's pipes; background jobs would live on.
        await this.runOn(connection, signalScript(pid, 'KILL', 'group'), { timeoutMs: 5_000 }).catch(() => undefined);
        channel.stream.close();
      }
      const timer = setTimeout(() => wired.close({ exitCode: null, signal: 'SIGKILL', reason: 'closed' }), 5_000);
      await wired.closed;
      clearTimeout(timer);
    };
    return {
      write: (data) => {
        if (closedByUs || lost) return;
        channel.stream.write(data);
        connection.flushWrites();
      },
      close,
    };
  }

  async runSideCommand(command: string, options: SideCommandOptions = {}): Promise<SideCommandResult> {
    const { channel } = await this.openChannel(() => `exec sh -c ${quoteShellWord(command)}`, false);
    return collect(channel.stream, options, this.target);
  }

  async close(): Promise<void> {
    this.closing = true;
    const connecting = this.connecting;
    if (connecting) await connecting.catch(() => undefined);
    for (const connection of this.connections.splice(0)) connection.close();
  }

  private async runOn(connection: SshConnection, command: string, options: SideCommandOptions): Promise<SideCommandResult> {
    const stream = await connection.exec(`exec sh -c ${quoteShellWord(command)}`, false);
    return collect(stream, options, this.target);
  }

  /** Opens a channel on a connection with room, opening connections as needed. */
  private async openChannel(
    command: (tag: string) => string,
    shell: boolean,
  ): Promise<{ connection: SshConnection; channel: { stream: Awaited<ReturnType<SshConnection['exec']>>; tag: string } }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const connection = await this.connectionWithRoom(shell);
      const tag = newLaunchTag();
      try {
        const stream = await connection.exec(command(tag), shell);
        return { connection, channel: { stream, tag } };
      } catch (error) {
        if (error instanceof ChannelOpenRefused) {
          // The server allows fewer channels than assumed: this connection is full.
          connection.capacity = Math.max(1, connection.channels);
          continue;
        }
        if (connection.isEnded) continue;
        throw new TransportError(`Could not open a channel on ${this.target}: ${(error as Error).message}`, { cause: error });
      }
    }
    throw new TransportError(`Could not open a channel on ${this.target}: the server refused every attempt.`);
  }

  private async connectionWithRoom(shell: boolean): Promise<SshConnection> {
    for (;;) {
      if (this.closing) throw new TransportError('The transport is closed.');
      for (let index = this.connections.length - 1; index >= 0; index--) {
        if (this.connections[index]!.isEnded) this.connections.splice(index, 1);
      }
      // A shell leaves one channel free on its connection for the side commands that signal it.
      const room = this.connections.find((c) => (shell ? c.channels < c.capacity - 1 : c.channels < c.capacity));
      if (room) return room;
      if (this.connecting) {
        // Someone is opening a connection already: wait for it, then look for room again.
        await this.connecting.catch(() => undefined);
        continue;
      }
      this.connecting = this.connect();
      try {
        const connection = await this.connecting;
        this.connections.push(connection);
      } finally {
        this.connecting = undefined;
      }
    }
  }

  private async connect(): Promise<SshConnection> {
    this.resolved ??= this.resolve();
    let target: ResolvedTarget;
    try {
      target = await this.resolved;
    } catch (error) {
      this.resolved = undefined;
      throw error;
    }
    return SshConnection.open(target.chain, target.settings);
  }

  /** Reads ssh_config, loads keys and builds the hop chain. Runs once per transport. */
  private async resolve(): Promise<ResolvedTarget> {
    const options = this.options;
    const home = homeDirectory();
    const sshDir = join(home, '.ssh');
    const configPath = options.sshConfigPath === false ? undefined : (options.sshConfigPath ?? join(sshDir, 'config'));
    const configOptions: SshConfigOptions = { configPath: configPath ?? '/dev/null', homeDir: home };
    const config = resolveHostConfig(options.host, {
      ...configOptions,
      ...(options.user !== undefined ? { user: options.user } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
    const knownHostsPath = options.knownHostsPath ?? join(sshDir, 'known_hosts');
    const policy = options.hostKeyPolicy ?? 'accept-new';
    const agent = options.agent === false ? undefined : (options.agent ?? process.env.SSH_AUTH_SOCK);
    const keyDir = options.keyDir ?? sshDir;

    // The caller's key: confined to the key directory.
    const explicitKeys: AnyAuthMethod[] = [];
    if (options.privateKeyPath !== undefined) {
      const path = await resolvePermittedKeyPath(options.privateKeyPath, keyDir);
      await checkPrivateKeyPermissions(path);
      const key = await loadPrivateKey(path, options.passphrase);
      explicitKeys.push({ type: 'publickey', username: '', key: key.data, ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }) });
    }

    const settings: ConnectionSettings = {
      connectTimeoutMs: options.connectTimeoutMs ?? config.connectTimeoutMs ?? 15_000,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? config.serverAliveIntervalMs ?? 15_000,
      keepaliveCountMax: options.keepaliveCountMax ?? config.serverAliveCountMax ?? 3,
      maxChannels: options.maxChannelsPerConnection ?? 10,
    };

    const knownHostsText = await readFile(knownHostsPath, 'utf8').catch(() => '');
    const entries = parseKnownHosts(knownHostsText);

    const endpoint = async (
      hop: ResolvedHostConfig,
      overrides: { user?: string; port?: number; password?: string; pinned?: string; keys: AnyAuthMethod[] },
    ): Promise<Endpoint> => {
      const user = overrides.user ?? hop.user ?? localUserName();
      const port = overrides.port ?? hop.port ?? 22;
      const hostKeyName = hop.hostKeyAlias ?? hop.hostName;
      const auth: AnyAuthMethod[] = [];
      for (const key of overrides.keys) auth.push({ ...key, username: user } as AnyAuthMethod);
      if (overrides.password !== undefined) auth.push({ type: 'password', username: user, password: overrides.password });
      if (overrides.keys.length === 0 || !hop.identitiesOnly) {
        for (const file of await configuredIdentities(hop, sshDir)) auth.push({ type: 'publickey', username: user, key: file });
      }
      if (agent && !hop.identitiesOnly) auth.push({ type: 'agent', username: user, agent });
      return {
        hostKeyName,
        hostName: hop.hostName,
        port,
        user,
        auth,
        serverHostKeyAlgorithms: overrides.pinned ? undefined : preferredHostKeyAlgorithms(entries, hostKeyName, port),
        verifyHostKey: async (keyBlob) => {
          const pinned = overrides.pinned;
          if (pinned) {
            await verifyHostKey({ host: hostKeyName, port, keyBlob, policy: 'pinned', knownHostsPath, fingerprint: pinned });
            return {};
          }
          if (policy !== 'accept-new') {
            await verifyHostKey({ host: hostKeyName, port, keyBlob, policy, knownHostsPath });
            return {};
          }
          // accept-new: an unknown host is accepted for now and written to known_hosts only after
          // the server has proved it holds the key.
          try {
            await verifyHostKey({ host: hostKeyName, port, keyBlob, policy: 'strict', knownHostsPath });
            return {};
          } catch (error) {
            if (!(error instanceof HostKeyError) || error.rejection !== 'unknown') throw error;
            return { learn: () => recordKnownHost({ host: hostKeyName, port, keyBlob, knownHostsPath }) };
          }
        },
      };
    };

    const chain: Endpoint[] = [];
    for (const jump of config.proxyJump) {
      chain.push(await endpoint(resolveJumpHost(jump, configOptions), { keys: explicitKeys }));
    }
    chain.push(
      await endpoint(config, {
        ...(options.user ? { user: options.user } : {}),
        ...(options.port ? { port: options.port } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
        ...(options.fingerprint ? { pinned: options.fingerprint } : {}),
        keys: explicitKeys,
      }),
    );
    const last = chain[chain.length - 1]!;
    this.target = `${last.user}@${options.host}${last.port === 22 ? '' : `:${last.port}`}`;
    return { chain, settings, description: this.target };
  }
}

/** IdentityFile entries from ssh_config (operator-controlled), else OpenSSH's default key files; missing or unusable files skipped. */
async function configuredIdentities(hop: ResolvedHostConfig, sshDir: string): Promise<Buffer[]> {
  const files = hop.identityFiles.length > 0 ? hop.identityFiles : DEFAULT_IDENTITIES.map((name) => join(sshDir, name));
  const keys: Buffer[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    try {
      await checkPrivateKeyPermissions(file);
      keys.push((await loadPrivateKey(file)).data);
    } catch {
      // Encrypted without a passphrase, too open, unparseable: OpenSSH skips these too.
    }
  }
  return keys;
}

function collect(
  stream: Awaited<ReturnType<SshConnection['exec']>>,
  options: SideCommandOptions,
  target: string,
): Promise<SideCommandResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let exitCode: number | null = null;
    const timer = setTimeout(() => {
      stream.close();
      reject(new TransportError(`A side command on ${target} did not finish within ${timeoutMs} ms.`));
    }, timeoutMs);
    const onAbort = () => {
      clearTimeout(timer);
      stream.close();
      reject(new TransportError(`A side command on ${target} was cancelled.`));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => stdout.push(chunk));
    stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    stream.on('exit', (code: number | null) => {
      if (typeof code === 'number') exitCode = code;
    });
    stream.on('close', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

function validateOptions(options: SshTransportOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('options', 'must be an object');
  if (typeof options.host !== 'string' || options.host.length === 0 || /[\s\0-\x1f\x7f]/.test(options.host) || options.host.startsWith('-')) {
    throw new InvalidOptionsError('host', 'must be a host name, address or ssh_config alias (no whitespace or control characters, not starting with "-")');
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 1 && options.port <= 65_535)) {
    throw new InvalidOptionsError('port', 'must be an integer from 1 to 65535');
  }
  if (options.user !== undefined && (typeof options.user !== 'string' || options.user.length === 0 || /[\s\0-\x1f\x7f@:]/.test(options.user) || options.user.startsWith('-'))) {
    throw new InvalidOptionsError('user', 'must be a login name without whitespace, control characters, "@" or ":"');
  }
  for (const field of ['password', 'passphrase', 'privateKeyPath', 'keyDir', 'knownHostsPath'] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== 'string' || value.includes('\0'))) throw new InvalidOptionsError(field, 'must be a string without NUL bytes');
  }
  if (options.fingerprint !== undefined) parseFingerprint(options.fingerprint);
  if (options.hostKeyPolicy !== undefined && !['strict', 'accept-new', 'insecure-accept-any'].includes(options.hostKeyPolicy)) {
    throw new InvalidOptionsError('hostKeyPolicy', 'must be strict, accept-new or insecure-accept-any');
  }
  for (const field of ['connectTimeoutMs', 'keepaliveIntervalMs', 'keepaliveCountMax', 'maxChannelsPerConnection'] as const) {
    const value = options[field];
    const min = field === 'keepaliveIntervalMs' ? 0 : 1;
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) throw new InvalidOptionsError(field, `must be an integer ≥ ${min}`);
  }
}
