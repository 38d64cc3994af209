/** Latency statistics helpers shared by every benchmark file. */

/** Percentile of sorted samples (nearest rank), in the samples' unit. */
export function percentile(sorted, p) {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Runs `fn` `warmup` times (JIT warm-up), then `samples` times, and returns p50/p99/mean in µs. */
export async function measure(name, fn, { warmup = 1000, samples = 1000 } = {}) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  const result = { name, samples, p50_us: round(percentile(times, 50)), p99_us: round(percentile(times, 99)), mean_us: round(mean) };
  process.stderr.write(`${name.padEnd(48)} p50 ${fmt(result.p50_us)}  p99 ${fmt(result.p99_us)}\n`);
  return result;
}

function round(value) {
  return Math.round(value * 10) / 10;
}

function fmt(us) {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`;
}
