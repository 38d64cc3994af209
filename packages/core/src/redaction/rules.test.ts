import { describe, expect, it } from 'vitest';
import { FAMILIES, Rng, STANDARD_CONTEXTS, falsePositiveCorpus, leaks, secretOf, seedOf, type Family } from './__fixtures__/corpus.js';
import { DEFAULT_RULES, Redactor, isSecretName, looksLikeSecretValue, shannonEntropy } from './index.js';

const redactor = new Redactor();

describe('the rule set', () => {
  it('has at least 40 families with unique kebab-case ids and descriptions', () => {
    expect(DEFAULT_RULES.length).toBeGreaterThanOrEqual(40);
    const ids = DEFAULT_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of DEFAULT_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(rule.description.length).toBeGreaterThan(10);
      expect(rule.maxLength).toBeGreaterThan(0);
      expect(rule.pattern.flags).not.toMatch(/[gyd]/);
      for (const keyword of rule.keywords ?? []) expect(keyword).toBe(keyword.toLowerCase());
    }
  });

  it('has a synthetic family in the corpus for every rule, and the other way round', () => {
    expect(FAMILIES.map((f) => f.id).sort()).toEqual(DEFAULT_RULES.map((r) => r.id).sort());
  });

  it('covers the families the product promises', () => {
    const ids = new Set(DEFAULT_RULES.map((r) => r.id));
    for (const id of [
      'aws-access-key-id',
      'aws-secret-access-key',
      'gcp-api-key',
      'azure-storage-key',
      'azure-client-secret',
      'github-pat',
      'github-oauth-token',
      'github-app-token',
      'github-refresh-token',
      'github-fine-grained-pat',
      'gitlab-pat',
      'npm-token',
      'pypi-token',
      'huggingface-token',
      'openai-api-key',
      'openai-project-key',
      'anthropic-api-key',
      'anthropic-admin-key',
      'slack-bot-token',
      'slack-user-token',
      'slack-app-token',
      'slack-webhook',
      'discord-bot-token',
      'discord-webhook',
      'telegram-bot-token',
      'sendgrid-api-key',
      'mailgun-api-key',
      'mailchimp-api-key',
      'twilio-api-key',
      'twilio-auth-token',
      'stripe-secret-key',
      'stripe-restricted-key',
      'square-access-token',
      'vault-token',
      'doppler-token',
      'digitalocean-token',
      'databricks-token',
      'shopify-token',
      'linear-api-key',
      'age-secret-key',
      'jwt',
      'private-key',
      'putty-private-key',
      'url-credentials',
      'authorization-header',
      'curl-user-password',
      'secret-assignment',
    ]) {
      expect(ids, id).toContain(id);
    }
  });
});

