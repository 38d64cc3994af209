import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { listContainers } from '@execkit/transport-docker';
import { z } from 'zod';
import { toolSuccess, withToolErrors } from '../tool-result.js';

const outputSchema = {
  containers: z
    .array(
      z.object({
        id: z.string().describe('Full container id.'),
        name: z.string().describe('Container name: pass it as container to session_create.'),
        image: z.string().describe('The image it runs.'),
        status: z.string().describe('The Engine’s status, e.g. "Up 5 minutes".'),
      }),
    )
    .describe('Running containers, sorted by name.'),
};

/** Registers `container_list`: the running containers an agent can open a session in. */
export function registerContainerList(server: McpServer): void {
  server.registerTool(
    'container_list',
    {
      title: 'List running containers',
      description:
        'List the running Docker containers (id, name, image, status) on the Docker Engine this server uses. Pass a name ' +
        'as container to session_create with transport "docker".',
      inputSchema: {},
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    withToolErrors(async () => toolSuccess({ containers: await listContainers() })),
  );
}
