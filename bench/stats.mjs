/** Latency statistics helpers shared by every benchmark file. */

/** Percentile of sorted samples (nearest rank), in the samples' unit. */
export function percentile(sorted, p) {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/**
 * Measures several variants under the same machine conditions: each is warmed up (JIT) with
 * `warmup` calls, then the variants take turns in blocks of `block` calls until each has
 * `samples` timings. Returns, per variant, p50/p99/mean in µs, in the order given.
 *
 * @param variants - `[name, fn]` pairs; `fn(i)` performs one call
 */
export async function measureInterleaved(variants, { warmup = 1000, samples = 1000, block = 50 } = {}) {
  const times = variants.map(() => []);
  for (const [, fn] of variants) for (let i = 0; i < warmup; i++) await fn(i);
  let call = warmup;
  while (times[0].length < samples) {
    for (let v = 0; v < variants.length; v++) {
      const fn = variants[v][1];
      for (let i = 0; i < block && times[v].length < samples; i++) {
        const start = process.hrtime.bigint();
        await fn(call++);
        times[v].push(Number(process.hrtime.bigint() - start) / 1000);
      }
    }
  }
  return variants.map(([name], v) => {
    const sorted = times[v].sort((a, b) => a - b);
    const mean = sorted.reduce((sum, t) => sum + t, 0) / sorted.length;
    const result = { name, samples: sorted.length, p50_us: round(percentile(sorted, 50)), p99_us: round(percentile(sorted, 99)), mean_us: round(mean) };
    process.stderr.write(`${name.padEnd(48)} p50 ${fmt(result.p50_us)}  p99 ${fmt(result.p99_us)}\n`);
    return result;
  });
}

function round(value) {
  return Math.round(value * 10) / 10;
}

function fmt(us) {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`;
}
