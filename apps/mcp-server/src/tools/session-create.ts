import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { narrowPolicy, validateBudget, validatePolicy } from '@execkit/core';
import { budgetSchema } from './session-exec.js';
import { ToolInputError } from '../errors.js';
import { withToolErrors, toolSuccess } from '../tool-result.js';
import { TRANSPORT_KINDS, type TransportRequest } from '../transports.js';
import type { ToolContext } from './context.js';

const supported = TRANSPORT_KINDS.map((kind) => `"${kind}"`).join(', ');

const programs = (field: string) =>
  z
    .array(z.string({ error: `${field} entries must be program names` }).min(1), { error: `${field} must be an array of program names` })
    .max(1000)
    .optional();

const inputSchema = {
  transport: z
    .enum(TRANSPORT_KINDS, {
      error: (issue) =>
        issue.input === undefined
          ? `transport is required; supported transports: ${supported}`
          : `Unsupported transport ${JSON.stringify(issue.input)}; supported transports: ${supported}`,
    })
    .describe(
      `Where the shell runs: "local" (the machine running this server), "ssh" (a remote host; give host) or "docker" (a running container; give container).`,
    ),
  cwd: z
    .string({ error: 'cwd must be a string (a directory path)' })
    .min(1, 'cwd must not be empty; omit it to start in the server’s working directory')
    .optional()
    .describe('Directory to start in (must exist). Default: the server’s working directory.'),
  env: z
    .record(z.string(), z.string({ error: 'env values must be strings' }), {
      error: 'env must be an object mapping variable names to string values',
    })
    .optional()
    .describe('Environment variables to export in the session before the first command, e.g. {"NODE_ENV": "test"}.'),
  host: z
    .string({ error: 'host must be a string' })
    .min(1, 'host must not be empty')
    .optional()
    .describe('ssh only, required: host name, address or an ssh_config alias (see host_list).'),
  user: z
    .string({ error: 'user must be a string' })
    .min(1)
    .optional()
    .describe('ssh: login name (default: from ssh_config, else the server’s user). docker: user inside the container (default: the container’s).'),
  container: z
    .string({ error: 'container must be a string' })
    .min(1, 'container must not be empty')
    .optional()
    .describe('docker only, required: the running container’s name or id (see container_list).'),
  port: z
    .number({ error: 'port must be a number' })
    .int('port must be an integer')
    .min(1, 'port must be 1–65535')
    .max(65_535, 'port must be 1–65535')
    .optional()
    .describe('ssh only: port. Default: from ssh_config, else 22.'),
  password: z.string({ error: 'password must be a string' }).optional().describe('ssh only: password for password authentication.'),
  key_path: z
    .string({ error: 'key_path must be a string' })
    .min(1)
    .optional()
    .describe('ssh only: private key file, inside the operator’s key directory (default ~/.ssh), e.g. "id_ed25519".'),
  key_passphrase: z.string({ error: 'key_passphrase must be a string' }).optional().describe('ssh only: passphrase of an encrypted key_path.'),
  budget: budgetSchema.optional().describe('Default output budget for every session_exec in this session (see session_exec).'),
  allow: programs('allow').describe('Only these programs may run in this session (names like "git", "ls"); narrows the operator’s policy.'),
  deny: programs('deny').describe('These programs may never run in this session (e.g. ["rm"]); adds to the operator’s policy.'),
  fingerprint: z
    .string({ error: 'fingerprint must be a string' })
    .min(1)
    .optional()
    .describe('ssh only: pin the host key, e.g. "SHA256:…" as `ssh-keygen -lf` prints it. Default: known_hosts.'),
};

const SSH_FIELDS = ['host', 'port', 'password', 'key_path', 'key_passphrase', 'fingerprint'] as const;

function toRequest(args: z.infer<z.ZodObject<typeof inputSchema>>): TransportRequest {
  const sshOnly = SSH_FIELDS.filter((field) => args[field] !== undefined);
  if (args.transport !== 'ssh' && sshOnly.length > 0) throw new ToolInputError(`${sshOnly.join(', ')} only apply to transport "ssh".`);
  if (args.transport !== 'docker' && args.container !== undefined) throw new ToolInputError('container only applies to transport "docker".');
  if (args.transport === 'local') {
    if (args.user !== undefined) throw new ToolInputError('user only applies to transports "ssh" and "docker".');
    return { kind: 'local' };
  }
  if (args.transport === 'docker') {
    if (args.container === undefined) throw new ToolInputError('transport "docker" needs container (a running container’s name or id; see container_list).');
    return { kind: 'docker', container: args.container, user: args.user };
  }
  if (args.host === undefined) throw new ToolInputError('transport "ssh" needs host (a host name, address or ssh_config alias; see host_list).');
  return {
    kind: 'ssh',
    host: args.host,
    user: args.user,
    port: args.port,
    password: args.password,
    keyPath: args.key_path,
    keyPassphrase: args.key_passphrase,
    fingerprint: args.fingerprint,
  };
}

const outputSchema = {
  session_id: z.string().describe('Id to pass to session_exec, session_destroy; e.g. "1_local", "2_ssh" or "3_docker".'),
};

/** Registers `session_create`: opens a persistent shell session and returns its id. */
export function registerSessionCreate(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'session_create',
    {
      title: 'Create shell session',
      description:
        'Start a persistent shell session and return its session_id. Create one session and reuse it for all related ' +
        'commands: the working directory, exported variables, functions and aliases persist between session_exec calls. ' +
        'Use several sessions only for work that must run in parallel. Destroy it with session_destroy when done. ' +
        'For a remote host use transport "ssh" with host (an ssh_config alias from host_list, or a name/address) and, if ' +
        'needed, user, port, password or key_path; host keys are checked against known_hosts. For a running container ' +
        'use transport "docker" with container (from container_list) and optionally user and cwd.',
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    withToolErrors(async (args: z.infer<z.ZodObject<typeof inputSchema>>) => {
      const sessionPolicy = validatePolicy({ ...(args.allow ? { allow: args.allow } : {}), ...(args.deny ? { deny: args.deny } : {}) });
      const policy = narrowPolicy(context.operator.policy, sessionPolicy);
      const budget = args.budget === undefined ? undefined : validateBudget(args.budget);
      const entry = await context.registry.create(toRequest(args), { cwd: args.cwd, env: args.env, policy, budget });
      return toolSuccess({ session_id: entry.id });
    }),
  );
}
