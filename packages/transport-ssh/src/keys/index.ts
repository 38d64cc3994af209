/**
 * Private keys: confining a caller-chosen key path to the key directory, OpenSSH's permission
 * check, and loading OpenSSH/PEM keys (passphrase-encrypted or not) with ssh2.
 *
 * @module
 */
export { KEY_NOT_PERMITTED_MESSAGE, checkPrivateKeyPermissions, resolvePermittedKeyPath } from './key-path.js';
export { MAX_KDF_ROUNDS, MAX_PRIVATE_KEY_BYTES, loadPrivateKey, type LoadedPrivateKey } from './private-key.js';
