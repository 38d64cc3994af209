import { readFileSync } from 'node:fs';
import { InvalidOptionsError, createLocalTransport, validatePolicy, type Policy, type Transport } from '@execkit/core';
import { createDockerTransport } from '@execkit/transport-docker';
import { createSshTransport, type HostKeyPolicy } from '@execkit/transport-ssh';

/**
 * The transport kinds `session_create` accepts, in the order they are listed to clients.
 * Adding one means adding its name here, a variant to {@link TransportRequest} and a case to
 * {@link openTransport}.
 */
export const TRANSPORT_KINDS = ['local', 'ssh', 'docker'] as const;

/** A transport kind `session_create` accepts (see {@link TRANSPORT_KINDS}). */
export type TransportKind = (typeof TRANSPORT_KINDS)[number];

/** True when `kind` names a supported transport. */
export function isTransportKind(kind: string): kind is TransportKind {
  return (TRANSPORT_KINDS as readonly string[]).includes(kind);
}

/** What a `session_create` call asks for: the transport kind and, for SSH, the host and credentials. */
export type TransportRequest =
  | { kind: 'local' }
  | {
      kind: 'ssh';
      /** Host name, address or ssh_config alias. */
      host: string;
      user?: string | undefined;
      port?: number | undefined;
      /** Never logged. */
      password?: string | undefined;
      /** Confined to the operator's key directory. */
      keyPath?: string | undefined;
      /** Never logged. */
      keyPassphrase?: string | undefined;
      /** Pins the host key (`SHA256:…`, hex, or `MD5:…`). */
      fingerprint?: string | undefined;
    }
  | {
      kind: 'docker';
      /** Container name or id. */
      container: string;
      /** User inside the container. */
      user?: string | undefined;
    };

/**
 * Settings only the operator (the person running the server) controls, read from the environment,
 * never from tool arguments.
 */
export interface OperatorSettings {
  /** `EXECKIT_MCP_KEY_DIR`: private keys must be inside it. Default `~/.ssh`. */
  keyDir?: string;
  /** `EXECKIT_MCP_KNOWN_HOSTS`: the known_hosts file. Default `~/.ssh/known_hosts`. */
  knownHostsPath?: string;
  /** `EXECKIT_MCP_SSH_CONFIG`: the ssh_config file. Default `~/.ssh/config`. */
  sshConfigPath?: string;
  /**
   * `EXECKIT_MCP_HOST_KEY_POLICY` (`strict` | `accept-new`, default `accept-new`), or
   * `insecure-accept-any` when `EXECKIT_MCP_INSECURE_ACCEPT_ANY_HOSTKEY=1`.
   */
  hostKeyPolicy?: HostKeyPolicy;
  /**
   * The operator's command policy: `EXECKIT_MCP_POLICY_FILE` (JSON: `allow`, `deny`,
   * `deny_patterns`, `guard`), which sessions can only narrow. The guard of dangerous operations
   * is on unless the file sets `"guard": false`.
   */
  policy: Policy;
  /** `EXECKIT_MCP_ALLOW_FORCE=1`: `session_exec {force: true}` may bypass the guard. Default false. */
  allowForce: boolean;
}

/**
 * Reads {@link OperatorSettings} from `env`.
 *
 * @throws InvalidOptionsError when `EXECKIT_MCP_HOST_KEY_POLICY` is neither `strict` nor `accept-new`,
 *   or `EXECKIT_MCP_POLICY_FILE` cannot be read or is not a valid policy (unknown fields included)
 */
export function operatorSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OperatorSettings {
  const settings: OperatorSettings = { policy: { guard: true }, allowForce: env.EXECKIT_MCP_ALLOW_FORCE === '1' };
  const policyFile = env.EXECKIT_MCP_POLICY_FILE;
  if (policyFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(policyFile, 'utf8'));
    } catch (error) {
      throw new InvalidOptionsError('EXECKIT_MCP_POLICY_FILE', `cannot read ${JSON.stringify(policyFile)} as JSON: ${(error as Error).message}`);
    }
    try {
      settings.policy = { guard: true, ...validatePolicy(parsed) };
    } catch (error) {
      throw new InvalidOptionsError('EXECKIT_MCP_POLICY_FILE', `${JSON.stringify(policyFile)}: ${(error as Error).message}`);
    }
  }
  if (env.EXECKIT_MCP_KEY_DIR) settings.keyDir = env.EXECKIT_MCP_KEY_DIR;
  if (env.EXECKIT_MCP_KNOWN_HOSTS) settings.knownHostsPath = env.EXECKIT_MCP_KNOWN_HOSTS;
  if (env.EXECKIT_MCP_SSH_CONFIG) settings.sshConfigPath = env.EXECKIT_MCP_SSH_CONFIG;
  const policy = env.EXECKIT_MCP_HOST_KEY_POLICY;
  if (policy !== undefined && policy !== '') {
    if (policy !== 'strict' && policy !== 'accept-new') {
      throw new InvalidOptionsError('EXECKIT_MCP_HOST_KEY_POLICY', `must be "strict" or "accept-new", not ${JSON.stringify(policy)}`);
    }
    settings.hostKeyPolicy = policy;
  }
  if (env.EXECKIT_MCP_INSECURE_ACCEPT_ANY_HOSTKEY === '1') settings.hostKeyPolicy = 'insecure-accept-any';
  return settings;
}

/**
 * Creates a fresh transport for one session. Each session gets its own transport, which the
 * session registry closes together with the session.
 *
 * @param request - the kind and, for SSH, where to connect
 * @param operator - operator settings (see {@link operatorSettingsFromEnv})
 * @throws InvalidOptionsError for a malformed host, port, user or container reference
 */
export function openTransport(request: TransportRequest, operator: Partial<OperatorSettings> = {}): Transport {
  switch (request.kind) {
    case 'local':
      return createLocalTransport();
    case 'ssh':
      return createSshTransport({
        host: request.host,
        ...(request.user !== undefined ? { user: request.user } : {}),
        ...(request.port !== undefined ? { port: request.port } : {}),
        ...(request.password !== undefined ? { password: request.password } : {}),
        ...(request.keyPath !== undefined ? { privateKeyPath: request.keyPath } : {}),
        ...(request.keyPassphrase !== undefined ? { passphrase: request.keyPassphrase } : {}),
        ...(request.fingerprint !== undefined ? { fingerprint: request.fingerprint } : {}),
        ...(operator.keyDir !== undefined ? { keyDir: operator.keyDir } : {}),
        ...(operator.knownHostsPath !== undefined ? { knownHostsPath: operator.knownHostsPath } : {}),
        ...(operator.sshConfigPath !== undefined ? { sshConfigPath: operator.sshConfigPath } : {}),
        ...(operator.hostKeyPolicy !== undefined ? { hostKeyPolicy: operator.hostKeyPolicy } : {}),
      });
    case 'docker':
      return createDockerTransport({ container: request.container, ...(request.user !== undefined ? { user: request.user } : {}) });
  }
}
