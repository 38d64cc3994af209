import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecKitError, Session, type Transport } from '@execkit/core';
import { describeTransportConformance } from '@execkit/core/testing';
import { createDockerTransport, listContainers, type DockerTransportOptions } from './index.js';
import { ensureDockerEngine, ensureTestImages, removeTestContainers, startTestContainer, type TestContainer } from './test-support/index.js';

let bash: TestContainer;
let busybox: TestContainer;
const opened: Transport[] = [];

beforeAll(async () => {
  await ensureDockerEngine();
  const images = await ensureTestImages();
  [bash, busybox] = await Promise.all([startTestContainer(images.bash), startTestContainer(images.busybox)]);
}, 300_000);
afterAll(async () => {
  for (const transport of opened) await transport.close();
  await bash?.remove();
  await busybox?.remove();
});

function transport(options: Partial<DockerTransportOptions> & { container: string }): Transport {
  const created = createDockerTransport(options);
  opened.push(created);
  return created;
}

describeTransportConformance('docker (bash + coreutils image)', { createTransport: () => createDockerTransport({ container: bash.name }), sessionOptions: { shells: ['bash'] } });
describeTransportConformance('docker (busybox image)', { createTransport: () => createDockerTransport({ container: busybox.name }) });

async function failure(promise: Promise<unknown>): Promise<ExecKitError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ExecKitError.isInstance(error), String(error)).toBe(true);
  return error as ExecKitError;
}

describe('docker sessions', () => {
  it('uses bash when the image has it, else sh; runs as the given user, in the given cwd, with the given env', async () => {
    const inBash = await Session.open(transport({ container: bash.name, user: 'app', env: { EK_FROM_EXEC: 'yes' } }), { cwd: '/tmp' });
    expect(inBash.info().dialect).toBe('bash');
    expect((await inBash.exec('id -un; echo "$PWD $EK_FROM_EXEC"')).stdout).toBe('app\n/tmp yes\n');
    await inBash.close();
    const inBusybox = await Session.open(transport({ container: busybox.id }));
    expect(inBusybox.info().dialect).toBe('sh');
    expect((await inBusybox.exec('command -v bash || echo no-bash')).stdout).toBe('no-bash\n');
    await inBusybox.close();
  });

  it('leaves no process of a closed session in the container, background jobs included', async () => {
    const session = await Session.open(transport({ container: bash.name }));
    await session.exec('sleep 1000.777 & (sleep 1001.777 &) ; echo started');
    expect((await bash.processes()).filter((line) => line.includes('.777'))).toHaveLength(2);
    await session.close();
    expect((await bash.processes()).filter((line) => line.includes('.777'))).toEqual([]);
  });

  it('lists running containers by id, name, image and status', async () => {
    const listed = await listContainers();
    expect(listed).toContainEqual(expect.objectContaining({ id: bash.id, name: bash.name, status: expect.stringMatching(/^Up/) }));
  });

  it('says why a shell could not start, e.g. an unknown user', async () => {
    const error = await failure(Session.open(transport({ container: bash.name, user: 'no-such-user' })));
    expect(error.code).toBe('TRANSPORT_START_FAILED');
    expect(error.message).toMatch(/no-such-user/);
  });

  it('refuses malformed container references before any call', () => {
    for (const container of ['--privileged', '-it', 'a b', 'a\nb', '', '../x']) {
      expect(() => createDockerTransport({ container })).toThrowError(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    }
  });

  it('names a missing or stopped container and its state', async () => {
    const missing = await failure(Session.open(transport({ container: 'execkit-test-no-such-container' })));
    expect(missing).toMatchObject({ code: 'CONTAINER_UNAVAILABLE', state: 'missing' });
    expect(missing.message).toContain('execkit-test-no-such-container');
    const images = await ensureTestImages();
    const stopped = await startTestContainer(images.busybox);
    try {
      await stopped.stop(0);
      const error = await failure(Session.open(transport({ container: stopped.name })));
      expect(error).toMatchObject({ code: 'CONTAINER_UNAVAILABLE', state: expect.stringMatching(/^exited/) });
      expect(error.message).toContain(stopped.name);
    } finally {
      await stopped.remove();
    }
  });
});

describe('containers that change under a session', () => {
  let images: Awaited<ReturnType<typeof ensureTestImages>>;
  beforeAll(async () => {
    images = await ensureTestImages();
  });

  for (const how of ['stop', 'kill'] as const) {
    it(`fails a running command when the container gets docker ${how}`, async () => {
      const victim = await startTestContainer(images.bash);
      try {
        const session = await Session.open(transport({ container: victim.name }));
        const running = session.exec('echo started; sleep 100');
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Handled from now on: the command may fail before the docker CLI call below returns.
        const failed = failure(running);
        if (how === 'stop') await victim.stop(1);
        else await victim.kill('SIGKILL');
        // The command would run for 100 s, longer than the test may take: only the container going away ends it.
        const error = await failed;
        expect(error).toMatchObject({ code: 'CONTAINER_UNAVAILABLE', state: expect.stringMatching(/^exited/) });
        expect(error.message).toContain(victim.name);
        expect(error.partial).toMatchObject({ stdout: 'started\n', exitCode: null });
        expect(session.closed).toBe(true);
        await expect(session.exec('true')).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
      } finally {
        await victim.remove();
      }
    });
  }

  it('refuses commands while the container is paused and works again after unpause', async () => {
    const paused = await startTestContainer(images.busybox);
    try {
      const session = await Session.open(transport({ container: paused.name }));
      await session.exec('cd /tmp');
      await paused.pause();
      // The transport follows the Engine's events; give the pause event a moment to arrive.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const error = await failure(session.exec('echo hi > refused'));
      expect(error).toMatchObject({ code: 'CONTAINER_UNAVAILABLE', state: 'paused' });
      expect(session.closed).toBe(false);
      await paused.unpause();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await session.exec('echo "$PWD"')).toMatchObject({ stdout: '/tmp\n', exitCode: 0 });
      // Refused before it was sent: the shell never saw the command, not even after the unpause.
      expect(await session.exec('test -e refused && echo ran || echo not-run')).toMatchObject({ stdout: 'not-run\n' });
      await session.close();
    } finally {
      await paused.remove();
    }
  });
});

afterAll(async () => {
  await removeTestContainers();
});
