import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HostKeyError } from '../errors.js';
import { type TestKey, generateKey, makeTempDir, opensshLookup } from './__fixtures__/keys.js';
import { type VerifyHostKeyResult, parseKnownHosts, verifyHostKey } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '..', '..');

let temp: ReturnType<typeof makeTempDir>;
let ed: TestKey;
let ed2: TestKey;
let fileCounter = 0;

beforeAll(() => {
  temp = makeTempDir('execkit-hostkeys-concurrency-');
  ed = generateKey(temp.dir, 'ed25519', 'ed');
  ed2 = generateKey(temp.dir, 'ed25519', 'ed2');
});

afterAll(() => temp.cleanup());

function freshPath(): string {
  const dir = join(temp.dir, `case-${++fileCounter}`);
  mkdirSync(dir);
  return join(dir, 'known_hosts');
}

type Outcome = { learned: boolean } | { rejected: string };

async function outcome(promise: Promise<VerifyHostKeyResult>): Promise<Outcome> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof HostKeyError) return { rejected: error.rejection };
    throw error;
  }
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
}

describe('in-process concurrency', () => {
  it('20 parallel accept-new verifications of one unknown host append exactly one line', async () => {
    const path = freshPath();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        verifyHostKey({ host: '127.0.0.1', port: 2222, keyBlob: ed.blob, policy: 'accept-new', knownHostsPath: path }),
      ),
    );
    expect(results.filter((result) => result.learned)).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe(`[127.0.0.1]:2222 ${ed.text}\n`);
    expect(opensshLookup('[127.0.0.1]:2222', path)).toHaveLength(1);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('racing two different keys for one host: one line, the other key is refused as changed', async () => {
    const path = freshPath();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        outcome(
          verifyHostKey({
            host: 'race.example',
            port: 22,
            keyBlob: index % 2 === 0 ? ed.blob : ed2.blob,
            policy: 'accept-new',
            knownHostsPath: path,
          }),
        ),
      ),
    );
    const written = lines(path);
    expect(written).toHaveLength(1);
    const winner = written[0] === `race.example ${ed.text}` ? 0 : 1;
    expect(written[0]).toBe(`race.example ${(winner === 0 ? ed : ed2).text}`);
    results.forEach((result, index) => {
      if (index % 2 === winner) expect(result).toHaveProperty('learned');
      else expect(result).toEqual({ rejected: 'changed' });
    });
    expect(results.filter((result) => 'learned' in result && result.learned)).toHaveLength(1);
  });

  it('parallel learning of many hosts keeps every line whole', async () => {
    const path = freshPath();
    writeFileSync(path, `# no final newline`);
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        verifyHostKey({
          host: `host${index}.example`,
          port: 22,
          keyBlob: index % 2 === 0 ? ed.blob : ed2.blob,
          policy: 'accept-new',
          knownHostsPath: path,
          hashNewEntries: index % 3 === 0,
        }),
      ),
    );
    const written = lines(path);
    expect(written).toHaveLength(21);
    expect(written[0]).toBe('# no final newline');
    expect(parseKnownHosts(readFileSync(path, 'utf8'))).toHaveLength(20);
    for (let index = 0; index < 20; index++) {
      expect(opensshLookup(`host${index}.example`, path), `host${index}`).toHaveLength(1);
    }
  });
});

