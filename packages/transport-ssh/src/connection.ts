import { Socket } from 'node:net';
import type { Duplex, Writable } from 'node:stream';
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
    /** Per hop, first hop first: sends the writes its stream holds (see {@link coalesceWrites}). */
    private readonly flushers: Array<() => void>,
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
    const flushers: Array<() => void> = [];
    try {
      let sock: Duplex | undefined;
      for (let index = 0; index < chain.length; index++) {
        const endpoint = chain[index]!;
        // Our own socket (or the jump host's channel), so that its writes can be coalesced.
        const stream = sock ?? new Socket().connect({ host: endpoint.hostName, port: endpoint.port });
        flushers.push(coalesceWrites(stream));
        const client = await connectOne(endpoint, settings, stream);
        clients.push(client);
        const next = chain[index + 1];
        if (next) sock = await forward(client, next);
      }
    } catch (error) {
      for (const client of clients.reverse()) client.end();
      throw error;
    }
    const target = chain[chain.length - 1]!;
    return new SshConnection(clients, flushers, settings, `${target.user}@${target.hostKeyName}:${target.port}`);
  }

  /**
   * Sends now what the connection's streams hold of this tick's writes (the last hop's first, as
   * it writes into the hop before it), instead of at the end of the tick: call it after writing
   * a command, so that the packet leaves before the caller's bookkeeping runs.
   */
  flushWrites(): void {
    for (let index = this.flushers.length - 1; index >= 0; index--) this.flushers[index]!();
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

function connectOne(endpoint: Endpoint, settings: ConnectionSettings, sock: Duplex): Promise<Client> {
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
    config.sock = sock as never;
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
    signKeyRequestsAtOnce(client);
  });
}

/**
 * Makes the buffers `stream` is given within one tick go out as one write, at the end of the tick
 * or when the returned `flush` is called. ssh2's JavaScript ciphers (AES-GCM, chacha20-poly1305,
 * the encrypt-then-MAC modes) write each packet in pieces (length, ciphertext, tag): on a socket
 * with Nagle off each piece is a TCP segment of its own that wakes the server, so a packet costs
 * three system calls and three wake-ups; through a jump host, each piece is a channel packet of
 * its own. Writes with a callback or an encoding, and `end()`, first send what is held, so the
 * order of bytes never changes. What is held when the stream is destroyed is dropped.
 *
 * @param stream - changed in place: its `write` and `end` are replaced
 * @returns `flush`: sends what is held now
 */
export function coalesceWrites(stream: Writable): () => void {
  const write = stream.write;
  const end = stream.end;
  let held: Buffer[] = [];
  const flush = (): void => {
    if (held.length === 0) return;
    const chunks = held;
    held = [];
    if (stream.destroyed) return;
    (write as (chunk: Buffer) => boolean).call(stream, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  };
  stream.write = function (chunk: unknown, ...rest: unknown[]): boolean {
    if (rest.length === 0 && Buffer.isBuffer(chunk)) {
      if (held.push(chunk) === 1) process.nextTick(flush);
      return true;
    }
    flush();
    return (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
  } as Writable['write'];
  stream.end = function (...args: unknown[]): Writable {
    flush();
    return (end as (...args: unknown[]) => Writable).apply(stream, args);
  } as Writable['end'];
  return flush;
}

/** A parsed private key as ssh2 holds it. */
interface SigningKey {
  isPrivateKey(): boolean;
  sign(data: Buffer, hash?: string): Buffer | Error;
}

/** ssh2's protocol object, as far as {@link signKeyRequestsAtOnce} uses it. */
interface PublickeyRequester {
  authPK(username: string, key: unknown, keyAlgo: unknown, cbSign?: (data: Buffer, done: (signature: Buffer) => void) => void): void;
}

/** Hash of each RSA signature algorithm (RFC 8332); other key types have one hash of their own. */
const RSA_SIGNATURE_HASH: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512', 'ssh-rsa': 'sha1' };

/**
 * Sends publickey requests for keys held in memory (key files) signed at once, as RFC 4252 §7
 * allows, instead of first asking whether the server would accept the key (ssh2 always asks).
 * Asking costs a round trip and, on OpenSSH 9, the minimum time sshd spends on every
 * authentication attempt (5–9 ms per user): about a fifth of a handshake on loopback. Agent
 * keys are still offered first (an agent may ask its user to confirm each signature). If a
 * signature cannot be made, the request goes out unsigned, as ssh2 would send it.
 */
function signKeyRequestsAtOnce(client: Client): void {
  const protocol = (client as unknown as { _protocol?: PublickeyRequester })._protocol;
  const authPK = protocol?.authPK;
  if (!protocol || typeof authPK !== 'function' || authPK.length !== 4) return;
  protocol.authPK = function (username, key, keyAlgo, cbSign) {
    const signing = key as Partial<SigningKey> | null;
    if (cbSign !== undefined || typeof keyAlgo === 'function' || typeof signing?.sign !== 'function' || signing.isPrivateKey?.() !== true) {
      return authPK.call(this, username, key, keyAlgo, cbSign);
    }
    const hash = typeof keyAlgo === 'string' ? RSA_SIGNATURE_HASH[keyAlgo] : undefined;
    authPK.call(this, username, key, keyAlgo, (data, done) => {
      let signature: Buffer | Error;
      try {
        signature = (signing as SigningKey).sign(data, hash);
      } catch (error) {
        signature = error instanceof Error ? error : new Error(String(error));
      }
      if (Buffer.isBuffer(signature)) done(signature);
      else authPK.call(this, username, key, keyAlgo);
    });
  };
}

function forward(client: Client, next: Endpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (error, stream) => {
      if (error) reject(new TransportStartError(`Could not reach ${next.hostKeyName}:${next.port} through the jump host: ${error.message}`));
      else resolve(stream);
    });
  });
}
