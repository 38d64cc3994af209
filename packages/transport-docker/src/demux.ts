/**
 * Demultiplexer for the Docker Engine API's multiplexed stdout/stderr stream.
 *
 * When a container or exec instance runs with `Tty: false`, the Engine API endpoints
 * "Attach to a container" (`POST /containers/{id}/attach`) and "Start an exec instance"
 * (`POST /exec/{id}/start`) send the program's stdout and stderr over one connection as a
 * sequence of frames (the "stream format" section of the Engine API reference; `stdcopy` in
 * moby):
 *
 * ```text
 * header := [8]byte{STREAM_TYPE, 0, 0, 0, SIZE1, SIZE2, SIZE3, SIZE4}
 * frame  := header + SIZE bytes of payload   (SIZE: uint32, big-endian, bytes)
 * ```
 *
 * `STREAM_TYPE` is 0 (stdin, written to stdout), 1 (stdout), 2 (stderr) or 3 (moby's
 * `Systemerr`: the payload is an error message from the daemon and the stream is over). With
 * `Tty: true` the stream is raw, unframed bytes and must not be demultiplexed.
 *
 * @module
 */
import { TransportError } from '@execkit/core';

/** Size in bytes of a frame header. */
export const FRAME_HEADER_BYTES = 8;

/** Largest `Systemerr` (type 3) payload kept for the error message, in bytes; the rest is counted, not kept. */
const MAX_SYSTEM_ERROR_BYTES = 64 * 1024;

/**
 * What {@link StreamDemuxer} calls. Handlers are called synchronously from
 * {@link StreamDemuxer.push}, in stream order, and never with an empty buffer.
 */
export interface DemuxHandlers {
  /**
   * Payload bytes of stream type 1 (stdout) or 0 (stdin echoed back, which the Engine API and
   * moby's `stdcopy` route to stdout). The buffer is a view (`subarray`) of the chunk passed to
   * `push` whenever possible: copy it if you keep it beyond the call and the chunk's owner may
   * reuse its memory. A frame's payload may arrive in several calls (it is delivered as soon as
   * its bytes arrive, not when the frame is complete); frame boundaries carry no meaning.
   */
  onStdout(bytes: Buffer): void;
  /** Payload bytes of stream type 2 (stderr). Same rules as {@link DemuxHandlers.onStdout}. */
  onStderr(bytes: Buffer): void;
  /**
   * The stream broke the protocol or reported an error, and demultiplexing has stopped: every
   * later byte passed to `push` is discarded (counted in {@link DemuxStats.discardedBytes}).
   * Called at most once, with a `TransportError` (code `TRANSPORT_FAILED`) whose message says
   * what happened:
   *
   * - a header with a stream type other than 0–3 (the stream is not multiplexed, for example
   *   the exec was created with `Tty: true`, or it lost alignment);
   * - a complete type-3 (`Systemerr`) frame: `error from daemon in stream: <message>`.
   *
   * Unlike docker-modem's `demuxStream`, nothing switches to raw passthrough.
   * Without this handler the error is still recorded in {@link DemuxEndInfo.error}.
   */
  onError?(error: TransportError): void;
}

/** Byte and frame counters of a {@link StreamDemuxer}. */
export interface DemuxStats {
  /** Complete frames seen (all stream types, including zero-length ones). */
  readonly frames: number;
  /** Payload bytes delivered to `onStdout`. */
  readonly stdoutBytes: number;
  /** Payload bytes delivered to `onStderr`. */
  readonly stderrBytes: number;
  /** Bytes passed to `push` after a protocol error, ignored. */
  readonly discardedBytes: number;
}

/** Result of {@link StreamDemuxer.end}: how the stream ended. */
export interface DemuxEndInfo extends DemuxStats {
  /**
   * True when the input ended exactly on a frame boundary and no error was reported: everything
   * the Engine sent was delivered.
   */
  readonly complete: boolean;
  /**
   * True when the input stopped inside a frame (inside its header or its payload). The payload
   * bytes that did arrive were already delivered; {@link DemuxEndInfo.missingPayloadBytes} and
   * {@link DemuxEndInfo.partialHeaderBytes} say what was missing.
   */
  readonly truncated: boolean;
  /** Payload bytes the last header announced that never arrived (0 unless truncated inside a payload). */
  readonly missingPayloadBytes: number;
  /** Bytes (1–7) of a header that never completed; they belong to no stream and are not delivered. 0 otherwise. */
  readonly partialHeaderBytes: number;
  /** The protocol error passed to `onError`, if any. */
  readonly error?: TransportError;
}

