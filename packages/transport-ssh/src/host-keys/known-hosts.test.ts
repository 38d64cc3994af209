import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { InvalidOptionsError } from '@execkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestKey, generateKey, makeTempDir, opensshLookup, sshKeygen } from './__fixtures__/keys.js';
import {
  type KnownHostsEntry,
  entryMatchesHost,
  formatKnownHostsLine,
  hashKnownHostName,
  knownHostName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  readKnownHosts,
} from './index.js';

let temp: ReturnType<typeof makeTempDir>;
let ed: TestKey;
let rsa: TestKey;
let ecdsa: TestKey;

beforeAll(() => {
  temp = makeTempDir();
  ed = generateKey(temp.dir, 'ed25519', 'ed');
  rsa = generateKey(temp.dir, 'rsa', 'rsa');
  ecdsa = generateKey(temp.dir, 'ecdsa', 'ecdsa');
});

afterAll(() => temp.cleanup());

function matchingLines(entries: readonly KnownHostsEntry[], host: string, port: number): number[] {
  return entries.filter((entry) => entryMatchesHost(entry, host, port)).map((entry) => entry.line);
}

describe('parseKnownHosts', () => {
  it('parses markers, pattern lists, hashed names, key blobs and comments with line numbers', () => {
    const hashed = hashKnownHostName('hashed.example');
    const text = [
      '# a comment line',
      '',
      `example.com,other.org ${ed.text} my laptop key`,
      `   [example.com]:2222\t${rsa.text}`,
      `@revoked * ${rsa.text}`,
      `@cert-authority *.ca.example ${ecdsa.text} ca`,
      `${hashed} ${ecdsa.text}`,
      `trailing.example ${ed.text}   # trailing comment  `,
      '    # indented comment',
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.map((entry) => entry.line)).toEqual([3, 4, 5, 6, 7, 8]);

    const [first, second, revoked, ca, hashedEntry, trailing] = entries;
    expect(first).toMatchObject({
      marker: null,
      hosts: { kind: 'patterns', patterns: ['example.com', 'other.org'] },
      keyType: 'ssh-ed25519',
      comment: 'my laptop key',
    });
    expect(first!.keyBlob.equals(ed.blob)).toBe(true);
    expect(second).toMatchObject({ marker: null, hosts: { kind: 'patterns', patterns: ['[example.com]:2222'] }, keyType: 'ssh-rsa' });
    expect(second!.comment).toBeUndefined();
    expect(second!.keyBlob.equals(rsa.blob)).toBe(true);
    expect(revoked).toMatchObject({ marker: 'revoked', hosts: { kind: 'patterns', patterns: ['*'] } });
    expect(ca).toMatchObject({ marker: 'cert-authority', keyType: 'ecdsa-sha2-nistp256', comment: 'ca' });
    expect(hashedEntry!.hosts.kind).toBe('hashed');
    if (hashedEntry!.hosts.kind === 'hashed') {
      expect(hashedEntry!.hosts.salt).toHaveLength(20);
      expect(hashedEntry!.hosts.hash).toHaveLength(20);
    }
    expect(trailing!.comment).toBe('# trailing comment');
  });

  it('treats CRLF, a missing final newline and a BOM like plain LF', () => {
    const lines = ['# header', `a.example ${ed.text} one`, '', `b.example ${rsa.text}`];
    const lf = parseKnownHosts(`${lines.join('\n')}\n`);
    const crlf = parseKnownHosts(`${lines.join('\r\n')}\r\n`);
    const noFinal = parseKnownHosts(lines.join('\r\n'));
    const bom = parseKnownHosts(`\uFEFF${lines.join('\n')}`);
    expect(lf.map((entry) => entry.line)).toEqual([2, 4]);
    for (const other of [crlf, noFinal, bom]) {
      expect(other.map(({ line, hosts, keyType, comment }) => ({ line, hosts, keyType, comment }))).toEqual(
        lf.map(({ line, hosts, keyType, comment }) => ({ line, hosts, keyType, comment })),
      );
      expect(other.every((entry, index) => entry.keyBlob.equals(lf[index]!.keyBlob))).toBe(true);
    }
    expect(crlf[0]!.comment).toBe('one');
    expect(parseKnownHosts(`a.example ${ed.text}`)).toHaveLength(1);
  });

  it('skips malformed lines without throwing and keeps the good ones', () => {
    const base64 = ed.text.split(' ')[1]!;
    const malformed = [
      'onlyonefield',
      `host.example ssh-ed25519`,
      `host.example ssh-ed25519 not*base64!`,
      `host.example ssh-ed25519 ${base64.slice(0, -4)}`, // truncated blob
      `host.example ssh-ed25519 ${base64.slice(0, -1)}`, // bad padding
      `host.example ssh-rsa ${base64}`, // type field disagrees with the blob
      `host.example ssh-ed25519 AAAA`, // too short to be a key
      `@unknown-marker host.example ${ed.text}`,
      `@revoked`,
      `@revoked ${ed.text}`, // marker without hosts
      `|1|c2FsdA==|aGFzaA== ${ed.text}`, // salt and hash not 20 bytes
      `|2|${'A'.repeat(28)}|${'A'.repeat(28)} ${ed.text}`, // unknown hash format
      `|1|onlysalt ${ed.text}`,
      `host.example 2048 65537 1234567890`, // SSH-1 RSA
      '\u0000\u0001 binary junk',
    ];
    const text = [`good.example ${ed.text}`, ...malformed, `also-good.example ${rsa.text}`].join('\n');
    let entries: KnownHostsEntry[] = [];
    expect(() => {
      entries = parseKnownHosts(text);
    }).not.toThrow();
    expect(entries.map((entry) => entry.line)).toEqual([1, malformed.length + 2]);
  });

  it('readKnownHosts treats a missing file as empty', async () => {
    await expect(readKnownHosts(join(temp.dir, 'does-not-exist'))).resolves.toEqual([]);
    const file = join(temp.dir, 'kh-read');
    writeFileSync(file, `x.example ${ed.text}\n`);
    await expect(readKnownHosts(file)).resolves.toHaveLength(1);
  });
});

