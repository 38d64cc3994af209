/**
 * Policy benchmark: the time to check one command against a policy (parse with tree-sitter-bash,
 * walk every program, guard and deny patterns), uncached with `checkCommand` and repeated through
 * a session's `PolicyChecker` (which remembers decisions), and the time for a large script.
 */
import { PolicyChecker, checkCommand } from '../packages/core/dist/index.js';
import { percentile } from './stats.mjs';

const POLICY = {
  allow: ['git', 'ls', 'grep', 'wc', 'cd', 'echo', 'cat', 'head', 'npm'],
  deny: ['rm', 'dd'],
  deny_patterns: ['push\\s+--force', 'curl.*\\|\\s*(ba)?sh'],
  guard: true,
};

const COMMANDS = {
  short: 'echo hi',
  typical: 'cd /work/repo && git status --short | grep -v "^??" | wc -l > /tmp/count.txt 2>&1',
  loop: 'for f in src/*.ts; do wc -l "$f"; done | sort -n | tail -5',
};

async function time(fn, calls) {
  for (let i = 0; i < Math.min(calls, 2000); i++) await fn();
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50_us: +percentile(samples, 50).toFixed(2), p99_us: +percentile(samples, 99).toFixed(2) };
}

export async function benchPolicy() {
  const loadStarted = performance.now();
  await checkCommand('true', POLICY);
  const parserLoadMs = +(performance.now() - loadStarted).toFixed(1);
  const results = {};
  for (const [name, command] of Object.entries(COMMANDS)) {
    const checker = new PolicyChecker(POLICY);
    results[name] = {
      command,
      check_command: await time(() => checkCommand(command, POLICY), 5000),
      policy_checker_repeat: await time(() => checker.check(command), 5000),
    };
    process.stderr.write(`${name.padEnd(8)} checkCommand p50 ${results[name].check_command.p50_us} µs, remembered p50 ${results[name].policy_checker_repeat.p50_us} µs\n`);
  }
  const script = Array.from({ length: 500 }, (_, i) => `if [ -f f${i} ]; then cat f${i} | grep -c x$(echo ${i}); fi`).join('\n');
  const scriptRun = await time(() => checkCommand(script, POLICY), 20);
  process.stderr.write(`script of ${script.length} chars: p50 ${(scriptRun.p50_us / 1000).toFixed(1)} ms\n`);
  return {
    method: 'p50/p99 of 5000 checks after 2000 warm-up checks (20 for the script); one process, no shell involved',
    policy: POLICY,
    parser_load_ms: parserLoadMs,
    results,
    script: { chars: script.length, p50_ms: +(scriptRun.p50_us / 1000).toFixed(2), p99_ms: +(scriptRun.p99_us / 1000).toFixed(2) },
  };
}
