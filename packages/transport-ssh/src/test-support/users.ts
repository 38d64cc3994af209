/**
 * Local Unix users and client keys for the sshd fixture.
 *
 * {@link ensureTestUsers} creates (once) the users `execkit-bash` (login shell `/bin/bash`) and
 * `execkit-dash` (`/bin/dash`), gives them passwords and makes a fresh client key set;
 * {@link authorizeKeys} writes `authorized_keys` for them into one sshd fixture.
 *
 * Must run as root. Test support code; not part of the published build.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readFile, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, makeOwnedTempDir, processIdentity, runCommand, type ProcessIdentity } from './proc.js';

/** Name of the test user whose login shell is bash. */
export const TEST_USER_BASH = 'execkit-bash';
/** Name of the test user whose login shell is dash. */
export const TEST_USER_DASH = 'execkit-dash';
/** Both test user names. */
export const TEST_USER_NAMES = [TEST_USER_BASH, TEST_USER_DASH] as const;

/** One local test user. */
export interface TestUser {
  /** Login name. */
  name: string;
  /** Login shell (`/bin/bash` or `/bin/dash`). */
  shell: string;
  /** Current password (valid for sshd `PasswordAuthentication`). */
  password: string;
  /** Home directory. */
  home: string;
  uid: number;
  gid: number;
}

/** One client private key made by {@link ensureTestUsers}. */
export interface ClientKey {
  /** Path of the private key (mode 0600). The public key is at `<path>.pub`. */
  path: string;
  /** `ed25519` or `rsa`. */
  type: 'ed25519' | 'rsa';
  /** `openssh` (`-----BEGIN OPENSSH PRIVATE KEY-----`) or `pem` (`-----BEGIN RSA PRIVATE KEY-----`). */
  format: 'openssh' | 'pem';
  /** Passphrase, for encrypted keys; `undefined` otherwise. */
  passphrase: string | undefined;
  /** The public key line (`<type> <base64> <comment>`), as it goes into authorized_keys. */
  publicKey: string;
}

/** The client key set made by {@link ensureTestUsers}. */
export interface ClientKeySet {
  /** The temp directory holding the keys (mode 0700). */
  dir: string;
  /** Unencrypted ed25519 key, OpenSSH format. */
  ed25519: ClientKey;
  /** Unencrypted RSA key, PEM format (`ssh-keygen -m PEM`). */
  rsaPem: ClientKey;
  /** Passphrase-protected ed25519 key, OpenSSH format (bcrypt KDF, aes256-ctr). */
  ed25519Encrypted: ClientKey;
  /** Passphrase-protected RSA key, PEM format (`Proc-Type: 4,ENCRYPTED`, AES-128-CBC). */
  rsaPemEncrypted: ClientKey;
  /** All four keys. */
  all: ClientKey[];
  /** Removes the key directory. */
  dispose(): Promise<void>;
}

/** Result of {@link ensureTestUsers}. */
export interface TestUsers {
  /** The user with login shell `/bin/bash`. */
  bash: TestUser;
  /** The user with login shell `/bin/dash`. */
  dash: TestUser;
  /** Both users. */
  users: TestUser[];
  /** Client keys, authorized by {@link authorizeKeys}. */
  keys: ClientKeySet;
  /** Removes the key directory (the users stay). */
  dispose(): Promise<void>;
}

/** Options for {@link ensureTestUsers}. */
export interface EnsureTestUsersOptions {
  /**
   * Set new passwords even if another live test process (another vitest worker or run) uses the
   * current ones. Default `false`: see {@link ensureTestUsers} for when passwords rotate.
   */
  rotatePasswords?: boolean;
}

const STATE_DIR = join(tmpdir(), 'execkit-ssh-test-users');
const STATE_FILE = join(STATE_DIR, 'state.json');
const LOCK_DIR = join(STATE_DIR, 'lock');

