import { describe, expect, it } from 'vitest';
import { checkCommand } from './check.js';
import type { Policy } from './types.js';

const POLICY: Policy = {
  allow: ['git', 'ls', 'grep', 'wc', 'cd', 'echo', 'cat', 'head', 'npm'],
  deny: ['rm', 'dd'],
  deny_patterns: ['push\\s+--force', 'curl.*\\|\\s*(ba)?sh'],
  guard: true,
};

describe('checkCommand performance', () => {
  it('checks a typical command 1000 times quickly', async () => {
    const command = 'cd /work/repo && git status --short | grep -v "^??" | wc -l > /tmp/count.txt 2>&1';
    const loadStarted = performance.now();
    const first = await checkCommand(command, POLICY); // loads the parser (unless another test already did)
    console.log(`policy check: first check (parser load) ${(performance.now() - loadStarted).toFixed(1)} ms`);
    expect(first.allowed).toBe(true);
    expect(first.programs).toEqual(['cd', 'git', 'grep', 'wc']);
    const runs = 1000;
    const started = performance.now();
    for (let i = 0; i < runs; i++) await checkCommand(command, POLICY);
    const perCheck = (performance.now() - started) / runs;
    console.log(`policy check: ${perCheck.toFixed(3)} ms per check (${runs} checks of ${JSON.stringify(command)})`);
    expect(perCheck).toBeLessThan(2);
  });

  it('checks a large script in reasonable time', async () => {
    const script = Array.from({ length: 500 }, (_, i) => `if [ -f f${i} ]; then cat f${i} | grep -c x$(echo ${i}); fi`).join('\n');
    const started = performance.now();
    const decision = await checkCommand(script, POLICY);
    const elapsed = performance.now() - started;
    console.log(`policy check: ${elapsed.toFixed(1)} ms for a ${script.length}-character script`);
    expect(decision.allowed).toBe(true);
    expect(elapsed).toBeLessThan(1000);
  });
});
