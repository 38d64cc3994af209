/**
 * Real test infrastructure for the SSH transport: an OpenSSH server fixture, local test users and
 * client keys, an ssh-agent, a TCP proxy that can blackhole traffic, and ssh2 client helpers.
 *
 * Linux, root only. Built (the benchmarks use it) but left out of the published package (`files`).
 *
 * @packageDocumentation
 */
export * from './client.js';
export * from './proc.js';
export * from './ssh-agent.js';
export * from './sshd.js';
export * from './tcp-proxy.js';
export * from './users.js';
export * from './testbed.js';
