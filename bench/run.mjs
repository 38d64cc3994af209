/**
 * `pnpm bench`: runs every benchmark in one process and writes one JSON file per area to
 * bench/results/. Figures are medians and 99th percentiles over ≥ 500 calls after warm-up.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchLocal } from './local.mjs';
import { benchSsh } from './ssh.mjs';
import { benchDocker } from './docker.mjs';
import { benchRedaction } from './redaction.mjs';

const only = process.argv.slice(2);
const machine = { node: process.version, cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30) };
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });

const suites = { local: benchLocal, ssh: benchSsh, docker: benchDocker, pipeline: benchRedaction };
for (const [name, run] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`\n== ${name}\n`);
  const report = { benchmark: name, date: new Date().toISOString(), machine, ...(await run()) };
  writeFileSync(new URL(`${name}.json`, resultsDir), `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`${JSON.stringify(report.ratios)}\n`);
}
