/**
 * `@execkit/transport-docker`: execkit sessions inside running Docker containers — one
 * long-lived exec of the container's shell per session, over the Engine API (dockerode).
 *
 * @example
 * ```ts
 * import { Session } from '@execkit/core';
 * import { createDockerTransport } from '@execkit/transport-docker';
 *
 * const transport = createDockerTransport({ container: 'web-1' });
 * const session = await Session.open(transport, { cwd: '/app' });
 * console.log((await session.exec('ls')).stdout);
 * await session.close();
 * await transport.close();
 * ```
 *
 * @packageDocumentation
 */
export { createDockerTransport, type DockerTransportOptions } from './docker-transport.js';
export { listContainers, type ContainerSummary } from './containers.js';
export { ContainerUnavailableError } from './errors.js';
export { validateContainerReference } from './reference.js';
export { dockerConnectionOptions, describeDockerEndpoint } from './docker-host.js';