type Phase = 'header' | 'payload' | 'system-error' | 'failed';

/**
 * Incremental demultiplexer for the Engine API's multiplexed stream (see the module comment
 * for the frame format). Feed it the raw bytes with {@link StreamDemuxer.push}, in chunks of
 * any size: headers and payloads may be split at any byte, a chunk may hold many frames, and
 * zero-length frames are accepted (and produce no call). Call {@link StreamDemuxer.end} when
 * the source ends.
 *
 * Payloads are passed on as `subarray` views of the input chunks, never copied; only a header
 * split across chunks (8 bytes) and a type-3 error message are copied. Memory use is constant
 * whatever the frame sizes. Not re-entrant: a handler must not call `push` or `end`.
 *
 * @example
 * ```ts
 * const demuxer = new StreamDemuxer({ onStdout: (b) => out.push(b), onStderr: (b) => err.push(b) });
 * socket.on('data', (chunk) => demuxer.push(chunk));
 * socket.on('end', () => { const info = demuxer.end(); if (!info.complete) { ... } });
 * ```
 */
export class StreamDemuxer {
  readonly #handlers: DemuxHandlers;
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFill = 0;
  #phase: Phase = 'header';
  /** Payload bytes still expected in the current frame. */
  #remaining = 0;
  #toStdout = true;
  #systemError: Buffer[] = [];
  #systemErrorKept = 0;
  #error: TransportError | undefined;
  #ended = false;
  #busy = false;
  #frames = 0;
  #stdoutBytes = 0;
  #stderrBytes = 0;
  #discardedBytes = 0;
  #offset = 0;

  /** @param handlers Where payloads and errors go; see {@link DemuxHandlers}. */
  constructor(handlers: DemuxHandlers) {
    this.#handlers = handlers;
  }

  /** Counters so far; see {@link DemuxStats}. */
  get stats(): DemuxStats {
    return {
      frames: this.#frames,
      stdoutBytes: this.#stdoutBytes,
      stderrBytes: this.#stderrBytes,
      discardedBytes: this.#discardedBytes,
    };
  }

  /** True once a protocol error was reported; later input is discarded. */
  get failed(): boolean {
    return this.#phase === 'failed';
  }

