/** CPU placement for benchmarks that measure under controlled placements (Linux, util-linux). */
import { execFileSync } from 'node:child_process';

/** Sets the CPU affinity of every thread of `pid` (`cpus` as `taskset -c` takes it, e.g. `0` or `0,1`). */
export function pin(pid, cpus) {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}
