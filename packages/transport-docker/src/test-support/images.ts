/**
 * The two container images the Docker transport tests run against, built locally with
 * `docker import` from root filesystems assembled out of the host's own files (there is no image
 * registry to pull from):
 *
 * - `execkit-test/busybox:<tag>`: Debian's static busybox and a symlink in `/bin` for every applet
 *   (`sh` is busybox ash; `ps`, `sleep`, `kill`, `mktemp`… are applets). No bash.
 * - `execkit-test/bash:<tag>`: bash, dash as `/bin/sh`, coreutils, grep, sed, mawk, procps, findutils,
 *   diffutils, tar, gzip, hostname, git (with its `git-core` helpers and templates; no http(s)
 *   remote helpers) and a few util-linux tools, with every shared library they need (found with `ldd`)
 *   and the dynamic loader, in the host's merged-/usr layout.
 *
 * Both have `/etc/passwd` and `/etc/group` with `root` and an unprivileged `app` (uid/gid 1000,
 * home `/home/app`), `/tmp` and `/var/tmp` with mode 1777, `PATH` set, and need no network.
 *
 * The tag is a hash of the recipe ({@link IMAGE_RECIPE_VERSION} and the file lists below) and of
 * the Debian versions of the packages copied, so a changed recipe or a host upgrade builds a new
 * image; an existing image with the right tag is reused. Builds are serialized across processes
 * with a lock directory (best effort) and are safe without it: each build imports under a unique
 * temporary tag and then `docker tag`s it.
 *
 * Linux (Debian) and root only: missing packages are installed with apt-get. Test support code;
 * not part of the published build.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import {
  access,
  chmod,
  chown,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { DOCKER_CLI, ensureDockerEngine } from './engine.js';
import { isOwnerAlive, isRoot, ownerToken, runCommand, sleep, spawnCollect } from './proc.js';

/**
 * Bump when the way images are assembled changes in a way the data below does not show (the tag
 * also hashes that data, so editing a file list or an `/etc` file needs no bump).
 */
export const IMAGE_RECIPE_VERSION = 1;

/** Image repositories (the tag is computed). */
export const TEST_IMAGE_REPOSITORIES = {
  busybox: 'execkit-test/busybox',
  bash: 'execkit-test/bash',
} as const;

/** Which test image. */
export type TestImageKind = keyof typeof TEST_IMAGE_REPOSITORIES;

/** Image references returned by {@link ensureTestImages}. */
export interface TestImages {
  /** `execkit-test/busybox:<tag>` */
  busybox: string;
  /** `execkit-test/bash:<tag>` */
  bash: string;
}

/** Label put on every test image: its value is the {@link TestImageKind}. */
export const TEST_IMAGE_LABEL = 'execkit-test.image';

/** Uid and gid of the unprivileged user `app` in both images. */
export const APP_UID = 1000;

/** `PATH` baked into both images (Docker's own default, set explicitly). */
export const TEST_IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const ETC_PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n';
const ETC_GROUP = 'root:x:0:\napp:x:1000:\n';
const ETC_NSSWITCH = 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n';

/** Package → what to copy: `'bin'` = every file it installs in a bin/sbin directory, or explicit paths (directories are copied recursively). */
const BASH_IMAGE_RECIPE: Record<string, 'bin' | readonly string[]> = {
  bash: ['/bin/bash'],
  dash: ['/bin/dash'],
  coreutils: 'bin',
  grep: 'bin',
  sed: 'bin',
  mawk: 'bin',
  procps: 'bin',
  findutils: 'bin',
  diffutils: 'bin',
  tar: ['/bin/tar'],
  gzip: ['/bin/gzip', '/bin/gunzip', '/bin/zcat'],
  hostname: ['/bin/hostname'],
  'util-linux': ['/usr/bin/setsid', '/usr/bin/flock', '/usr/bin/getopt'],
  git: ['/usr/bin/git', '/usr/lib/git-core', '/usr/share/git-core/templates'],
  'ncurses-base': ['/lib/terminfo'],
  'libc-bin': ['/usr/lib/locale/C.utf8'],
};