describe.each(FAMILIES.map((family) => [family.id, family] as [string, Family]))('%s', (id, family) => {
  it('is replaced by its marker in realistic lines, nothing else changed', () => {
    for (let round = 0; round < 6; round++) {
      const rng = new Rng(seedOf(id) + round);
      const secret = family.make(rng);
      for (const line of (family.contexts ?? STANDARD_CONTEXTS)(secret.value)) {
        expect(line.split(secret.redacted).length, 'the corpus line holds the secret once').toBe(2);
        const expected = line.replace(secret.redacted, () => `[REDACTED:${id}]`);
        const result = redactor.redact(line);
        expect(result.text, JSON.stringify(line)).toBe(expected);
        expect(result.count).toBe(1);
        expect(result.kinds).toEqual([id]);
        expect(leaks(result.text, secretOf(secret))).toBeUndefined();
      }
    }
  });

  it('a match never reaches past the rule maxLength', () => {
    const rule = DEFAULT_RULES.find((r) => r.id === id)!;
    if (rule.continuation) return;
    const pattern = new RegExp(rule.pattern.source, rule.pattern.flags + 'gd');
    for (let round = 0; round < 6; round++) {
      const secret = family.make(new Rng(seedOf(id) * 3 + round));
      for (const line of (family.contexts ?? STANDARD_CONTEXTS)(secret.value)) {
        for (const match of line.matchAll(pattern)) {
          let start = match.index;
          for (const range of Object.values(match.indices?.groups ?? {})) if (range) start = Math.min(start, range[0]);
          expect(match.index + match[0].length - start).toBeLessThanOrEqual(rule.maxLength);
        }
      }
    }
  });

  it('a match is never shorter than the rule minLength, and short chunks still find it', () => {
    const rule = DEFAULT_RULES.find((r) => r.id === id)!;
    if (rule.minLength === undefined) return;
    const pattern = new RegExp(rule.pattern.source, rule.pattern.flags + 'g');
    for (let round = 0; round < 6; round++) {
      const secret = family.make(new Rng(seedOf(id) * 5 + round));
      for (const line of (family.contexts ?? STANDARD_CONTEXTS)(secret.value)) {
        for (const match of line.matchAll(pattern)) expect(match[0].length).toBeGreaterThanOrEqual(rule.minLength);
        const whole = redactor.redact(`${line}\n`).text;
        for (const size of [1, 2, 7, rule.minLength - 1, rule.minLength]) {
          const stream = redactor.createStream();
          let out = '';
          for (let at = 0; at <= line.length; at += size) out += stream.push(`${line}\n`.slice(at, at + size));
          out += stream.end();
          expect(out).toBe(whole);
        }
      }
    }
  });

  it('never matches across a line feed (but for key blocks)', () => {
    const rule = DEFAULT_RULES.find((r) => r.id === id)!;
    if (family.multiline) return;
    const pattern = new RegExp(rule.pattern.source, rule.pattern.flags + 'g');
    const secret = family.make(new Rng(seedOf(id) + 99));
    for (const line of (family.contexts ?? STANDARD_CONTEXTS)(secret.value)) {
      const at = line.indexOf(secret.value);
      for (let cut = at; cut <= at + secret.value.length; cut++) {
        const broken = `${line.slice(0, cut)}\n${line.slice(cut)}`;
        for (const match of broken.matchAll(pattern)) expect(match[0], JSON.stringify(broken)).not.toContain('\n');
      }
    }
  });
});

describe('false positives', () => {
  it('leaves the trap corpus byte-identical', () => {
    for (let seed = 1; seed <= 5; seed++) {
      for (const line of falsePositiveCorpus(new Rng(seed))) {
        const result = redactor.redact(line);
        expect(result.text, JSON.stringify(line.slice(0, 200))).toBe(line);
        expect(result.count).toBe(0);
      }
    }
  });

  it('leaves the whole corpus, joined, byte-identical too', () => {
    const text = falsePositiveCorpus(new Rng(42)).join('\n');
    expect(redactor.redact(text).text).toBe(text);
  });

  it('does not take publishable Stripe keys for secret ones', () => {
    const rng = new Rng(7);
    for (const prefix of ['pk_live_', 'pk_test_']) {
      const line = `STRIPE_KEY_PUBLIC=${prefix}${rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 24)}`;
      expect(redactor.redact(line).text).toBe(line);
    }
  });

  it('is idempotent: redacting redacted text changes nothing', () => {
    const lines: string[] = [];
    for (const family of FAMILIES) {
      const secret = family.make(new Rng(seedOf(family.id) + 5));
      lines.push(...(family.contexts ?? STANDARD_CONTEXTS)(secret.value));
    }
    const once = redactor.redact(lines.join('\n')).text;
    expect(redactor.redact(once).text).toBe(once);
  });
});

