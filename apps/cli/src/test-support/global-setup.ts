import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { CLI_ROOT } from './cli.js';

/** Builds `dist/` once before the tests, so they always run the binary built from this source. */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: CLI_ROOT, stdio: 'inherit' });
}