interface State {
  passwords: Record<string, string>;
  /** The /etc/shadow hash set with each password, to notice a password changed behind our back. */
  shadowHashes: Record<string, string>;
  owners: ProcessIdentity[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Cross-process lock (mkdir is atomic); a lock whose holder died is broken. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  await mkdir(STATE_DIR, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readFile(join(LOCK_DIR, 'owner'), 'utf8').catch(() => undefined);
      const holderPid = holder === undefined ? NaN : Number(holder.split(' ')[0]);
      const lockAge = await stat(LOCK_DIR).then((s) => Date.now() - s.mtimeMs, () => 0);
      if ((Number.isFinite(holderPid) && !isProcessAlive(holderPid)) || (holder === undefined && lockAge > 10_000)) {
        await rm(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the test user lock ${LOCK_DIR}`);
      await sleep(50);
    }
  }
  try {
    await writeFile(join(LOCK_DIR, 'owner'), `${process.pid}`);
    return await fn();
  } finally {
    await unlink(join(LOCK_DIR, 'owner')).catch(() => undefined);
    await rmdir(LOCK_DIR).catch(() => undefined);
  }
}

/**
 * The process that stands for "this test run": the vitest main process for a forked worker
 * (`process.send` exists), this process otherwise (threads pool, or a plain script).
 */
function runOwner(): ProcessIdentity | undefined {
  const pid = typeof process.send === 'function' ? process.ppid : process.pid;
  return processIdentity(pid);
}

async function readState(): Promise<State | undefined> {
  try {
    const parsed = JSON.parse(await readFile(STATE_FILE, 'utf8')) as State;
    return parsed && typeof parsed === 'object' && parsed.passwords && parsed.owners ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function shadowHash(user: string): Promise<string | undefined> {
  const shadow = await readFile('/etc/shadow', 'utf8');
  const line = shadow.split('\n').find((l) => l.startsWith(`${user}:`));
  return line?.split(':')[1];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

async function getPasswd(user: string): Promise<PasswdEntry | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const fields = passwd
    .split('\n')
    .find((l) => l.startsWith(`${user}:`))
    ?.split(':');
  if (!fields || fields.length < 7) return undefined;
  return {
    name: user,
    uid: Number(fields[2]),
    gid: Number(fields[3]),
    home: fields[5] ?? '',
    shell: fields[6] ?? '',
  };
}

/** Rc files that print nothing (bash sources ~/.bashrc even for `ssh host cmd` on Debian). */
const SILENT_RC_FILES: Record<string, string> = {
  '.bashrc': '# execkit test user: must print nothing\n',
  '.profile': '# execkit test user: must print nothing\n',
  // Debian's skeleton .bash_logout runs clear_console on a tty login shell.
  '.bash_logout': '# execkit test user: must print nothing\n',
  // Suppresses "Last login" and motd even if a test config enables them.
  '.hushlogin': '',
};

async function ensureUser(name: string, shell: string): Promise<PasswdEntry> {
  let entry = await getPasswd(name);
  if (!entry) {
    try {
      await runCommand('useradd', ['-m', '-s', shell, '-c', 'execkit SSH transport tests', name]);
    } catch (error) {
      // Another process (outside our lock) may have created it meanwhile.
      if (!(await getPasswd(name))) throw error;
    }
    entry = await getPasswd(name);
    if (!entry) throw new Error(`useradd did not create ${name}`);
  }
  if (entry.shell !== shell) {
    await runCommand('usermod', ['-s', shell, name]);
    entry = { ...entry, shell };
  }
  if (!existsSync(entry.home)) {
    await mkdir(entry.home, { recursive: true, mode: 0o755 });
  }
  await chown(entry.home, entry.uid, entry.gid);
  await chmod(entry.home, 0o755);
  for (const [file, content] of Object.entries(SILENT_RC_FILES)) {
    const path = join(entry.home, file);
    const current = await lstat(path).catch(() => undefined);
    if (
      current?.isFile() &&
      current.uid === entry.uid &&
      (await readFile(path, 'utf8').catch(() => undefined)) === content
    ) {
      continue; // already right: do not rewrite under a session of a parallel test run
    }
    // rm first: never write through a symlink as root.
    await rm(path, { force: true });
    await writeFile(path, content, { mode: 0o644 });
    await chown(path, entry.uid, entry.gid);
  }
  // Login bash reads the first of these; leave only .profile.
  for (const file of ['.bash_profile', '.bash_login']) await rm(join(entry.home, file), { force: true });
  return entry;
}

function randomSecret(): string {
  // URL-safe base64: no characters chpasswd (":" separates fields) or shells would mangle.
  return randomBytes(18).toString('base64url');
}

async function makeKey(
  dir: string,
  fileName: string,
  type: 'ed25519' | 'rsa',
  format: 'openssh' | 'pem',
  passphrase: string | undefined,
): Promise<ClientKey> {
  const path = join(dir, fileName);
  const args = ['-q', '-t', type, '-N', passphrase ?? '', '-C', `execkit-test-${fileName}`, '-f', path];
  if (type === 'rsa') args.push('-b', '2048');
  if (format === 'pem') args.push('-m', 'PEM');
  await runCommand('ssh-keygen', args);
  await chmod(path, 0o600);
  const publicKey = (await readFile(`${path}.pub`, 'utf8')).trim();
  return { path, type, format, passphrase, publicKey };
}

/** Key directories not disposed yet, removed when the process exits. */
const liveKeyDirs = new Set<string>();
let keyExitHookInstalled = false;

/**
 * Creates the client key set: a fresh temp dir (0700) with four keys (0600) — unencrypted
 * ed25519 (OpenSSH format), unencrypted RSA (PEM), encrypted ed25519 (OpenSSH) and encrypted
 * RSA (PEM), the encrypted ones with random passphrases. Called by {@link ensureTestUsers}.
 */
export async function createClientKeys(): Promise<ClientKeySet> {
  const dir = await makeOwnedTempDir('execkit-ssh-keys-', 0o700);
  liveKeyDirs.add(dir);
  if (!keyExitHookInstalled) {
    keyExitHookInstalled = true;
    process.once('exit', () => {
      for (const leftover of liveKeyDirs) rmSync(leftover, { recursive: true, force: true });
    });
  }
  const dispose = async () => {
    await rm(dir, { recursive: true, force: true });
    liveKeyDirs.delete(dir);
  };
  try {
    const [ed25519, rsaPem, ed25519Encrypted, rsaPemEncrypted] = await Promise.all([
      makeKey(dir, 'id_ed25519', 'ed25519', 'openssh', undefined),
      makeKey(dir, 'id_rsa_pem', 'rsa', 'pem', undefined),
      makeKey(dir, 'id_ed25519_encrypted', 'ed25519', 'openssh', randomSecret()),
      makeKey(dir, 'id_rsa_pem_encrypted', 'rsa', 'pem', randomSecret()),
    ]);
    return {
      dir,
      ed25519,
      rsaPem,
      ed25519Encrypted,
      rsaPemEncrypted,
      all: [ed25519, rsaPem, ed25519Encrypted, rsaPemEncrypted],
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * Ensures the local users `execkit-bash` (`/bin/bash`) and `execkit-dash` (`/bin/dash`) exist
 * (`useradd -m`, idempotent), with a home directory whose rc files print nothing, and a password;
 * makes a fresh client key set (see {@link createClientKeys}). Authorize the keys on a fixture with
 * {@link authorizeKeys}.
 *
 * Passwords: fresh random ones are set (`chpasswd`) unless another live test run is using the
 * users. Vitest runs test files in parallel worker processes and developers may run several
 * `vitest` at once; since a Unix user has exactly one password, rotating it on every call would
 * break the password logins of the others. So the passwords are kept in a root-only state file
 * (under the OS temp dir) together with the runs (vitest main pids) using them, and rotate only
 * when no such run is alive any more (or when `/etc/shadow` was changed behind our back, or with
 * `rotatePasswords`). Until a password is set, sshd (with `UsePAM no`) refuses every login for
 * the user, even by key, because `useradd` creates the account locked (`!` in /etc/shadow).
 */
export async function ensureTestUsers(options: EnsureTestUsersOptions = {}): Promise<TestUsers> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('ensureTestUsers must run as root (it runs useradd and chpasswd)');
  }
  const shells: Record<string, string> = { [TEST_USER_BASH]: '/bin/bash', [TEST_USER_DASH]: '/bin/dash' };
  for (const shell of Object.values(shells)) {
    if (!existsSync(shell)) throw new Error(`${shell} is missing: install it (apt-get install -y bash dash)`);
  }
  const keysPromise = createClientKeys();
  const users = await withLock(async () => {
    const entries: PasswdEntry[] = [];
    for (const name of TEST_USER_NAMES) entries.push(await ensureUser(name, shells[name] ?? '/bin/sh'));

    const owner = runOwner();
    const previous = await readState();
    const liveOwners = (previous?.owners ?? []).filter((o) => isProcessAlive(o));
    let state: State | undefined = previous;
    let rotate = options.rotatePasswords === true || !state || liveOwners.length === 0;
    if (!rotate && state) {
      for (const name of TEST_USER_NAMES) {
        const password = state.passwords[name];
        if (!password || state.shadowHashes[name] !== (await shadowHash(name))) rotate = true;
      }
    }
    if (rotate || !state) {
      const passwords: Record<string, string> = {};
      for (const name of TEST_USER_NAMES) passwords[name] = randomSecret();
      await runCommand('chpasswd', [], {
        input: TEST_USER_NAMES.map((name) => `${name}:${passwords[name] ?? ''}\n`).join(''),
      });
      const shadowHashes: Record<string, string> = {};
      for (const name of TEST_USER_NAMES) shadowHashes[name] = (await shadowHash(name)) ?? '';
      state = { passwords, shadowHashes, owners: [] };
    }
    const owners = rotate ? [] : liveOwners;
    if (owner && !owners.some((o) => o.pid === owner.pid && o.startTime === owner.startTime)) owners.push(owner);
    state = { ...state, owners };
    await writeFile(STATE_FILE, JSON.stringify(state), { mode: 0o600 });
    await chmod(STATE_FILE, 0o600);
    const finalState = state;
    return entries.map(
      (entry): TestUser => ({
        name: entry.name,
        shell: entry.shell,
        password: finalState.passwords[entry.name] ?? '',
        home: entry.home,
        uid: entry.uid,
        gid: entry.gid,
      }),
    );
  }).catch(async (error: unknown) => {
    await keysPromise.then((keys) => keys.dispose()).catch(() => undefined);
    throw error;
  });
  const keys = await keysPromise;
  const bash = users.find((u) => u.name === TEST_USER_BASH);
  const dash = users.find((u) => u.name === TEST_USER_DASH);
  if (!bash || !dash) throw new Error('test users missing after creation');
  return {
    bash,
    dash,
    users,
    keys,
    dispose: () => keys.dispose(),
  };
}

/** Options for {@link authorizeKeys}. */
export interface AuthorizeKeysOptions {
  /** Users to authorize the keys for. Default: all test users. */
  users?: string[];
  /** Which keys (default: all four of the key set). */
  keys?: ClientKey[];
  /** Extra public key lines (e.g. from an agent) to authorize as well. */
  extraPublicKeys?: string[];
  /** authorized_keys options put before every key, e.g. `restrict,pty`. */
  keyOptions?: string;
}

/**
 * Writes (replaces) `<authorizedKeysDir>/<user>` for each test user with the public keys of the
 * key set. `target` is an sshd fixture or its `authorizedKeysDir`. The files are 0644 and the
 * directory 0755 because sshd reads them with the user's uid.
 */
export async function authorizeKeys(
  target: { authorizedKeysDir: string } | string,
  users: Pick<TestUsers, 'users' | 'keys'>,
  options: AuthorizeKeysOptions = {},
): Promise<void> {
  const dir = typeof target === 'string' ? target : target.authorizedKeysDir;
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  const keys = options.keys ?? users.keys.all;
  const lines = [...keys.map((k) => k.publicKey), ...(options.extraPublicKeys ?? [])].map((line) =>
    options.keyOptions ? `${options.keyOptions} ${line}` : line,
  );
  for (const name of options.users ?? users.users.map((u) => u.name)) {
    if (name.includes('/') || name.startsWith('.')) throw new Error(`bad user name ${name}`);
    const file = join(dir, name);
    await writeFile(file, lines.map((l) => `${l}\n`).join(''), { mode: 0o644 });
    await chmod(file, 0o644);
  }
}
