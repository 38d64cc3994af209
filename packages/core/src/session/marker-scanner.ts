/** Held bytes when none are held: one shared empty buffer (a new one per reset costs an ArrayBuffer). */
const NOTHING = Buffer.alloc(0);

/**
 * The longest frame body a scanner reads before deciding the text is not a frame, in bytes: a
 * frame's body is an exit code, a few flags and a working directory (PATH_MAX is 4096 on Linux).
 */
export const MAX_FRAME_BODY_BYTES = 16_384;

/** A copy of `bytes` (small ones come from Node's shared pool). */
function copyOf(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafe(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Options for {@link MarkerScanner}. */
export interface MarkerScannerOptions {
  /**
   * Frames carry a body (`<marker><body><marker>`, stdout) or are the marker alone (stderr).
   */
  withBody: boolean;
  /** Receives the stream's bytes before its first frame (the command's output), in order. */
  onPayload: (bytes: Uint8Array) => void;
  /** Receives each frame: its marker (latin1) and, with bodies, the body (UTF-8). */
  onFrame: (marker: string, body: string) => void;
  /** The length of every marker, in bytes (markers are ASCII). */
  markerLength: number;
  /**
   * Whether a body has the shape of a frame (with bodies only). Text between two markers that
   * does not is output: the first marker and the body are passed to `onPayload` and the second
   * marker is read as the possible start of a frame. Default: every body is a frame.
   */
  isFrameBody?: (body: string) => boolean;
}

/**
 * Finds frame markers in one output stream.
 *
 * Bytes before the first frame are the command's output ({@link MarkerScannerOptions.onPayload});
 * after it, the scanner reads frames for any marker it is watching. With bodies, a frame is
 * `<M><body><M>` where the body has the frame's shape and holds no other watched marker; text that
 * starts with a marker but is not such a frame (a shell printing the text of its own command, say)
 * is output, and a body longer than {@link MAX_FRAME_BODY_BYTES} is never a frame. Without
 * bodies, a frame is the marker alone. Markers are ASCII and all of one length, so a marker split
 * across chunks is found by holding back the last `length - 1` bytes.
 */
export class MarkerScanner {
  private readonly markers: Buffer[] = [];
  private held: Buffer = NOTHING;
  private payloadOpen = true;
  /** The marker whose frame body is being read (with bodies only). */
  private openFrame: { marker: Buffer; body: Buffer[]; bytes: number } | undefined;
  private readonly withBody: boolean;
  private readonly onPayload: (bytes: Uint8Array) => void;
  private readonly onFrame: (marker: string, body: string) => void;
  private readonly length: number;
  private readonly isFrameBody: (body: string) => boolean;
  /** The marker the last {@link earliest} call found. */
  private found: Buffer | undefined;

  constructor(options: MarkerScannerOptions) {
    this.withBody = options.withBody;
    this.onPayload = options.onPayload;
    this.onFrame = options.onFrame;
    this.length = options.markerLength;
    this.isFrameBody = options.isFrameBody ?? (() => true);
  }

  /** Starts watching for `marker` (a command's, or a recovery probe's), given as its latin1 bytes. */
  watch(marker: Buffer): void {
    if (marker.length !== this.length) throw new Error('marker length mismatch');
    this.markers.push(marker);
  }

  /** True once the first frame was seen: later bytes are not the command's output. */
  get payloadClosed(): boolean {
    return !this.payloadOpen;
  }

  push(chunk: Uint8Array): void {
    let data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.held = NOTHING;
    for (;;) {
      const frame = this.openFrame;
      const at = this.earliest(data, frame?.marker);
      const found = this.found;
      if (frame) {
        const end = found === frame.marker ? at : -1;
        if (at < 0) {
          // No marker in this chunk: keep reading the body, holding back a possible marker prefix.
          const keep = Math.min(data.length, this.length - 1);
          frame.body.push(data.subarray(0, data.length - keep));
          frame.bytes += data.length - keep;
          if (frame.bytes <= MAX_FRAME_BODY_BYTES) {
            this.held = copyOf(data.subarray(data.length - keep));
            return;
          }
          // Too long for a frame: it was output; read its bytes again from after the marker.
          data = this.reject(frame, data.subarray(data.length - keep));
          continue;
        }
        const body = frame.body.length > 0 ? Buffer.concat([...frame.body, data.subarray(0, at)]) : data.subarray(0, at);
        if (end >= 0 && frame.bytes + at <= MAX_FRAME_BODY_BYTES) {
          const text = body.toString('utf8');
          if (this.isFrameBody(text)) {
            this.openFrame = undefined;
            this.payloadOpen = false;
            this.onFrame(frame.marker.toString('latin1'), text);
            data = data.subarray(at + this.length);
            continue;
          }
        }
        // Not a frame (wrong shape, or another marker came first): output up to the marker just
        // found, which may open the real frame.
        this.openFrame = undefined;
        if (this.payloadOpen) {
          this.onPayload(frame.marker);
          if (body.length > 0) this.onPayload(body);
        }
        data = data.subarray(at);
        continue;
      }
      if (!found) {
        const keep = Math.min(data.length, this.length - 1);
        if (this.payloadOpen && data.length > keep) this.onPayload(data.subarray(0, data.length - keep));
        this.held = copyOf(data.subarray(data.length - keep));
        return;
      }
      if (this.payloadOpen && at > 0) this.onPayload(data.subarray(0, at));
      data = data.subarray(at + this.length);
      if (this.withBody) {
        this.openFrame = { marker: found, body: [], bytes: 0 };
      } else {
        this.payloadOpen = false;
        this.onFrame(found.toString('latin1'), '');
      }
    }
  }

  /** Releases held-back bytes as payload (the stream ended without a frame). */
  flush(): void {
    const frame = this.openFrame;
    this.openFrame = undefined;
    if (this.payloadOpen) {
      if (frame) this.onPayload(Buffer.concat([frame.marker, ...frame.body]));
      if (this.held.length > 0) this.onPayload(this.held);
    }
    this.held = NOTHING;
  }

  /**
   * The index of the first watched marker in `data` (preferring `first` on a tie), or -1; the
   * marker is left in {@link found}.
   */
  private earliest(data: Buffer, first?: Buffer): number {
    let at = first ? data.indexOf(first) : -1;
    let found = at >= 0 ? first : undefined;
    for (const marker of this.markers) {
      if (marker === first) continue;
      const index = data.indexOf(marker);
      if (index >= 0 && (at < 0 || index < at)) {
        at = index;
        found = marker;
      }
    }
    this.found = found;
    return at;
  }

  /**
   * Gives up on `frame`: its marker becomes output and the bytes read as its body are read again,
   * followed by `tail`. Returns the bytes to scan next.
   */
  private reject(frame: { marker: Buffer; body: Buffer[] }, tail: Buffer): Buffer {
    this.openFrame = undefined;
    if (this.payloadOpen) this.onPayload(frame.marker);
    return Buffer.concat([...frame.body, tail]);
  }
}
