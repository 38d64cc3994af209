import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { homeDirectory, localUserName } from './home.js';

/**
 * Runs home.ts in a fresh Node process with the given environment: it is transpiled to a
 * temporary .mjs whose `@execkit/core` import points at the built core package.
 */
let moduleUrl: string;
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'execkit-home-'));
  const corePackageJson = fileURLToPath(new URL('../../node_modules/@execkit/core/package.json', import.meta.url));
  const corePackage = JSON.parse(readFileSync(corePackageJson, 'utf8')) as { exports: { '.': { import: string } } };
  const coreUrl = new URL(corePackage.exports['.'].import, pathToFileURL(corePackageJson)).href;
  const source = readFileSync(fileURLToPath(new URL('./home.ts', import.meta.url)), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const rewritten = outputText.replace(/(['"])@execkit\/core\1/g, JSON.stringify(coreUrl));
  expect(rewritten).toContain(coreUrl);
  const file = join(scratch, 'home.mjs');
  writeFileSync(file, rewritten);
  moduleUrl = pathToFileURL(file).href;
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function runChild(env: Record<string, string | undefined>): { home: string; user: string; hadHome: boolean; hadUser: boolean } {
  const script = `
    const { homeDirectory, localUserName } = await import(${JSON.stringify(moduleUrl)});
    console.log(JSON.stringify({ home: homeDirectory(), user: localUserName(), hadHome: 'HOME' in process.env, hadUser: 'USER' in process.env }));
  `;
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) childEnv[key] = value;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: childEnv, encoding: 'utf8' });
  return JSON.parse(out) as { home: string; user: string; hadHome: boolean; hadUser: boolean };
}

function envWithout(...names: string[]): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

describe('homeDirectory / localUserName', () => {
  it('falls back to the passwd entry in a process started without HOME and USER', () => {
    const result = runChild(envWithout('HOME', 'USER'));
    expect(result.hadHome).toBe(false);
    expect(result.hadUser).toBe(false);
    expect(result.home).toBe(userInfo().homedir);
    expect(result.user).toBe(userInfo().username);
  });

  it('falls back to passwd when HOME is empty or relative', () => {
    expect(runChild({ ...envWithout('HOME'), HOME: '' }).home).toBe(userInfo().homedir);
    expect(runChild({ ...envWithout('HOME'), HOME: 'relative/dir' }).home).toBe(userInfo().homedir);
  });

  it('prefers $HOME and $USER when set', () => {
    const child = runChild({ ...envWithout('HOME', 'USER'), HOME: '/srv/somewhere', USER: 'svc-user' });
    expect(child).toMatchObject({ home: '/srv/somewhere', user: 'svc-user' });
    vi.stubEnv('HOME', '/opt/elsewhere');
    vi.stubEnv('USER', 'another');
    expect(homeDirectory()).toBe('/opt/elsewhere');
    expect(localUserName()).toBe('another');
  });
});