describe('knownHostName and formatKnownHostsLine', () => {
  it('uses host for port 22 and [host]:port otherwise, lowercased', () => {
    expect(knownHostName('example.com', 22)).toBe('example.com');
    expect(knownHostName('Example.COM', 2222)).toBe('[example.com]:2222');
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(knownHostName('::1', 22)).toBe('::1');
    expect(knownHostName('fe80::1%eth0', 830)).toBe('[fe80::1%eth0]:830');
  });

  it('refuses hosts that would act as patterns or break the line, and bad ports', () => {
    for (const host of ['', '*', 'a*b', 'h?st', '!x', 'a,b', 'a b', '[::1]', '|1|x|y', '#x', "o'brien", 'a\nb']) {
      expect(() => knownHostName(host, 22), host).toThrow(InvalidOptionsError);
    }
    for (const port of [0, -1, 65536, 22.5, Number.NaN]) {
      expect(() => knownHostName('example.com', port), String(port)).toThrow(InvalidOptionsError);
    }
  });

  it('formats lines ssh-keygen -F finds, plain and hashed', () => {
    const file = join(temp.dir, 'kh-format');
    writeFileSync(
      file,
      [
        formatKnownHostsLine('127.0.0.1', 2222, ed.blob),
        formatKnownHostsLine('Host.Example', 22, rsa.blob, { hash: true }),
        '',
      ].join('\n'),
    );
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(`[127.0.0.1]:2222 ${ed.text}`);
    expect(readFileSync(file, 'utf8').split('\n')[1]).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-rsa /);
    expect(opensshLookup('[127.0.0.1]:2222', file)).toEqual([{ line: 1, tag: '' }]);
    expect(opensshLookup('host.example', file)).toEqual([{ line: 2, tag: '' }]);
    expect(opensshLookup('127.0.0.1', file)).toEqual([]);
  });

  it('hashKnownHostName is HMAC-SHA1(salt, name) in |1|salt|hash form', () => {
    const salt = Buffer.alloc(20, 7);
    const expected = createHmac('sha1', salt).update('[h.example]:2222').digest('base64');
    expect(hashKnownHostName('[h.example]:2222', salt)).toBe(`|1|${salt.toString('base64')}|${expected}`);
    expect(() => hashKnownHostName('x', Buffer.alloc(8))).toThrow(InvalidOptionsError);
  });
});

