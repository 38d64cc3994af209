import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { listConfiguredHosts } from '@execkit/transport-ssh';
import { z } from 'zod';
import { toolSuccess, withToolErrors } from '../tool-result.js';
import type { ToolContext } from './context.js';

const outputSchema = {
  hosts: z
    .array(
      z.object({
        name: z.string().describe('The alias to pass as host to session_create.'),
        hostname: z.string().describe('The host it connects to.'),
        user: z.string().optional().describe('Login name from ssh_config, if set.'),
        port: z.number().optional().describe('Port from ssh_config, if set.'),
      }),
    )
    .describe('Hosts named in the operator’s ssh_config, sorted by name.'),
};

/** Registers `host_list`: the ssh_config aliases an agent can pass as `host` (no secrets). */
export function registerHostList(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'host_list',
    {
      title: 'List SSH hosts',
      description:
        'List the SSH hosts this server knows by name (the aliases in its ssh_config) with their host name, user and ' +
        'port. Pass a name as host to session_create with transport "ssh".',
      inputSchema: {},
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    withToolErrors(async () => {
      const hosts = await listConfiguredHosts(context.operator.sshConfigPath ? { configPath: context.operator.sshConfigPath } : {});
      return toolSuccess({
        hosts: hosts.map((host) => ({
          name: host.name,
          hostname: host.hostName,
          ...(host.user !== undefined ? { user: host.user } : {}),
          ...(host.port !== undefined ? { port: host.port } : {}),
        })),
      });
    }),
  );
}
