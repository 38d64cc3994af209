/**
 * Redaction benchmark: ~100 MB of synthetic build-log text with secrets sprinkled in, streamed
 * through `Redactor.createStream()` in 64 KiB chunks. Measures throughput and memory.
 *
 * Every secret is generated here from a seeded PRNG in the shape of a real one (no real credential
 * appears anywhere). Needs the built package: `pnpm --filter @execkit/core build`.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { DEFAULT_RULES, Redactor } from '../packages/core/dist/redaction/index.js';
import { StreamOutput } from '../packages/core/dist/output/stream-output.js';
import { applyBudget } from '../packages/core/dist/budget/index.js';

const INPUT_BYTES = 100 * 1024 * 1024;
const CHUNK = 64 * 1024;
const BLOCKS = 16;
const BLOCK_BYTES = 1024 * 1024;
/** One secret line per this many log lines, on average. */
const SECRET_EVERY = 400;

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const B64 = `${B62}+/`;

function rng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (items) => items[Math.floor(next() * items.length)];
  const chars = (alphabet, length) => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  };
  return { next, int, pick, chars };
}

/** Ordinary build-log lines: compilers, package managers, docker, tests, git. */
function logLine(r, n) {
  const ts = `2024-05-01T12:${String(n % 60).padStart(2, '0')}:${String((n * 7) % 60).padStart(2, '0')}.${String(n % 1000).padStart(3, '0')}Z`;
  const file = `src/${r.pick(['core', 'session', 'transport', 'output', 'cli'])}/${r.chars('abcdefghijklmnopqrstuvwxyz', r.int(4, 12))}.ts`;
  switch (r.int(0, 13)) {
    case 0:
      return `${file}:${r.int(1, 900)}:${r.int(1, 80)} - warning TS6133: '${r.chars('abcdefghij', 6)}' is declared but its value is never read.`;
    case 1:
      return `npm WARN deprecated ${r.pick(['inflight', 'glob', 'rimraf', 'uuid'])}@${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}: This module is not supported, and leaks memory.`;
    case 2:
      return `#${r.int(5, 30)} [${r.int(1, 4)}/${r.int(5, 9)}] RUN npm ci --omit=dev && npm cache clean --force`;
    case 3:
      return `#${r.int(5, 30)} sha256:${r.chars(HEX, 64)} ${r.int(1, 99)}.${r.int(0, 9)}MB / ${r.int(100, 300)}.${r.int(0, 9)}MB ${r.int(1, 9)}.${r.int(0, 9)}s`;
    case 4:
      return ` ✓ ${file} > ${r.pick(['opens a session', 'frames output', 'times out', 'reconnects'])} (${r.int(1, 900)} ms)`;
    case 5:
      return `[${ts}] INFO  request id=${r.chars(HEX, 8)}-${r.chars(HEX, 4)}-4${r.chars(HEX, 3)}-a${r.chars(HEX, 3)}-${r.chars(HEX, 12)} status=200 duration_ms=${r.int(1, 999)}`;
    case 6:
      return `Downloading https://registry.npmjs.org/@types/node/-/node-20.${r.int(0, 19)}.${r.int(0, 9)}.tgz (${r.int(100, 999)} kB) integrity sha512-${r.chars(B64, 86)}==`;
    case 7:
      return `gcc -O2 -Wall -Wextra -fPIC -I./include -c ${file.replace('.ts', '.c')} -o build/obj/${r.chars('abcdefgh', 6)}.o`;
    case 8:
      return `commit ${r.chars(HEX, 40)}\nAuthor: Dev ${r.chars('ABCDEFGH', 1)} <dev@example.com>`;
    case 9:
      return `${ts} [main] DEBUG tokenizer: loaded ${r.int(1000, 50000)} tokens from vocab.json in ${r.int(1, 99)} ms`;
    case 10:
      return `  password: "\${DB_PASSWORD}"   # templated, not a secret; max_tokens: ${r.int(100, 9000)}`;
    case 11:
      return `GET /api/v1/items?page=${r.int(1, 99)}&q=hello%20world&sort=-created 200 ${r.int(1, 99)}ms`;
    case 12:
      return `Step ${r.int(1, 40)}/40 : ENV NODE_ENV=production PATH=/usr/local/bin:/usr/bin:/bin`;
    default:
      return `${ts} ${r.pick(['INFO', 'WARN', 'DEBUG'])} ${r.chars('abcdefghijklmnopqrstuvwxyz ', r.int(20, 120))}`;
  }
}

