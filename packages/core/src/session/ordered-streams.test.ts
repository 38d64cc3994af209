import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORT_SPECIFICATION_VERSION, type ShellChannel, type ShellChannelHandlers, type Transport } from '../transport/contract.js';
import { createLocalTransport } from '../transport/local.js';
import { Session } from './session.js';

/**
 * A scripted bash stand-in: answers the probe and every `\__ek_e <nonce>` trailer with a frame,
 * and lets a test decide when stderr bytes arrive relative to that frame.
 */
function scriptedTransport(orderedStreams: boolean, stderrTiming: 'same-turn' | 'later'): { transport: Transport; written: string[] } {
  const written: string[] = [];
  const transport: Transport = {
    specificationVersion: TRANSPORT_SPECIFICATION_VERSION,
    kind: 'scripted',
    target: 'scripted',
    async openShell(_options, handlers: ShellChannelHandlers): Promise<ShellChannel> {
      const out = (text: string) => handlers.onStdout(Buffer.from(text));
      const err = (text: string) => handlers.onStderr(Buffer.from(text));
      return {
        orderedStreams,
        write(data) {
          const text = Buffer.from(data).toString();
          written.push(text);
          const probe = /^(?:printf '%s' (\S+) >&2; )?printf '%s:%s:%s%s' (\S+) /.exec(text);
          if (probe) {
            queueMicrotask(() => {
              if (probe[1]) err(probe[1]);
              out(`${probe[2]}:5.2.15:4242${probe[2]}`);
            });
            return;
          }
          const trailer = /\\__ek_e (\S+)\n$/.exec(text);
          if (!trailer) return;
          const nonce = trailer[1]!;
          setTimeout(() => {
            if (text.includes('ERR_LAST')) {
              // stderr written before the frame, read after it: same turn, or a later one
              out(`out\n${nonce}0:1hB:/tmp${nonce}`);
              if (stderrTiming === 'same-turn') err('err\n');
              else setTimeout(() => err('err\n'), 20);
            } else {
              err('err\n');
              out(`out\n${nonce}0:1hB:/tmp${nonce}`);
            }
            if (!orderedStreams) err(nonce);
          }, 1);
        },
        async close() {
          handlers.onClose({ exitCode: null, signal: null, reason: 'closed' });
        },
      };
    },
    async runSideCommand() {
      return { exitCode: 0, stdout: '', stderr: '' };
    },
    async close() {},
  };
  return { transport, written };
}

describe('channels with ordered streams', () => {
  it('end a command after the turn that brought its frame, keeping stderr read in that turn', async () => {
    const { transport, written } = scriptedTransport(true, 'same-turn');
    const session = await Session.open(transport);
    try {
      const result = await session.exec('echo ERR_LAST');
      expect(result).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 0, cwd: '/tmp' });
      expect(await session.exec('echo plain')).toMatchObject({ stdout: 'out\n', stderr: 'err\n' });
      // No stderr marker is asked of the shell: not in the probe, not in the helper.
      expect(written[0]).not.toContain('>&2');
      expect(written[1]).not.toContain('>&60');
    } finally {
      await session.close();
    }
  });

  it('give stderr that arrives in a later turn to the next command', async () => {
    const { transport } = scriptedTransport(true, 'later');
    const session = await Session.open(transport);
    try {
      expect(await session.exec('echo ERR_LAST')).toMatchObject({ stdout: 'out\n', stderr: '' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await session.exec('echo plain')).toMatchObject({ stdout: 'out\n', stderr: 'err\nerr\n' });
    } finally {
      await session.close();
    }
  });

  it('are not assumed: without the flag a command waits for its stderr marker', async () => {
    const { transport, written } = scriptedTransport(false, 'later');
    const session = await Session.open(transport);
    try {
      expect(await session.exec('echo ERR_LAST')).toMatchObject({ stdout: 'out\n', stderr: '' });
      expect(written[0]).toContain('>&2');
      expect(written[1]).toContain('>&60');
    } finally {
      await session.close();
    }
  });
});

describe('local sessions', () => {
  const transport = createLocalTransport();
  let session: Session;
  beforeAll(async () => {
    session = await Session.open(transport);
  });
  afterAll(() => session.close());

  it('keep every byte of stderr written just before a command ends', async () => {
    for (let i = 0; i < 200; i++) {
      const result = await session.exec(`echo o${i}; printf 'e${i}' >&2`);
      expect(result.stdout).toBe(`o${i}\n`);
      expect(result.stderr).toBe(`e${i}`);
    }
    const big = await session.exec('head -c 300000 /dev/zero | tr "\\0" e >&2; echo done');
    expect(big).toMatchObject({ stdout: 'done\n', stderrBytes: 300000 });
  });

  it('keep POSIX mode and xtrace as the last command left them, a syntax error changing neither', async () => {
    await session.exec('set -o posix');
    expect((await session.exec('[[ -o posix ]] && echo on')).stdout).toBe('on\n');
    await session.exec('echo ran; if true; then');
    expect((await session.exec('[[ -o posix ]] && echo on')).stdout).toBe('on\n');
    await session.exec('set +o posix; set -x');
    await session.exec('echo ran; ls $(');
    const traced = await session.exec('echo traced');
    expect(traced.stderr).toContain('echo traced');
    expect((await session.exec('set +x; [[ -o posix ]] || echo off')).stdout).toBe('off\n');
    expect(await session.exec('echo quiet')).toMatchObject({ stdout: 'quiet\n', stderr: '' });
  });
});
