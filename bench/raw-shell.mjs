/**
 * The floor variants' shared part: a shell on the far side of some byte streams, answering
 * `echo hi` plus an end marker on stdout (and, if asked, on stderr too).
 *
 * @param stdout - readable stream of the shell's stdout
 * @param stderr - readable stream of the shell's stderr
 * @param write - writes text to the shell's stdin
 * @returns `run(i)`: sends one command and resolves when its marker(s) arrived
 */
export function markerRunner(stdout, stderr, write, withStderrMarker = false) {
  let out = '';
  let err = '';
  let waiter;
  stdout.on('data', (chunk) => {
    out += chunk.toString('latin1');
    waiter?.();
  });
  stderr.on('data', (chunk) => {
    err += chunk.toString('latin1');
    waiter?.();
  });
  return (i) =>
    new Promise((resolve) => {
      const marker = `__M${i}__`;
      waiter = () => {
        if (out.includes(marker) && (!withStderrMarker || err.includes(marker))) {
          out = '';
          err = '';
          waiter = undefined;
          resolve();
        }
      };
      write(withStderrMarker ? `echo hi; echo ${marker}; echo ${marker} >&2\n` : `echo hi; echo ${marker}\n`);
    });
}
