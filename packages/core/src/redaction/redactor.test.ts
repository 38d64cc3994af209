import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { TerminalTextDecoder } from '../output/terminal-text.js';
import { BASE62, FAMILIES, Rng, leaks, seedOf } from './__fixtures__/corpus.js';
import { DEFAULT_RULES, MIN_KNOWN_VALUE_LENGTH, Redactor, type SecretRule } from './index.js';

const rng = new Rng(1234);
const ghp = (): string => `ghp_${rng.chars(BASE62, 36)}`;

describe('Redactor.redact', () => {
  it('reports the count and the kinds of what it replaced', () => {
    const text = `a=${ghp()} b=${ghp()}\nAuthorization: Bearer ${rng.chars(BASE62, 40)}\n`;
    const result = new Redactor().redact(text);
    expect(result.count).toBe(3);
    expect(result.kinds).toEqual(['authorization-header', 'github-pat']);
    expect(result.text).toBe('a=[REDACTED:github-pat] b=[REDACTED:github-pat]\nAuthorization: Bearer [REDACTED:authorization-header]\n');
  });

  it('returns text without secrets unchanged (same string)', () => {
    const text = 'nothing to see here\n';
    expect(new Redactor().redact(text)).toEqual({ text, count: 0, kinds: [] });
  });

  it('names the more specific rule when matches overlap', () => {
    const token = ghp();
    expect(new Redactor().redact(`GITHUB_TOKEN=${token}`).text).toBe('GITHUB_TOKEN=[REDACTED:github-pat]');
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${rng.chars(BASE62, 43)}`;
    expect(new Redactor().redact(`Authorization: Bearer ${jwt}`).text).toBe('Authorization: Bearer [REDACTED:jwt]');
  });

  it('takes custom rules and disabled ids', () => {
    const rule: SecretRule = { id: 'acme-token', description: 'ACME internal tokens', pattern: /acme_[a-z0-9]{20}/, keywords: ['acme_'], maxLength: 25 };
    const redactor = new Redactor({ rules: [...DEFAULT_RULES, rule], disable: ['github-pat'] });
    const token = ghp();
    expect(redactor.redact(`acme_abcdefghij0123456789 ${token}`).text).toBe(`[REDACTED:acme-token] ${token}`);
    expect(redactor.ruleIds).toContain('acme-token');
    expect(redactor.ruleIds).not.toContain('github-pat');
    const fullPass: SecretRule = { id: 'no-keyword', description: 'a rule without keywords', pattern: /zz\d{6}/, maxLength: 8 };
    expect(new Redactor({ rules: [fullPass] }).redact('a zz123456 b').text).toBe('a [REDACTED:no-keyword] b');
    // minLength: texts shorter than it are not searched; longer ones are, in one piece or streamed.
    const bounded = new Redactor({ rules: [{ ...fullPass, minLength: 8 }] });
    expect(bounded.redact('zz123456').text).toBe('[REDACTED:no-keyword]');
    const stream = bounded.createStream();
    expect(stream.push('zz12') + stream.push('3456\n') + stream.end()).toBe('[REDACTED:no-keyword]\n');
  });

  it('rejects bad options', () => {
    expect(() => new Redactor({ disable: ['nope'] })).toThrow(InvalidOptionsError);
    const bad = (rule: Partial<SecretRule>): SecretRule => ({ id: 'x', description: 'x', pattern: /x/, maxLength: 1, ...rule });
    expect(() => new Redactor({ rules: [bad({ id: 'Not Kebab' })] })).toThrow(InvalidOptionsError);
    expect(() => new Redactor({ rules: [bad({}), bad({})] })).toThrow(/duplicate/);
    expect(() => new Redactor({ rules: [bad({ id: 'known-value' })] })).toThrow(/duplicate/);
    expect(() => new Redactor({ rules: [bad({ maxLength: 0 })] })).toThrow(/maxLength/);
    expect(() => new Redactor({ rules: [bad({ minLength: 2 })] })).toThrow(/minLength/);
    expect(() => new Redactor({ rules: [bad({ minLength: -1 })] })).toThrow(/minLength/);
    expect(() => new Redactor({ rules: [bad({ minLength: 0.5 })] })).toThrow(/minLength/);
    expect(() => new Redactor({ rules: [bad({ keywords: ['é'] })] })).toThrow(/ASCII/);
  });

  it('keeps JSON valid: secrets are replaced inside the quotes', () => {
    const values: Record<string, string> = {};
    for (const family of FAMILIES) {
      const secret = family.make(new Rng(seedOf(family.id)));
      // A bare password is no secret out of context: such families go in with their first line.
      values[family.id] = family.needsContext ? family.contexts!(secret.value)[0]! : secret.value;
    }
    const document = {
      items: Object.values(values).map((value, index) => ({ n: index, value, nested: { list: [value, 'plain'] } })),
      headers: { Authorization: `Bearer ${rng.chars(BASE62, 40)}` },
      env: [`DB_PASSWORD=${rng.chars(BASE62, 12)} and spaces`, 'PATH=/usr/bin'],
      config: { password: `quote"and\\backslash${rng.chars(BASE62, 8)}`, private_key: values['private-key'] },
    };
    for (const json of [JSON.stringify(document), JSON.stringify(document, null, 2)]) {
      const out = new Redactor().redact(json).text;
      const parsed = JSON.parse(out) as typeof document;
      for (const family of FAMILIES) {
        const secret = family.make(new Rng(seedOf(family.id)));
        expect(leaks(out, secret.secret ?? secret.redacted), family.id).toBeUndefined();
      }
      expect(parsed.config.password).toBe('[REDACTED:secret-assignment]');
      expect(parsed.config.private_key).toBe('[REDACTED:private-key]');
      expect(parsed.env[0]).toBe('DB_PASSWORD=[REDACTED:secret-assignment]');
      expect(parsed.env[1]).toBe('PATH=/usr/bin');
      expect(parsed.headers.Authorization).toBe('Bearer [REDACTED:authorization-header]');
    }
  });
});

