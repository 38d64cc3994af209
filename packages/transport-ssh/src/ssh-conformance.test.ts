import { afterAll, beforeAll } from 'vitest';
import { describeTransportConformance } from '@execkit/core/testing';
import { createSshTransport } from './index.js';
import { startSshTestbed, type SshTestbed } from './test-support/index.js';

// One sshd for both suites; each suite creates its transport in its own beforeAll.
let bed: SshTestbed;

beforeAll(async () => {
  bed = await startSshTestbed();
});
afterAll(async () => {
  await bed?.dispose();
});

function transportFor(user: () => string) {
  return () =>
    createSshTransport({
      host: bed.sshd.host,
      port: bed.sshd.port,
      user: user(),
      privateKeyPath: bed.users.keys.ed25519.path,
      keyDir: bed.users.keys.dir,
      knownHostsPath: bed.knownHostsPath,
      hostKeyPolicy: 'strict',
      sshConfigPath: false,
      agent: false,
    });
}

describeTransportConformance('ssh bash', { createTransport: transportFor(() => bed.users.bash.name), sessionOptions: { shells: ['bash'] } });
describeTransportConformance('ssh sh (dash login shell)', {
  createTransport: transportFor(() => bed.users.dash.name),
  sessionOptions: { shells: ['sh'] },
});
