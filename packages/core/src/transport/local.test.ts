import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describeTransportConformance } from '../testing/conformance.js';
import { createLocalTransport } from './local.js';

/** busybox runs as `sh` when called through a link of that name. */
function busyboxSh(): string {
  const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  if (!busybox) throw new Error('busybox is not installed (Debian: busybox-static)');
  const dir = mkdtempSync(join(tmpdir(), 'execkit-busybox-'));
  symlinkSync(busybox, join(dir, 'sh'));
  return join(dir, 'sh');
}

describeTransportConformance('local bash', { createTransport: () => createLocalTransport(), sessionOptions: { shells: ['bash'] } });
describeTransportConformance('local sh (dash)', { createTransport: () => createLocalTransport({ programs: { sh: 'dash' } }), sessionOptions: { shells: ['sh'] } });
describeTransportConformance('local sh (busybox ash)', {
  createTransport: () => createLocalTransport({ programs: { sh: busyboxSh() } }),
  sessionOptions: { shells: ['sh'] },
});
