import { describe, expect, it } from 'vitest';
import { BASE62, FAMILIES, Rng, leaks } from './__fixtures__/corpus.js';
import { DEFAULT_RULES, Redactor } from './index.js';

const N = 100_000;

/** Near-misses and unterminated constructs, each repeated ~100 000 times (0.1–4 MB). */
function hostileInputs(): Array<[string, string]> {
  const inputs: Array<[string, string]> = [
    ["'ghp_' + 35×a", `ghp_${'a'.repeat(35)} `.repeat(N)],
    ['-----BEGIN without END', '-----BEGIN'.repeat(N)],
    ['BEGIN PRIVATE KEY headers, no END', '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(N)],
    ['PuTTY headers, no MAC', 'PuTTY-User-Key-File-3: x\n'.repeat(N)],
    ['a:b@ chains', 'a:b@'.repeat(N)],
    ['://a:b@ chains', 'https://a:b@'.repeat(N)],
    ['://user: without @', `://${'u:'.repeat(N)}`],
    ['long =====', '='.repeat(10 * N)],
    ['password= repeated', 'password='.repeat(N)],
    ['password: " unterminated', 'password: "'.repeat(N)],
    ['password: \\" runs', `password: "${'\\"'.repeat(N)}`],
    ['escaped quote runs', `\\"api_key\\": \\"${'a\\'.repeat(N)}`],
    ['secret=secret= chain', 'secret='.repeat(N)],
    ['token in a value run', `TOKEN=${'token'.repeat(N)}`],
    ['--password flags', '--password '.repeat(N)],
    ["'eyJ' + '.'", 'eyJ.'.repeat(N)],
    ['eyJ parts', `eyJ${'a'.repeat(12)}.`.repeat(N)],
    ['eyJ…x.y. chains', `eyJ${'a'.repeat(10)}.${'b'.repeat(10)}.`.repeat(N)],
    ['percent escapes', '%41'.repeat(N)],
    ['lone percents', '%'.repeat(10 * N)],
    ['ESC [', '\u001b['.repeat(N)],
    ['ESC ] unterminated', `\u001b]${'x'.repeat(10 * N)}`],
    ['curl -u', 'curl -u '.repeat(N)],
    ['curl words', `curl ${'x'.repeat(1000)} `.repeat(N / 100)],
    ['Authorization: Bearer', 'Authorization: Bearer '.repeat(N)],
    ['digits', '0'.repeat(10 * N)],
    ['hex', '0123456789abcdef'.repeat(N)],
    ['hex -us', `${'a'.repeat(31)}-us1`.repeat(N)],
    ['letters', 'a'.repeat(10 * N)],
    ['base64url', 'aZ0-_'.repeat(2 * N)],
    ['discord-ish', `MTIz${'a'.repeat(20)}.abcdef.`.repeat(N / 10)],
    ['telegram-ish', `1234567890:A${'a'.repeat(30)} `.repeat(N / 10)],
    ['Q~ runs', `abc1Q~${'a'.repeat(30)}`.repeat(N / 10)],
    ['s. runs', 's.'.repeat(N)],
    ['key- runs', 'key-'.repeat(N)],
    ['dots', '.'.repeat(10 * N)],
    ['colons and spaces', ': '.repeat(N)],
    ['quotes', '"'.repeat(N)],
    ['NUL-separated names', 'SECRET_KEY=\u0000'.repeat(N)],
    ['long line of words', 'the quick brown fox '.repeat(N)],
  ];
  const keywords = DEFAULT_RULES.flatMap((rule) => rule.keywords ?? []);
  inputs.push(['every keyword, repeated', keywords.join('').repeat(Math.ceil(N / keywords.length) * 4)]);
  inputs.push(['every keyword + near miss', keywords.map((k) => `${k.toUpperCase()}${'a'.repeat(35)}=`).join(' ').repeat(Math.ceil(N / keywords.length))]);
  return inputs;
}

describe('hostile and huge inputs', () => {
  const inputs = hostileInputs();

  it('runs every rule pattern alone over every hostile input, no match reaching past the rule maxLength', () => {
    for (const rule of DEFAULT_RULES) {
      const pattern = new RegExp(rule.pattern.source, rule.pattern.flags + 'gd');
      const own: Array<[string, string]> = (rule.keywords ?? []).flatMap((keyword): Array<[string, string]> => [
        [`keyword ${keyword} repeated`, keyword.repeat(Math.ceil(N / 2))],
        [`keyword ${keyword} + near miss`, `${keyword.toUpperCase()}${'a'.repeat(35)}=`.repeat(N / 10)],
      ]);
      for (const [name, input] of [...inputs, ...own]) {
        pattern.lastIndex = 0;
        let matches = 0;
        let longest = 0;
        for (let match = pattern.exec(input); match && matches < 1_000_000; match = pattern.exec(input)) {
          matches++;
          if (match[0].length === 0) pattern.lastIndex++;
          let start = match.index;
          for (const range of Object.values(match.indices?.groups ?? {})) if (range) start = Math.min(start, range[0]);
          longest = Math.max(longest, match.index + match[0].length - start);
        }
        if (!rule.continuation) expect(longest, `${rule.id} on ${name}`).toBeLessThanOrEqual(rule.maxLength);
      }
    }
  });

  it('redacts every hostile input the same one-shot and streamed', () => {
    const redactor = new Redactor({ knownValues: ['known-value-aaaa', 'aaaaaaaa'] });
    for (const [name, input] of inputs) {
      const expected = redactor.redact(input).text;
      const stream = redactor.createStream();
      let out = '';
      for (let at = 0; at < input.length; at += 65536) out += stream.push(input.slice(at, at + 65536));
      out += stream.end();
      expect(out === expected, `stream equals one-shot on ${name}`).toBe(true);
    }
  });

  it('redacts a 20 MB single line, one-shot and streamed', () => {
    const rng = new Rng(20);
    const secrets: string[] = [];
    const parts: string[] = [];
    let length = 0;
    while (length < 20e6) {
      const filler = `${rng.chars('abcdefghijklmnopqrstuvwxyz ', 2000)} build step ok; `.repeat(30);
      const family = rng.pick(FAMILIES.filter((f) => !f.multiline && !f.needsContext));
      const secret = family.make(rng);
      secrets.push(secret.redacted);
      const part = `${filler} using ${secret.value} ; password=${rng.chars(BASE62, 16)} `;
      parts.push(part);
      length += part.length;
    }
    const line = parts.join('');
    const redactor = new Redactor();
    const result = redactor.redact(line);
    const stream = redactor.createStream();
    let streamed = 0;
    for (let at = 0; at < line.length; at += 65536) streamed += stream.push(line.slice(at, at + 65536)).length;
    streamed += stream.end().length;
    expect(result.count).toBe(2 * secrets.length);
    expect(streamed).toBe(result.text.length);
    for (const secret of secrets.slice(0, 20)) expect(leaks(result.text, secret)).toBeUndefined();
  });
});
