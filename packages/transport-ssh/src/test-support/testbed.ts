import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type SshdFixture, type SshdOptions } from './sshd.js';
import { authorizeKeys, ensureTestUsers, type TestUsers } from './users.js';

/** A running sshd with the test users authorized and a known_hosts file that knows it. */
export interface SshTestbed {
  sshd: SshdFixture;
  users: TestUsers;
  /** A fresh temp directory for the test's own files. */
  dir: string;
  /** `<dir>/known_hosts`, holding the sshd's host keys as `[127.0.0.1]:<port>` lines. */
  knownHostsPath: string;
  /** Stops the sshd and removes the keys and `dir`. */
  dispose(): Promise<void>;
}

/**
 * Starts an sshd (see {@link startSshd}), makes sure the test users exist, authorizes every test
 * key for them, and writes a known_hosts file for the server.
 */
export async function startSshTestbed(options: SshdOptions = {}): Promise<SshTestbed> {
  const sshd = await startSshd(options);
  try {
    const users = await ensureTestUsers();
    await authorizeKeys(sshd, users);
    const dir = await mkdtemp(join(tmpdir(), 'execkit-ssh-testbed-'));
    const knownHostsPath = join(dir, 'known_hosts');
    await writeFile(knownHostsPath, sshd.knownHostsLine(), { mode: 0o600 });
    return {
      sshd,
      users,
      dir,
      knownHostsPath,
      async dispose() {
        await users.dispose();
        await sshd.dispose();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sshd.dispose();
    throw error;
  }
}
