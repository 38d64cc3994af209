/**
 * `pnpm bench`: runs every benchmark suite, each in a fresh Node process (so no suite measures
 * the heap, JIT state or leftover handles of another), one after the other, and writes one JSON
 * file per suite to bench/results/. `node run.mjs ssh docker` runs only those.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const suites = {
  local: async () => (await import('./local.mjs')).benchLocal(),
  ssh: async () => (await import('./ssh.mjs')).benchSsh(),
  docker: async () => (await import('./docker.mjs')).benchDocker(),
  pipeline: async () => (await import('./redaction.mjs')).benchRedaction(),
  policy: async () => (await import('./policy.mjs')).benchPolicy(),
};

const args = process.argv.slice(2);
if (args[0] === '--suite') {
  // Child: run one suite and write its report.
  const name = args[1];
  const machine = { node: process.version, cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30) };
  const resultsDir = new URL('./results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const report = { benchmark: name, date: new Date().toISOString(), machine, ...(await suites[name]()) };
  writeFileSync(new URL(`${name}.json`, resultsDir), `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`${JSON.stringify(report.ratios ?? report.results)}\n`);
  process.exit(0);
}

const unknown = args.filter((name) => !(name in suites));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
let failed = false;
for (const name of Object.keys(suites)) {
  if (args.length > 0 && !args.includes(name)) continue;
  process.stderr.write(`\n== ${name}\n`);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--suite', name], { stdio: 'inherit' });
  if (child.status !== 0) {
    process.stderr.write(`suite ${name} failed (${child.status ?? child.signal})\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
