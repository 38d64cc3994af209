/**
 * A TCP forwarder on 127.0.0.1 that can go silent without closing anything, to simulate a dead
 * peer / network partition between an SSH client and server.
 *
 * Test support code; not part of the published build.
 *
 * @module
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { LOOPBACK } from './sshd.js';

/** A running proxy; see {@link startTcpProxy}. */
export interface TcpProxy {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The port clients connect to. */
  readonly port: number;
  /** The port on 127.0.0.1 connections are forwarded to. */
  readonly targetPort: number;
  /** Whether {@link TcpProxy.blackhole} is in effect. */
  readonly blackholed: boolean;
  /**
   * Stops forwarding in both directions for all current and future connections, but keeps every
   * socket open and unanswered — no data, no FIN, no RST reaches either side — like a peer that
   * died or a partitioned network. Bytes are held back (reading is paused, so TCP flow control
   * eventually blocks the sender), not dropped, so {@link TcpProxy.resume} can heal the link.
   */
  blackhole(): void;
  /** Ends a blackhole: delivers what was held back (data, then any end/close) and forwards again. */
  resume(): void;
  /** Number of client connections currently open through the proxy. */
  connections(): number;
  /** Number of client connections accepted since start. */
  totalConnections(): number;
  /** Destroys every current connection on both sides at once (the peers see a reset/close). */
  dropConnections(): void;
  /** Stops listening and destroys all connections. Idempotent. */
  close(): Promise<void>;
}

type Direction = 'up' | 'down';

interface Pair {
  client: Socket;
  upstream: Socket;
  held: Record<Direction, Buffer[]>;
  heldEnd: Record<Direction, boolean>;
  heldClose: boolean;
  closed: boolean;
}

/**
 * Starts a TCP forwarder on 127.0.0.1 (free port) to 127.0.0.1:`targetPort`.
 *
 * @example
 * ```ts
 * const proxy = await startTcpProxy(sshd.port);
 * // connect the SSH client to proxy.port …
 * proxy.blackhole(); // the server now looks dead to the client (and vice versa)
 * ```
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let blackholed = false;
  let total = 0;
  let closed = false;

  const destroyPair = (pair: Pair) => {
    pair.closed = true;
    pair.client.destroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  };

  const forward = (pair: Pair, from: Socket, to: Socket, direction: Direction) => {
    from.on('data', (chunk: Buffer) => {
      if (blackholed) {
        pair.held[direction].push(chunk);
        from.pause();
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (!blackholed) from.resume();
        });
      }
    });
    from.on('end', () => {
      if (blackholed) pair.heldEnd[direction] = true;
      else to.end();
    });
    from.on('error', () => {
      /* handled by close */
    });
    from.on('close', () => {
      if (pair.closed) return;
      if (blackholed) {
        pair.heldClose = true;
        return;
      }
      // Let the other side drain what was already written, then close it.
      to.end();
      to.destroySoon();
      if (pair.client.destroyed && pair.upstream.destroyed) pairs.delete(pair);
      to.once('close', () => pairs.delete(pair));
    });
  };

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    total++;
    const upstream = connect({ host: LOOPBACK, port: targetPort, allowHalfOpen: true });
    const pair: Pair = {
      client,
      upstream,
      held: { up: [], down: [] },
      heldEnd: { up: false, down: false },
      heldClose: false,
      closed: false,
    };
    pairs.add(pair);
    forward(pair, client, upstream, 'up');
    forward(pair, upstream, client, 'down');
    if (blackholed) upstream.pause();
    else client.resume();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    host: LOOPBACK,
    port,
    targetPort,
    get blackholed() {
      return blackholed;
    },
    blackhole() {
      blackholed = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream.pause();
      }
    },
    resume() {
      if (!blackholed) return;
      blackholed = false;
      for (const pair of [...pairs]) {
        const sides: [Direction, Socket, Socket][] = [
          ['up', pair.client, pair.upstream],
          ['down', pair.upstream, pair.client],
        ];
        for (const [direction, from, to] of sides) {
          for (const chunk of pair.held[direction].splice(0)) to.write(chunk);
          if (pair.heldEnd[direction]) to.end();
          from.resume();
        }
        if (pair.heldClose) {
          pair.client.end();
          pair.upstream.end();
          pair.client.destroySoon();
          pair.upstream.destroySoon();
        }
      }
    },
    connections() {
      let open = 0;
      for (const pair of pairs) if (!pair.client.destroyed) open++;
      return open;
    },
    totalConnections() {
      return total;
    },
    dropConnections() {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.upstream.resetAndDestroy();
        destroyPair(pair);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of [...pairs]) destroyPair(pair);
      await done;
    },
  };
}
