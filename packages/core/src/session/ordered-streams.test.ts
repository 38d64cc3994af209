import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORT_SPECIFICATION_VERSION, type ShellChannel, type ShellChannelHandlers, type Transport } from '../transport/contract.js';
import { createLocalTransport } from '../transport/local.js';
import { Session } from './session.js';

/**
 * A scripted bash stand-in: answers the probe and every `\__ek_e <nonce>` trailer with a frame.
 * With ordered streams, stderr written before the frame arrives after it, later in the same turn.
 * A test decides whether a command writes stderr before its frame or only after it (a background
 * job), which then arrives 30 ms later.
 */
function scriptedTransport(orderedStreams: boolean, stderrTiming: 'before-frame' | 'after-frame'): { transport: Transport; written: string[] } {
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
            if (text.includes('ERR_LAST') && stderrTiming === 'after-frame') {
              out(`out\n${nonce}0:1hB:/tmp${nonce}`);
              setTimeout(() => err('late\n'), 30);
            } else if (orderedStreams) {
              // read after the frame, later in the same turn
              setImmediate(() => err('err\n'));
              out(`out\n${nonce}0:1hB:/tmp${nonce}`);
            } else {
              err('err\n');
              out(`out\n${nonce}0:1hB:/tmp${nonce}`);
            }
            if (!orderedStreams) err(nonce + nonce);
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
  it('end a command after the poll that follows its stdout frame, with its stderr, and ask for no stderr marker', async () => {
    const { transport, written } = scriptedTransport(true, 'before-frame');
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

  it('give stderr written after the frame to the next command', async () => {
    const { transport } = scriptedTransport(true, 'after-frame');
    const session = await Session.open(transport);
    try {
      expect(await session.exec('echo ERR_LAST')).toMatchObject({ stdout: 'out\n', stderr: '' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await session.exec('echo plain')).toMatchObject({ stdout: 'out\n', stderr: 'late\nerr\n' });
    } finally {
      await session.close();
    }
  });

  it('are not assumed: without the flag a command waits for its stderr marker', async () => {
    const { transport, written } = scriptedTransport(false, 'before-frame');
    const session = await Session.open(transport);
    try {
      expect(await session.exec('echo ERR_LAST')).toMatchObject({ stdout: 'out\n', stderr: 'err\n' });
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

  it('keep stderr written just before the frame when the frame is read before stderr is polled', async () => {
    // A full 64 KiB read makes libuv read stdout again at once, in the same callback. Holding the
    // loop in the first one lets the shell write stderr and its frame meanwhile: the second read
    // brings the frame while stderr was not ready when the loop last polled.
    const local = createLocalTransport();
    const holding: Transport = {
      ...local,
      openShell: (options, handlers) =>
        local.openShell(options, {
          ...handlers,
          onStdout(chunk) {
            handlers.onStdout(chunk);
            if (chunk.length >= 65_536) sleepSync(3);
          },
        }),
    };
    const held = await Session.open(holding);
    try {
      for (const size of [1, 7, 4096, 65_535, 100_000, 3]) {
        for (let round = 0; round < 5; round++) {
          const result = await held.exec(`printf "%70000s" ""; printf "%${size}s" "" >&2; echo done`);
          expect(result).toMatchObject({ stdoutBytes: 70_005, stderrBytes: size });
        }
      }
    } finally {
      await held.close();
    }
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

/** Blocks this thread for `ms` milliseconds. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
