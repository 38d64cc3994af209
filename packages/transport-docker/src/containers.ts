import Docker from 'dockerode';
import { TransportError } from '@execkit/core';
import { dockerConnectionOptions, describeDockerEndpoint } from './docker-host.js';

/** One running container, as `container_list` shows it. */
export interface ContainerSummary {
  /** Full container id (64 hex digits). */
  id: string;
  /** Its name, without the leading `/`. */
  name: string;
  /** The image it runs, as the Engine reports it. */
  image: string;
  /** The Engine's human status, e.g. `Up 5 minutes (healthy)`. */
  status: string;
}

/**
 * The running containers on the Engine, sorted by name.
 *
 * @param docker - a dockerode instance or its options; default from `DOCKER_HOST`
 * @throws TransportError when the Engine cannot be reached
 */
export async function listContainers(docker?: Docker | Docker.DockerOptions): Promise<ContainerSummary[]> {
  const client = docker instanceof Docker ? docker : new Docker(docker ?? dockerConnectionOptions());
  let listed: Docker.ContainerInfo[];
  try {
    listed = await client.listContainers();
  } catch (error) {
    throw new TransportError(`Could not list containers (${describeDockerEndpoint(client.modem)}): ${(error as Error).message}`, { cause: error });
  }
  return listed
    .map((info) => ({ id: info.Id, name: (info.Names[0] ?? info.Id).replace(/^\//, ''), image: info.Image, status: info.Status }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
