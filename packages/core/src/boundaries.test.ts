import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const FORBIDDEN = ['ssh2', 'dockerode', 'docker-modem', '@modelcontextprotocol/sdk', 'zod', 'commander'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.js') ? [path] : [];
  });
}

describe('package boundaries', () => {
  it('declares none of the transport or protocol libraries', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const declared = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies });
    for (const name of FORBIDDEN) expect(declared).not.toContain(name);
  });

  it('the built entry points import only node builtins, relative files and ansi-regex', () => {
    const dist = join(root, 'dist');
    const allowed = new Set(['ansi-regex', 'vitest', '@vscode/tree-sitter-wasm']);
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    for (const file of files(dist)) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) seen.add(match[1]!);
    }
    expect(seen.size).toBeGreaterThan(5);
    for (const specifier of seen) {
      if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
      expect(allowed.has(specifier), `unexpected import ${specifier}`).toBe(true);
    }
    const main = files(dist).filter((file) => !file.includes('/testing/'));
    for (const file of main) expect(readFileSync(file, 'utf8')).not.toMatch(/from ['"]vitest['"]/);
  });
});
