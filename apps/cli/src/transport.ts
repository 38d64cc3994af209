import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLocalTransport, type Transport } from '@execkit/core';
import { createDockerTransport, validateContainerReference } from '@execkit/transport-docker';
import { createSshTransport } from '@execkit/transport-ssh';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from './errors.js';

/** Where `--ssh` points: `[user@]host[:port]`, with `[v6-address]:port` for IPv6. */
export interface SshDestination {
  user?: string;
  host: string;
  port?: number;
}

/** Parses a `--ssh` value, `[user@]host[:port]` (an ssh_config alias works as host). */
export function parseSshDestination(value: string): SshDestination {
  const match = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!match || match[2]!.startsWith('-')) throw new InvalidArgumentError('Expected [user@]host[:port].');
  const destination: SshDestination = { host: match[2]!.replace(/^\[|\]$/g, '') };
  if (match[1] !== undefined) destination.user = match[1];
  if (match[3] !== undefined) {
    const port = Number(match[3]);
    if (port < 1 || port > 65_535) throw new InvalidArgumentError('The port must be 1–65535.');
    destination.port = port;
  }
  return destination;
}

/** Options that choose where a session runs (here, `--ssh` or `--docker`), shared by `exec` and `shell`. */
export interface TransportCommandOptions {
  ssh?: SshDestination;
  docker?: string;
  user?: string;
  identity?: string;
  passwordEnv?: string;
  fingerprint?: string;
  strictHostKeys?: boolean;
}

/** Adds the `--ssh` family of options to `command`. */
export function withTransportOptions(command: Command): Command {
  for (const option of transportOptions()) command.addOption(option);
  return command;
}

function transportOptions(): Option[] {
  return [
    new Option('--ssh <[user@]host[:port]>', 'run the session on a remote host over SSH (host may be an ssh_config alias)').argParser(parseSshDestination),
    new Option('-i, --identity <file>', 'private key for --ssh (default: ssh_config, ~/.ssh/id_*, ssh-agent)'),
    new Option('--password-env <name>', 'read the --ssh password from this environment variable (never from the command line)'),
    new Option('--fingerprint <SHA256:...>', "pin the --ssh host's key instead of using known_hosts"),
    new Option('--strict-host-keys', 'refuse --ssh hosts not already in known_hosts (default: learn new hosts, refuse changed keys)'),
    new Option('--docker <container>', 'run the session inside a running Docker container (name or id)')
      .conflicts('ssh')
      .argParser((value: string) => {
        try {
          return validateContainerReference(value);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      }),
    new Option('-u, --user <user>', 'user inside the --docker container (default: the container’s)'),
  ];
}

/**
 * The transport the options ask for: a local one, or SSH with the person's own keys and
 * known_hosts.
 *
 * @throws UsageError when SSH-only options come without --ssh, or the password variable is unset
 */
export function transportFor(options: TransportCommandOptions, commandName: string): Transport {
  if (options.user !== undefined && options.docker === undefined) throw new UsageError('--user only applies with --docker', commandName);
  if (options.docker !== undefined) {
    for (const [flag, value] of [['--identity', options.identity], ['--password-env', options.passwordEnv], ['--fingerprint', options.fingerprint], ['--strict-host-keys', options.strictHostKeys]] as const) {
      if (value !== undefined) throw new UsageError(`${flag} only applies with --ssh`, commandName);
    }
    return createDockerTransport({ container: options.docker, ...(options.user !== undefined ? { user: options.user } : {}) });
  }
  if (!options.ssh) {
    for (const [flag, value] of [['--identity', options.identity], ['--password-env', options.passwordEnv], ['--fingerprint', options.fingerprint], ['--strict-host-keys', options.strictHostKeys]] as const) {
      if (value !== undefined) throw new UsageError(`${flag} only applies with --ssh`, commandName);
    }
    return createLocalTransport();
  }
  let password: string | undefined;
  if (options.passwordEnv !== undefined) {
    password = process.env[options.passwordEnv];
    if (password === undefined) throw new UsageError(`the environment variable ${options.passwordEnv} (from --password-env) is not set`, commandName);
  }
  let keyDir: string | undefined;
  if (options.identity !== undefined) {
    // The person at the terminal chooses their own key: allow its own directory.
    try {
      keyDir = dirname(realpathSync(options.identity));
    } catch {
      throw new UsageError(`cannot read the key file ${options.identity}`, commandName);
    }
  }
  return createSshTransport({
    host: options.ssh.host,
    ...(options.ssh.user !== undefined ? { user: options.ssh.user } : {}),
    ...(options.ssh.port !== undefined ? { port: options.ssh.port } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(options.identity !== undefined ? { privateKeyPath: realpathSync(options.identity), keyDir: keyDir! } : {}),
    ...(options.fingerprint !== undefined ? { fingerprint: options.fingerprint } : {}),
    ...(options.strictHostKeys ? { hostKeyPolicy: 'strict' as const } : {}),
  });
}
