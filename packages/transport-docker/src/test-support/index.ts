/**
 * Real test infrastructure for the Docker transport: a Docker Engine (started if needed), two
 * locally built test images (busybox and bash + git, made with `docker import`, no registry),
 * and throwaway containers driven through the `docker` CLI.
 *
 * Linux (Debian), root. Built with the package but left out of the published files (`files`).
 *
 * @packageDocumentation
 */
export * from './containers.js';
export * from './engine.js';
export * from './images.js';
export * from './proc.js';
