/**
 * Checks the Docker test fixtures themselves against the real engine: the images build and have
 * what the transport tests rely on, and test containers behave and are cleaned up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOCKER_CLI,
  TEST_CONTAINER_LABEL,
  TEST_CONTAINER_OWNER_LABEL,
  ensureDockerEngine,
  ensureTestImages,
  ownerToken,
  pingDockerEngine,
  removeTestContainers,
  runCommand,
  startTestContainer,
  testImagesReport,
  type TestContainer,
  type TestImages,
} from './index.js';

let images: TestImages;

async function containersOfThisProcess(): Promise<string[]> {
  const { stdout } = await runCommand(DOCKER_CLI, [
    'ps',
    '--all',
    '--filter',
    `label=${TEST_CONTAINER_OWNER_LABEL}=${ownerToken()}`,
    '--format',
    '{{.Names}}',
  ]);
  return stdout.split('\n').filter(Boolean);
}

beforeAll(async () => {
  await ensureDockerEngine();
  images = await ensureTestImages();
}, 600_000);

afterAll(async () => {
  await removeTestContainers();
  expect(await containersOfThisProcess()).toEqual([]);
});

describe('engine', () => {
  it('answers /_ping on the socket', async () => {
    expect(await pingDockerEngine()).toBe(true);
    await ensureDockerEngine(); // memoized, still fine
  });
});

describe('images', () => {
  it('are tagged by recipe and reused when cached', async () => {
    expect(images.busybox).toMatch(/^execkit-test\/busybox:[0-9a-f]{16}$/);
    expect(images.bash).toMatch(/^execkit-test\/bash:[0-9a-f]{16}$/);
    expect(await ensureTestImages()).toEqual(images);
    const report = testImagesReport();
    expect(report).toBeDefined();
    console.info(`test images ${JSON.stringify(images)}: ${JSON.stringify(report)}`);
    for (const ref of [images.busybox, images.bash]) {
      const { stdout } = await runCommand(DOCKER_CLI, ['image', 'inspect', '--format', '{{.Size}} {{json .Config.Env}}', ref]);
      console.info(`${ref}: ${stdout.trim()}`);
      expect(stdout).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    }
  });
});

describe.each(['busybox', 'bash'] as const)('%s image', (kind) => {
  let container: TestContainer;
  beforeAll(async () => {
    container = await startTestContainer(images[kind]);
  });
  afterAll(async () => {
    await container.remove();
  });

  it('runs sh -c through exec, as root by default', async () => {
    const result = await container.exec(['sh', '-c', 'echo $0; id -un; ls /bin/sh']);
    expect(result).toEqual({ exitCode: 0, stdout: 'sh\nroot\n/bin/sh\n', stderr: '' });
  });

  it('runs as the unprivileged user app (docker exec -u app), with its home', async () => {
    const result = await container.exec(['sh', '-c', 'id -un; id -u; echo "$HOME"; cd && pwd; mktemp -d /tmp/x.XXXXXX'], {
      user: 'app',
    });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['app', '1000', '/home/app', '/home/app']);
    expect(lines[4]).toMatch(/^\/tmp\/x\./);
  });

  it('has PID 1 = docker-init running the keepalive, and a working ps', async () => {
    const processes = await container.processes();
    expect(processes[0]).toMatch(/^1 \/sbin\/docker-init -- sleep 2147483647$/);
    expect(processes.some((p) => /^\d+ sleep 2147483647$/.test(p))).toBe(true);
  });

  it('passes stdin, env and workdir to exec, and reports exit codes', async () => {
    const result = await container.exec(['sh', '-c', 'tr a-z A-Z; echo "$FOO"; pwd; exit 3'], {
      input: 'hello\n',
      env: ['FOO=bar baz'],
      workdir: '/tmp',
    });
    expect(result).toEqual({ exitCode: 3, stdout: 'HELLO\nbar baz\n/tmp\n', stderr: '' });
  });

  it('reports a missing command or unknown user as exit 126, the runtime message on stdout', async () => {
    const missing = await container.exec(['no-such-command']);
    expect(missing.exitCode).toBe(126);
    expect(missing.stdout).toMatch(/^OCI runtime exec failed: .*executable file not found in \$PATH/);
    const user = await container.exec(['true'], { user: 'nosuch' });
    expect(user.exitCode).toBe(126);
    expect(user.stdout).toMatch(/unable to find user nosuch/);
  });

  it('gives a numeric uid without passwd entry HOME=/ and gid 0', async () => {
    const result = await container.exec(['sh', '-c', 'id -u; id -g; echo "$HOME"'], { user: '4242' });
    expect(result.stdout).toBe('4242\n0\n/\n');
  });

  it('reaps orphaned processes (PID 1 is an init)', async () => {
    // The inner shell exits at once; its sleep is re-parented to PID 1 and exits 0.2 s later.
    const result = await container.exec(['sh', '-c', '(sleep 0.2 &); sleep 1; ps -o pid,stat,args']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toMatch(/\sZ\s|defunct/);
  });
});

describe('bash image', () => {
  let container: TestContainer;
  beforeAll(async () => {
    container = await startTestContainer(images.bash);
  });
  afterAll(async () => {
    await container.remove();
  });

  it('has bash, dash as /bin/sh, git and procps', async () => {
    const bash = await container.exec(['bash', '--version']);
    expect(bash.exitCode).toBe(0);
    expect(bash.stdout).toMatch(/^GNU bash, version 5/);
    expect((await container.exec(['readlink', '/bin/sh'])).stdout).toBe('dash\n');
    const git = await container.exec(['git', '--version']);
    expect(git.stdout).toMatch(/^git version 2\./);
    const ps = await container.exec(['ps', '-o', 'pid,args']);
    expect(ps.exitCode).toBe(0);
    expect(ps.stdout).toMatch(/^\s*PID COMMAND\n\s*1 \/sbin\/docker-init -- sleep 2147483647\n/);
  });

  it('runs git init, add and commit in /tmp, as root and as app', async () => {
    const script = [
      'set -e',
      'git init -q /tmp/r-$(id -un)',
      'cd /tmp/r-$(id -un)',
      'echo hi > f.txt',
      'git add f.txt',
      'git -c user.name=t -c user.email=t@example.invalid commit -qm first',
      'git log --oneline | wc -l',
      'git status --porcelain | wc -l',
    ].join('\n');
    for (const user of ['root', 'app']) {
      const result = await container.exec(['bash', '-c', script], { user });
      expect(result.stderr).toBe('');
      expect(result.stdout.split('\n').map((s) => s.trim())).toEqual(['1', '0', '']);
      expect(result.exitCode).toBe(0);
    }
  });

  it('has the everyday tools an agent shell uses', async () => {
    const tools = ['awk', 'sed', 'grep', 'find', 'xargs', 'diff', 'tar', 'gzip', 'kill', 'pkill', 'setsid', 'timeout', 'mktemp', 'env'];
    const result = await container.exec(['bash', '-c', `for t in ${tools.join(' ')}; do command -v "$t" >/dev/null || echo "missing $t"; done`]);
    expect(result).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});

describe('busybox image', () => {
  it('has ps and no bash', async () => {
    const container = await startTestContainer(images.busybox);
    try {
      const ps = await container.exec(['ps', '-o', 'pid,args']);
      expect(ps.exitCode).toBe(0);
      expect(ps.stdout).toMatch(/^PID\s+COMMAND\n\s*1 \/sbin\/docker-init -- sleep 2147483647\n/);
      expect((await container.exec(['sh', '-c', 'command -v bash'])).exitCode).not.toBe(0);
      expect((await container.exec(['bash', '-c', 'true'])).exitCode).toBe(126);
      const applets = await container.exec(['sh', '-c', 'for t in sleep cat kill tr grep wc mktemp ps env; do command -v $t; done']);
      expect(applets.stdout.split('\n').filter(Boolean)).toHaveLength(9);
    } finally {
      await container.remove();
    }
  });
});

describe('containers', () => {
  it('take the user and env options, and have no network', async () => {
    const container = await startTestContainer(images.busybox, { user: 'app', env: ['GREETING=hello there'] });
    try {
      expect(container.name).toMatch(/^execkit-test-[0-9a-f]{12}$/);
      const result = await container.exec(['sh', '-c', 'id -un; echo "$GREETING"; ls /sys/class/net']);
      expect(result.stdout).toBe('app\nhello there\nlo\n');
      const { stdout } = await runCommand(DOCKER_CLI, ['inspect', '--format', `{{index .Config.Labels "${TEST_CONTAINER_LABEL}"}} {{.HostConfig.NetworkMode}} {{.HostConfig.Init}}`, container.id]);
      expect(stdout.trim()).toBe('1 none true');
    } finally {
      await container.remove();
    }
  });

  it('stop: SIGTERM through the init ends the container (no SIGKILL after the grace period); start brings it back', async () => {
    const container = await startTestContainer(images.bash);
    try {
      await container.stop(10);
      const state = await container.state();
      // tini forwarded SIGTERM to sleep, which died of it: 128+15. A SIGKILL after the grace period would give 137.
      expect(state).toMatchObject({ status: 'exited', running: false, pid: 0, exitCode: 143 });
      expect((await container.exec(['true'])).exitCode).not.toBe(0);
      await container.start();
      expect((await container.exec(['echo', 'back'])).stdout).toBe('back\n');
    } finally {
      await container.remove();
    }
  });

  it('kill: SIGKILL by default (exit 137); other signals are forwarded by the init', async () => {
    const container = await startTestContainer(images.busybox);
    try {
      await container.kill();
      expect(await container.state()).toMatchObject({ status: 'exited', exitCode: 137 });
      await container.start();
      await container.kill('TERM');
      // tini forwards SIGTERM to sleep, which dies of it; tini exits 128+15.
      for (let i = 0; i < 50 && (await container.state())?.running; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await container.state()).toMatchObject({ status: 'exited', exitCode: 143 });
    } finally {
      await container.remove();
    }
  });

  it('pause freezes (exec refused), unpause thaws; a paused container can be killed and removed', async () => {
    const container = await startTestContainer(images.busybox);
    try {
      await container.pause();
      expect(await container.state()).toMatchObject({ status: 'paused', paused: true, running: true });
      const refused = await container.exec(['true']);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/paused/i);
      await container.unpause();
      expect((await container.exec(['echo', 'ok'])).stdout).toBe('ok\n');
      await container.pause();
      await container.kill();
      expect(await container.state()).toMatchObject({ status: 'exited', paused: false });
      await container.start();
      await container.pause();
    } finally {
      await container.remove();
    }
    expect(await container.state()).toBeUndefined();
    await container.remove(); // idempotent
  });

  it('without --init, PID 1 (sleep) leaves zombies and ignores SIGTERM', async () => {
    const container = await startTestContainer(images.bash, { init: false });
    try {
      expect((await container.processes())[0]).toBe('1 sleep 2147483647');
      const result = await container.exec(['sh', '-c', '(sleep 0.2 &); sleep 1; ps -o stat=,args=']);
      expect(result.stdout).toMatch(/^Z\s+\[sleep\] <defunct>$/m);
      await container.stop(1);
      // SIGTERM was ignored: the container ended by the SIGKILL that follows the grace period.
      expect(await container.state()).toMatchObject({ status: 'exited', exitCode: 137 });
    } finally {
      await container.remove();
    }
  });

  it('removeTestContainers removes this process’s containers and stale ones, not live others', async () => {
    const mine = await startTestContainer(images.busybox);
    const staleToken = '1.1.not-this-boot';
    const stale = await startTestContainer(images.busybox, { labels: { [TEST_CONTAINER_OWNER_LABEL]: staleToken } });
    // A live owner that is not us: PID 1 of this machine (its token is valid and alive).
    const other = await startTestContainer(images.busybox, { labels: { [TEST_CONTAINER_OWNER_LABEL]: ownerToken(1) } });
    try {
      const removed = await removeTestContainers();
      // (The stale one may already be gone: any process sweeps stale containers, e.g. a parallel run.)
      expect(removed).toContain(mine.name);
      expect(removed).not.toContain(other.name);
      expect(await mine.state()).toBeUndefined();
      expect(await stale.state()).toBeUndefined();
      expect((await other.state())?.running).toBe(true);
    } finally {
      await other.remove();
    }
  });
});
