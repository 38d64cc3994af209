import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The Docker test fixtures (images built with docker import, labelled containers) live with the transport.
import { ensureTestImages, removeTestContainers, startTestContainer, type TestContainer } from '../../../packages/transport-docker/src/test-support/index.js';
import { call, callOk, spawnServer, textOf, type SpawnedServer } from './__fixtures__/helpers.js';
import type { ExecToolResult } from './tools/session-exec.js';

let container: TestContainer;
let server: SpawnedServer;

beforeAll(async () => {
  const images = await ensureTestImages();
  container = await startTestContainer(images.bash);
  server = await spawnServer();
}, 300_000);
afterAll(async () => {
  await server?.client.close();
  await container?.remove();
  await removeTestContainers();
});

describe('execkit-mcp with docker', () => {
  it('lists running containers', async () => {
    const { containers } = await callOk<{ containers: Array<Record<string, string>> }>(server.client, 'container_list');
    expect(containers).toContainEqual({ id: container.id, name: container.name, image: expect.any(String), status: expect.stringMatching(/^Up/) });
  });

  it('runs a session inside a container as a user, in a directory, and leaves nothing behind', async () => {
    const { session_id } = await callOk<{ session_id: string }>(server.client, 'session_create', { transport: 'docker', container: container.name, user: 'app', cwd: '/tmp' });
    expect(session_id).toMatch(/^\d+_docker$/);
    const result = await callOk<ExecToolResult>(server.client, 'session_exec', { session_id, command: 'id -un; pwd; sleep 1000.555 & echo err >&2' });
    expect(result).toMatchObject({ stdout: 'app\n/tmp\n', stderr: 'err\n', exit_code: 0, cwd: '/tmp' });
    const { sessions } = await callOk<{ sessions: Array<{ session_id: string; transport: string }> }>(server.client, 'session_list');
    expect(sessions).toContainEqual(expect.objectContaining({ session_id, transport: 'docker' }));
    expect(await callOk(server.client, 'session_destroy', { session_id })).toEqual({ destroyed: true });
    expect((await container.processes()).filter((line) => line.includes('1000.555'))).toEqual([]);
  });

  it('ends every process of its container sessions when the server shuts down', async () => {
    const other = await spawnServer();
    const { session_id } = await callOk<{ session_id: string }>(other.client, 'session_create', { transport: 'docker', container: container.name });
    await callOk(other.client, 'session_exec', { session_id, command: 'sleep 1000.556 & (sleep 1001.556 &); echo ok' });
    expect((await container.processes()).filter((line) => line.includes('.556'))).toHaveLength(2);
    await other.client.close();
    let left: string[] = [];
    for (let i = 0; i < 50; i++) {
      left = (await container.processes()).filter((line) => line.includes('.556'));
      if (left.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(left).toEqual([]);
  });

  it('answers bad requests with clear tool errors', async () => {
    const missing = await call(server.client, 'session_create', { transport: 'docker' });
    expect(textOf(missing)).toMatch(/needs container/);
    const injected = await call(server.client, 'session_create', { transport: 'docker', container: '--privileged' });
    expect(textOf(injected)).toMatch(/^INVALID_OPTIONS: /);
    const absent = await call(server.client, 'session_create', { transport: 'docker', container: 'execkit-test-absent' });
    expect(textOf(absent)).toMatch(/^CONTAINER_UNAVAILABLE: No such container: "execkit-test-absent"/);
    const wrongPlace = await call(server.client, 'session_create', { transport: 'local', container: container.name });
    expect(textOf(wrongPlace)).toMatch(/container only applies to transport "docker"/);
  });
});
