import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The Docker test fixtures (images built with docker import, labelled containers) live with the transport.
import { ensureTestImages, removeTestContainers, startTestContainer, type TestContainer } from '../../../packages/transport-docker/src/test-support/index.js';
import { runCli } from './test-support/cli.js';

let container: TestContainer;

beforeAll(async () => {
  const images = await ensureTestImages();
  container = await startTestContainer(images.busybox);
}, 300_000);
afterAll(async () => {
  await container?.remove();
  await removeTestContainers();
});

describe('execkit --docker', () => {
  it('exec runs one command in the container and passes its exit status through', async () => {
    const run = await runCli(['exec', '--docker', container.name, '--cwd', '/tmp', '--', 'pwd; echo err >&2; exit 4']);
    expect(run).toMatchObject({ code: 4, stdout: '/tmp\n', stderr: 'err\n' });
  });

  it('exec --user and --json', async () => {
    const run = await runCli(['exec', '--json', '--docker', container.id, '--user', 'app', '--', 'id -un']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ stdout: 'app\n', exit_code: 0 });
  });

  it('shell keeps one session in the container', async () => {
    const run = await runCli(['shell', '--docker', container.name], { input: 'cd /tmp\nexport A=2\necho "$PWD $A"\n' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('/tmp 2\n');
  });

  it('reports an unusable container with exit 125, and bad usage with exit 2', async () => {
    const absent = await runCli(['exec', '--docker', 'execkit-test-absent', '--', 'true']);
    expect(absent.code).toBe(125);
    expect(absent.stderr).toMatch(/No such container: "execkit-test-absent".*CONTAINER_UNAVAILABLE/);
    expect((await runCli(['exec', '--docker', '-it', '--', 'true'])).code).toBe(2);
    expect((await runCli(['exec', '--docker', container.name, '--ssh', 'x@y', '--', 'true'])).code).toBe(2);
    expect((await runCli(['exec', '--user', 'app', '--', 'true'])).code).toBe(2);
  });
});
