import { Client, type AnyAuthMethod, type ClientChannel, type ConnectConfig } from 'ssh2';
import { TransportStartError } from '@execkit/core';
import { AuthenticationError, HostKeyError } from './errors.js';

/** One host to connect to (the target or a jump host), fully resolved. */
export interface Endpoint {
  /** Name used for known_hosts lookups and messages (HostKeyAlias, else the host name). */
  hostKeyName: string;
  /** Address to connect to. */
  hostName: string;
  port: number;
  user: string;
  /** Auth methods in the order to try; never logged. */
  auth: AnyAuthMethod[];
  /**
   * Checks the offered host key; rejects with HostKeyError to refuse it. May resolve with a
   * `learn` step, run only once the server has proved it holds the key (after the handshake).
   */
  verifyHostKey(keyBlob: Buffer): Promise<{ learn?: () => Promise<unknown> }>;
  /** ssh2 `algorithms.serverHostKey` order, known key types first; undefined for ssh2's default. */
  serverHostKeyAlgorithms?: string[];
}

/** Connection-wide settings. */
export interface ConnectionSettings {
  /** Handshake + authentication time limit per hop, in ms. */
  connectTimeoutMs: number;
  /** Keepalive interval in ms (0 disables). */
  keepaliveIntervalMs: number;
  /** Unanswered keepalives before the connection counts as lost. */
  keepaliveCountMax: number;
  /** Channels (sessions + side commands) one connection may carry (sshd `MaxSessions`). */
  maxChannels: number;
}

/** A channel open the server refused (e.g. over `MaxSessions`). */
export class ChannelOpenRefused extends Error {}

/**
 * One SSH connection (through its jump hosts, if any) and the channels it carries. Emits loss to
 * its listeners once, when the connection ends or stops answering keepalives.
 */
export class SshConnection {
  /** Channels open now. */
  channels = 0;
  /** Shell channels open now. */
  shells = 0;
  /** Channels this connection may carry; lowered when the server refuses an open. */
  capacity: number;
  private ended = false;
  private endError: Error | undefined;
  private readonly lossListeners = new Set<(error: Error) => void>();

  private constructor(
    private readonly clients: Client[],
    settings: ConnectionSettings,
    readonly description: string,
  ) {
    this.capacity = settings.maxChannels;
    const target = clients[clients.length - 1]!;
    for (const client of clients) {
      client.on('error', (error: Error) => {
        this.endError ??= error;
      });
      client.on('close', () => this.markEnded());
    }
    target.on('end', () => this.markEnded());
  }

  /**
   * Connects to `chain` (jump hosts first, target last), verifying each host key before any
   * credential is sent to that host.
   *
   * @throws HostKeyError, AuthenticationError, TransportStartError
   */
  static async open(chain: Endpoint[], settings: ConnectionSettings): Promise<SshConnection> {
    const clients: Client[] = [];
    try {
      let sock: NodeJS.ReadableStream | undefined;
      for (let index = 0; index < chain.length; index++) {
        const endpoint = chain[index]!;
        const client = await connectOne(endpoint, settings, sock);
        clients.push(client);
        const next = chain[index + 1];
        if (next) sock = await forward(client, next);
      }
    } catch (error) {
      for (const client of clients.reverse()) client.end();
      throw error;
    }
    const target = chain[chain.length - 1]!;
    return new SshConnection(clients, settings, `${target.user}@${target.hostKeyName}:${target.port}`);
  }

  /** True once the connection has ended. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Calls `listener` once when the connection is lost (at once if it already was). */
  onLoss(listener: (error: Error) => void): () => void {
    if (this.ended) {
      queueMicrotask(() => listener(this.lossError()));
      return () => undefined;
    }
    this.lossListeners.add(listener);
    return () => this.lossListeners.delete(listener);
  }

