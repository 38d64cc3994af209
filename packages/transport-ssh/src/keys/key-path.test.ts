import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecKitError, InvalidOptionsError } from '@execkit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { KeyNotPermittedError } from '../errors.js';
import { KEY_NOT_PERMITTED_MESSAGE, checkPrivateKeyPermissions, resolvePermittedKeyPath } from './index.js';

/** Every path passed to fs/promises open() by the code under test. */
const opened = vi.hoisted((): string[] => []);
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: (...args: Parameters<typeof actual.open>) => {
      opened.push(String(args[0]));
      return actual.open(...args);
    },
  };
});

let root: string;
let keyDir: string;
let outside: string;
let socketServer: Server;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'execkit-keypath-')));
  keyDir = join(root, 'keys');
  outside = join(root, 'outside');
  mkdirSync(join(keyDir, 'sub'), { recursive: true, mode: 0o700 });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(keyDir, 'id_test'), 'key', { mode: 0o600 });
  writeFileSync(join(keyDir, 'sub', 'nested_key'), 'key', { mode: 0o600 });
  writeFileSync(join(outside, 'secret'), 'not a key', { mode: 0o600 });
  symlinkSync(join(keyDir, 'sub', 'nested_key'), join(keyDir, 'link_inside'));
  symlinkSync('sub/nested_key', join(keyDir, 'relative_link_inside'));
  symlinkSync(join(outside, 'secret'), join(keyDir, 'link_outside'));
  symlinkSync(outside, join(keyDir, 'dirlink_outside'));
  symlinkSync(join(keyDir, 'does-not-exist'), join(keyDir, 'dangling'));
  symlinkSync(keyDir, join(root, 'keys-alias'));
  execFileSync('mkfifo', [join(keyDir, 'fifo')]);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(keyDir, 'sock'), resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => socketServer.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

async function refusal(promise: Promise<unknown>): Promise<KeyNotPermittedError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyNotPermittedError);
    expect(ExecKitError.isInstance(error) && error.code).toBe('KEY_NOT_PERMITTED');
    return error as KeyNotPermittedError;
  }
  throw new Error('expected KeyNotPermittedError');
}

describe('resolvePermittedKeyPath: accepted paths', () => {
  it('accepts a name relative to the key directory and returns the real path', async () => {
    await expect(resolvePermittedKeyPath('id_test', keyDir)).resolves.toBe(join(keyDir, 'id_test'));
    await expect(resolvePermittedKeyPath('sub/nested_key', keyDir)).resolves.toBe(join(keyDir, 'sub', 'nested_key'));
    await expect(resolvePermittedKeyPath('../keys/id_test', keyDir)).resolves.toBe(join(keyDir, 'id_test'));
  });

  it('accepts an absolute path inside the directory', async () => {
    await expect(resolvePermittedKeyPath(join(keyDir, 'id_test'), keyDir)).resolves.toBe(join(keyDir, 'id_test'));
  });

  it('accepts symlinks whose target stays inside, returning the target', async () => {
    await expect(resolvePermittedKeyPath('link_inside', keyDir)).resolves.toBe(join(keyDir, 'sub', 'nested_key'));
    await expect(resolvePermittedKeyPath('relative_link_inside', keyDir)).resolves.toBe(join(keyDir, 'sub', 'nested_key'));
  });

  it('works when the key directory itself is reached through a symlink', async () => {
    const alias = join(root, 'keys-alias');
    await expect(resolvePermittedKeyPath('id_test', alias)).resolves.toBe(join(keyDir, 'id_test'));
    await expect(resolvePermittedKeyPath(join(keyDir, 'id_test'), alias)).resolves.toBe(join(keyDir, 'id_test'));
    await expect(resolvePermittedKeyPath(join(alias, 'id_test'), keyDir)).resolves.toBe(join(keyDir, 'id_test'));
  });

  it('expands ~ to the home directory', async () => {
    vi.stubEnv('HOME', root);
    await expect(resolvePermittedKeyPath('~/keys/id_test', keyDir)).resolves.toBe(join(keyDir, 'id_test'));
    await expect(resolvePermittedKeyPath('id_test', '~/keys')).resolves.toBe(join(keyDir, 'id_test'));
    await refusal(resolvePermittedKeyPath('~/outside/secret', keyDir));
  });
});

