import { shannonEntropy } from './entropy.js';

/**
 * Bits per char from which a value assigned to a secret-looking name counts as random enough to be
 * a secret (unless the name is a password's, see {@link looksLikeSecretValue}). English words and
 * identifiers sit around 2.5–3.0; random tokens of 16+ chars above 3.5.
 */
export const SECRET_ENTROPY_THRESHOLD = 3.0;

/** Values at least this long count as secrets whatever their entropy. */
const LONG_VALUE = 24;

/** Name segments that alone make a name secret (`DB_PASSWORD`, `client_secret`, `x-auth`). */
const SECRET_SEGMENTS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pass',
  'pwd',
  'secret',
  'token',
  'auth',
  'credential',
  'credentials',
  'cred',
  'creds',
  'apikey',
  'accesskey',
  'privatekey',
  'secretkey',
  'signingkey',
  'masterkey',
  'encryptionkey',
]);

/** A segment ending so is secret too (`mysqlpassword`, `accesstoken`, `clientsecret`). */
const SECRET_ENDINGS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'accesskey', 'privatekey', 'secretkey'];

/** `<qualifier>_key` names a secret (`api_key`, `SIGNING_KEY`); a bare `key` does not. */
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'private',
  'secret',
  'signing',
  'encryption',
  'encrypt',
  'decryption',
  'master',
  'auth',
  'ssh',
  'deploy',
  'license',
  'licence',
  'app',
  'account',
  'service',
  'storage',
  'admin',
  'webhook',
  'consumer',
  'shared',
  'session',
  'hmac',
  'jwt',
  'cipher',
  'aes',
  'client',
  'subscription',
  'write',
  'read',
  'ingest',
]);

/** Segments after the secret one that make the name describe something else (`TOKEN_URL`). */
const NON_SECRET_SUFFIXES = new Set([
  'file',
  'files',
  'path',
  'paths',
  'dir',
  'directory',
  'url',
  'uri',
  'endpoint',
  'host',
  'port',
  'name',
  'names',
  'type',
  'types',
  'kind',
  'length',
  'len',
  'count',
  'size',
  'limit',
  'min',
  'max',
  'timeout',
  'ttl',
  'expiry',
  'expires',
  'expiration',
  'expire',
  'lifetime',
  'policy',
  'prompt',
  'header',
  'field',
  'param',
  'env',
  'var',
  'mode',
  'method',
  'format',
  'version',
  'hint',
  'label',
  'prefix',
  'enabled',
  'required',
  'rotation',
  'regex',
  'pattern',
  'provider',
  'scheme',
  'location',
  'source',
  'ref',
  'template',
  'placeholder',
  'command',
  'cmd',
  'helper',
  'store',
  'sock',
  'socket',
  'agent',
  'server',
  'service',
]);

/** Segments right before the secret one that make the name describe something else (`MAX_TOKENS`). */
const NEGATING_PREFIXES = new Set(['public', 'pub', 'no', 'is', 'has', 'use', 'enable', 'require', 'max', 'min', 'num', 'show', 'allow']);

const SEGMENT = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;

/** Lower-case words of a name: split at `_ - . :` and other punctuation, and at camelCase humps. */
function segmentsOf(name: string): string[] {
  return (name.match(SEGMENT) ?? []).map((segment) => segment.toLowerCase());
}

function isSecretSegment(segments: readonly string[], index: number): boolean {
  const segment = segments[index]!;
  if (SECRET_SEGMENTS.has(segment)) return true;
  if (segment === 'key' && index > 0 && KEY_QUALIFIERS.has(segments[index - 1]!)) return true;
  for (const ending of SECRET_ENDINGS) if (segment.length > ending.length && segment.endsWith(ending)) return true;
  return false;
}

/**
 * Whether a variable, field, header or flag name says its value is a secret: `DB_PASSWORD`,
 * `clientSecret`, `x-api-key`, `GITHUB_TOKEN`, `--auth-token`, `aws.secretAccessKey`, `Pwd` — but
 * not `PASSWORD_FILE`, `token_type`, `max_tokens`, `public_key`, `tokenizer` or `author`.
 *
 * The name is split into words (at punctuation and camelCase humps, case-insensitively); it is secret
 * when a word is one of password, passwd, passphrase, pass, pwd, secret, token, auth, credential(s),
 * cred(s) (or ends with password, secret, token…), or is `key` qualified by the word before (api,
 * access, private, secret, signing, ssh…), and no later word turns it into a description of
 * something else (file, path, url, name, type, count, expiry…) and the word before is not a
 * negation such as public, max, is or has.
 *
 * @param name - the name alone, without `=` or quotes
 */
export function isSecretName(name: string): boolean {
  let known = nameCache.get(name);
  if (known === undefined) {
    if (nameCache.size >= NAME_CACHE_SIZE) nameCache.clear();
    known = classifyName(name);
    nameCache.set(name, known);
  }
  return known;
}

/** Names seen recently (logs repeat them), bounded. */
const nameCache = new Map<string, boolean>();
const NAME_CACHE_SIZE = 4096;

