// Test support for the host-keys tests: real keys made by ssh-keygen, and OpenSSH cross-checks.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestKey {
  /** Key type as in the .pub file, e.g. `ssh-ed25519`. */
  readonly type: string;
  /** The public key blob decoded from the .pub file. */
  readonly blob: Buffer;
  /** `<type> <base64>` (no comment). */
  readonly text: string;
  /** Path of the .pub file. */
  readonly pubPath: string;
}

export function makeTempDir(prefix = 'execkit-hostkeys-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Generates a key pair with `ssh-keygen -t <type> -N '' -f <dir>/<name>` and reads the .pub. */
export function generateKey(dir: string, type: 'ed25519' | 'rsa' | 'ecdsa', name: string): TestKey {
  const path = join(dir, name);
  const args = ['-q', '-t', type, '-N', '', '-C', `${name}@test`, '-f', path];
  if (type === 'rsa') args.push('-b', '2048');
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  const pub = readFileSync(`${path}.pub`, 'utf8').trim();
  const [keyType, base64] = pub.split(' ');
  if (keyType === undefined || base64 === undefined) throw new Error(`unexpected .pub content: ${pub}`);
  return { type: keyType, blob: Buffer.from(base64, 'base64'), text: `${keyType} ${base64}`, pubPath: `${path}.pub` };
}

/** Runs ssh-keygen and returns stdout and exit status (never throws on a non-zero status). */
export function sshKeygen(args: readonly string[]): { stdout: string; status: number | null } {
  const result = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  return { stdout: result.stdout, status: result.status };
}

/** The `ssh-keygen -l` fingerprint field of a .pub file (`-E md5` when asked). */
export function opensshFingerprint(pubPath: string, hash: 'sha256' | 'md5' = 'sha256'): string {
  const { stdout } = sshKeygen(['-E', hash, '-lf', pubPath]);
  const field = stdout.trim().split(' ')[1];
  if (field === undefined) throw new Error(`unexpected ssh-keygen -l output: ${stdout}`);
  return field;
}

export interface OpensshMatch {
  readonly line: number;
  /** '' for an ordinary line, 'REVOKED' or 'CA'. */
  readonly tag: string;
}

/** Lines `ssh-keygen -F <name> -f <file>` reports as matching. */
export function opensshLookup(name: string, file: string): OpensshMatch[] {
  const { stdout } = sshKeygen(['-F', name, '-f', file]);
  const matches: OpensshMatch[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^# Host .* found: line (\d+)\s*(\S*)\s*$/.exec(line);
    if (match) matches.push({ line: Number(match[1]), tag: match[2] ?? '' });
  }
  return matches;
}
