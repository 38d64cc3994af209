import { describe, expect, it } from 'vitest';
import { BASE62, BASE64, FAMILIES, Rng, leaks, mixedDocument } from './__fixtures__/corpus.js';
import { Redactor, type RedactionStream } from './index.js';

function streamAll(stream: RedactionStream, chunks: readonly string[]): string {
  let out = '';
  for (const chunk of chunks) out += stream.push(chunk);
  return out + stream.end();
}

function splitAt(text: string, cuts: readonly number[]): string[] {
  const chunks: string[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    chunks.push(text.slice(at, cut));
    at = cut;
  }
  chunks.push(text.slice(at));
  return chunks;
}

function expectNoLeak(output: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(leaks(output, secret), `leaked a part of ${secret.slice(0, 12)}…`).toBeUndefined();
}

/** A short text with several secrets of different kinds, multi-line ones included. */
function severalSecrets(seed: number): { text: string; secrets: string[]; redactor: Redactor } {
  const pick = ['private-key', 'jwt', 'url-credentials', 'secret-assignment', 'github-pat', 'telegram-bot-token', 'mailchimp-api-key', 'azure-client-secret', 'slack-webhook'];
  const { text, secrets } = mixedDocument(seed, FAMILIES.filter((f) => pick.includes(f.id)));
  const rng = new Rng(seed + 1);
  const known = `known-${rng.chars(BASE62, 20)}`;
  const encoded = `ghp_${rng.chars(BASE62, 36)}`;
  const envValue = `${rng.chars(BASE62, 10)} with spaces ${rng.chars(BASE62, 10)}`;
  const extra = [
    `deploy used ${known} today`,
    `GET /cb?next=%2Fhome&t=${encodeURIComponent(encoded).replace('g', '%67')} 302`,
    `DB_PASSWORD=${envValue}`,
    '-----BEGIN OPENSSH PRIVATE KEY-----',
  ].join('\n');
  const tail = rng.chars(BASE64, 64);
  const redactor = new Redactor({ knownValues: [known] });
  return { text: `${text}${extra}\n${tail}\n`, secrets: [...secrets, known, encoded.slice(4), envValue, tail], redactor };
}

