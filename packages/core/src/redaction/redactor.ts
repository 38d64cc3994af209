import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { isSecretName } from './names.js';
import { DEFAULT_RULES, type SecretRule } from './rules.js';
import { extendContinuation, groupSpans, hasViewTrigger, markerFor, Scanner, TO_LINE_END, type Group, type ResolvedContinuation } from './scanner.js';

/** What {@link Redactor.redact} returns. */
export interface RedactionResult {
  /** The text with every secret replaced by `[REDACTED:<id>]`. */
  readonly text: string;
  /** How many replacements were made (overlapping matches count once). */
  readonly count: number;
  /** The ids of the rules that matched (`known-value` for known values), sorted, without repeats. */
  readonly kinds: string[];
}

/** Options of {@link Redactor}. */
export interface RedactorOptions {
  /**
   * The rules, most specific first. Default: {@link DEFAULT_RULES}. Pass
   * `[...DEFAULT_RULES, myRule]` to add one.
   */
  readonly rules?: readonly SecretRule[];
  /** Ids of rules to leave out (for example `['twilio-account-sid']`). Default: none. */
  readonly disable?: readonly string[];
  /** Known values to mask from the start; see {@link Redactor.addKnownValues}. Default: none. */
  readonly knownValues?: readonly string[];
}

/**
 * A redaction stream: text in, redacted text out, chunk by chunk. The concatenation of everything
 * {@link push} and {@link end} return equals {@link Redactor.redact} of the concatenated input,
 * wherever the chunks were cut, and no part of a secret is ever returned, even one split across
 * chunks at any offset.
 *
 * Memory is bounded: the stream holds at most {@link Redactor.maxHold} chars plus one chunk.
 */
export interface RedactionStream {
  /**
   * Feeds a chunk; returns the redacted text that is settled so far (possibly `''`). Text is held
   * back while it may still be part of a secret:
   * - the incomplete last line (of a line longer than {@link Redactor.window}, only its last
   *   `window` chars, and never the middle of a match);
   * - a private-key block from its BEGIN line until its END line, and an unterminated value of a
   *   secret-looking name, up to {@link Redactor.maxHold} chars: past that, the marker is returned
   *   at once and the rest of the secret is dropped as it arrives, until it ends (what
   *   {@link Redactor.redact} would have replaced as a whole).
   *
   * Nothing is released on a timer: call {@link end} when the source ends (a command exits).
   *
   * @throws Error when called after {@link end}
   */
  push(chunk: string): string;
  /**
   * Flushes what is held (a secret still open is replaced through the end); the stream is then
   * finished.
   *
   * @throws Error when called twice
   */
  end(): string;
  /** Replacements made so far (in text already returned). */
  readonly count: number;
  /** Rule ids that matched so far, sorted, without repeats. */
  readonly kinds: string[];
}

/** Minimum length of a known value; shorter ones are ignored (they would mask ordinary words). */
export const MIN_KNOWN_VALUE_LENGTH = 6;

/** Chars kept before the unemitted text of a stream so lookbehinds see what a one-shot pass sees. */
const CONTEXT = 256;
/** Lower bound of the window held back of a long line, in chars. */
const MIN_WINDOW = 16 * 1024;
/** Text a stream holds at most (plus one chunk) before forcing a replacement, in chars. */
const MAX_HOLD = 256 * 1024;

/**
 * Masks secrets in text that is about to reach an AI agent: command output, logs, files.
 *
 * It finds the families listed in {@link DEFAULT_RULES} (cloud, forge, registry, AI, chat, payment
 * and SaaS tokens, private key blocks, JWTs, credentials in URLs and headers, and values assigned to
 * secret-looking names) and the exact values registered with {@link addKnownValues}, and replaces
 * each with `[REDACTED:<id>]`. Secrets are also found percent-encoded (`%67hp_…`,
 * `user:pa%40ss@host`) and, as a safety net, interrupted by ANSI escape sequences; inside JSON
 * strings only the secret is replaced, so the JSON stays valid.
 *
 * Order: decode bytes and strip terminal escapes first (the session pipeline does, with
 * `TerminalTextDecoder`), then redact. A token interrupted by an escape sequence a caller forgot to
 * strip is still found (escapes inside it are replaced with it), but spans are tuned for clean text.
 *
 * Work is linear in the input: every pattern is bounded; a text (or stream chunk) is scanned once
 * for all rule keywords (an Aho–Corasick automaton), each rule's pattern being tried only where its
 * keywords occur, plus three keyword-less patterns and, around percent escapes and terminal escape
 * sequences, a decoded view. Redaction is deterministic and idempotent (redacting redacted text
 * changes nothing).
 *
 * @example
 * ```ts
 * const redactor = new Redactor();
 * redactor.addKnownValues([process.env.DEPLOY_TOKEN ?? '']);
 * redactor.redact('export GITHUB_TOKEN=ghp_…').text; // 'export GITHUB_TOKEN=[REDACTED:github-pat]'
 * ```
 */
