/**
 * Where a call's time goes across processes: CPU time per call of this process's main thread and
 * of other processes grouped by name (e.g. `sshd`, `bash`), read from Linux's per-task scheduler
 * statistics (`/proc/<pid>/schedstat`, first field: ns on a CPU). On a machine with few cores a
 * request/response call is a relay (client, server, shell in turn), so its wall time is close to
 * the sum of these figures.
 */
import { existsSync, readFileSync } from 'node:fs';

const MAIN_THREAD = `/proc/self/task/${process.pid}/schedstat`;

/** ns on a CPU of the task whose schedstat file is `path`, or undefined if it is gone. */
function cpuNs(path) {
  try {
    return Number(readFileSync(path, 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Per pid: [name, ns on a CPU over all its threads]. */
function snapshot(pids) {
  const byPid = new Map();
  for (const pid of pids) {
    const name = processName(pid);
    const ns = cpuNs(`/proc/${pid}/schedstat`);
    if (name !== undefined && ns !== undefined) byPid.set(pid, [name, ns]);
  }
  return byPid;
}

/** Whether this system exposes the per-task statistics {@link cpuPerCall} reads. */
export function cpuAccountingAvailable() {
  return existsSync(MAIN_THREAD);
}

/**
 * Measures, per variant, CPU µs per call: `node_main_thread` and one entry per process name among
 * `pids()` that are running when a block starts (read before and after each block), plus
 * `wall` µs per call and `sum` of the CPU entries. Variants take turns in blocks of `block`
 * calls, after `warmup` calls each, until each has made `calls`.
 *
 * @param variants - `[name, fn]` pairs; `fn(i)` performs one call
 * @param pids - the processes to account (besides this one's main thread)
 */
export async function cpuPerCall(variants, pids, { warmup = 500, calls = 3000, block = 250 } = {}) {
  const totals = variants.map(() => ({ wall: 0, main: 0, byName: new Map(), calls: 0 }));
  for (const [, fn] of variants) for (let i = 0; i < warmup; i++) await fn(i);
  let call = 1e7;
  while (totals[0].calls < calls) {
    for (let v = 0; v < variants.length; v++) {
      const fn = variants[v][1];
      const total = totals[v];
      const before = snapshot(pids());
      const main = cpuNs(MAIN_THREAD);
      const start = process.hrtime.bigint();
      for (let i = 0; i < block; i++) await fn(call++);
      total.wall += Number(process.hrtime.bigint() - start);
      total.main += cpuNs(MAIN_THREAD) - main;
      for (const [pid, [name, ns]] of snapshot(pids())) {
        const spent = ns - (before.get(pid)?.[1] ?? ns);
        total.byName.set(name, (total.byName.get(name) ?? 0) + spent);
      }
      total.calls += block;
    }
  }
  return variants.map(([name], v) => {
    const total = totals[v];
    const us = (ns) => Math.round(ns / total.calls / 100) / 10;
    const cpu = { node_main_thread: us(total.main) };
    for (const [processName, ns] of [...total.byName].sort()) cpu[processName] = us(ns);
    const sum = Math.round(Object.values(cpu).reduce((a, b) => a + b, 0) * 10) / 10;
    const row = { name, calls: total.calls, wall_us: us(total.wall), cpu_us: cpu, cpu_sum_us: sum };
    process.stderr.write(`${name.padEnd(48)} wall ${row.wall_us} µs  cpu ${JSON.stringify(cpu)} sum ${sum}\n`);
    return row;
  });
}
