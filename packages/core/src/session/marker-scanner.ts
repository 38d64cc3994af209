/** Held bytes when none are held: one shared empty buffer (a new one per reset costs an ArrayBuffer). */
const NOTHING = Buffer.alloc(0);

/** A copy of `bytes` (small ones come from Node's shared pool). */
function copyOf(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafe(bytes.length);
  bytes.copy(copy);
  return copy;
}

/**
 * Finds frame markers in one output stream.
 *
 * Bytes before the first marker are the command's output ({@link onPayload}); after it, the
 * scanner reads frames for any nonce it is watching. On stdout a frame is
 * `<N><body><N>` and is reported with its body; on stderr a frame is just `<N>`.
 * Nonces are ASCII and all of one length, so a marker split across chunks is found by holding
 * back the last `length - 1` bytes.
 */
export class MarkerScanner {
  private readonly nonces: Buffer[] = [];
  private held: Buffer = NOTHING;
  private payloadOpen = true;
  /** The nonce whose frame body is being read (stdout only). */
  private openFrame: { nonce: Buffer; body: Buffer[] } | undefined;

  constructor(
    private readonly withBody: boolean,
    private readonly onPayload: (bytes: Uint8Array) => void,
    private readonly onFrame: (nonce: string, body: string) => void,
    private readonly nonceLength: number,
  ) {}

  /** Starts watching for `nonce` (a command's, or a recovery probe's), given as its latin1 bytes. */
  watch(nonce: Buffer): void {
    if (nonce.length !== this.nonceLength) throw new Error('nonce length mismatch');
    this.nonces.push(nonce);
  }

  /** True once the first marker was seen: later bytes are not the command's output. */
  get payloadClosed(): boolean {
    return !this.payloadOpen;
  }

  push(chunk: Uint8Array): void {
    let data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.held = NOTHING;
    for (;;) {
      if (this.openFrame) {
        const end = data.indexOf(this.openFrame.nonce);
        if (end < 0) {
          const keep = Math.min(data.length, this.nonceLength - 1);
          this.openFrame.body.push(data.subarray(0, data.length - keep));
          this.held = copyOf(data.subarray(data.length - keep));
          return;
        }
        this.openFrame.body.push(data.subarray(0, end));
        const frame = this.openFrame;
        this.openFrame = undefined;
        this.onFrame(frame.nonce.toString('latin1'), Buffer.concat(frame.body).toString('utf8'));
        data = data.subarray(end + this.nonceLength);
        continue;
      }
      let at = -1;
      let found: Buffer | undefined;
      for (const nonce of this.nonces) {
        const index = data.indexOf(nonce);
        if (index >= 0 && (at < 0 || index < at)) {
          at = index;
          found = nonce;
        }
      }
      if (!found) {
        const keep = Math.min(data.length, this.nonceLength - 1);
        if (this.payloadOpen && data.length > keep) this.onPayload(data.subarray(0, data.length - keep));
        this.held = copyOf(data.subarray(data.length - keep));
        return;
      }
      if (this.payloadOpen) {
        if (at > 0) this.onPayload(data.subarray(0, at));
        this.payloadOpen = false;
      }
      data = data.subarray(at + this.nonceLength);
      if (this.withBody) {
        this.openFrame = { nonce: found, body: [] };
      } else {
        this.onFrame(found.toString('latin1'), '');
      }
    }
  }

  /** Releases held-back bytes as payload (the stream ended without a marker). */
  flush(): void {
    if (this.payloadOpen && this.held.length > 0) this.onPayload(this.held);
    this.held = NOTHING;
  }
}
