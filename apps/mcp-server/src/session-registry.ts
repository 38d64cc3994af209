import { Session, type OutputBudget, type Policy, type SessionOptions, type Transport } from '@execkit/core';
import { ToolInputError } from './errors.js';
import { openTransport as defaultOpenTransport, type TransportKind, type TransportRequest } from './transports.js';

/** How many ended session ids are remembered so later calls can say why they ended. */
const ENDED_MEMORY = 1000;

/** One live session held by a {@link SessionRegistry}. */
export interface RegisteredSession {
  /** The id handed to clients, `<n>_<transport>` (for example `1_local`). */
  readonly id: string;
  /** The transport kind the session runs on. */
  readonly transport: TransportKind;
  /** The core session. */
  readonly session: Session;
}

/** Options for a {@link SessionRegistry}. */
export interface SessionRegistryOptions {
  /**
   * Creates the transport for a new session. Default: `openTransport` from `./transports.js`
   * with no operator settings.
   */
  openTransport?: (request: TransportRequest) => Transport;
  /**
   * Options applied to every session before the per-call `cwd` and `env`, for example
   * `maxOutputChars`. Default: none (core's defaults).
   */
  sessionDefaults?: Omit<SessionOptions, 'cwd' | 'env'>;
}

/** What `session_create` passes on to {@link SessionRegistry.create}. */
export interface CreateSessionOptions {
  /** Directory to start in. Default: the server's working directory. */
  cwd?: string | undefined;
  /** Variables to export before the first command. */
  env?: Record<string, string> | undefined;
  /** The session's policy fence (already narrowed from the operator's). */
  policy?: Policy | undefined;
  /** The session's default output budget. */
  budget?: OutputBudget | undefined;
}

/**
 * Holds the server's live sessions by id. Ids are `<counter>_<transport kind>` and are never
 * reused. Sessions that ended (closed by the client, by `exit`, or by failure) are dropped, and
 * their ids remembered so that later calls get a message saying the session ended rather than
 * that it never existed.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, RegisteredSession>();
  private readonly transports = new Map<string, Transport>();
  private readonly ended = new Map<string, string>();
  private readonly creating = new Set<Promise<unknown>>();
  private counter = 0;
  private shuttingDown = false;
  private readonly openTransport: (request: TransportRequest) => Transport;
  private readonly sessionDefaults: Omit<SessionOptions, 'cwd' | 'env'>;

  constructor(options: SessionRegistryOptions = {}) {
    this.openTransport = options.openTransport ?? ((request) => defaultOpenTransport(request));
    this.sessionDefaults = options.sessionDefaults ?? {};
  }

  /** Number of live sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Opens a session on a new transport (of kind `request`, or as `request` describes) and registers it.
   *
   * @throws ExecKitError from `Session.open` (for example `INVALID_OPTIONS` when `cwd` does not exist)
   * @throws ToolInputError when the registry is shutting down
   */
  async create(request: TransportKind | TransportRequest, options: CreateSessionOptions = {}): Promise<RegisteredSession> {
    if (this.shuttingDown) throw shuttingDownError();
    const described: TransportRequest = typeof request === 'string' ? toRequest(request) : request;
    const creating = this.open(described, options);
    this.creating.add(creating);
    try {
      return await creating;
    } finally {
      this.creating.delete(creating);
    }
  }

  private async open(request: TransportRequest, options: CreateSessionOptions): Promise<RegisteredSession> {
    const kind = request.kind;
    const transport = this.openTransport(request);
    const sessionOptions: SessionOptions = { ...this.sessionDefaults };
    if (options.cwd !== undefined) sessionOptions.cwd = options.cwd;
    if (options.env !== undefined) sessionOptions.env = options.env;
    if (options.policy !== undefined) sessionOptions.policy = options.policy;
    if (options.budget !== undefined) sessionOptions.budget = options.budget;
    let session: Session;
    try {
      session = await Session.open(transport, sessionOptions);
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw error;
    }
    if (this.shuttingDown) {
      await session.close().catch(() => undefined);
      await transport.close().catch(() => undefined);
      throw shuttingDownError();
    }
    const id = `${++this.counter}_${kind}`;
    const entry: RegisteredSession = { id, transport: kind, session };
    this.sessions.set(id, entry);
    this.transports.set(id, transport);
    return entry;
  }

  /**
   * The live session `id`.
   *
   * @throws ToolInputError when `id` is unknown or its session has ended (the message says which, and what to do)
   */
  get(id: string): RegisteredSession {
    const entry = this.sessions.get(id);
    if (entry && !entry.session.closed) return entry;
    if (entry) this.markEnded(id, 'its shell ended');
    const reason = this.ended.get(id);
    if (reason !== undefined) {
      throw new ToolInputError(`Session ${id} is closed (${reason}). Create a new session with session_create.`);
    }
    const live = [...this.sessions.keys()];
    throw new ToolInputError(
      `Unknown session_id ${JSON.stringify(id)}. ${live.length > 0 ? `Live sessions: ${live.join(', ')}.` : 'There are no live sessions.'} ` +
        'Create one with session_create, or call session_list.',
    );
  }

  /** The live sessions, oldest first. Sessions whose shell ended are dropped first. */
  list(): RegisteredSession[] {
    for (const [id, entry] of this.sessions) if (entry.session.closed) this.markEnded(id, 'its shell ended');
    return [...this.sessions.values()];
  }

  /**
   * Drops session `id` after its shell ended by itself (for example after `exit`), remembering
   * `reason` for later calls. Releases its transport. Does nothing for unknown ids.
   */
  markEnded(id: string, reason: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.delete(id);
    this.remember(id, reason);
    void entry.session.close().catch(() => undefined);
    this.releaseTransport(id);
  }

  /**
   * Closes session `id` (its shell and every process it started) and drops it.
   *
   * @throws ToolInputError when `id` is unknown or already closed
   */
  async destroy(id: string): Promise<void> {
    const entry = this.get(id);
    this.sessions.delete(id);
    this.remember(id, 'destroyed with session_destroy');
    try {
      await entry.session.close();
    } finally {
      this.releaseTransport(id);
    }
  }

  /**
   * Closes every session, including ones still opening, and refuses new ones from then on. Safe to
   * call more than once.
   */
  async closeAll(): Promise<void> {
    this.shuttingDown = true;
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled([
      ...entries.map(async (entry) => {
        this.remember(entry.id, 'the server shut down');
        try {
          await entry.session.close();
        } finally {
          this.releaseTransport(entry.id);
        }
      }),
      // Sessions still opening close themselves once open (see `open`); wait for that.
      ...[...this.creating].map((creating) => creating.catch(() => undefined)),
    ]);
  }

  private releaseTransport(id: string): void {
    const transport = this.transports.get(id);
    this.transports.delete(id);
    void transport?.close().catch(() => undefined);
  }

  private remember(id: string, reason: string): void {
    this.ended.set(id, reason);
    if (this.ended.size > ENDED_MEMORY) {
      const oldest = this.ended.keys().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }
}

function shuttingDownError(): ToolInputError {
  return new ToolInputError('The server is shutting down; no new sessions can be created.');
}

function toRequest(kind: TransportKind): TransportRequest {
  if (kind === 'local') return { kind };
  throw new ToolInputError(`Transport ${JSON.stringify(kind)} needs more than its name (for example a host).`);
}