/** A line holding one generated secret, in the places build logs leak them. */
function secretLine(r) {
  switch (r.int(0, 11)) {
    case 0:
      return `+ export GITHUB_TOKEN=ghp_${r.chars(B62, 36)}`;
    case 1:
      return `AWS_ACCESS_KEY_ID=AKIA${r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
    case 2:
      return `aws_secret_access_key = ${r.chars(B62, 40)}`;
    case 3:
      return `Cloning into 'repo'... https://x-access-token:ghs_${r.chars(B62, 36)}@github.com/acme/repo.git`;
    case 4:
      return `DATABASE_URL=postgres://app:${r.chars(B62, 18)}@db.internal:5432/app`;
    case 5:
      return `> Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIke${r.chars(B62, 30)}.${r.chars(B62, 43)}`;
    case 6:
      return `{"level":"debug","msg":"config","stripe_key":"sk_live_${r.chars(B62, 24)}","region":"eu"}`;
    case 7:
      return `npm notice using //registry.npmjs.org/:_authToken=npm_${r.chars(B62, 36)}`;
    case 8:
      return `SLACK_WEBHOOK=https://hooks.slack.com/services/T${r.chars('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 8)}/B${r.chars('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/${r.chars(B62, 24)}`;
    case 9:
      return `declare -x OPENAI_API_KEY="sk-proj-${r.chars(B62, 150)}"`;
    case 10:
      return `curl -fsS -u deploy:${r.chars(B62, 16)} https://nexus.example.com/repository/releases/`;
    default:
      return `  client_secret: ${r.chars(B62, 12)}!${r.chars(B62, 12)}`;
  }
}

function buildBlocks() {
  const blocks = [];
  let planted = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const r = rng(1000 + b);
    const lines = [];
    let size = 0;
    let n = 0;
    let secrets = 0;
    while (size < BLOCK_BYTES) {
      const line = r.int(1, SECRET_EVERY) === 1 ? (secrets++, secretLine(r)) : logLine(r, n++);
      lines.push(line);
      size += line.length + 1;
    }
    blocks.push({ text: `${lines.join('\n')}\n`, secrets });
    planted += secrets;
  }
  return { blocks, planted };
}

/** Pipeline runs per benchmark (the median is reported). */
const PIPELINE_RUNS = 5;

function collectGarbage() {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  gc();
  gc();
}