describe('lock file', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('removes a stale lock (older than staleLockMs) and proceeds', async () => {
    const path = freshPath();
    writeFileSync(`${path}.lock`, '99999999\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    // With no time to wait, only removing the stale lock (not waiting it out) lets this succeed.
    await expect(
      verifyHostKey({ host: 'stale.example', port: 22, keyBlob: ed.blob, policy: 'accept-new', knownHostsPath: path, lockTimeoutMs: 0 }),
    ).resolves.toEqual({ learned: true });
    expect(lines(path)).toEqual([`stale.example ${ed.text}`]);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('waits for a held lock and gives up after lockTimeoutMs without writing', async () => {
    const path = freshPath();
    writeFileSync(path, `other.example ${ed2.text}\n`);
    writeFileSync(`${path}.lock`, '1\n');
    // The clock the lock reads stands still until the test moves it: the waiting is driven, not timed.
    vi.useFakeTimers({ toFake: ['Date'] });
    let settled = false;
    const attempt = verifyHostKey({
      host: 'held.example',
      port: 22,
      keyBlob: ed.blob,
      policy: 'accept-new',
      knownHostsPath: path,
      lockTimeoutMs: 300,
    }).then(
      () => {
        settled = true;
        return undefined;
      },
      (error: unknown) => {
        settled = true;
        return error;
      },
    );
    await new Promise((done) => setTimeout(done, 300));
    expect(settled).toBe(false); // still retrying: no time has passed on its clock
    vi.setSystemTime(Date.now() + 299);
    await new Promise((done) => setTimeout(done, 300));
    expect(settled).toBe(false); // 299 ms of its 300 ms
    vi.setSystemTime(Date.now() + 2);
    const caught = await attempt;
    expect((caught as { code?: string }).code).toBe('TRANSPORT_START_FAILED');
    expect((caught as Error).message).toContain('Timed out after 300 ms');
    expect((caught as Error).message).toContain(`${path}.lock`);
    expect(readFileSync(path, 'utf8')).toBe(`other.example ${ed2.text}\n`);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe('1\n'); // someone else's lock is left alone
  });

  it('proceeds as soon as the holder releases the lock', async () => {
    const path = freshPath();
    writeFileSync(`${path}.lock`, '1\n');
    const pending = verifyHostKey({ host: 'released.example', port: 22, keyBlob: ed.blob, policy: 'accept-new', knownHostsPath: path });
    await new Promise((done) => setTimeout(done, 250));
    expect(existsSync(path)).toBe(false); // still waiting
    const { unlinkSync } = await import('node:fs');
    unlinkSync(`${path}.lock`);
    await expect(pending).resolves.toEqual({ learned: true });
    expect(lines(path)).toEqual([`released.example ${ed.text}`]);
  });
});

describe('cross-process concurrency', () => {
  let moduleUrl: string;

  beforeAll(() => {
    // Transpile this directory (and ../errors.ts) to plain ESM JavaScript so that separate `node`
    // processes can import the real implementation. @execkit/core resolves through a symlink to
    // the workspace package.
    const out = join(temp.dir, 'build');
    const sources = [
      join(packageDir, 'src', 'errors.ts'),
      ...readdirSync(here)
        .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
        .map((name) => join(here, name)),
    ];
    for (const source of sources) {
      const relative = source.slice(join(packageDir, 'src').length + 1);
      const target = join(out, relative.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(target), { recursive: true });
      const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
        fileName: basename(source),
      });
      writeFileSync(target, outputText);
    }
    writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
    mkdirSync(join(out, 'node_modules', '@execkit'), { recursive: true });
    symlinkSync(realpathSync(join(packageDir, 'node_modules', '@execkit', 'core')), join(out, 'node_modules', '@execkit', 'core'));
    moduleUrl = pathToFileURL(join(out, 'host-keys', 'index.js')).href;
  });

  /** Child program: waits until `startAt`, runs `count` verifications at once, prints outcomes as JSON. */
  const CHILD = `
const [moduleUrl, path, hostsJson, keyBase64, startAt, hash] = process.argv.slice(1);
const { verifyHostKey } = await import(moduleUrl);
const hosts = JSON.parse(hostsJson);
const keyBlob = Buffer.from(keyBase64, 'base64');
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
const results = await Promise.all(hosts.map((host) =>
  verifyHostKey({ host, port: 2222, keyBlob, policy: 'accept-new', knownHostsPath: path, hashNewEntries: hash === '1' })
    .then((r) => r, (e) => ({ rejected: e.rejection ?? String(e) }))));
process.stdout.write(JSON.stringify({ pid: process.pid, results }));
`;

  function runChild(path: string, hosts: string[], key: TestKey, startAt: number, hash = false): Promise<{ pid: number; results: Outcome[] }> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', CHILD, moduleUrl, path, JSON.stringify(hosts), key.blob.toString('base64'), String(startAt), hash ? '1' : '0'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`child exited with ${code}: ${stderr}`));
        else resolvePromise(JSON.parse(stdout) as { pid: number; results: Outcome[] });
      });
    });
  }

  it('4 processes learning the same unknown host at once write exactly one line', async () => {
    const path = freshPath();
    const startAt = Date.now() + 1_500;
    const children = await Promise.all(
      Array.from({ length: 4 }, () => runChild(path, Array.from({ length: 5 }, () => '127.0.0.1'), ed, startAt)),
    );
    expect(new Set(children.map((child) => child.pid)).size).toBe(4);
    const results = children.flatMap((child) => child.results);
    expect(results).toHaveLength(20);
    expect(results.every((result) => 'learned' in result)).toBe(true);
    expect(results.filter((result) => 'learned' in result && result.learned)).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe(`[127.0.0.1]:2222 ${ed.text}\n`);
    expect(opensshLookup('[127.0.0.1]:2222', path)).toEqual([{ line: 1, tag: '' }]);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('4 processes racing different keys for one host: one line, the losers are refused', async () => {
    const path = freshPath();
    const startAt = Date.now() + 1_500;
    const children = await Promise.all(
      [ed, ed2, ed, ed2].map((key) => runChild(path, ['127.0.0.1', '127.0.0.1'], key, startAt)),
    );
    const written = lines(path);
    expect(written).toHaveLength(1);
    const winner = written[0] === `[127.0.0.1]:2222 ${ed.text}` ? 0 : 1;
    children.forEach((child, index) => {
      for (const result of child.results) {
        if (index % 2 === winner) expect(result).toHaveProperty('learned');
        else expect(result).toEqual({ rejected: 'changed' });
      }
    });
  });

  it('4 processes learning 10 distinct hosts each keep all 40 lines whole', async () => {
    const path = freshPath();
    const startAt = Date.now() + 1_500;
    const children = await Promise.all(
      Array.from({ length: 4 }, (_, child) =>
        runChild(path, Array.from({ length: 10 }, (__, index) => `h${child}-${index}.example`), child % 2 === 0 ? ed : ed2, startAt, child === 3),
      ),
    );
    expect(children.flatMap((child) => child.results).every((result) => 'learned' in result && result.learned)).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(lines(path)).toHaveLength(40);
    expect(parseKnownHosts(text)).toHaveLength(40);
    for (let child = 0; child < 4; child++) {
      for (let index = 0; index < 10; index++) {
        expect(opensshLookup(`[h${child}-${index}.example]:2222`, path)).toHaveLength(1);
      }
    }
  });
});
