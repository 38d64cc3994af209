/**
 * ssh_config(5) resolution: which host, user, port, identity files, jump hosts and timeouts
 * ssh(1) would use for a host alias, read with the `ssh-config` parser and evaluated here
 * (Include, Host/Match, first-obtained-wins, TOKENS). Nothing in a config is ever executed.
 *
 * @module
 */
export { homeDirectory, localUserName } from './home.js';
export {
  MAX_IDENTITY_FILES,
  listConfiguredHosts,
  resolveHostConfig,
  resolveJumpHost,
  type ConfiguredHost,
  type ResolveHostConfigOptions,
  type ResolvedHostConfig,
  type SshConfigOptions,
} from './ssh-config.js';
export { parseProxyJump, type JumpHost } from './proxy-jump.js';
export { MAX_INCLUDE_DEPTH } from './config-files.js';
export { MAX_HOST_LENGTH, assertValidHost, assertValidPort, assertValidUser } from './validate.js';