  /**
   * Opens an exec channel running `command` (no PTY). Counts it until it closes.
   *
   * @throws ChannelOpenRefused when the server refuses the channel
   */
  exec(command: string, shell: boolean): Promise<ClientChannel> {
    const client = this.clients[this.clients.length - 1]!;
    this.channels++;
    if (shell) this.shells++;
    return new Promise((resolve, reject) => {
      client.exec(command, (error, channel) => {
        if (error) {
          this.channels--;
          if (shell) this.shells--;
          const refused = /channel open failure|open failed|administratively prohibited|resource shortage/i.test(error.message);
          reject(refused ? new ChannelOpenRefused(error.message) : error);
          return;
        }
        channel.once('close', () => {
          this.channels--;
          if (shell) this.shells--;
        });
        resolve(channel);
      });
    });
  }

  /** Ends the connection (and its jump hosts). */
  close(): void {
    for (const client of [...this.clients].reverse()) client.end();
    this.markEnded();
  }

  private lossError(): Error {
    const why = this.endError?.message ?? 'the connection closed';
    return new Error(/keepalive/i.test(why) ? `no answer to keepalives (${why})` : why);
  }

  private markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    for (const client of this.clients) client.end();
    const error = this.lossError();
    for (const listener of this.lossListeners) listener(error);
    this.lossListeners.clear();
  }
}

function connectOne(endpoint: Endpoint, settings: ConnectionSettings, sock: NodeJS.ReadableStream | undefined): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyError: HostKeyError | undefined;
    let learn: (() => Promise<unknown>) | undefined;
    let settled = false;
    const tried: string[] = [];
    const methods = [...endpoint.auth];
    const where = `${endpoint.user}@${endpoint.hostKeyName}:${endpoint.port}`;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(error);
    };
    const config: ConnectConfig = {
      host: endpoint.hostName,
      port: endpoint.port,
      username: endpoint.user,
      readyTimeout: settings.connectTimeoutMs,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: settings.keepaliveCountMax,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        // ssh2 takes any return value as a verdict: return nothing, answer through `verify`.
        endpoint.verifyHostKey(key).then(
          (outcome) => {
            learn ??= outcome.learn;
            verify(true);
          },
          (error: unknown) => {
            hostKeyError = error instanceof HostKeyError ? error : undefined;
            if (!hostKeyError) {
              fail(new TransportStartError(`Could not check the host key of ${endpoint.hostKeyName}: ${(error as Error).message}`));
            }
            verify(false);
          },
        );
      },
      authHandler: (_left, _partial, next) => {
        const method = methods.shift();
        if (!method) {
          next(false as never);
          return;
        }
        tried.push(method.type);
        next(method);
      },
    };
    if (endpoint.serverHostKeyAlgorithms) config.algorithms = { serverHostKey: endpoint.serverHostKeyAlgorithms as never };
    if (sock) config.sock = sock as never;
    client.once('ready', () => {
      if (settled) return;
      // Only now has the server proved it holds the key: record a newly learned host.
      const learned = learn ? learn() : Promise.resolve();
      learned.then(
        () => {
          if (settled) return;
          settled = true;
          resolve(client);
        },
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
      );
    });
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      if (hostKeyError) return fail(hostKeyError);
      if (error.level === 'client-authentication') {
        const methodsTried = tried.length > 0 ? [...new Set(tried)].join(', ') : 'none available';
        return fail(new AuthenticationError(`Authentication failed for ${where} (tried: ${methodsTried}).`));
      }
      if (error.level === 'client-timeout' || /timed out/i.test(error.message)) {
        return fail(new TransportStartError(`Could not connect to ${where}: no SSH handshake within ${settings.connectTimeoutMs} ms.`));
      }
      if (error.code === 'ECONNREFUSED') return fail(new TransportStartError(`Could not connect to ${where}: connection refused.`));
      if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return fail(new TransportStartError(`Could not connect to ${where}: unknown host.`));
      fail(new TransportStartError(`Could not connect to ${where}: ${error.message}`));
    });
    client.once('close', () => fail(hostKeyError ?? new TransportStartError(`Could not connect to ${where}: the connection closed during the handshake.`)));
    client.connect(config);
    // Nagle would hold small packets for a delayed ACK (~40 ms per round trip).
    client.setNoDelay(true);
  });
}

function forward(client: Client, next: Endpoint): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (error, stream) => {
      if (error) reject(new TransportStartError(`Could not reach ${next.hostKeyName}:${next.port} through the jump host: ${error.message}`));
      else resolve(stream);
    });
  });
}