export class Redactor {
  private readonly scanner: Scanner;
  private readonly known = new Set<string>();

  /**
   * @throws InvalidOptionsError (field `rules`) when a rule id is not kebab-case or repeats, a
   *   keyword is not printable ASCII or a `maxLength` is not positive; (field `disable`) when an id
   *   names no rule
   */
  constructor(options: RedactorOptions = {}) {
    const rules = options.rules ?? DEFAULT_RULES;
    const disabled = new Set(options.disable ?? []);
    for (const id of disabled) {
      if (!rules.some((rule) => rule.id === id)) throw new InvalidOptionsError('disable', `no rule has id ${JSON.stringify(id)}`);
    }
    this.scanner = new Scanner(rules.filter((rule) => !disabled.has(rule.id)));
    if (options.knownValues) this.addKnownValues(options.knownValues);
  }

  /** Ids of the active rules, in priority order. */
  get ruleIds(): string[] {
    return this.scanner.ids;
  }

  /**
   * Chars of a long line a stream holds back (lines shorter than this are held until their `\n`):
   * three times the longest single-line rule (a percent-encoded secret is up to three times as
   * long), at least 16 Ki, and more when long known values need it.
   */
  get window(): number {
    return Math.max(MIN_WINDOW, 3 * this.longestMatch + CONTEXT);
  }

  /**
   * Chars of a long line a stream holds back when no percent escape and no terminal escape lies
   * in the last {@link window} chars: a match is then no longer than its rule allows, so one
   * match length (at least 16 Ki) is enough, and less text is scanned twice.
   */
  get plainWindow(): number {
    return Math.max(MIN_WINDOW, this.longestMatch + CONTEXT);
  }

  /** The longest single-line rule or known value, in chars. */
  private get longestMatch(): number {
    return Math.max(this.scanner.maxSingleLineLength, this.scanner.maxKnownLength);
  }

  /**
   * Most chars a stream holds back (plus one chunk) before it replaces a secret that has not ended
   * yet: 256 Ki (more if the window is over 128 Ki).
   */
  get maxHold(): number {
    return Math.max(MAX_HOLD, 2 * this.window);
  }

  /**
   * Registers exact secret values to mask wherever they appear, inside words or not, as
   * `[REDACTED:known-value]`: the values of secret environment variables given to a session, tokens
   * an operator registers. Each value is also found JSON-escaped and percent-encoded; a multi-line
   * value is registered line by line. Values (and lines) shorter than
   * {@link MIN_KNOWN_VALUE_LENGTH} chars, or blank, are ignored. Streams already created see the
   * new values in text they have not returned yet.
   *
   * @returns how many values were newly registered
   */
  addKnownValues(values: readonly string[]): number {
    let added = 0;
    for (const value of values) {
      if (typeof value !== 'string') continue;
      const parts = /[\r\n]/.test(value) ? value.split(/\r?\n|\r/) : [value];
      for (const part of parts) {
        if (part.length < MIN_KNOWN_VALUE_LENGTH || part.trim().length === 0) continue;
        for (const variant of [part, JSON.stringify(part).slice(1, -1)]) {
          if (!this.known.has(variant)) {
            this.known.add(variant);
            if (variant === part) added++;
          }
        }
      }
    }
    this.scanner.setKnownValues([...this.known]);
    return added;
  }

