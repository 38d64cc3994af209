/**
 * A private OpenSSH agent (`ssh-agent -D -a <socket>`) loaded with given keys, for tests of
 * agent authentication. The agent of the developer's session (`$SSH_AUTH_SOCK`) is never used.
 *
 * Test support code; not part of the published build.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { isProcessAlive, makeOwnedTempDir, runCommand, spawnTiedToParent, stopChild } from './proc.js';

/** A running agent; see {@link startSshAgent}. */
export interface SshAgent {
  /** Path of the agent's UNIX socket (pass as ssh2's `agent` option / `SSH_AUTH_SOCK`). */
  readonly socketPath: string;
  /** Pid of the ssh-agent process. */
  readonly pid: number;
  /** Public key lines of the loaded identities (`ssh-add -L`), in load order. */
  readonly publicKeys: readonly string[];
  /** Environment with `SSH_AUTH_SOCK` set to this agent (for spawning `ssh`, `ssh-add`, …). */
  env(): NodeJS.ProcessEnv;
  /** Pids of the agent and its watchdog shell that are still alive. */
  processIds(): number[];
  /** Stops the agent (SIGTERM, SIGKILL after 3 s), waits for its exit and removes its directory. */
  stop(): Promise<void>;
}

const liveAgents = new Set<{ child: ChildProcess; watchdog: ChildProcess | undefined; dir: string }>();

/**
 * A `sh` that exits when the agent exits, and on SIGTERM (sent by the kernel when this process
 * dies, see `spawnTiedToParent`) kills the agent first.
 */
function startWatchdog(agentPid: number): ChildProcess | undefined {
  const script = [
    'a=$1; s=',
    `trap 'kill $s 2>/dev/null; grep -qa ssh-agent /proc/$a/cmdline 2>/dev/null && kill $a; exit 0' TERM`,
    'while kill -0 $a 2>/dev/null; do sleep 1 & s=$!; wait $s; done',
  ].join('\n');
  const watchdog = spawnTiedToParent('/bin/sh', ['-c', script, 'execkit-agent-watchdog', String(agentPid)], {
    stdio: 'ignore',
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog;
}
let exitHookInstalled = false;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `ssh-agent -D -a <tmp>/agent.sock` and adds `keyPaths` with `ssh-add`. Only keys without
 * a passphrase are supported (an encrypted key is rejected before anything is started).
 */
export async function startSshAgent(keyPaths: string[]): Promise<SshAgent> {
  for (const path of keyPaths) {
    try {
      // Fails for encrypted keys ("incorrect passphrase supplied") without prompting.
      await runCommand('ssh-keygen', ['-y', '-P', '', '-f', path]);
    } catch (error) {
      throw new Error(`startSshAgent supports passphrase-less keys only; cannot load ${path}: ${(error as Error).message}`);
    }
  }
  const dir = await makeOwnedTempDir('execkit-ssh-agent-', 0o700);
  const socketPath = join(dir, 'agent.sock');
  // ssh-agent is setgid (_ssh) on Debian, and exec of a setgid binary clears the parent-death
  // signal, so it is spawned plainly and a tied watchdog shell kills it if this process dies.
  const child = spawn('ssh-agent', ['-D', '-a', socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Never keep the test process alive just for the agent; the exit hook below kills it.
  child.unref();
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();
  const record = { child, watchdog, dir };
  liveAgents.add(record);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const agent of liveAgents) {
        agent.child.kill('SIGKILL');
        agent.watchdog?.kill('SIGTERM');
        rmSync(agent.dir, { recursive: true, force: true });
      }
    });
  }
  const stop = async () => {
    await stopChild(child);
    if (watchdog) await stopChild(watchdog);
    liveAgents.delete(record);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const spawnError = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`cannot run ssh-agent: ${error.message}`)));
    });
    spawnError.catch(() => undefined);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`ssh-agent exited: ${output.trim()}`);
      }
      if (existsSync(socketPath) && (await canConnect(socketPath))) break;
      if (Date.now() > deadline) throw new Error(`ssh-agent socket did not appear: ${output.trim()}`);
      await Promise.race([sleep(20), spawnError]);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, SSH_AUTH_SOCK: socketPath, SSH_ASKPASS_REQUIRE: 'never' };
    delete env.DISPLAY;
    delete env.SSH_ASKPASS;
    if (keyPaths.length > 0) await runCommand('ssh-add', ['-q', ...keyPaths], { env });
    let publicKeys: string[] = [];
    if (keyPaths.length > 0) {
      publicKeys = (await runCommand('ssh-add', ['-L'], { env })).stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    }
    const pid = child.pid;
    if (pid === undefined) throw new Error('ssh-agent has no pid');
    return {
      socketPath,
      pid,
      publicKeys,
      env: () => ({ ...env }),
      processIds: () =>
        [child, watchdog]
          .map((c) => c?.pid)
          .filter((p): p is number => p !== undefined && isProcessAlive(p)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
