/**
 * Docker benchmark, against a container started for the run (from the test image with bash):
 * `docker exec` through the CLI per command (what users do today), one dockerode exec per command,
 * session.exec on a persistent session, and the floor — a raw persistent hijacked exec of bash
 * answering `echo hi` plus an end marker, demultiplexed with docker-modem.
 */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { Session } from '@execkit/core';
import { createDockerTransport } from '@execkit/transport-docker';
import { ensureDockerEngine, ensureTestImages, startTestContainer } from '../packages/transport-docker/dist/test-support/index.js';
import { markerRunner } from './raw-shell.mjs';
import { measureInterleaved } from './stats.mjs';

function dockerCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')} exited ${code}`))));
  });
}

async function dockerodeExec(container) {
  const exec = await container.exec({ Cmd: ['sh', '-c', 'echo hi'], AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (chunk) => (out += chunk));
  container.modem.demuxStream(stream, stdout, stderr);
  await new Promise((resolve) => stream.on('end', resolve));
  const info = await exec.inspect();
  if (info.ExitCode !== 0 || out !== 'hi\n') throw new Error(`unexpected ${JSON.stringify({ out, info: info.ExitCode })}`);
}

async function rawHijacked(container) {
  const exec = await container.exec({ Cmd: ['bash', '--noprofile', '--norc'], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  container.modem.demuxStream(stream, stdout, stderr);
  const run = markerRunner(stdout, stderr, (text) => stream.write(text));
  return { run, close: () => stream.end() };
}

export async function benchDocker() {
  await ensureDockerEngine();
  const images = await ensureTestImages();
  const test = await startTestContainer(images.bash);
  try {
    const docker = new Docker();
    const container = docker.getContainer(test.id);
    const floor = await rawHijacked(container);
    const transport = createDockerTransport({ container: test.name });
    const session = await Session.open(transport);
    const persistent = await measureInterleaved([
      ['floor: raw persistent hijacked exec, stdout marker', floor.run],
      [
        "session.exec('echo hi') in a container",
        async () => {
          const r = await session.exec('echo hi');
          if (r.stdout !== 'hi\n') throw new Error(`unexpected ${JSON.stringify(r)}`);
        },
      ],
    ]);
    const perCommand = await measureInterleaved(
      [
        ['dockerode: one exec per command (create+start+inspect)', () => dockerodeExec(container)],
        [
          "docker CLI: docker exec <c> sh -c 'echo hi'",
          async () => {
            if ((await dockerCli(['exec', test.id, 'sh', '-c', 'echo hi'])) !== 'hi\n') throw new Error('unexpected output');
          },
        ],
      ],
      { warmup: 10, samples: 100, block: 10 },
    );
    floor.close();
    await session.close();
    await transport.close();
    const [floorResult, sessionResult] = persistent;
    const [dockerode, cli] = perCommand;
    return {
      method:
        'persistent variants: 1000 warm-up + 1000 timed calls each in turns of 50; per-command variants (each ~tens of ms): 10 warm-up + 100 timed calls each in turns of 10',
      results: { persistent, perCommand },
      ratios: {
        session_p50_over_floor: +(sessionResult.p50_us / floorResult.p50_us).toFixed(2),
        docker_cli_p50_over_session: +(cli.p50_us / sessionResult.p50_us).toFixed(1),
        dockerode_exec_p50_over_session: +(dockerode.p50_us / sessionResult.p50_us).toFixed(1),
      },
      targets: { session_p50_over_floor: 2, docker_cli_p50_over_session_at_least: 100 },
    };
  } finally {
    await test.remove();
  }
}
