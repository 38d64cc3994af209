import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionsError, SessionClosedError, UnsupportedTransportError } from '../errors/index.js';
import { countProcesses } from '../testing/conformance.js';
import type { Transport } from '../transport/contract.js';
import { createLocalTransport } from '../transport/local.js';
import { Session } from './session.js';

describe('Session (local)', () => {
  const transport = createLocalTransport();
  let session: Session;
  beforeAll(async () => {
    session = await Session.open(transport);
  });
  afterAll(() => session.close());

  it('starts in cwd with env exported, and describes itself', async () => {
    const s = await Session.open(transport, { cwd: '/tmp', env: { EK_A: "it's $x", EK_B: 'two\nlines' } });
    try {
      const result = await s.exec('printf "%s|%s|" "$EK_A" "$EK_B"; sh -c \'printf %s "$EK_A"\'');
      expect(result.stdout).toBe("it's $x|two\nlines|it's $x");
      expect(s.cwd).toBe('/tmp');
      const info = s.info();
      expect(info).toMatchObject({ transport: 'local', target: 'local', dialect: 'bash', cwd: '/tmp', busy: false, queued: 0, closed: false });
      expect(info.shellPid).toBeGreaterThan(1);
    } finally {
      await s.close();
    }
  });

  it('rejects bad options with typed errors and leaves nothing running', async () => {
    await expect(Session.open(transport, { cwd: '/does/not/exist' })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', field: 'cwd', message: expect.stringContaining('"/does/not/exist" is not a directory the shell can enter') });
    await expect(Session.open(transport, { env: { 'BAD-NAME': 'x' } })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(Session.open(transport, { timeoutMs: -1 })).rejects.toMatchObject({ field: 'timeoutMs' });
    await expect(session.exec('echo', { timeoutMs: 0 })).rejects.toMatchObject({ field: 'timeoutMs' });
    await expect(session.exec('echo', { timeoutMs: 3e9 })).rejects.toMatchObject({ field: 'timeoutMs' });
    await expect(session.exec('echo', { maxOutputChars: 1.5 })).rejects.toMatchObject({ field: 'maxOutputChars' });
    await expect(session.exec('echo a\0b')).rejects.toMatchObject({ field: 'command' });
    await expect(session.exec(42 as unknown as string)).rejects.toMatchObject({ field: 'command' });
    await expect(session.exec('cat', { stdin: 'a\0' })).rejects.toMatchObject({ field: 'stdin' });
    expect((await session.exec('echo still fine')).stdout).toBe('still fine\n');
  });

  it('sends the command of an idle session before exec() returns; later calls wait their turn', async () => {
    const writes: string[] = [];
    const recording: Transport = {
      specificationVersion: transport.specificationVersion,
      kind: transport.kind,
      target: transport.target,
      openShell: async (options, handlers) => {
        const channel = await transport.openShell(options, handlers);
        return {
          write: (data) => {
            writes.push(Buffer.from(data).toString('utf8'));
            channel.write(data);
          },
          close: () => channel.close(),
          orderedStreams: channel.orderedStreams,
        };
      },
      runSideCommand: (command, options) => transport.runSideCommand(command, options),
      close: async () => undefined,
    };
    const s = await Session.open(recording);
    try {
      writes.length = 0;
      const first = s.exec('sleep 0.2; echo one');
      expect(writes).toHaveLength(1);
      expect(writes[0]).toContain('echo one');
      const second = s.exec('echo two');
      expect(s.info()).toMatchObject({ busy: true, queued: 1 });
      expect(writes).toHaveLength(1);
      expect((await first).stdout).toBe('one\n');
      expect((await second).stdout).toBe('two\n');
      expect(writes.at(-1)).toContain('echo two');
      expect(s.info()).toMatchObject({ busy: false, queued: 0 });
    } finally {
      await s.close();
    }
  });

  it('refuses a transport of another contract version', async () => {
    const alien = { ...transport, specificationVersion: 'execkit-transport-v0' } as unknown as Transport;
    await expect(Session.open(alien)).rejects.toBeInstanceOf(UnsupportedTransportError);
  });

  it('holds each command to its own timeout, whatever the timeouts before it', async () => {
    // A long timeout first: the short one after it must still end on time.
    expect(await session.exec('true', { timeoutMs: 60_000 })).toMatchObject({ timedOut: false });
    const short = await session.exec('echo before; sleep 30', { timeoutMs: 300 });
    expect(short).toMatchObject({ timedOut: true, stdout: 'before\n' });
    expect(short.durationMs).toBeLessThan(10_000);
    // A short timeout first: a later command allowed longer must not be cut at the earlier deadline.
    expect(await session.exec('true', { timeoutMs: 200 })).toMatchObject({ timedOut: false });
    const long = await session.exec('sleep 0.6; echo done', { timeoutMs: 5_000 });
    expect(long).toMatchObject({ timedOut: false, exitCode: 0, stdout: 'done\n' });
    expect((await session.exec('echo next', { timeoutMs: 300 })).stdout).toBe('next\n');
  });

  it('gives output that arrives between commands to the next command', async () => {
    await session.exec('(sleep 0.2; echo late; echo late-err >&2) &');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const result = await session.exec('echo now');
    expect(result.stdout).toBe('late\nnow\n');
    expect(result.stderr).toBe('late-err\n');
  });

  it('keeps a bounded head and tail of a command that prints 1 GB', async () => {
    const result = await session.exec('yes abcdefghijklmnopqrstuvwxyz | head -c 1000000000', { timeoutMs: 120_000 });
    expect(result.stdoutBytes).toBe(1_000_000_000);
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBeLessThan(100_100);
    expect(result.stdout.startsWith('abcdefghijklmnopqrstuvwxyz\n')).toBe(true);
    // The text kept for recall is a bounded head and tail; what was dropped is counted in one marker line.
    const kept: string[] = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const page = session.readOutput(result.outputId!, { offset, limit: 10_000, max_chars: 1_000_000 });
      kept.push(...page.lines);
      offset = page.next_offset;
    }
    const markers = kept.filter((line) => /^… \d+ chars elided …$/.test(line));
    expect(markers).toHaveLength(1);
    const elided = Number(/\d+/.exec(markers[0]!)![0]);
    const keptChars = kept.join('\n').length - markers[0]!.length - 2;
    expect(keptChars).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(keptChars + elided).toBe(1_000_000_000);
    expect(kept[0]).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(kept.at(-1)).toBe('a'); // 1e9 = 37 037 037 lines of 27 bytes + 1
  });

  it('close() during a running command resolves it as closed and rejects the queue', async () => {
    const s = await Session.open(transport);
    const running = s.exec('echo partial; sleep 1000.5151');
    const queued = s.exec('echo never');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await s.close();
    const result = await running;
    expect(result).toMatchObject({ sessionClosed: true, stdout: 'partial\n', exitCode: null });
    await expect(queued).rejects.toBeInstanceOf(SessionClosedError);
    expect(await countProcesses(transport, '1000[.]5151')).toBe(0);
  });
});