describe('secret names and values', () => {
  it('recognises secret names', () => {
    for (const name of ['DB_PASSWORD', 'password', 'clientSecret', 'x-api-key', 'GITHUB_TOKEN', '--auth-token', 'aws.secretAccessKey', 'Pwd', 'PGPASSWORD', 'MYSQL_PWD', 'SIGNING_KEY', 'auth', 'credentials', 'accessToken']) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['PASSWORD_FILE', 'token_type', 'max_tokens', 'public_key', 'tokenizer', 'author', 'KEY', 'secretName', 'GIT_ASKPASS', 'TOKEN_URL', 'sort_key', 'passed']) {
      expect(isSecretName(name), name).toBe(false);
    }
  });

  it('measures Shannon entropy in bits per char', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy(new Rng(1).chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 64))).toBeGreaterThan(4.5);
  });

  it('tells secret values from placeholders, masks, words and paths', () => {
    for (const value of ['Xk9#mP2$vL8q', 'hunter22', 'correct horse battery staple']) expect(looksLikeSecretValue(value, true), value).toBe(true);
    expect(looksLikeSecretValue('aZ3kP9qLm2Xv8Rt1')).toBe(true);
    for (const value of ['${VAR}', '$VAR', '{{ x }}', '********', 'xxxxxxxx', 'required', 'null', '/run/secrets/db', 'process.env.TOKEN', 'https://auth.example.com/token', '<your-token>']) {
      expect(looksLikeSecretValue(value, true), value).toBe(false);
    }
    expect(looksLikeSecretValue('kerberos')).toBe(false);
  });
});

describe('prechecks', () => {
  /** Extra lines with the spellings the prechecks of frequent keywords must let through. */
  const EXTRA = [
    'AWS_SESSION_TOKEN=FwoGZXIvYXdzEJr//////////wEaDL0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
    'x-amz-security-token: IQoJb3JpZ2luX2VjEHUaCXVzLWVhc3QtMSJHMEUCIQ00000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
    '"SessionToken": "IQoJb3JpZ2luX2VjEHUaCXVzLWVhc3QtMSJHMEUCIQ0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"',
    'SecretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'secret.key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'SECRET-ACCESS-KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'git clone https://deploy:Zx81kPq0rT@git.example.com/repo.git',
    'ftp://:hunter2Pw@files.example.com/ mongodb+srv://app:s3cr3tPassw0rd@cluster0.example.net',
    `https://${'u'.repeat(256)}:longUserPw1@example.com`,
  ];

  it('hold wherever their rule finds a secret at one of its keywords (the pattern matches, validate accepts)', () => {
    const rng = new Rng(41);
    const withPrecheck = DEFAULT_RULES.filter((rule) => rule.precheck && rule.keywords);
    expect(withPrecheck.map((rule) => rule.id)).toEqual(expect.arrayContaining(['aws-secret-access-key', 'aws-session-token', 'url-credentials', 'secret-assignment']));
    for (const rule of withPrecheck) {
      const family = FAMILIES.find((f) => f.id === rule.id)!;
      const texts = [...EXTRA, ...falsePositiveCorpus(rng)];
      for (let round = 0; round < 6; round++) texts.push(...(family.contexts ?? STANDARD_CONTEXTS)(family.make(new Rng(seedOf(rule.id) + round)).value));
      const sticky = new RegExp(rule.pattern.source, `${rule.pattern.flags}y`);
      let matched = 0;
      for (const text of texts) {
        const lower = text.toLowerCase();
        for (const keyword of rule.keywords!) {
          for (let at = lower.indexOf(keyword); at >= 0; at = lower.indexOf(keyword, at + 1)) {
            sticky.lastIndex = at;
            const match = sticky.exec(text);
            if (!match || !(rule.validate?.(match) ?? true)) continue;
            matched++;
            expect(rule.precheck!(text, at), `${rule.id} at ${at} of ${JSON.stringify(text)}`).toBe(true);
          }
        }
      }
      expect(matched, rule.id).toBeGreaterThan(0);
    }
  });

  it('turn away the ordinary words that share a keyword', () => {
    const rule = (id: string) => DEFAULT_RULES.find((r) => r.id === id)!;
    expect(rule('aws-session-token').precheck!('opens a session (12 ms)', 8)).toBe(false);
    expect(rule('aws-secret-access-key').precheck!('the secret was rotated', 4)).toBe(false);
    expect(rule('url-credentials').precheck!('GET https://api.example.com/v1/items', 9)).toBe(false);
  });
});