/** Host paths never copied into the bash image (git's curl-based remote helpers pull in ~40 libraries and are useless without network). */
const BASH_IMAGE_EXCLUDE = /\/git-core\/git-remote-(http|https|ftp|ftps)$|\/git-core\/git-http-|\/git-core\/git-imap-send$/;

/** Extra symlinks in the bash image: path → target. */
const BASH_IMAGE_SYMLINKS: Record<string, string> = {
  '/usr/bin/sh': 'dash',
  '/usr/bin/awk': 'mawk',
};

const BUSYBOX_PACKAGE = 'busybox-static';
const BUSYBOX_PATH = '/bin/busybox';

/** Dpkg packages whose versions go into the tag besides the recipe's own. */
const TAG_EXTRA_PACKAGES = ['libc6', 'libpcre2-8-0', 'zlib1g', 'libproc2-0', 'libsystemd0', 'libtinfo6'];

const LOCK_DIR = join(tmpdir(), 'execkit-docker-images.lock');
const LOCK_WAIT_MS = 5 * 60_000;

async function docker(args: readonly string[], timeoutMs = 300_000): Promise<string> {
  return (await runCommand(DOCKER_CLI, args, { timeoutMs })).stdout;
}

async function imageExists(ref: string): Promise<boolean> {
  const result = await spawnCollect(DOCKER_CLI, ['image', 'inspect', '--format', '{{.Id}}', ref], { timeoutMs: 30_000 });
  return result.exitCode === 0;
}

/** `package → version` for the installed ones among `packages` (missing ones are absent). */
async function installedVersions(packages: readonly string[]): Promise<Map<string, string>> {
  const result = await spawnCollect('dpkg-query', ['-W', '-f', '${Package}\t${db:Status-Abbrev}\t${Version}\n', ...packages]);
  const versions = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (name && version && status?.startsWith('ii')) versions.set(name.replace(/:.*$/, ''), version);
  }
  return versions;
}