describe('resolvePermittedKeyPath: refusals all look the same', () => {
  const cases: Array<[string, () => string]> = [
    ['traversal to an existing file', () => '../outside/secret'],
    ['traversal to a missing file', () => '../outside/missing'],
    ['deep traversal', () => 'sub/../../../../../../etc/passwd'],
    ['absolute path outside', () => join(outside, 'secret')],
    ['absolute system file', () => '/etc/passwd'],
    ['symlink escaping the directory', () => 'link_outside'],
    ['path through a directory symlink escaping', () => 'dirlink_outside/secret'],
    ['dangling symlink', () => 'dangling'],
    ['FIFO', () => 'fifo'],
    ['socket', () => 'sock'],
    ['directory', () => 'sub'],
    ['the key directory itself', () => '.'],
    ['empty path', () => ''],
    ['missing file', () => 'no_such_key'],
    ['NUL byte', () => 'id_test\u0000.pub'],
    ['~user form', () => '~root/.ssh/id_rsa'],
    ['overlong path', () => 'a/'.repeat(3000)],
  ];

  it.each(cases)('refuses %s with the generic message', async (_label, path) => {
    const error = await refusal(resolvePermittedKeyPath(path(), keyDir));
    expect(error.message).toBe(KEY_NOT_PERMITTED_MESSAGE);
    expect(error.message).not.toContain(outside);
    expect(error.message).not.toContain('secret');
    expect(error.message).not.toContain('passwd');
  });

  it('gives byte-identical messages for existing and missing targets', async () => {
    const messages = new Set<string>();
    for (const [, path] of cases) messages.add((await refusal(resolvePermittedKeyPath(path(), keyDir))).message);
    expect([...messages]).toEqual([KEY_NOT_PERMITTED_MESSAGE]);
  });

  it('refuses a FIFO with the generic message (opening one would block until a writer comes)', async () => {
    const error = await refusal(resolvePermittedKeyPath(join(keyDir, 'fifo'), keyDir));
    expect(error.message).toBe(KEY_NOT_PERMITTED_MESSAGE);
  });

  it('never opens the FIFO (lstat first), while regular files are opened to fstat them', async () => {
    opened.length = 0;
    await resolvePermittedKeyPath('id_test', keyDir);
    expect(opened).toEqual([join(keyDir, 'id_test')]);
    opened.length = 0;
    await refusal(resolvePermittedKeyPath('fifo', keyDir));
    await refusal(checkPrivateKeyPermissions(join(keyDir, 'fifo')));
    await refusal(resolvePermittedKeyPath('sock', keyDir));
    expect(opened).toEqual([]);
  });

  it('refuses bad arguments with InvalidOptionsError', async () => {
    await expect(resolvePermittedKeyPath(42 as unknown as string, keyDir)).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(resolvePermittedKeyPath('id_test', 'relative/keys')).rejects.toMatchObject({ field: 'keyDir' });
    await expect(resolvePermittedKeyPath('id_test', join(root, 'no-such-dir'))).rejects.toMatchObject({ field: 'keyDir' });
    await expect(resolvePermittedKeyPath('id_test', join(keyDir, 'id_test'))).rejects.toMatchObject({ field: 'keyDir' });
  });
});

describe('checkPrivateKeyPermissions', () => {
  const file = (name: string, mode: number): string => {
    const path = join(keyDir, name);
    writeFileSync(path, 'key');
    chmodSync(path, mode);
    return path;
  };

  it('accepts 0600 and 0400', async () => {
    await expect(checkPrivateKeyPermissions(file('p600', 0o600))).resolves.toBeUndefined();
    await expect(checkPrivateKeyPermissions(file('p400', 0o400))).resolves.toBeUndefined();
  });

  it("refuses 0644 with OpenSSH's wording", async () => {
    const path = file('p644', 0o644);
    const error = await refusal(checkPrivateKeyPermissions(path));
    expect(error.message).toBe(
      `Permissions 0644 for '${path}' are too open. It is required that your private key files are NOT accessible by others. This private key will be ignored.`,
    );
  });

  it.each([
    [0o640, '0640'],
    [0o604, '0604'],
    [0o610, '0610'],
    [0o601, '0601'],
    [0o660, '0660'],
  ])('refuses mode %o', async (mode, octal) => {
    const error = await refusal(checkPrivateKeyPermissions(file(`m${octal}`, mode)));
    expect(error.message).toMatch(new RegExp(`^Permissions ${octal} for '.*' are too open\\.`));
  });

  it('follows a symlink to check the target', async () => {
    const target = file('p644-target', 0o644);
    const link = join(keyDir, 'p644-link');
    symlinkSync(target, link);
    expect((await refusal(checkPrivateKeyPermissions(link))).message).toMatch(/^Permissions 0644/);
  });

  it('gives the generic refusal for a missing file, a directory and a FIFO (without opening the FIFO)', async () => {
    opened.length = 0;
    for (const path of [join(keyDir, 'missing'), join(keyDir, 'sub'), join(keyDir, 'fifo')]) {
      expect((await refusal(checkPrivateKeyPermissions(path))).message).toBe(KEY_NOT_PERMITTED_MESSAGE);
    }
    expect(opened).not.toContain(join(keyDir, 'fifo'));
  });
});