export async function benchRedaction() {
  const { blocks } = buildBlocks();
  const redactor = new Redactor();
  // Check the planted secrets are all found, then warm up the JIT on one block.
  for (const block of blocks) {
    const found = redactor.redact(block.text).count;
    if (found !== block.secrets) throw new Error(`a block with ${block.secrets} planted secrets gave ${found} replacements`);
  }

  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage.rss();
  const stream = redactor.createStream();
  let inputChars = 0;
  let outputChars = 0;
  let chunks = 0;
  const started = process.hrtime.bigint();
  for (let block = 0; inputChars < INPUT_BYTES; block = (block + 1) % blocks.length) {
    const text = blocks[block].text;
    for (let at = 0; at < text.length && inputChars < INPUT_BYTES; at += CHUNK) {
      const chunk = text.slice(at, at + CHUNK);
      inputChars += chunk.length;
      outputChars += stream.push(chunk).length;
      if (++chunks % 16 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  }
  outputChars += stream.end().length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  collectGarbage();
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;

  const inputMb = inputChars / (1024 * 1024);
  const results = {
    mb_per_s: Math.round((inputMb / seconds) * 10) / 10,
    peak_rss_mb: Math.round((peakRss / (1024 * 1024)) * 10) / 10,
    heap_growth_mb: Math.round((heapGrowth / (1024 * 1024)) * 100) / 100,
    input_mb: Math.round(inputMb * 10) / 10,
    secrets_found: stream.count,
  };
  process.stderr.write(`redaction: ${JSON.stringify(results)} (output ${(outputChars / 1024 / 1024).toFixed(1)} MiB)\n`);
  // Throughput on these shared machines drifts by tens of percent from one minute to the next:
  // several runs, the median reported with every run's figure.
  const runs = [];
  for (let run = 0; run < PIPELINE_RUNS; run++) runs.push(measurePipeline(blocks, redactor));
  const byRate = [...runs].sort((x, y) => x.mb_per_s - y.mb_per_s);
  const pipeline = {
    ...byRate[Math.floor(byRate.length / 2)],
    peak_rss_mb: Math.max(...runs.map((run) => run.peak_rss_mb)),
    mb_per_s_runs: runs.map((run) => run.mb_per_s),
  };
  process.stderr.write(`pipeline: ${JSON.stringify(pipeline)}\n`);
  const budget = measureBudget();
  process.stderr.write(`budget: ${JSON.stringify(budget)}\n`);
  const hostile = measureHostile(redactor);
  process.stderr.write(`hostile: ${JSON.stringify(hostile)}\n`);
  return {
    method:
      `${BLOCKS} synthetic build-log blocks of 1 MiB (compiler, npm, docker, test, git and request lines; one generated secret line per ~${SECRET_EVERY} lines: GitHub, AWS, Stripe, npm, OpenAI, Slack tokens, JWTs, URL and curl credentials, secret assignments) ` +
      `cycled to ${INPUT_BYTES / 1024 / 1024} MiB and pushed through one Redactor.createStream() in 64 KiB chunks after a warm-up pass that checks every planted secret is found; ` +
      'MB = MiB of UTF-16 chars (the logs are ASCII but for a few symbols such as … and ✓); peak RSS sampled every 16 chunks; heap growth = heapUsed after minus before, both after a forced GC (the 16 MiB of input blocks are allocated before)',
    results: { redaction_only: results, pipeline, budget, hostile_20mb_single_line: hostile },
    pipeline_method:
      'the same text as UTF-8 bytes with an ANSI colour code on every 8th line, pushed in 64 KiB chunks through one command stream exactly as a session handles it ' +
      '(count bytes → decode UTF-8 → strip ANSI/control → redact → keep up to 4 Mi chars head+tail for recall and budgets → cap at 100k chars), then a budget ' +
      `(grep "error", keep tail 50, max_chars 20000) applied to the kept text; ${PIPELINE_RUNS} runs, the median by MB/s reported (mb_per_s_runs lists all; peak RSS is the highest of all runs)`,
    budget_method:
      'applyBudget alone on a 350 000-line log (an "ERROR at step N" line every 5000 lines), ms per budget after one warm-up run of each: grep with context + head/tail + max_chars, ' +
      'grep + tail, tail, a grep matching every line, max_chars, a grep matching all but 70 lines + max_chars',
    hostile_method:
      'Redactor.redact (one shot) and a RedactionStream in 64 KiB chunks on 20 MiB single lines built to provoke backtracking or long holds: ' +
      'plain text, near-miss tokens, unterminated assignments and JWT starts, credential-URL chains, every keyword followed by a near miss; ms per input',
    targets: { pipeline_mb_per_s_at_least: 100, memory: 'flat in the input size', hostile_20mb_single_line_ms_below: 1000 },
  };
}

/** applyBudget on a 20 MB log, with the budgets of the budget tests: ms per budget. */
function measureBudget() {
  const line = (i) => (i % 5000 === 0 ? `ERROR at step ${i}: something failed` : `step ${i} ok ${'x'.repeat(45)}`);
  const text = `${Array.from({ length: 350_000 }, (_, i) => line(i)).join('\n')}\n`;
  const budgets = {
    grep_context_head_tail: { grep: { pattern: '^ERROR at step \\d+:', context: 1 }, keep: { mode: 'head_tail', head: 6, tail: 6 }, max_chars: 2_000 },
    grep_tail: { grep: { pattern: '\\d+ ok x+$' }, keep: { mode: 'tail', n: 3 } },
    tail: { keep: { mode: 'tail', n: 2 } },
    grep_every_line: { grep: { pattern: 'step' } },
    max_chars: { max_chars: 1_000 },
    grep_most_lines_max_chars: { grep: { pattern: 'ok' }, max_chars: 10_000 },
  };
  for (const budget of Object.values(budgets)) applyBudget(text, budget); // warm-up
  const ms = {};
  for (const [name, budget] of Object.entries(budgets)) {
    const started = process.hrtime.bigint();
    applyBudget(text, budget);
    ms[name] = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
  }
  return { input_mb: Math.round((text.length / (1024 * 1024)) * 10) / 10, ms };
}

/** Redaction time on 20 MiB single lines made to be hard (ms, one shot and streamed). */
function measureHostile(redactor) {
  const size = 20 * 1024 * 1024;
  const fill = (unit) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const keywords = [...new Set(DEFAULT_RULES.flatMap((rule) => rule.keywords ?? []))];
  const inputs = {
    plain: fill('abcdefghij'),
    near_miss_github: fill(`ghp_${'a'.repeat(35)} `),
    unterminated_assignment: fill('password: "'),
    jwt_starts: fill('eyJ.'),
    credential_url_chain: fill('https://a:b@'),
    every_keyword_near_miss: fill(keywords.map((keyword) => `${keyword}x=`).join(' ')),
  };
  const ms = {};
  for (const [name, text] of Object.entries(inputs)) {
    let started = process.hrtime.bigint();
    redactor.redact(text);
    const oneShot = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
    started = process.hrtime.bigint();
    const stream = redactor.createStream();
    for (let at = 0; at < text.length; at += CHUNK) stream.push(text.slice(at, at + CHUNK));
    stream.end();
    ms[name] = { one_shot: oneShot, streamed: Math.round(Number(process.hrtime.bigint() - started) / 1e6) };
  }
  return { input_mb: 20, ms };
}

/** The whole output pipeline of one command stream, on the same blocks (as bytes, with ANSI colour). */
function measurePipeline(blocks, redactor) {
  const coloured = blocks.map((block) =>
    Buffer.from(
      block.text
        .split('\n')
        .map((line, index) => (index % 8 === 0 ? `\u001b[32m${line}\u001b[0m` : line))
        .join('\n'),
    ),
  );
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage.rss();
  const output = new StreamOutput(100_000, 4 * 1024 * 1024, redactor);
  let bytes = 0;
  let chunks = 0;
  const started = process.hrtime.bigint();
  for (let block = 0; bytes < INPUT_BYTES; block = (block + 1) % coloured.length) {
    const data = coloured[block];
    for (let at = 0; at < data.length && bytes < INPUT_BYTES; at += CHUNK) {
      const chunk = data.subarray(at, at + CHUNK);
      bytes += chunk.length;
      output.push(chunk);
      if (++chunks % 16 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  }
  const finished = output.finish();
  const budgeted = applyBudget(finished.full, { grep: { pattern: 'warn|error|fail' }, keep: { mode: 'tail', n: 50 }, max_chars: 20_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  collectGarbage();
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  const inputMb = bytes / (1024 * 1024);
  return {
    mb_per_s: Math.round((inputMb / seconds) * 10) / 10,
    peak_rss_mb: Math.round((peakRss / (1024 * 1024)) * 10) / 10,
    heap_growth_mb: Math.round((heapGrowth / (1024 * 1024)) * 100) / 100,
    input_mb: Math.round(inputMb * 10) / 10,
    kept_chars: finished.full.length,
    budget_lines_kept: budgeted.report.lines_kept,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await benchRedaction();
  console.log(JSON.stringify(report, null, 2));
}