describe('RedactionStream', () => {
  it('gives the one-shot result wherever a text with several secrets is cut in two', () => {
    const { text, secrets, redactor } = severalSecrets(11);
    const expected = redactor.redact(text).text;
    expectNoLeak(expected, secrets);
    expect(expected).toContain('[REDACTED:known-value]');
    expect(expected.endsWith('[REDACTED:private-key]')).toBe(true);
    for (let cut = 0; cut <= text.length; cut++) {
      const out = streamAll(redactor.createStream(), splitAt(text, [cut]));
      if (out !== expected) expect(out, `cut at ${cut}`).toBe(expected);
    }
  });

  it('gives the one-shot result for random multi-way splits (fuzz)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { text, secrets, redactor } = severalSecrets(seed * 101);
      const document = mixedDocument(seed);
      const full = text + document.text;
      const expected = redactor.redact(full).text;
      expectNoLeak(expected, [...secrets, ...document.secrets]);
      const rng = new Rng(seed);
      for (let round = 0; round < 10; round++) {
        const pieces = rng.int(2, 60);
        const cuts = Array.from({ length: pieces }, () => rng.int(0, full.length));
        const out = streamAll(redactor.createStream(), splitAt(full, cuts));
        if (out !== expected) expect(out, `seed ${seed} cuts ${cuts.join(',')}`).toBe(expected);
      }
    }
  });

  it('gives the one-shot result fed one char at a time', () => {
    const { text, secrets, redactor } = severalSecrets(5);
    const stream = redactor.createStream();
    let out = '';
    for (const char of text) out += stream.push(char);
    out += stream.end();
    expect(out).toBe(redactor.redact(text).text);
    expectNoLeak(out, secrets);
  });

  it('returns complete lines at once and holds only the incomplete one', () => {
    const redactor = new Redactor();
    const stream = redactor.createStream();
    expect(stream.push('line one\nline two\npartial')).toBe('line one\nline two\n');
    expect(stream.push(' line\n')).toBe('partial line\n');
    const token = `ghp_${new Rng(3).chars(BASE62, 36)}`;
    expect(stream.push(`token ${token.slice(0, 10)}`)).toBe('');
    expect(stream.push(`${token.slice(10)} ok\n`)).toBe('token [REDACTED:github-pat] ok\n');
    expect(stream.end()).toBe('');
    expect(stream.count).toBe(1);
    expect(stream.kinds).toEqual(['github-pat']);
  });

  it('handles lines longer than the window, secrets astride every window edge', () => {
    const redactor = new Redactor();
    const rng = new Rng(77);
    const secrets: string[] = [];
    let line = '';
    while (line.length < 6 * redactor.window) {
      line += `${rng.chars('abcdefgh ', rng.int(100, 5000))} `;
      const token = `sk_live_${rng.chars(BASE62, 60)}`;
      secrets.push(token);
      line += `key=${token} `;
    }
    const expected = redactor.redact(line).text;
    expectNoLeak(expected, secrets);
    for (let round = 0; round < 20; round++) {
      const cuts = Array.from({ length: rng.int(1, 40) }, () => rng.int(0, line.length));
      const out = streamAll(redactor.createStream(), splitAt(line, cuts));
      expect(out).toBe(expected);
    }
    // And it does return text before the line ends: memory stays bounded.
    const stream = redactor.createStream();
    let early = '';
    for (let at = 0; at < line.length; at += 65536) early += stream.push(line.slice(at, at + 65536));
    expect(early.length).toBeGreaterThan(line.length - 3 * redactor.window);
  });

  it('holds back less of a long plain line, and the whole window near a percent or terminal escape', () => {
    const redactor = new Redactor();
    expect(redactor.plainWindow).toBeLessThan(redactor.window);
    const rng = new Rng(5);
    const plain = rng.chars('abcdefgh ', 4 * redactor.window);
    // Chars returned at once for a line pushed whole, before its end is known.
    const returned = (line: string): number => redactor.createStream().push(line).length;
    expect(returned(plain)).toBe(plain.length - redactor.plainWindow);
    for (const escape of ['%41', '\u001b[0m']) {
      const near = `${plain.slice(0, -1000)}${escape}${plain.slice(-1000)}`;
      expect(returned(near), JSON.stringify(escape)).toBe(near.length - redactor.window);
    }
  });

  it('finds a fully percent-encoded JWT longer than the plain window on a long line, at any chunking', () => {
    const redactor = new Redactor();
    const rng = new Rng(21);
    const jwt = `eyJ${rng.chars(BASE62, 1500)}.${rng.chars(BASE62, 5000)}.${rng.chars(BASE62, 300)}`;
    const encoded = [...jwt].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    expect(encoded.length).toBeGreaterThan(redactor.plainWindow);
    const line = `${rng.chars('abcdefgh ', 3 * redactor.window)} t=${encoded} ${rng.chars('abcdefgh ', redactor.window)}`;
    const expected = redactor.redact(line).text;
    expect(expected).toContain('t=[REDACTED:jwt] ');
    for (const size of [1000, 4096, 65536]) {
      const chunks: string[] = [];
      for (let at = 0; at < line.length; at += size) chunks.push(line.slice(at, at + size));
      const out = streamAll(redactor.createStream(), chunks);
      expectNoLeak(out, [encoded]);
      expect(out, `chunks of ${size}`).toBe(expected);
    }
  });

  it('replaces the rest of a line dense with secrets by one marker, keeping the next line, streamed or not', () => {
    const rng = new Rng(7);
    const values = Array.from({ length: 2000 }, () => rng.chars(BASE62, 12));
    const dense = values.map((value) => `pwd="${value}" `).join('');
    const text = `start\n${dense}\nnext line ok\n`;
    const redactor = new Redactor();
    const once = redactor.redact(text).text;
    expectNoLeak(once, values);
    const lines = once.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('start');
    expect(lines[2]).toBe('next line ok');
    // The first values are replaced one by one, then the rest of the line as a whole.
    expect(lines[1]!.startsWith('pwd="[REDACTED:secret-assignment]" pwd="[REDACTED:secret-assignment]"')).toBe(true);
    expect(lines[1]!.endsWith('[REDACTED:secret-assignment]')).toBe(true);
    expect(lines[1]!.length).toBeLessThan(dense.length / 2);
    for (const size of [1, 7, 1000, 65536]) {
      const chunks: string[] = [];
      for (let at = 0; at < text.length; at += size) chunks.push(text.slice(at, at + size));
      const streamed = streamAll(redactor.createStream(), chunks);
      expectNoLeak(streamed, values);
      expect(streamed.startsWith('start\npwd="[REDACTED:secret-assignment]"')).toBe(true);
      expect(streamed.endsWith(']\nnext line ok\n')).toBe(true);
    }
  });

  it('does not treat lines with a few secrets as dense', () => {
    const rng = new Rng(8);
    const values = Array.from({ length: 300 }, () => rng.chars(BASE62, 12));
    // 300 secrets, but one per line, and one line with 300 spread over 100 chars of prose each
    const perLine = values.map((value) => `pwd="${value}"`).join('\n');
    const spread = values.map((value) => `pwd="${value}" ${'some ordinary words here '.repeat(4)}`).join('');
    const redactor = new Redactor();
    for (const text of [perLine, spread]) {
      const out = redactor.redact(text);
      expect(out.count).toBe(300);
      expectNoLeak(out.text, values);
    }
    expect(redactor.redact(spread).text.split('some ordinary words here').length).toBe(4 * 300 + 1);
  });

  it('holds a private key block until its END line, across many chunks', () => {
    const redactor = new Redactor();
    const rng = new Rng(9);
    const body = Array.from({ length: 40 }, () => rng.chars(BASE64, 64)).join('\n');
    const text = `before\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\nafter\n`;
    const stream = redactor.createStream();
    let out = '';
    for (let at = 0; at < text.length; at += 7) out += stream.push(text.slice(at, at + 7));
    out += stream.end();
    expect(out).toBe('before\n[REDACTED:private-key]\nafter\n');
  });

  it('masks everything after a BEGIN whose END never comes, streamed or not', () => {
    const redactor = new Redactor();
    const body = new Rng(4).chars(BASE64, 3000);
    const text = `ok\n-----BEGIN EC PRIVATE KEY-----\n${body}`;
    expect(redactor.redact(text).text).toBe('ok\n[REDACTED:private-key]');
    const out = streamAll(redactor.createStream(), splitAt(text, [10, 50, 1000]));
    expect(out).toBe('ok\n[REDACTED:private-key]');
  });

  it('bounds what it holds: a block longer than maxHold is replaced at once and the rest dropped', () => {
    const redactor = new Redactor();
    const rng = new Rng(21);
    const lines = Math.ceil((1.5 * redactor.maxHold) / 65);
    const body = Array.from({ length: lines }, () => rng.chars(BASE64, 64)).join('\n');
    const text = `start\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${body}\n-----END PGP PRIVATE KEY BLOCK-----\nend\n`;
    const expected = redactor.redact(text).text;
    expect(expected).toBe('start\n[REDACTED:private-key]\nend\n');
    const stream = redactor.createStream();
    let out = '';
    let markerAt = -1;
    for (let at = 0; at < text.length; at += 65536) {
      out += stream.push(text.slice(at, at + 65536));
      if (markerAt < 0 && out.includes('[REDACTED:private-key]')) markerAt = at;
    }
    out += stream.end();
    expect(out).toBe(expected);
    expect(markerAt).toBeGreaterThan(0);
    expect(markerAt).toBeLessThan(redactor.maxHold + 2 * 65536);
    // The END line cut at every offset of its own while dropping.
    const endAt = text.indexOf('-----END');
    for (let cut = endAt - 2; cut <= endAt + 40; cut++) {
      expect(streamAll(redactor.createStream(), splitAt(text, [65536, 300_000, cut]))).toBe(expected);
    }
  });

  it('bounds what it holds for an endless value of a secret name too', () => {
    const redactor = new Redactor();
    const value = new Rng(8).chars(BASE62, 2 * redactor.maxHold);
    const text = `x\nexport API_TOKEN=${value}\nnext line\n`;
    const expected = redactor.redact(text).text;
    expect(expected).toBe('x\nexport API_TOKEN=[REDACTED:secret-assignment]\nnext line\n');
    const chunks: string[] = [];
    for (let at = 0; at < text.length; at += 65536) chunks.push(text.slice(at, at + 65536));
    expect(streamAll(redactor.createStream(), chunks)).toBe(expected);
    expect(streamAll(redactor.createStream(), splitAt(text, [100_000, text.length - 12, text.length - 11]))).toBe(expected);
  });

  it('masks a quoted value whose escape is cut between chunks while dropping', () => {
    const redactor = new Redactor();
    const half = new Rng(2).chars(BASE62, redactor.maxHold);
    const text = `{"password": "${half}\\"${half}", "user": "bob"}\n`;
    const expected = redactor.redact(text).text;
    expect(JSON.parse(expected)).toEqual({ password: '[REDACTED:secret-assignment]', user: 'bob' });
    const escapeAt = text.indexOf('\\"');
    for (const cut of [escapeAt, escapeAt + 1, escapeAt + 2]) {
      expect(streamAll(redactor.createStream(), splitAt(text, [65536, 200_000, cut]))).toBe(expected);
    }
  });

  it('sees known values added after it started, in text not yet returned', () => {
    const redactor = new Redactor();
    const stream = redactor.createStream();
    expect(stream.push('first line\nsecond ')).toBe('first line\n');
    redactor.addKnownValues(['late-registered-value']);
    expect(stream.push('late-registered-value\n')).toBe('second [REDACTED:known-value]\n');
  });

  it('refuses to be used after end()', () => {
    const stream = new Redactor().createStream();
    stream.push('a');
    expect(stream.end()).toBe('a');
    expect(() => stream.push('b')).toThrow(/after end/);
    expect(() => stream.end()).toThrow(/twice/);
  });
});