describe('entryMatchesHost agrees with ssh-keygen -F', () => {
  const queries: Array<[string, number]> = [
    ['example.com', 22],
    ['other.org', 22],
    ['example.com', 2222],
    ['other.org', 2222],
    ['a.wild.net', 22],
    ['deep.a.wild.net', 22],
    ['bad.wild.net', 22],
    ['wild.net', 22],
    ['host.net', 22],
    ['hxst.net', 22],
    ['hoost.net', 22],
    ['10.1.2.3', 22],
    ['10.1.2.3', 2200],
    ['10.1.2.3', 2222],
    ['x.ca.example', 22],
    ['nowhere.example', 22],
    ['mixed.example.com', 22],
    ['svc1.port.example', 8022],
    ['svc1.port.example', 22],
    ['excluded.example', 22],
  ];

  function plainFile(): string {
    return [
      '# cross-check file',
      `example.com,other.org ${ed.text}`,
      `[example.com]:2222 ${rsa.text}`,
      `*.wild.net,!bad.wild.net ${ed.text}`,
      `h?st.net ${rsa.text}`,
      `10.1.2.*,[10.1.2.3]:22?? ${ecdsa.text}`,
      `@revoked *.net ${ecdsa.text}`,
      `@cert-authority *.ca.example ${ed.text}`,
      `MiXeD.Example.COM ${ed.text}`,
      `[svc?.port.example]:8022 ${ed.text}`,
      `!excluded.example,*.example ${rsa.text}`,
      `example.com ${ecdsa.text} second key for the same host`,
      '',
    ].join('\n');
  }

  it('on plain, wildcard, negated, port and marker lines', () => {
    const file = join(temp.dir, 'kh-plain');
    const text = plainFile();
    writeFileSync(file, text);
    const entries = parseKnownHosts(text);
    for (const [host, port] of queries) {
      const openssh = opensshLookup(knownHostName(host, port), file);
      // ssh-keygen lists @cert-authority lines too (tagged CA); we must never match them.
      expect(matchingLines(entries, host, port), `${host}:${port}`).toEqual(
        openssh.filter((match) => match.tag !== 'CA').map((match) => match.line),
      );
      const revokedLines = entries.filter((entry) => entry.marker === 'revoked').map((entry) => entry.line);
      expect(
        openssh.filter((match) => match.tag === 'REVOKED').map((match) => match.line),
        `${host}:${port}`,
      ).toEqual(matchingLines(entries, host, port).filter((line) => revokedLines.includes(line)));
    }
    // Sanity: the cross-check exercised each rule.
    expect(matchingLines(entries, 'example.com', 22)).toEqual([2, 12]);
    expect(matchingLines(entries, 'example.com', 2222)).toEqual([3]);
    expect(matchingLines(entries, 'bad.wild.net', 22)).toEqual([7]);
    expect(matchingLines(entries, 'a.wild.net', 22)).toEqual([4, 7]);
    expect(matchingLines(entries, 'hoost.net', 22)).toEqual([7]);
    expect(matchingLines(entries, '10.1.2.3', 2200)).toEqual([6]);
    expect(matchingLines(entries, 'excluded.example', 22)).toEqual([]);
    expect(matchingLines(entries, 'x.ca.example', 22)).toEqual([11]);
    expect(opensshLookup('x.ca.example', file).some((match) => match.tag === 'CA')).toBe(true);
  });

  it('compares host names case-insensitively', () => {
    const entries = parseKnownHosts(plainFile());
    expect(matchingLines(entries, 'mixed.example.com', 22)).toContain(9);
    expect(matchingLines(entries, 'MIXED.EXAMPLE.COM', 22)).toContain(9);
    expect(matchingLines(entries, 'Example.Com', 22)).toEqual([2, 12]);
    expect(matchingLines(entries, 'A.WILD.NET', 22)).toEqual([4, 7]);
    expect(matchingLines(entries, 'BAD.wild.NET', 22)).toEqual([7]);
  });

  it('on names hashed by ssh-keygen -H', () => {
    const file = join(temp.dir, 'kh-hash');
    writeFileSync(
      file,
      [
        `example.com,other.org ${ed.text}`,
        `[example.com]:2222 ${rsa.text}`,
        `10.1.2.3 ${ecdsa.text}`,
        `mixed.example.com ${ed.text}`,
        `@revoked [10.1.2.3]:2200 ${rsa.text}`,
        '',
      ].join('\n'),
    );
    expect(sshKeygen(['-q', '-H', '-f', file]).status).toBe(0);
    const text = readFileSync(file, 'utf8');
    const entries = parseKnownHosts(text);
    expect(entries.length).toBeGreaterThanOrEqual(6); // the comma list became one line per name
    // ssh-keygen -H hashes ordinary lines and leaves marker lines as they are.
    expect(entries.filter((entry) => entry.marker === null).every((entry) => entry.hosts.kind === 'hashed')).toBe(true);
    expect(entries.filter((entry) => entry.hosts.kind === 'hashed')).toHaveLength(5);
    expect(text).not.toContain('example.com');
    expect(text).not.toContain('mixed');
    for (const [host, port] of [...queries, ['10.1.2.3', 2200] as [string, number]]) {
      expect(matchingLines(entries, host, port), `${host}:${port}`).toEqual(
        opensshLookup(knownHostName(host, port), file).map((match) => match.line),
      );
    }
    expect(matchingLines(entries, 'example.com', 22)).toHaveLength(1);
    expect(matchingLines(entries, 'EXAMPLE.com', 22)).toEqual(matchingLines(entries, 'example.com', 22));
    expect(matchingLines(entries, 'example.com', 2222)).toHaveLength(1);
    expect(matchingLines(entries, 'example.org', 22)).toEqual([]);
    const revoked = entries.filter((entry) => entryMatchesHost(entry, '10.1.2.3', 2200));
    expect(revoked.map((entry) => entry.marker)).toEqual(['revoked']);
  });

  it('never matches @cert-authority lines, even for an exact name', () => {
    const entries = parseKnownHosts(`@cert-authority exact.example,* ${ed.text}\n`);
    expect(entries).toHaveLength(1);
    expect(entryMatchesHost(entries[0]!, 'exact.example', 22)).toBe(false);
    expect(entryMatchesHost(entries[0]!, 'anything', 22)).toBe(false);
  });
});