describe('JSON inside JSON strings', () => {
  it('masks values behind escaped quotes and keeps both levels valid', () => {
    const password = rng.chars(BASE62, 16);
    const token = rng.chars(BASE62, 32);
    const inner = JSON.stringify({ apiVersion: 'v1', data: { password }, stringData: { 'api-token': token }, metadata: { name: 'db' } });
    const outer = JSON.stringify({ metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': inner } } }, null, 2);
    const out = new Redactor().redact(outer).text;
    const parsed = JSON.parse(out) as { metadata: { annotations: Record<string, string> } };
    const innerOut = JSON.parse(parsed.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']!) as Record<string, Record<string, string>>;
    expect(innerOut['data']).toEqual({ password: '[REDACTED:secret-assignment]' });
    expect(innerOut['stringData']).toEqual({ 'api-token': '[REDACTED:secret-assignment]' });
    expect(innerOut['metadata']).toEqual({ name: 'db' });
  });
});

describe('known values', () => {
  it('masks registered values wherever they appear, inside words too', () => {
    const redactor = new Redactor();
    expect(redactor.addKnownValues(['hunter2-but-longer', 'short', '      ', 'hunter2-but-longer'])).toBe(1);
    const out = redactor.redact('pw=hunter2-but-longer; xhunter2-but-longerx; short stays').text;
    expect(out).toBe('pw=[REDACTED:known-value]; x[REDACTED:known-value]x; short stays');
    expect(MIN_KNOWN_VALUE_LENGTH).toBe(6);
  });

  it('wins the label over a rule that matches the same text', () => {
    const token = ghp();
    const redactor = new Redactor({ knownValues: [token] });
    expect(redactor.redact(`t=${token}`).text).toBe('t=[REDACTED:known-value]');
  });

  it('finds values JSON-escaped and percent-encoded', () => {
    const value = `p@ss "w\\rd"/${rng.chars(BASE62, 8)}`;
    const redactor = new Redactor({ knownValues: [value] });
    const json = JSON.stringify({ note: `uses ${value} here` });
    const out = redactor.redact(json).text;
    expect(JSON.parse(out)).toEqual({ note: 'uses [REDACTED:known-value] here' });
    const url = `https://example.com/login?next=x&pw=${encodeURIComponent(value)}&z=1`;
    expect(redactor.redact(url).text).toBe('https://example.com/login?next=x&pw=[REDACTED:known-value]&z=1');
    const lower = url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    expect(redactor.redact(lower).text).toBe('https://example.com/login?next=x&pw=[REDACTED:known-value]&z=1');
  });

  it('registers multi-line values line by line', () => {
    const lines = [rng.chars(BASE62, 30), rng.chars(BASE62, 30), 'ab'];
    const redactor = new Redactor({ knownValues: [lines.join('\n')] });
    expect(redactor.redact(`x ${lines[1]} y\n${lines[0]}\nab`).text).toBe('x [REDACTED:known-value] y\n[REDACTED:known-value]\nab');
  });

  it('takes the secret-named variables of an environment', () => {
    const redactor = new Redactor();
    const env = { DB_PASSWORD: 'correct-horse-9', HOME: '/root', GITHUB_TOKEN: ghp(), SHORT_SECRET: 'abc', PATH: '/usr/bin' };
    expect(redactor.addKnownEnv(env).sort()).toEqual(['DB_PASSWORD', 'GITHUB_TOKEN']);
    expect(redactor.redact('the password is correct-horse-9 ok /root').text).toBe('the password is [REDACTED:known-value] ok /root');
  });
});

describe('percent-encoding', () => {
  const redactor = new Redactor();

  it('finds a token with a percent-encoded char', () => {
    const token = ghp();
    const url = `https://example.com/cb?state=1&code=%67${token.slice(1)}&x=1`;
    expect(redactor.redact(url).text).toBe('https://example.com/cb?state=1&code=[REDACTED:github-pat]&x=1');
  });

  it('finds a fully percent-encoded token', () => {
    const token = `sk_live_${rng.chars(BASE62, 24)}`;
    const encoded = [...token].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    expect(redactor.redact(`q=${encoded} done`).text).toBe('q=[REDACTED:stripe-secret-key] done');
  });

  it('finds percent-encoded passwords in URLs', () => {
    expect(redactor.redact('mysql://root:pa%40ss%21w0rd@db:3306/app').text).toBe('mysql://root:[REDACTED:url-credentials]@db:3306/app');
  });

  it('leaves ordinary percent-encoded text alone', () => {
    const text = 'GET /search?q=hello%20world&lang=en%2Dus 200 100%';
    expect(redactor.redact(text).text).toBe(text);
  });
});

describe('terminal escape sequences', () => {
  it('masks a token split by an escape sequence once the decoder stripped it (the pipeline order)', () => {
    const token = ghp();
    const raw = `token: ${token.slice(0, 15)}\u001b[1m\u001b[31m${token.slice(15)}\u001b[0m\n`;
    const decoder = new TerminalTextDecoder();
    const bytes = new TextEncoder().encode(raw);
    const stream = new Redactor().createStream();
    let out = '';
    for (let at = 0; at < bytes.length; at += 5) out += stream.push(decoder.push(bytes.subarray(at, at + 5)));
    out += stream.push(decoder.end()) + stream.end();
    expect(out).toBe('token: [REDACTED:github-pat]\n');
  });

  it('masks it even when the caller forgot to strip (the escapes inside go too)', () => {
    const token = ghp();
    const raw = `\u001b[32mok\u001b[0m ${token.slice(0, 9)}\u001b[1m${token.slice(9)}\u001b[0m end`;
    const out = new Redactor().redact(raw).text;
    expect(out).toBe('\u001b[32mok\u001b[0m [REDACTED:github-pat]\u001b[0m end');
    expect(leaks(out, token)).toBeUndefined();
  });
});