  /**
   * Registers, as known values, the values of the variables of `env` whose names look secret
   * ({@link isSecretName}: `DB_PASSWORD`, `GITHUB_TOKEN`, `STRIPE_API_KEY`…).
   *
   * @returns the names whose values were registered
   */
  addKnownEnv(env: Readonly<Record<string, string | undefined>>): string[] {
    const names: string[] = [];
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || !isSecretName(name)) continue;
      const lines = value.split(/\r?\n|\r/);
      if (!lines.some((line) => line.length >= MIN_KNOWN_VALUE_LENGTH && line.trim().length > 0)) continue;
      this.addKnownValues([value]);
      names.push(name);
    }
    return names;
  }

  /** Redacts a whole text at once. */
  redact(text: string): RedactionResult {
    const stats = new Stats();
    const groups = groupSpans(this.scanner.scan(text, 0, true));
    return { text: render(text, 0, text.length, groups, stats), count: stats.count, kinds: stats.sortedKinds() };
  }

  /** Starts a {@link RedactionStream} over this redactor's rules and known values. */
  createStream(): RedactionStream {
    return new Stream(this, this.scanner);
  }
}

class Stats {
  count = 0;
  readonly kinds = new Set<string>();

  add(id: string): void {
    this.count++;
    this.kinds.add(id);
  }

  sortedKinds(): string[] {
    return [...this.kinds].sort();
  }
}

/** `text[from..to)` with the groups inside it replaced by their markers. */
function render(text: string, from: number, to: number, groups: readonly Group[], stats: Stats): string {
  let out = '';
  let at = from;
  for (const group of groups) {
    if (group.start < from || group.end > to) continue;
    out += text.slice(at, group.start) + markerFor(group.id);
    stats.add(group.id);
    at = group.end;
  }
  return out + text.slice(at, to);
}

class Stream implements RedactionStream {
  private readonly stats = new Stats();
  /** Context (already returned) followed by held text, which starts at `from`. */
  private pending = '';
  private from = 0;
  /** Inside a secret whose marker was already returned: input is dropped until it ends. */
  private swallowing: ResolvedContinuation | undefined;
  /** The last chars dropped (an `until` end may begin in them; a `run` may end with a half escape). */
  private swallowTail = '';
  private ended = false;

  constructor(
    private readonly redactor: Redactor,
    private readonly scanner: Scanner,
  ) {}

  get count(): number {
    return this.stats.count;
  }

  get kinds(): string[] {
    return this.stats.sortedKinds();
  }

  push(chunk: string): string {
    if (this.ended) throw new Error('RedactionStream.push after end()');
    if (chunk.length === 0) return '';
    let text = chunk;
    if (this.swallowing) {
      const rest = this.swallow(text);
      if (rest === undefined) return '';
      text = rest;
    }
    // Finish the held line first: if that settles everything, the rest of the chunk starts a line
    // and is scanned as it is, without copying it behind the held text.
    const newline = this.pending.length > this.from ? text.indexOf('\n') : -1;
    if (newline >= 0 && newline + 1 < text.length) {
      this.pending += text.slice(0, newline + 1);
      const head = this.drain();
      if (this.swallowing) return head + this.push(text.slice(newline + 1));
      this.appendAtLineStart(text.slice(newline + 1));
      return head + this.drain();
    }
    this.appendAtLineStart(text);
    return this.drain();
  }

  /**
   * Appends input. When nothing is held and the text returned so far ends a line, the context is
   * dropped: a line start and the start of a text look the same to every rule (rules are line-local),
   * and a new text needs no copy.
   */
  private appendAtLineStart(text: string): void {
    if (this.pending.length === this.from && (this.from === 0 || this.pending.charCodeAt(this.from - 1) === 0x0a)) {
      this.pending = text;
      this.from = 0;
    } else {
      this.pending += text;
    }
  }

  end(): string {
    if (this.ended) throw new Error('RedactionStream.end called twice');
    this.ended = true;
    if (this.swallowing) {
      // What a run left undecided (one char: a terminator, or half an escape) is not secret.
      const rest = this.swallowing.kind === 'run' ? this.swallowTail : '';
      this.swallowing = undefined;
      this.swallowTail = '';
      this.pending = '';
      return rest;
    }
    const buffer = this.pending;
    const groups = groupSpans(this.scanner.scan(buffer, this.from, true));
    const out = render(buffer, this.from, buffer.length, groups, this.stats);
    this.pending = '';
    this.from = 0;
    return out;
  }