/** Installs the Debian packages among `packages` that are missing (apt-get; root only). */
async function ensureHostPackages(packages: readonly string[]): Promise<void> {
  const installed = await installedVersions(packages);
  const missing = packages.filter((p) => !installed.has(p));
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(`the Docker test images need these Debian packages: apt-get install -y ${missing.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '-qq', '--no-install-recommends', ...missing];
  const first = await spawnCollect('apt-get', install, { env, timeoutMs: 600_000 });
  if (first.exitCode === 0) return;
  await runCommand('apt-get', ['update', '-qq'], { env, timeoutMs: 600_000 });
  await runCommand('apt-get', install, { env, timeoutMs: 600_000 });
}

function shortHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** Computes the image references for the current recipe and host (installing missing packages). */
async function computeImageRefs(): Promise<TestImages> {
  const bashPackages = Object.keys(BASH_IMAGE_RECIPE);
  await ensureHostPackages([BUSYBOX_PACKAGE, ...bashPackages]);
  const versions = await installedVersions([BUSYBOX_PACKAGE, ...bashPackages, ...TAG_EXTRA_PACKAGES]);
  const common = { IMAGE_RECIPE_VERSION, ETC_PASSWD, ETC_GROUP, ETC_NSSWITCH, TEST_IMAGE_PATH };
  const busyboxTag = shortHash({ ...common, kind: 'busybox', BUSYBOX_PATH, busybox: versions.get(BUSYBOX_PACKAGE) });
  const bashTag = shortHash({
    ...common,
    kind: 'bash',
    recipe: BASH_IMAGE_RECIPE,
    exclude: BASH_IMAGE_EXCLUDE.source,
    symlinks: BASH_IMAGE_SYMLINKS,
    versions: [...versions].filter(([name]) => name !== BUSYBOX_PACKAGE).sort(),
  });
  return {
    busybox: `${TEST_IMAGE_REPOSITORIES.busybox}:${busyboxTag}`,
    bash: `${TEST_IMAGE_REPOSITORIES.bash}:${bashTag}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Root filesystems

async function writeEtc(root: string): Promise<void> {
  await mkdir(join(root, 'etc'), { recursive: true, mode: 0o755 });
  await writeFile(join(root, 'etc/passwd'), ETC_PASSWD, { mode: 0o644 });
  await writeFile(join(root, 'etc/group'), ETC_GROUP, { mode: 0o644 });
  await writeFile(join(root, 'etc/nsswitch.conf'), ETC_NSSWITCH, { mode: 0o644 });
  for (const dir of ['tmp', 'var/tmp']) {
    await mkdir(join(root, dir), { recursive: true });
    await chmod(join(root, dir), 0o1777); // mkdir's mode is masked by the umask, and drops the sticky bit
  }
  await mkdir(join(root, 'root'), { recursive: true });
  await chmod(join(root, 'root'), 0o700);
  await mkdir(join(root, 'home/app'), { recursive: true });
  await chmod(join(root, 'home/app'), 0o755);
  await chown(join(root, 'home/app'), APP_UID, APP_UID);
  // mkdtemp made the root 0700: as "/" of the container that would lock out every non-root user.
  await chmod(root, 0o755);
}

async function assembleBusyboxRoot(root: string): Promise<void> {
  const head = await readFirstBytes(BUSYBOX_PATH, 64);
  if (!isElf(head)) throw new Error(`${BUSYBOX_PATH} is not an ELF binary`);
  const ldd = await spawnCollect('ldd', [BUSYBOX_PATH]);
  if (ldd.stdout.includes('=>')) {
    throw new Error(`${BUSYBOX_PATH} is dynamically linked: install Debian's busybox-static (apt-get install -y busybox-static)`);
  }
  await mkdir(join(root, 'bin'), { recursive: true, mode: 0o755 });
  await mkdir(join(root, 'usr/bin'), { recursive: true, mode: 0o755 });
  await copyFile(BUSYBOX_PATH, join(root, 'bin/busybox'));
  await chmod(join(root, 'bin/busybox'), 0o755);
  const applets = (await runCommand(BUSYBOX_PATH, ['--list'])).stdout.split('\n').map((s) => s.trim());
  for (const applet of applets) {
    if (!applet || applet === 'busybox' || applet.includes('/')) continue;
    await symlink('busybox', join(root, 'bin', applet));
  }
  // `#!/usr/bin/env …` scripts.
  await symlink('/bin/busybox', join(root, 'usr/bin/env'));
  await writeEtc(root);
}

async function readFirstBytes(file: string, count: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(count);
    const { bytesRead } = await handle.read(buffer, 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head.subarray(1, 4).toString('latin1') === 'ELF';
}

/**
 * Adds `hostPath` to `out` in canonical form: its directory resolved through symlinks (so `/bin/cat`
 * on a merged-/usr host becomes `/usr/bin/cat`) and, when it is itself a symlink, the symlink plus
 * (recursively) what it points to. Directories are walked.
 */
async function collectHostPath(hostPath: string, out: Set<string>): Promise<void> {
  let path: string;
  try {
    path = join(await realpath(dirname(hostPath)), basename(hostPath));
  } catch (error) {
    throw new Error(`cannot copy ${hostPath} into the test image: ${(error as Error).message}`, { cause: error });
  }
  if (out.has(path) || BASH_IMAGE_EXCLUDE.test(path)) return;
  const info = await lstat(path);
  if (info.isDirectory()) {
    for (const entry of await readdir(path)) await collectHostPath(join(path, entry), out);
    return;
  }
  out.add(path);
  if (info.isSymbolicLink()) {
    const target = resolvePath(dirname(path), await readlink(path));
    // Links that leave the copied set dangling are harmless (e.g. alternatives of unused tools).
    try {
      await access(target, fsConstants.F_OK);
    } catch {
      return;
    }
    await collectHostPath(target, out);
  }
}

/** Every file a package installs in a bin/sbin directory (as dpkg lists it: not canonical). */
async function packageBinaries(pkg: string): Promise<string[]> {
  const list = (await runCommand('dpkg', ['-L', pkg])).stdout.split('\n');
  return list.filter((p) => /^\/(usr\/)?s?bin\/[^/]+$/.test(p));
}

/** Shared libraries (and the loader) the ELF files among `files` need, as ldd reports them. */
async function sharedLibraries(files: readonly string[]): Promise<string[]> {
  const elfs: string[] = [];
  for (const file of files) {
    const info = await lstat(file);
    if (info.isFile() && isElf(await readFirstBytes(file, 4))) elfs.push(file);
  }
  if (elfs.length === 0) return [];
  // ldd exits 1 when any argument is static ("not a dynamic executable"); read its output anyway.
  const result = await spawnCollect('ldd', elfs, { timeoutMs: 120_000 });
  const libs = new Set<string>();
  let current = '';
  for (const line of result.stdout.split('\n')) {
    if (!line.startsWith('\t')) {
      current = line.replace(/:$/, '');
      continue;
    }
    if (line.includes('=> not found')) throw new Error(`ldd ${current}: ${line.trim()}`);
    const match = /=>\s+(\/\S+)\s+\(/.exec(line) ?? /^\s+(\/\S+)\s+\(0x/.exec(line);
    if (match?.[1]) libs.add(match[1]);
  }
  if (libs.size === 0) throw new Error(`ldd found no libraries for ${elfs.length} binaries: ${result.stderr.trim()}`);
  return [...libs];
}

async function assembleBashRoot(root: string, work: string): Promise<void> {
  const wanted: string[] = [];
  for (const [pkg, what] of Object.entries(BASH_IMAGE_RECIPE)) {
    wanted.push(...(what === 'bin' ? await packageBinaries(pkg) : what));
  }
  const files = new Set<string>();
  for (const path of wanted) await collectHostPath(path, files);
  for (const lib of await sharedLibraries([...files])) await collectHostPath(lib, files);

  // Copy with tar: keeps modes, symlinks and hardlinks; --no-recursion because directories were
  // walked above (tar creates the parent directories on extraction).
  const list = join(work, 'files.txt');
  await writeFile(list, [...files].sort().map((p) => p.slice(1)).join('\n') + '\n');
  const part = join(work, 'files.tar');
  await runCommand('tar', ['-C', '/', '--no-recursion', '--numeric-owner', '-cf', part, '-T', list]);
  await runCommand('tar', ['-C', root, '--numeric-owner', '-xpf', part]);

  // The merged-/usr top-level links (bin -> usr/bin, lib -> usr/lib, lib64 -> usr/lib64…), as on
  // the host: ldd names libraries and the loader by their /lib and /lib64 paths.
  for (const entry of await readdir('/')) {
    const info = await lstat(join('/', entry));
    if (!info.isSymbolicLink()) continue;
    const target = await readlink(join('/', entry));
    if (!/^(usr\/|\/usr\/)/.test(target)) continue;
    await mkdir(join(root, target.replace(/^\//, '')), { recursive: true, mode: 0o755 });
    await symlink(target, join(root, entry));
  }
  for (const [path, target] of Object.entries(BASH_IMAGE_SYMLINKS)) {
    await rm(join(root, path), { force: true });
    await mkdir(dirname(join(root, path)), { recursive: true, mode: 0o755 });
    await symlink(target, join(root, path));
  }
  await mkdir(join(root, 'usr/local/bin'), { recursive: true, mode: 0o755 });
  await writeEtc(root);
}

// ---------------------------------------------------------------------------------------------
// Building

/** Best-effort cross-process lock: resolves with a release function (a no-op if it gave up waiting). */
async function acquireBuildLock(): Promise<() => Promise<void>> {
  const me = ownerToken();
  const until = Date.now() + LOCK_WAIT_MS;
  let ownerless = 0;
  for (;;) {
    try {
      await mkdir(LOCK_DIR, { mode: 0o700 });
      await writeFile(join(LOCK_DIR, 'owner'), me);
      return async () => {
        const owner = await readFile(join(LOCK_DIR, 'owner'), 'utf8').catch(() => undefined);
        if (owner === me) await rm(LOCK_DIR, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readFile(join(LOCK_DIR, 'owner'), 'utf8').catch(() => undefined);
    // A lock whose owner died (or that never got an owner file) is stale. Removing it can race
    // with another remover; that only costs a duplicate build (see buildImage).
    if (owner === undefined ? ++ownerless > 20 : !isOwnerAlive(owner)) {
      await rm(LOCK_DIR, { recursive: true, force: true });
      ownerless = 0;
      continue;
    }
    if (owner !== undefined) ownerless = 0;
    if (Date.now() > until) return async () => {};
    await sleep(200);
  }
}

async function buildImage(kind: TestImageKind, ref: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), `execkit-image-${kind}-`));
  const temporary = `${TEST_IMAGE_REPOSITORIES[kind]}:build-${randomBytes(6).toString('hex')}`;
  try {
    const root = join(work, 'rootfs');
    await mkdir(root);
    if (kind === 'busybox') await assembleBusyboxRoot(root);
    else await assembleBashRoot(root, work);
    const tarball = join(work, 'rootfs.tar');
    await runCommand('tar', ['-C', root, '--numeric-owner', '-cf', tarball, '.']);
    const tag = ref.slice(ref.lastIndexOf(':') + 1);
    await docker([
      'import',
      '--change', `ENV PATH=${TEST_IMAGE_PATH}`,
      '--change', 'CMD ["/bin/sh"]',
      '--change', `LABEL ${TEST_IMAGE_LABEL}=${kind} execkit-test.recipe=${tag}`,
      '--message', `execkit test image (${kind}, recipe ${IMAGE_RECIPE_VERSION})`,
      tarball,
      temporary,
    ]);
    // Another process may have finished the same build meanwhile: keep whichever image holds the
    // tag at the end. `docker rmi` of the temporary tag deletes our image if it lost (nothing
    // else references it), and only untags it if it won.
    if (!(await imageExists(ref))) await docker(['tag', temporary, ref]);
  } finally {
    await spawnCollect(DOCKER_CLI, ['rmi', temporary], { timeoutMs: 60_000 }).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

/** Removes (without force: images in use stay) test images of `kind` whose tag is not `keep`'s. */
async function pruneStaleImages(kind: TestImageKind, keep: string): Promise<void> {
  const result = await spawnCollect(
    DOCKER_CLI,
    ['images', '--filter', `label=${TEST_IMAGE_LABEL}=${kind}`, '--format', '{{.Repository}}:{{.Tag}}'],
    { timeoutMs: 30_000 },
  );
  const stale = result.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((ref) => ref && ref !== keep && !ref.includes(':build-') && !ref.endsWith(':<none>'));
  for (const ref of stale) {
    await spawnCollect(DOCKER_CLI, ['rmi', ref], { timeoutMs: 60_000 }).catch(() => undefined);
  }
}

/** What {@link ensureTestImages} did in this process: `'built'` or `'cached'` per image, and the time it took. */
export interface TestImagesReport {
  busybox: 'built' | 'cached';
  bash: 'built' | 'cached';
  ms: number;
}

let lastReport: TestImagesReport | undefined;

/** What the (first, memoized) {@link ensureTestImages} of this process did, once it resolved. */
export function testImagesReport(): TestImagesReport | undefined {
  return lastReport;
}

let ensured: Promise<TestImages> | undefined;

/**
 * Makes sure both test images exist for the current recipe and host, building the missing ones,
 * and resolves with their references. Starts the engine if needed ({@link ensureDockerEngine});
 * installs missing Debian packages (busybox-static, git, procps…). Memoized per process; safe to
 * call from parallel test workers. When it builds an image it also removes older tags of it
 * (unless a container still uses them).
 */
export function ensureTestImages(): Promise<TestImages> {
  ensured ??= ensureTestImagesUncached().catch((error: unknown) => {
    ensured = undefined;
    throw error;
  });
  return ensured;
}

async function ensureTestImagesUncached(): Promise<TestImages> {
  const started = Date.now();
  await ensureDockerEngine();
  const refs = await computeImageRefs();
  const kinds = Object.keys(TEST_IMAGE_REPOSITORIES) as TestImageKind[];
  const report: TestImagesReport = { busybox: 'cached', bash: 'cached', ms: 0 };
  const missing: TestImageKind[] = [];
  for (const kind of kinds) if (!(await imageExists(refs[kind]))) missing.push(kind);
  if (missing.length > 0) {
    const release = await acquireBuildLock();
    try {
      for (const kind of missing) {
        if (await imageExists(refs[kind])) continue; // built by another process while we waited
        await buildImage(kind, refs[kind]);
        report[kind] = 'built';
        await pruneStaleImages(kind, refs[kind]);
      }
    } finally {
      await release();
    }
  }
  report.ms = Date.now() - started;
  lastReport = report;
  return refs;
}