function classifyName(name: string): boolean {
  const segments = segmentsOf(name);
  let found = -1;
  for (let i = segments.length - 1; i >= 0; i--) {
    if (isSecretSegment(segments, i)) {
      found = i;
      break;
    }
  }
  if (found < 0) return false;
  for (let i = found + 1; i < segments.length; i++) if (NON_SECRET_SUFFIXES.has(segments[i]!)) return false;
  const before = segments[segments[found] === 'key' ? found - 2 : found - 1];
  if (before !== undefined && NEGATING_PREFIXES.has(before)) return false;
  return true;
}

/** Whether a secret name is a password's (such values are short and low in entropy). */
export function isPasswordName(name: string): boolean {
  return segmentsOf(name).some((s) => s === 'pass' || s === 'pwd' || s.endsWith('password') || s.endsWith('passwd') || s.endsWith('passphrase'));
}

const STOPWORDS = new Set([
  'null',
  'nil',
  'none',
  'true',
  'false',
  'undefined',
  'required',
  'optional',
  'yes',
  'no',
  'on',
  'off',
  'string',
  'str',
  'bytes',
  'int',
  'integer',
  'number',
  'bool',
  'boolean',
  'object',
  'any',
  'unknown',
  'empty',
  'default',
  'auto',
  'hidden',
  'masked',
  'redacted',
  'secret',
  'secrets',
  'password',
  'token',
  'invalid',
  'missing',
  'expired',
  'not set',
  'unset',
  'n/a',
  'disabled',
  'enabled',
  'bearer',
  'basic',
  'option',
  'optional<string>',
]);

/** A char that every template, variable reference or earlier redaction below contains. */
const PLACEHOLDER_CHAR = /[$%<{[]/;
const PLACEHOLDER = /\$\{|\{\{|\{%|<%|%\(|\$\(|\[REDACTED[:\]]/;
const SHELL_VARIABLE = /^\$[A-Za-z_][A-Za-z0-9_]*$/;
const WINDOWS_VARIABLE = /^%[A-Za-z_][A-Za-z0-9_]*%$/;
const ANGLE_PLACEHOLDER = /^<[^<>]*>$/;
const DOTTED_IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const URL_WITHOUT_CREDENTIALS = /^[a-z][a-z0-9+.-]{0,30}:\/\/[^@\s]*$/i;
const POSIX_PATH = /^(?:~|\.{1,2})?\/[\w.@~+%-]*(?:\/[\w.@~+%-]*)*$/;
const WINDOWS_PATH = /^[A-Za-z]:\\/;
const MASK_CHARS = /^[*xX•●#.\-_ ]+$/;

/** A POSIX path made of word-like segments (not a base64 blob that happens to contain `/`). */
function looksLikePath(value: string): boolean {
  if (WINDOWS_PATH.test(value)) return true;
  if (!POSIX_PATH.test(value)) return false;
  const segments = value.split('/').filter((s) => s.length > 0);
  if (segments.length === 0) return true;
  // Base64 with slashes: long segments mixing upper, lower and digits.
  return !segments.some((s) => s.length >= 12 && /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s) && !/[._-]/.test(s));
}

function isMask(value: string): boolean {
  if (MASK_CHARS.test(value)) return true;
  let stars = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2a || c === 0x2022 || c === 0x25cf) stars++;
  }
  if (stars * 2 >= value.length) return true;
  const first = value.charCodeAt(0);
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) !== first) return false;
  return true;
}

/**
 * Whether a value is a template, a variable reference, a mask or an earlier redaction rather than a
 * literal: `${VAR}`, `$VAR`, `{{ x }}`, `$(cmd)`, `%VAR%`, `<password>`, `********`, `[REDACTED:…]`.
 */
export function isPlaceholderOrMask(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  // Each of the four shapes holds one of these chars: one scan rules them all out for most values.
  if (PLACEHOLDER_CHAR.test(v) && (PLACEHOLDER.test(v) || SHELL_VARIABLE.test(v) || WINDOWS_VARIABLE.test(v) || ANGLE_PLACEHOLDER.test(v))) return true;
  return isMask(v);
}

/**
 * Whether a value assigned to a secret name looks like an actual secret rather than a placeholder,
 * a mask, a type, a reference or prose.
 *
 * Rejected: values shorter than 6 chars (8 unless `passwordLike`); templates and references
 * (`${VAR}`, `$VAR`, `{{ x }}`, `$(cmd)`, `%VAR%`, `<your-token>`, `process.env.TOKEN`); masks
 * (`********`, `xxxx`, one repeated char, half or more `*`); words such as `null`, `true`,
 * `required`, `string`; URLs without credentials and file paths; text already redacted.
 * Accepted then: any value for a password's name, otherwise a value with Shannon entropy ≥
 * {@link SECRET_ENTROPY_THRESHOLD} bits/char or at least 24 chars long.
 *
 * @param value - the value without its quotes
 * @param passwordLike - the name is a password's (`PASSWORD`, `db_pass`, `Pwd`): short values count
 */
export function looksLikeSecretValue(value: string, passwordLike = false): boolean {
  const v = value.trim();
  if (v.length < (passwordLike ? 6 : 8)) return false;
  if (isPlaceholderOrMask(v)) return false;
  if (STOPWORDS.has(v.toLowerCase())) return false;
  if (DOTTED_IDENTIFIER.test(v) || URL_WITHOUT_CREDENTIALS.test(v) || looksLikePath(v)) return false;
  if (passwordLike) return true;
  return v.length >= LONG_VALUE || shannonEntropy(v) >= SECRET_ENTROPY_THRESHOLD;
}