  /**
   * Drops the part of `chunk` that continues the swallowed secret; returns the rest once the
   * secret has ended, else `undefined`. For a `run`, `swallowTail` holds the undecided last char;
   * for an `until`, the last chars dropped, where the end marker may have begun.
   */
  private swallow(chunk: string): string | undefined {
    const continuation = this.swallowing!;
    const text = this.swallowTail + chunk;
    const { end, exhausted } = extendContinuation(continuation, text, 0);
    if (continuation.kind === 'run') {
      if (end >= text.length - 1) {
        this.swallowTail = text.slice(end);
        return undefined;
      }
    } else if (exhausted) {
      this.swallowTail = text.slice(-Math.max(continuation.overlap, CONTEXT));
      return undefined;
    }
    this.swallowing = undefined;
    this.swallowTail = '';
    this.pending = text.slice(Math.max(0, end - CONTEXT), end);
    this.from = this.pending.length;
    return text.slice(end);
  }

  /**
   * Returns `buffer[from..group.start)` redacted and the marker of `group`, an open group with a
   * continuation; the rest of its secret is then dropped as input comes.
   */
  private replaceAndSwallow(buffer: string, from: number, group: Group, groups: readonly Group[]): string {
    const continuation = group.continuation!;
    const out = render(buffer, from, group.start, groups, this.stats) + markerFor(group.id);
    this.stats.add(group.id);
    this.swallowing = continuation;
    this.swallowTail =
      continuation.kind === 'run' ? buffer.slice(group.end) : buffer.slice(Math.max(group.start, buffer.length - Math.max(continuation.overlap, CONTEXT)));
    this.pending = '';
    this.from = 0;
    return out;
  }

  /**
   * How much of the unfinished last line of `buffer` to hold back: the plain window, unless a
   * percent escape or a terminal escape lies in the buffer's last {@link Redactor.window} chars (a
   * secret written with them can be up to three times as long). Escapes in text already dropped
   * do not count: each was emitted by a drain that held the whole window, so every match that
   * holds it was complete then. An unfinished line no longer than the plain window is held whole
   * either way, and is not searched.
   */
  private windowOf(buffer: string, lastNewline: number): number {
    const plain = this.redactor.plainWindow;
    if (buffer.length - lastNewline - 1 <= plain) return plain;
    const full = this.redactor.window;
    return hasViewTrigger(buffer, Math.max(0, buffer.length - full)) ? full : plain;
  }

  private drain(): string {
    let out = '';
    for (;;) {
      const buffer = this.pending;
      const from = this.from;
      const lastNewline = buffer.lastIndexOf('\n');
      const window = this.windowOf(buffer, lastNewline);
      const target = Math.max(lastNewline + 1, buffer.length - window);
      if (target <= from) return out;
      const spans = this.scanner.scan(buffer, from, false);
      // Never cut inside what a match covers, nor before an open one.
      const extents = spans.map((span) => [span.extentStart, span.open ? Infinity : span.extentEnd] as const).sort((a, b) => a[0] - b[0]);
      let cut = target;
      let intervalStart = -1;
      let intervalEnd = -1;
      for (const [start, end] of extents) {
        if (start >= cut) break;
        if (start >= intervalEnd) {
          intervalStart = start;
          intervalEnd = end;
        } else if (end > intervalEnd) intervalEnd = end;
      }
      if (intervalEnd > cut) cut = Math.max(from, intervalStart);
      const groups = groupSpans(spans);
      // The rest of a line dense with secrets is replaced at once and dropped as it comes (its
      // group reaches the end of the buffer, so it is the last one).
      const dense = groups.at(-1);
      if (dense?.open && dense.continuation === TO_LINE_END) return out + this.replaceAndSwallow(buffer, from, dense, groups);
      if (cut > from) {
        out += render(buffer, from, cut, groups, this.stats);
        const keep = Math.max(0, cut - CONTEXT);
        this.pending = buffer.slice(keep);
        this.from = cut - keep;
        return out;
      }
      if (buffer.length - from <= this.redactor.maxHold) return out;
      // Held too much: replace the blocking secret now and drop the rest of it as it comes.
      const blocking = groups.find((group) => group.end > from);
      if (!blocking) return out;
      if (blocking.open && blocking.continuation) return out + this.replaceAndSwallow(buffer, from, blocking, groups);
      out += render(buffer, from, blocking.start, groups, this.stats) + markerFor(blocking.id);
      this.stats.add(blocking.id);
      const keep = Math.max(0, blocking.end - CONTEXT);
      this.pending = buffer.slice(keep);
      this.from = blocking.end - keep;
    }
  }
}