describe('preferredHostKeyAlgorithms', () => {
  const require = createRequire(import.meta.url);
  const constants = require('ssh2/lib/protocol/constants.js') as {
    DEFAULT_SERVER_HOST_KEY: string[];
    SUPPORTED_SERVER_HOST_KEY: string[];
  };

  it('is undefined for an unknown host (and ignores @revoked / @cert-authority lines)', () => {
    const entries = parseKnownHosts(
      [`known.example ${ed.text}`, `@revoked unknown.example ${rsa.text}`, `@cert-authority unknown.example ${ecdsa.text}`].join('\n'),
    );
    expect(preferredHostKeyAlgorithms(entries, 'unknown.example', 22)).toBeUndefined();
    expect(preferredHostKeyAlgorithms(entries, 'known.example', 2222)).toBeUndefined();
    expect(preferredHostKeyAlgorithms([], 'known.example', 22)).toBeUndefined();
  });

  it('puts the known key types first, in ssh2 default order, and lists only names ssh2 knows', () => {
    const entries = parseKnownHosts(
      [`rsa.example ${rsa.text}`, `ecdsa.example ${ecdsa.text}`, `both.example ${rsa.text}`, `both.example ${ecdsa.text}`, `ed.example ${ed.text}`].join('\n'),
    );
    const defaults = constants.DEFAULT_SERVER_HOST_KEY;
    const rsaFirst = preferredHostKeyAlgorithms(entries, 'rsa.example', 22)!;
    expect(rsaFirst.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(rsaFirst.slice(3)).toEqual(defaults.filter((name) => !rsaFirst.slice(0, 3).includes(name)));
    expect(preferredHostKeyAlgorithms(entries, 'ecdsa.example', 22)![0]).toBe('ecdsa-sha2-nistp256');
    expect(preferredHostKeyAlgorithms(entries, 'both.example', 22)!.slice(0, 4)).toEqual([
      'ecdsa-sha2-nistp256',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(preferredHostKeyAlgorithms(entries, 'ed.example', 22)).toEqual(defaults);
    for (const host of ['rsa.example', 'ecdsa.example', 'both.example', 'ed.example']) {
      const list = preferredHostKeyAlgorithms(entries, host, 22)!;
      expect([...list].sort()).toEqual([...defaults].sort());
      for (const name of list) expect(constants.SUPPORTED_SERVER_HOST_KEY).toContain(name);
    }
  });

  it('matches hashed and [host]:port entries', () => {
    const entries = parseKnownHosts(`${formatKnownHostsLine('10.0.0.5', 2222, rsa.blob, { hash: true })}\n`);
    expect(preferredHostKeyAlgorithms(entries, '10.0.0.5', 2222)![0]).toBe('rsa-sha2-512');
    expect(preferredHostKeyAlgorithms(entries, '10.0.0.5', 22)).toBeUndefined();
  });
});