  /**
   * Feeds the next chunk of the multiplexed stream (any length, including 0) and synchronously
   * calls the handlers for every payload byte it completes or continues.
   *
   * @param chunk Raw bytes as read from the hijacked connection. A `Uint8Array` that is not a
   *   `Buffer` is wrapped without copying.
   * @throws TypeError if `chunk` is not a `Uint8Array` (for example a string, which means an
   *   encoding was set on the source and the bytes are already corrupted).
   * @throws Error if called after {@link StreamDemuxer.end} or from inside a handler.
   * Exceptions thrown by handlers propagate to the caller; the demuxer's position has already
   * moved past the bytes given to the throwing handler.
   */
  push(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`StreamDemuxer.push expects bytes (Buffer/Uint8Array), got ${typeof chunk}`);
    }
    if (this.#ended) throw new Error('StreamDemuxer.push called after end()');
    if (this.#busy) throw new Error('StreamDemuxer.push called from inside a handler');
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#busy = true;
    try {
      this.#consume(buf);
    } finally {
      this.#busy = false;
    }
  }

  #consume(buf: Buffer): void {
    const n = buf.length;
    let off = 0;
    while (off < n) {
      switch (this.#phase) {
        case 'failed':
          this.#discardedBytes += n - off;
          return;
        case 'payload': {
          const take = Math.min(this.#remaining, n - off);
          const piece = buf.subarray(off, off + take);
          off += take;
          this.#offset += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            this.#phase = 'header';
            this.#frames += 1;
          }
          if (this.#toStdout) {
            this.#stdoutBytes += take;
            this.#handlers.onStdout(piece);
          } else {
            this.#stderrBytes += take;
            this.#handlers.onStderr(piece);
          }
          break;
        }
        case 'system-error': {
          const take = Math.min(this.#remaining, n - off);
          const keep = Math.min(take, MAX_SYSTEM_ERROR_BYTES - this.#systemErrorKept);
          if (keep > 0) {
            this.#systemError.push(Buffer.from(buf.subarray(off, off + keep)));
            this.#systemErrorKept += keep;
          }
          off += take;
          this.#offset += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            this.#frames += 1;
            const message = Buffer.concat(this.#systemError).toString('utf8');
            this.#systemError = [];
            this.#fail(`error from daemon in stream: ${message}`);
          }
          break;
        }
        case 'header': {
          let header: Buffer;
          const headerStart = this.#offset - this.#headerFill;
          if (this.#headerFill === 0 && n - off >= FRAME_HEADER_BYTES) {
            header = buf.subarray(off, off + FRAME_HEADER_BYTES);
            off += FRAME_HEADER_BYTES;
            this.#offset += FRAME_HEADER_BYTES;
          } else {
            const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, n - off);
            buf.copy(this.#header, this.#headerFill, off, off + take);
            this.#headerFill += take;
            off += take;
            this.#offset += take;
            if (this.#headerFill < FRAME_HEADER_BYTES) return;
            this.#headerFill = 0;
            header = this.#header;
          }
          this.#startFrame(header, headerStart);
          break;
        }
      }
    }
  }

  #startFrame(header: Buffer, headerStart: number): void {
    const type = header[0] ?? 0;
    const size = header.readUInt32BE(4);
    switch (type) {
      case 0:
      case 1:
      case 2:
        this.#toStdout = type !== 2;
        if (size === 0) {
          this.#frames += 1;
        } else {
          this.#remaining = size;
          this.#phase = 'payload';
        }
        return;
      case 3:
        this.#remaining = size;
        this.#phase = 'system-error';
        if (size === 0) {
          this.#frames += 1;
          this.#fail('error from daemon in stream: (empty message)');
        }
        return;
      default:
        this.#fail(
          `malformed multiplexed stream: unknown stream type ${type} in the frame header at byte ${headerStart} ` +
            `(header ${header.toString('hex')}); the stream is not multiplexed (Tty on?) or lost alignment`,
        );
    }
  }

  #fail(message: string): void {
    this.#phase = 'failed';
    this.#remaining = 0;
    const error = new TransportError(message);
    this.#error = error;
    this.#handlers.onError?.(error);
  }

  /**
   * Declares the end of input and reports how it ended. Bytes already received are never held
   * back: payload bytes of a truncated final frame were delivered as they arrived, and the
   * truncation is reported here (`truncated`, `missingPayloadBytes`, `partialHeaderBytes`).
   * Idempotent: later calls return the same information.
   *
   * @returns See {@link DemuxEndInfo}.
   * @throws Error if called from inside a handler.
   */
  end(): DemuxEndInfo {
    if (this.#busy) throw new Error('StreamDemuxer.end called from inside a handler');
    this.#ended = true;
    const inPayload = this.#phase === 'payload' || this.#phase === 'system-error';
    const partialHeaderBytes = this.#phase === 'header' ? this.#headerFill : 0;
    const missingPayloadBytes = inPayload ? this.#remaining : 0;
    const truncated = partialHeaderBytes > 0 || missingPayloadBytes > 0;
    const info: DemuxEndInfo = {
      ...this.stats,
      complete: !truncated && this.#error === undefined,
      truncated,
      missingPayloadBytes,
      partialHeaderBytes,
      ...(this.#error === undefined ? {} : { error: this.#error }),
    };
    return info;
  }
}

/** Why {@link attachDemuxed} stopped. */
export type DemuxAttachEndReason =
  /** The source emitted `end` (the Engine closed its side). */
  | 'end'
  /** The source emitted `close` without `end` first (connection dropped or destroyed). */
  | 'close'
  /** The source emitted `error`; see {@link DemuxAttachEndInfo.error}. */
  | 'error'
  /** The stream broke the frame protocol or carried a daemon error; the source was destroyed. */
  | 'protocol-error'
  /** A handler (`onStdout`/`onStderr`/`onError`) threw; the source was destroyed. */
  | 'handler-error'
  /** The caller called the returned `detach()`. */
  | 'detached';

/** What {@link attachDemuxed} reports once, at the end. */
export interface DemuxAttachEndInfo extends Omit<DemuxEndInfo, 'error'> {
  readonly reason: DemuxAttachEndReason;
  /**
   * The error behind `reason`: the source's error (`'error'`), the `TransportError` from the
   * demuxer (`'protocol-error'`), or what the handler threw (`'handler-error'`).
   */
  readonly error?: unknown;
}

/** Handlers for {@link attachDemuxed}. */
export interface AttachDemuxedHandlers extends DemuxHandlers {
  /**
   * Called exactly once, after the last `onStdout`/`onStderr`, when the source ends, closes,
   * errors, breaks the protocol, a handler throws, or `detach()` is called; never synchronously
   * from inside the `attachDemuxed` call itself. If this handler throws, the exception is not
   * caught (it surfaces from the stream's event emission).
   */
  onEnd(info: DemuxAttachEndInfo): void;
}

/** Minimal view of a readable stream: what {@link attachDemuxed} uses. */
type Source = NodeJS.ReadableStream & {
  destroy?: (error?: Error) => unknown;
  readonly destroyed?: boolean;
  readonly readableEnded?: boolean;
};

/**
 * Wires a hijacked Engine API connection (the duplex socket dockerode gives for
 * `exec.start({ hijack: true, stdin: true })` or `container.attach({ hijack: true, ... })` with
 * `Tty: false`, or any readable carrying the multiplexed stream format) to a
 * {@link StreamDemuxer}, and calls `handlers.onEnd` exactly once when it is over: docker-modem's
 * `demuxStream` never ends its outputs, so callers would otherwise never learn that output is
 * complete.
 *
 * Listens for `data`, `end`, `close` and `error` and puts the source in flowing mode. On a
 * protocol error or a throwing handler it destroys the source (if it has `destroy`), since the
 * rest of the stream cannot be interpreted. After `onEnd` it removes its listeners but keeps a
 * no-op `error` listener, so a late socket error cannot crash the process.
 *
 * Note: docker-modem's `HttpDuplex` (returned for `openStdin` without `hijack`) neither emits
 * `close` nor forwards response errors; use `hijack: true` so the source is the socket itself.
 *
 * @param stream The multiplexed byte stream. Must not have an encoding set (string chunks are
 *   reported as a protocol error).
 * @param handlers Payload handlers and the single `onEnd`; see {@link AttachDemuxedHandlers}.
 * @returns `detach()`: stops listening without destroying the source (its later bytes are not
 *   read by us) and calls `onEnd` with reason `'detached'` unless it was already called: at
 *   once, or, when `detach()` is called from inside `onStdout`/`onStderr`, right after the
 *   current chunk. No payload handler is called after `detach()`. Idempotent.
 */
export function attachDemuxed(stream: NodeJS.ReadableStream, handlers: AttachDemuxedHandlers): () => void {
  const source = stream as Source;
  /** Set once the outcome is decided: no handler call after this except the single onEnd. */
  let stopped = false;
  let protocolError: TransportError | undefined;
  const demuxer = new StreamDemuxer({
    onStdout: (bytes) => {
      if (!stopped) handlers.onStdout(bytes);
    },
    onStderr: (bytes) => {
      if (!stopped) handlers.onStderr(bytes);
    },
    onError: (error) => {
      protocolError = error;
      if (!stopped) handlers.onError?.(error);
    },
  });

  const noop = (): void => {};
  const stopListening = (): void => {
    source.removeListener('data', onData);
    source.removeListener('end', onEndEvent);
    source.removeListener('close', onClose);
    source.removeListener('error', onErrorEvent);
    source.on('error', noop);
  };
  const finish = (reason: DemuxAttachEndReason, error?: unknown, destroy = false): void => {
    if (stopped) return;
    stopped = true;
    stopListening();
    if (destroy) {
      try {
        source.destroy?.();
      } catch {
        // Best effort: the stream is being abandoned anyway.
      }
    }
    const report = (): void => {
      const { error: _demuxError, ...info } = demuxer.end();
      handlers.onEnd({ ...info, reason, ...(error === undefined ? {} : { error }) });
    };
    // From inside a handler (detach() called by onStdout, say) the demuxer is mid-push: report
    // once it has returned.
    if (inPush) process.nextTick(report);
    else report();
  };

  let inPush = false;
  function onData(chunk: unknown): void {
    if (stopped) return;
    if (typeof chunk === 'string') {
      const error = new TransportError('the multiplexed stream has an encoding set: got text, expected bytes');
      protocolError = error;
      try {
        handlers.onError?.(error);
      } catch (handlerError) {
        finish('handler-error', handlerError, true);
        return;
      }
      finish('protocol-error', error, true);
      return;
    }
    inPush = true;
    try {
      demuxer.push(chunk as Uint8Array);
    } catch (error) {
      inPush = false;
      finish('handler-error', error, true);
      return;
    }
    inPush = false;
    if (protocolError !== undefined) finish('protocol-error', protocolError, true);
  }
  function onEndEvent(): void {
    finish('end');
  }
  function onClose(): void {
    finish('close');
  }
  function onErrorEvent(error: unknown): void {
    finish('error', error);
  }

  source.on('data', onData);
  source.on('end', onEndEvent);
  source.on('close', onClose);
  source.on('error', onErrorEvent);
  source.resume();
  if (source.readableEnded === true || source.destroyed === true) {
    const reason = source.readableEnded === true ? 'end' : 'close';
    process.nextTick(() => finish(reason));
  }
  return () => finish('detached');
}
