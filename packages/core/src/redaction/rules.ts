import { isPasswordName, isPlaceholderOrMask, isSecretName, looksLikeSecretValue } from './names.js';

/**
 * How a secret goes on past the end of its pattern's match, for secrets without a length bound:
 *
 * - `run`: while `chars` (a pattern matching exactly one char, such as `[A-Za-z0-9_-]`, or one
 *   escape sequence) keeps matching — a long JWT signature, a quoted value of any length;
 * - `until`: through the first match of `end` (a pattern without the `g` or `y` flag) — a private key
 *   block from its `BEGIN` line to its `END` line. When `end` never matches, through the end of the
 *   text. `endMaxLength` bounds the length of an `end` match (so a stream can find one split across
 *   chunks).
 */
export type SecretContinuation =
  | { readonly kind: 'run'; readonly chars: RegExp }
  | { readonly kind: 'until'; readonly end: RegExp; readonly endMaxLength: number };

/**
 * One family of secrets. A match is replaced by `[REDACTED:<id>]`.
 *
 * Contract for `pattern` (checked by the test suite for the built-in rules):
 * - it never matches across a line feed (`\n`), unless the rule has an `until` continuation: a stream
 *   holds back at most the incomplete last line (and a bounded window of a very long one);
 * - it runs in linear time: no nested or adjacent quantifiers over overlapping chars, every
 *   repetition bounded;
 * - any flags but `g`, `y` and `d`, which the redactor sets itself;
 * - the start of the text looks like the start of a line to it (a stream drops the text before a
 *   line start it has returned, so a lookbehind must not need more than the line).
 *
 * What is replaced: the union of the participating capture groups whose name starts with `secret`
 * (so a rule can keep `AWS_SECRET_ACCESS_KEY=` and mask only the value; groups inside a lookbehind
 * count, so a rule can anchor on a literal in the middle of a token), or the whole match when no
 * such group took part.
 */
export interface SecretRule {
  /** Stable kebab-case name, used in `[REDACTED:<id>]` and in {@link RedactionResult.kinds}. */
  readonly id: string;
  /** One line saying what the rule finds, for documentation and diagnostics. */
  readonly description: string;
  /** The pattern; see the contract above. */
  readonly pattern: RegExp;
  /**
   * ASCII literals, matched case-insensitively, at which every match of `pattern` starts (lookbehinds
   * may look before them). With keywords the pattern is tried only at their occurrences, found for
   * all rules at once in one pass: the fast path. Without, the pattern scans the whole text.
   */
  readonly keywords?: readonly string[];
  /**
   * Upper bound, in chars, on the text a match covers, lookbehind groups included (not the
   * continuation). The redactor's stream holds back this much of a very long line.
   */
  readonly maxLength: number;
  /**
   * Lower bound, in chars, on the text a match covers, lookarounds not counted. A text (or the
   * unscanned part of a stream) shorter than this is not searched with the pattern: for rules
   * without keywords, which would otherwise scan every short chunk. A value above the true
   * minimum hides secrets. Default 0 (always searched).
   */
  readonly minLength?: number;
  /**
   * Cheap necessary condition tried at a keyword occurrence before the pattern (a fast reject for
   * frequent keywords): it must return `true` wherever the pattern could match at `at` with a
   * match `validate` accepts.
   */
  readonly precheck?: (text: string, at: number) => boolean;
  /** Extra check on a candidate match; `false` means not a secret (the next position is tried). */
  readonly validate?: (match: RegExpExecArray) => boolean;
  /** The secret goes on after the match; see {@link SecretContinuation}. */
  readonly continuation?: SecretContinuation | ((match: RegExpExecArray) => SecretContinuation | undefined);
}

/** The value of the first participating `secret…` group, or the whole match. */
export function secretText(match: RegExpExecArray): string {
  const groups = match.groups;
  if (groups) {
    for (const name in groups) {
      const value = groups[name];
      if (value !== undefined && name.startsWith('secret')) return value;
    }
  }
  return match[0];
}

const credentialValue = (match: RegExpExecArray): boolean => {
  const secret = secretText(match);
  return !isPlaceholderOrMask(secret) && !/^(?:bearer|basic|token|bot|digest|negotiate|null|undefined|none|true|false)$/i.test(secret);
};

const BASE62 = 'A-Za-z0-9';
const run = (chars: RegExp): SecretContinuation => ({ kind: 'run', chars });
const TOKEN_CHARS = run(/[A-Za-z0-9_-]/);

/** Chars a name (variable, key, flag) is made of, for looking back from a keyword to its start. */
function isNameChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || isNameSeparator(code);
}

/** `_`, `.` or `-`: the optional separator inside names such as `secret_access_key`. */
function isNameSeparator(code: number): boolean {
  return code === 0x5f || code === 0x2e || code === 0x2d;
}

/** Longest look-back from a keyword to the start of its name, in chars. */
const NAME_LOOKBACK = 64;
const ENV_PREFIX = /(?:^|[\n\r\0])(?:(?:export|declare[ \t]+-[-A-Za-z]{1,8}|typeset[ \t]+-[-A-Za-z]{1,8}|readonly|local|set|ENV|ARG)[ \t]+)?$/;

type ValueMode = 'env-line' | 'in-double-quotes' | 'in-escaped-double-quotes' | 'in-single-quotes' | 'bare';

const BARE_VALUE = /[^\s"'`,;&<>(){}[\]\\\0]/;
const DOUBLE_QUOTED_VALUE = /[^"\\\n\r\0]|\\[^\n\r\0]/;
/** Inside `\"…\"` (JSON inside a JSON string): ends at the next `\"`. */
const ESCAPED_DOUBLE_QUOTED_VALUE = /[^"\\\n\r\0]|\\[^"\n\r\0]/;
const SINGLE_QUOTED_VALUE = /[^'\n\r\0]/;
const LINE_VALUE = /[^\n\r\0]/;

interface Assignment {
  name: string;
  nameStart: number;
  mode: ValueMode;
  value: string;
  quoted: boolean;
}

/** Reads a `secret-assignment` match: the whole name, and how far an unquoted value goes. */
function readAssignment(match: RegExpExecArray): Assignment {
  const text = match.input;
  const groups = match.groups!;
  let nameStart = match.index;
  const limit = Math.max(0, nameStart - NAME_LOOKBACK);
  while (nameStart > limit && isNameChar(text.charCodeAt(nameStart - 1))) nameStart--;
  const name = text.slice(nameStart, match.index) + groups['kw']! + groups['rest']!;
  const sep = groups['sep']!;
  const quoted = groups['secretBare'] === undefined;
  const value = groups['secretDq'] ?? groups['secretEdq'] ?? groups['secretSq'] ?? groups['secretBare'] ?? '';
  let mode: ValueMode = 'bare';
  if (!quoted && sep === '=' && groups['kq'] === '') {
    const before = text.charCodeAt(nameStart - 1);
    if (before === 0x22) mode = text.charCodeAt(nameStart - 2) === 0x5c ? 'in-escaped-double-quotes' : 'in-double-quotes';
    else if (before === 0x27) mode = 'in-single-quotes';
    else if (ENV_PREFIX.test(text.slice(Math.max(0, nameStart - 40), nameStart))) mode = 'env-line';
  }
  return { name, nameStart, mode, value, quoted };
}

const MODE_CHARS: Record<ValueMode, RegExp> = {
  'env-line': LINE_VALUE,
  'in-double-quotes': DOUBLE_QUOTED_VALUE,
  'in-escaped-double-quotes': ESCAPED_DOUBLE_QUOTED_VALUE,
  'in-single-quotes': SINGLE_QUOTED_VALUE,
  bare: BARE_VALUE,
};

const MODE_RUNS = Object.fromEntries(Object.entries(MODE_CHARS).map(([mode, chars]) => [mode, new RegExp(`(?:${chars.source}){0,256}`, 'y')])) as Record<ValueMode, RegExp>;

/** The value as its mode reads it, up to 256 chars past the match (for validation only). */
function extendedValue(match: RegExpExecArray, assignment: Assignment): string {
  if (assignment.quoted || assignment.mode === 'bare') return assignment.value;
  const chars = MODE_RUNS[assignment.mode];
  chars.lastIndex = match.index + match[0].length;
  const more = chars.exec(match.input)?.[0] ?? '';
  return assignment.value + more;
}

/** Whether a `name = value` separator can follow the keyword at `at` (see secret-assignment). */
function assignmentPrecheck(text: string, at: number): boolean {
  let i = at;
  const limit = Math.min(text.length, at + 64);
  while (i < limit && isNameChar(text.charCodeAt(i))) i++;
  let code = text.charCodeAt(i);
  if (code === 0x5c) code = text.charCodeAt(++i);
  if (code === 0x22 || code === 0x27) code = text.charCodeAt(++i);
  let blanks = 0;
  while ((code === 0x20 || code === 0x09) && blanks <= 8) {
    code = text.charCodeAt(++i);
    blanks++;
  }
  if (code !== 0x3a && code !== 0x3d && blanks === 0) return false;
  let start = at;
  const floor = Math.max(0, at - NAME_LOOKBACK);
  while (start > floor && isNameChar(text.charCodeAt(start - 1))) start--;
  // `--password value`: only a `--flag` takes its value after a blank.
  if (code !== 0x3a && code !== 0x3d && !text.startsWith('--', start)) return false;
  // The name decides most candidates (`tokenizer:`, `max_tokens=`); it is checked again in validate.
  let end = at;
  while (end < limit && isNameChar(text.charCodeAt(end))) end++;
  return isSecretName(text.slice(start, end));
}

function validateAssignment(match: RegExpExecArray): boolean {
  const assignment = readAssignment(match);
  const sep = match.groups!['sep']!;
  // `--password value` (the pattern only lets a `--flag` take its value after a blank).
  if (!/[:=]/.test(sep) && !assignment.name.startsWith('--')) return false;
  if (!isSecretName(assignment.name)) return false;
  // `https://x-access-token:…@host`: a URL's user name; url-credentials masks the password alone.
  if (match.input.startsWith('//', assignment.nameStart - 2)) return false;
  if (!assignment.quoted && assignment.mode === 'bare') {
    // `token = getToken()`, `password: Option<String>`, `key = os.environ["KEY"]`: code, not a value.
    const next = match.input.charCodeAt(match.index + match[0].length);
    if (next === 0x28 || next === 0x5b || next === 0x7b || next === 0x3c) return false;
  }
  return looksLikeSecretValue(extendedValue(match, assignment), isPasswordName(assignment.name));
}

/** One continuation object per value mode, so the scanner resolves each once. */
const MODE_CONTINUATIONS = Object.fromEntries(Object.entries(MODE_CHARS).map(([mode, chars]) => [mode, run(chars)])) as Record<ValueMode, SecretContinuation>;

function assignmentContinuation(match: RegExpExecArray): SecretContinuation {
  const groups = match.groups!;
  if (groups['secretDq'] !== undefined) return MODE_CONTINUATIONS['in-double-quotes'];
  if (groups['secretEdq'] !== undefined) return MODE_CONTINUATIONS['in-escaped-double-quotes'];
  if (groups['secretSq'] !== undefined) return MODE_CONTINUATIONS['in-single-quotes'];
  return MODE_CONTINUATIONS[readAssignment(match).mode];
}

const PEM_END = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/;
const PUTTY_END = /Private-(?:MAC|Hash):[ \t]{0,8}[0-9A-Fa-f]{1,256}(?=[^0-9A-Fa-f])/;

/** The char at `at`, past one optional {@link isNameSeparator}, lower-cased if an ASCII letter. */
function afterSeparator(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return (isNameSeparator(code) ? text.charCodeAt(at + 1) : code) | 0x20;
}

/**
 * Precheck of `url-credentials` at `://`: a `:` ends the user part before any char the user part
 * cannot hold (ASCII blanks and `/ ? # @ " ' < > \ NUL`; other chars are passed over, which can only
 * let more through) within its 256 chars.
 */
function urlCredentialsPrecheck(text: string, at: number): boolean {
  const end = Math.min(text.length, at + 3 + 257);
  for (let i = at + 3; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x3a) return true;
    if (code <= 0x20 || code === 0x2f || code === 0x3f || code === 0x23 || code === 0x40 || code === 0x22 || code === 0x27 || code === 0x3c || code === 0x3e || code === 0x5c) {
      return false;
    }
  }
  return false;
}

/**
 * Separator between a name and its value: `=`, `:`, `:=`, `=>`, with optional blanks and quotes
 * (escaped quotes too, for JSON inside a JSON string).
 */
const ASSIGN = `(?:\\\\?["'])?[ \\t]{0,8}(?::=|=>|[:=])[ \\t]{0,8}(?:\\\\?["'])?`;

/**
 * The built-in rules, most specific first (when matches overlap, the replacement names the rule
 * whose match starts first; at equal starts, the one listed first).
 *
 * Sources of inspiration, read and re-derived rather than copied: the gitleaks default config,
 * trufflehog's detectors and Yelp detect-secrets' plugins, plus the vendors' published formats.
 */
export const DEFAULT_RULES: readonly SecretRule[] = [
  // ── Private key blocks (multi-line) ────────────────────────────────────────────────────────────
  {
    id: 'private-key',
    description: 'PEM, OpenSSH, PKCS#8, encrypted and PGP private key blocks, from BEGIN through END (to the end when END never comes)',
    pattern: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/,
    keywords: ['-----begin'],
    maxLength: 80,
    continuation: { kind: 'until', end: PEM_END, endMaxLength: 80 },
  },
  {
    id: 'putty-private-key',
    description: 'PuTTY .ppk private key files, from the PuTTY-User-Key-File line through Private-MAC',
    pattern: /PuTTY-User-Key-File-\d{1,2}:/,
    keywords: ['putty-user-key-file-'],
    maxLength: 24,
    continuation: { kind: 'until', end: PUTTY_END, endMaxLength: 300 },
  },
  {
    id: 'age-secret-key',
    description: 'age encryption secret keys (AGE-SECRET-KEY-1…, post-quantum AGE-SECRET-KEY-PQ-1…)',
    pattern: /AGE-SECRET-KEY-(?:PQ-)?1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58,400}/,
    keywords: ['age-secret-key-'],
    maxLength: 420,
  },
  // ── Cloud providers ─────────────────────────────────────────────────────────────────────────────
  {
    id: 'aws-access-key-id',
    description: 'AWS access key ids: AKIA (long-term), ASIA (temporary), ABIA, ACCA, A3T…',
    pattern: /(?<![A-Za-z0-9+/])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}(?![A-Za-z0-9])/,
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    maxLength: 21,
  },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access keys (40 base64 chars) assigned to aws_secret_access_key, SecretAccessKey, secret_key…',
    pattern: new RegExp(`secret[_.-]?(?:access[_.-]?)?key${ASSIGN}(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, 'i'),
    keywords: ['secret'],
    maxLength: 90,
    // `secret`, an optional separator, then `access` or `key`.
    precheck: (text, at) => {
      const next = afterSeparator(text, at + 6);
      return next === 0x61 || next === 0x6b;
    },
  },
  {
    id: 'aws-session-token',
    description: 'AWS session / security tokens assigned to aws_session_token, SessionToken, x-amz-security-token…',
    pattern: new RegExp(`(?:session|security)[_.-]?token${ASSIGN}(?<secret>[A-Za-z0-9/+=]{100,2048})`, 'i'),
    keywords: ['session', 'security'],
    maxLength: 2100,
    // `session` or `security` (told apart by their third letter), an optional separator, `token`.
    precheck: (text, at) => afterSeparator(text, at + ((text.charCodeAt(at + 2) | 0x20) === 0x73 ? 7 : 8)) === 0x74,
    continuation: run(/[A-Za-z0-9/+=]/),
  },
  {
    id: 'gcp-api-key',
    description: 'Google Cloud / Firebase / Gemini API keys (AIza + 35 chars)',
    pattern: /(?<![A-Za-z0-9+/])AIza[A-Za-z0-9_-]{35}/,
    keywords: ['aiza'],
    maxLength: 40,
  },
  {
    id: 'gcp-oauth-client-secret',
    description: 'Google OAuth client secrets (GOCSPX-…)',
    pattern: /GOCSPX-[A-Za-z0-9_-]{24,40}/,
    keywords: ['gocspx-'],
    maxLength: 47,
  },
  {
    id: 'google-oauth-token',
    description: 'Google OAuth access tokens (ya29.…) and refresh tokens (1//0…)',
    pattern: /(?:ya29\.[A-Za-z0-9_-]{30,2048}|(?<![A-Za-z0-9/])1\/\/0[A-Za-z0-9_-]{40,512})/,
    keywords: ['ya29.', '1//0'],
    maxLength: 2060,
    continuation: TOKEN_CHARS,
  },
  {
    id: 'azure-storage-key',
    description: 'Azure storage account keys and Service Bus / Event Hubs shared access keys in connection strings (AccountKey=…, SharedAccessKey=…)',
    pattern: /(?:AccountKey|SharedAccessKey)=(?<secret>[A-Za-z0-9+/]{20,200}={0,2})/,
    keywords: ['accountkey=', 'sharedaccesskey='],
    maxLength: 220,
  },
  {
    id: 'azure-sas-token',
    description: 'Azure shared access signatures: the sig= parameter of a SAS URL or token',
    pattern: /(?<=[?&;])sig=(?<secret>(?:[A-Za-z0-9+/]|%[0-9A-Fa-f]{2}){30,200}(?:=|%3[Dd]){0,2})/,
    keywords: ['sig='],
    maxLength: 620,
  },
  {
    id: 'azure-client-secret',
    description: 'Microsoft Entra ID (Azure AD) client secrets (3 chars, a digit, Q~, 31–34 chars)',
    pattern: /(?<=(?<![\w~.-])(?<secretHead>[A-Za-z0-9_~.]{3}\d))(?<secret>Q~[A-Za-z0-9_~.-]{31,34})(?![\w~.-])/,
    keywords: ['q~'],
    maxLength: 41,
  },
  {
    id: 'digitalocean-token',
    description: 'DigitalOcean personal access, OAuth and refresh tokens (dop_v1_, doo_v1_, dor_v1_)',
    pattern: /do[opr]_v1_[a-f0-9]{64}/,
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    maxLength: 71,
  },
  {
    id: 'databricks-token',
    description: 'Databricks personal access tokens (dapi + 32 hex)',
    pattern: /(?<![A-Za-z0-9+/])dapi[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9])/,
    keywords: ['dapi'],
    maxLength: 38,
  },
  {
    id: 'vault-token',
    description: 'HashiCorp Vault tokens: hvs. service, hvb. batch, hvr. recovery, legacy s. tokens',
    pattern: /(?:hv[sbr]\.[A-Za-z0-9_-]{20,400}|(?<![\w./-])s\.[A-Za-z0-9]{24}(?![\w.-]))/,
    keywords: ['hvs.', 'hvb.', 'hvr.', 's.'],
    maxLength: 404,
    precheck: (text, at) => (text.charCodeAt(at) | 0x20) !== 0x73 || at === 0 || !isNameChar(text.charCodeAt(at - 1)) || text.charCodeAt(at - 1) === 0x5f,
    validate: (m) => !m[0].startsWith('s.') || (/[A-Z]/.test(m[0]) && /[a-z]/.test(m[0].slice(2)) && /[0-9]/.test(m[0])),
  },
  {
    id: 'terraform-cloud-token',
    description: 'Terraform Cloud / Enterprise API tokens (….atlasv1.…)',
    pattern: /(?<=(?<![A-Za-z0-9])(?<secretHead>[A-Za-z0-9]{14}))(?<secret>\.atlasv1\.[A-Za-z0-9_=-]{60,70})/,
    keywords: ['.atlasv1.'],
    maxLength: 93,
  },
  {
    id: 'doppler-token',
    description: 'Doppler personal, service, CLI, service-account, SCIM and audit tokens (dp.pt., dp.st.…)',
    pattern: /dp\.(?:pt|st|ct|sa|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?[A-Za-z0-9]{40,64}/,
    keywords: ['dp.pt.', 'dp.st.', 'dp.ct.', 'dp.sa.', 'dp.scim.', 'dp.audit.'],
    maxLength: 116,
  },
  {
    id: 'fly-token',
    description: 'Fly.io access tokens (fo1_…, fm1a_/fm1r_/fm2_ macaroons)',
    pattern: /(?:fo1_[A-Za-z0-9_-]{43}|fm(?:1[ar]|2)_[A-Za-z0-9+/]{100,4000}={0,3})/,
    keywords: ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'],
    maxLength: 4010,
    continuation: run(/[A-Za-z0-9+/=,_-]/),
  },
  // ── Source forges and package registries ────────────────────────────────────────────────────────
  {
    id: 'github-pat',
    description: 'GitHub classic personal access tokens (ghp_)',
    pattern: new RegExp(`ghp_[${BASE62}]{36,251}`),
    keywords: ['ghp_'],
    maxLength: 255,
  },
  {
    id: 'github-oauth-token',
    description: 'GitHub OAuth access tokens (gho_)',
    pattern: new RegExp(`gho_[${BASE62}]{36,251}`),
    keywords: ['gho_'],
    maxLength: 255,
  },
  {
    id: 'github-app-token',
    description: 'GitHub App user-to-server (ghu_) and installation (ghs_) tokens',
    pattern: new RegExp(`gh[us]_[${BASE62}]{36,251}`),
    keywords: ['ghu_', 'ghs_'],
    maxLength: 255,
  },
  {
    id: 'github-refresh-token',
    description: 'GitHub refresh tokens (ghr_)',
    pattern: new RegExp(`ghr_[${BASE62}]{36,251}`),
    keywords: ['ghr_'],
    maxLength: 255,
  },
  {
    id: 'github-fine-grained-pat',
    description: 'GitHub fine-grained personal access tokens (github_pat_)',
    pattern: /github_pat_[A-Za-z0-9_]{70,244}/,
    keywords: ['github_pat_'],
    maxLength: 255,
  },
  {
    id: 'gitlab-pat',
    description: 'GitLab personal, project and group access tokens (glpat-, including routable ones)',
    pattern: /glpat-[A-Za-z0-9_-]{20,300}(?:\.[A-Za-z0-9_-]{2,64}){0,2}/,
    keywords: ['glpat-'],
    maxLength: 440,
  },
  {
    id: 'gitlab-token',
    description: 'Other GitLab tokens: deploy (gldt-), runner (glrt-, GR1348941), CI job (glcbt-), trigger (glptt-), feed, mail, agent, OAuth, SCIM, feature-flag, service-account',
    pattern: /(?:gl(?:dt|rt|cbt|ptt|ft|imt|agent|oas|soat|ffct|sa|wt)-[A-Za-z0-9_-]{20,300}(?:\.[A-Za-z0-9_-]{2,64}){0,2}|GR1348941[A-Za-z0-9_-]{20,64})/,
    keywords: ['gldt-', 'glrt-', 'glcbt-', 'glptt-', 'glft-', 'glimt-', 'glagent-', 'gloas-', 'glsoat-', 'glffct-', 'glsa-', 'glwt-', 'gr1348941'],
    maxLength: 440,
  },
  {
    id: 'npm-token',
    description: 'npm access tokens (npm_)',
    pattern: new RegExp(`(?<![${BASE62}])npm_[${BASE62}]{36,64}`),
    keywords: ['npm_'],
    maxLength: 68,
  },
  {
    id: 'pypi-token',
    description: 'PyPI and TestPyPI upload tokens (pypi-AgE… macaroons)',
    pattern: /pypi-AgE[A-Za-z0-9_-]{50,1200}/,
    keywords: ['pypi-age'],
    maxLength: 1208,
    continuation: TOKEN_CHARS,
  },
  {
    id: 'rubygems-token',
    description: 'RubyGems API keys (rubygems_)',
    pattern: /rubygems_[a-f0-9]{48}/,
    keywords: ['rubygems_'],
    maxLength: 57,
  },
  {
    id: 'atlassian-token',
    description: 'Atlassian (Jira, Confluence, Bitbucket) API tokens (ATATT3…)',
    pattern: /ATATT3[A-Za-z0-9_=-]{150,250}/,
    keywords: ['atatt3'],
    maxLength: 256,
  },
  {
    id: 'linear-api-key',
    description: 'Linear API keys and OAuth tokens (lin_api_, lin_oauth_)',
    pattern: new RegExp(`lin_(?:api|oauth)_[${BASE62}]{40,64}`),
    keywords: ['lin_api_', 'lin_oauth_'],
    maxLength: 74,
  },
  {
    id: 'buildkite-token',
    description: 'Buildkite user API tokens (bkua_)',
    pattern: /bkua_[a-f0-9]{40}/,
    keywords: ['bkua_'],
    maxLength: 45,
  },
  {
    id: 'circleci-token',
    description: 'CircleCI personal API tokens (CCIPAT_)',
    pattern: /CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}/,
    keywords: ['ccipat_'],
    maxLength: 70,
  },
  // ── AI providers ────────────────────────────────────────────────────────────────────────────────
  {
    id: 'openai-api-key',
    description: 'OpenAI legacy user API keys (sk-…T3BlbkFJ…)',
    pattern: new RegExp(`(?<![${BASE62}])sk-[${BASE62}]{20}T3BlbkFJ[${BASE62}]{20}`),
    keywords: ['sk-'],
    maxLength: 51,
  },
  {
    id: 'openai-project-key',
    description: 'OpenAI project, service-account and admin keys (sk-proj-, sk-svcacct-, sk-admin-)',
    pattern: /sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,300}/,
    keywords: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 'sk-none-'],
    maxLength: 311,
  },
  {
    id: 'anthropic-api-key',
    description: 'Anthropic API keys (sk-ant-api03-…) and other sk-ant- credentials but admin keys',
    pattern: /sk-ant-(?!admin)[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{80,160}/,
    keywords: ['sk-ant-'],
    maxLength: 180,
  },
  {
    id: 'anthropic-admin-key',
    description: 'Anthropic Admin API keys (sk-ant-admin01-…)',
    pattern: /sk-ant-admin\d{2}-[A-Za-z0-9_-]{80,160}/,
    keywords: ['sk-ant-admin'],
    maxLength: 180,
  },
  {
    id: 'huggingface-token',
    description: 'Hugging Face user access tokens (hf_) and organization tokens (api_org_)',
    pattern: new RegExp(`(?<![${BASE62}])(?:hf_|api_org_)[${BASE62}]{30,40}(?![${BASE62}])`),
    keywords: ['hf_', 'api_org_'],
    maxLength: 49,
  },
  {
    id: 'groq-api-key',
    description: 'Groq API keys (gsk_)',
    pattern: new RegExp(`gsk_[${BASE62}]{48,56}`),
    keywords: ['gsk_'],
    maxLength: 60,
  },
  {
    id: 'xai-api-key',
    description: 'xAI API keys (xai-)',
    pattern: new RegExp(`(?<![${BASE62}])xai-[${BASE62}]{70,90}`),
    keywords: ['xai-'],
    maxLength: 94,
  },
  {
    id: 'perplexity-api-key',
    description: 'Perplexity API keys (pplx-)',
    pattern: new RegExp(`pplx-[${BASE62}]{48}`),
    keywords: ['pplx-'],
    maxLength: 53,
  },
  {
    id: 'replicate-token',
    description: 'Replicate API tokens (r8_)',
    pattern: new RegExp(`(?<![${BASE62}])r8_[${BASE62}]{37}`),
    keywords: ['r8_'],
    maxLength: 40,
  },
  // ── Messaging, e-mail, payments ─────────────────────────────────────────────────────────────────
  {
    id: 'slack-bot-token',
    description: 'Slack bot tokens (xoxb-)',
    pattern: /xoxb-\d{6,16}-[A-Za-z0-9-]{10,250}/,
    keywords: ['xoxb-'],
    maxLength: 272,
  },
  {
    id: 'slack-user-token',
    description: 'Slack user tokens (xoxp-)',
    pattern: /xoxp-\d{6,16}-[A-Za-z0-9-]{10,250}/,
    keywords: ['xoxp-'],
    maxLength: 272,
  },
  {
    id: 'slack-app-token',
    description: 'Slack app-level tokens (xapp-)',
    pattern: /xapp-\d-[A-Z0-9]{6,16}-\d{6,16}-[A-Za-z0-9]{20,128}/,
    keywords: ['xapp-'],
    maxLength: 170,
  },
  {
    id: 'slack-token',
    description: 'Other Slack tokens: legacy workspace, refresh, config, client and cookie tokens (xoxa-, xoxr-, xoxe-, xoxe.xoxp-, xoxs-, xoxo-, xoxc-, xoxd-)',
    pattern: /xox[aeorscd](?:\.xox[bp])?-[A-Za-z0-9.%-]{10,400}/,
    keywords: ['xoxa-', 'xoxe-', 'xoxe.', 'xoxo-', 'xoxr-', 'xoxs-', 'xoxc-', 'xoxd-'],
    maxLength: 415,
  },
  {
    id: 'slack-webhook',
    description: 'Slack incoming webhook, workflow and trigger URLs: the path after hooks.slack.com/services/',
    pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9_/+-]{20,160})/,
    keywords: ['hooks.slack.com/'],
    maxLength: 200,
  },
  {
    id: 'discord-webhook',
    description: 'Discord webhook URLs: the id/token after /api/webhooks/',
    pattern: /discord(?:app)?\.com\/api\/(?:v\d{1,2}\/)?webhooks\/(?<secret>\d{15,22}\/[A-Za-z0-9_-]{50,100})/,
    keywords: ['discord.com/api/', 'discordapp.com/api/'],
    maxLength: 160,
  },
  {
    id: 'discord-bot-token',
    description: 'Discord bot tokens (base64 user id, timestamp and HMAC separated by dots)',
    // The first part is base64 of a decimal user id, so its first four chars are constrained.
    pattern: /(?<![\w-])[MNO][DTjz][AEIMQUYcgk][w-z0-5][A-Za-z0-9_-]{20,23}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![\w-])/,
    maxLength: 76,
    minLength: 59,
  },
  {
    id: 'telegram-bot-token',
    description: 'Telegram Bot API tokens (bot id, colon, 35 chars starting with A)',
    pattern: /(?<=(?<![\w:])(?<secretId>\d{5,16}))(?<secret>:A[A-Za-z0-9_-]{34})(?![\w-])/,
    keywords: [':a'],
    maxLength: 52,
  },
  {
    id: 'sendgrid-api-key',
    description: 'SendGrid API keys (SG.<22>.<43>)',
    pattern: /(?<![A-Za-z0-9+/])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,64}/,
    keywords: ['sg.'],
    maxLength: 100,
  },
  {
    id: 'mailgun-api-key',
    description: 'Mailgun private API keys (key- + 32 hex)',
    pattern: /(?<![\w-])key-[0-9a-f]{32}(?![A-Za-z0-9])/,
    keywords: ['key-'],
    maxLength: 36,
  },
  {
    id: 'mailchimp-api-key',
    description: 'Mailchimp API keys (32 hex + -usNN data-center suffix)',
    pattern: /(?<=(?<![A-Za-z0-9])(?<secretHead>[0-9a-f]{32}))(?<secret>-us\d{1,2})(?![A-Za-z0-9])/,
    keywords: ['-us'],
    maxLength: 37,
  },
  {
    id: 'twilio-api-key',
    description: 'Twilio API key SIDs (SK + 32 hex)',
    pattern: /(?<![A-Za-z0-9+/])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])/,
    maxLength: 34,
    minLength: 34,
  },
  {
    id: 'twilio-account-sid',
    description: 'Twilio account SIDs (AC + 32 hex), the user half of a Twilio credential',
    pattern: /(?<![A-Za-z0-9+/])AC[0-9a-f]{32}(?![A-Za-z0-9])/,
    maxLength: 34,
    minLength: 34,
  },
  {
    id: 'twilio-auth-token',
    description: 'Twilio auth tokens and API secrets (32 hex) assigned to a twilio-named key',
    pattern: new RegExp(`twilio(?=(?<rest>[\\w.-]{0,40}))\\k<rest>${ASSIGN}(?<secret>[0-9a-f]{32})(?![A-Za-z0-9])`, 'i'),
    keywords: ['twilio'],
    maxLength: 100,
  },
  {
    id: 'stripe-secret-key',
    description: 'Stripe secret keys, live and test (sk_live_, sk_test_); publishable pk_ keys are not secret',
    pattern: new RegExp(`(?<![${BASE62}])sk_(?:live|test)_[${BASE62}]{16,247}`),
    keywords: ['sk_live_', 'sk_test_'],
    maxLength: 255,
  },
  {
    id: 'stripe-restricted-key',
    description: 'Stripe restricted keys, live and test (rk_live_, rk_test_)',
    pattern: new RegExp(`(?<![${BASE62}])rk_(?:live|test)_[${BASE62}]{16,247}`),
    keywords: ['rk_live_', 'rk_test_'],
    maxLength: 255,
  },
  {
    id: 'stripe-webhook-secret',
    description: 'Stripe webhook signing secrets (whsec_)',
    pattern: /whsec_[A-Za-z0-9+/=]{24,128}/,
    keywords: ['whsec_'],
    maxLength: 134,
  },
  {
    id: 'square-access-token',
    description: 'Square access tokens (sq0atp-, EAAA…)',
    pattern: /(?:sq0atp-[A-Za-z0-9_-]{22,60}|(?<![A-Za-z0-9+/])EAAA[A-Za-z0-9_+=-]{56,100})/,
    keywords: ['sq0atp-', 'eaaa'],
    maxLength: 104,
  },
  {
    id: 'square-oauth-secret',
    description: 'Square OAuth application secrets (sq0csp-)',
    pattern: /sq0csp-[A-Za-z0-9_-]{40,60}/,
    keywords: ['sq0csp-'],
    maxLength: 67,
  },
  {
    id: 'shopify-token',
    description: 'Shopify access tokens and shared secrets (shpat_, shpss_, shpca_, shppa_)',
    pattern: /shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}/,
    keywords: ['shpat_', 'shpss_', 'shpca_', 'shppa_'],
    maxLength: 38,
  },
  // ── SaaS ────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'notion-token',
    description: 'Notion integration tokens (ntn_, legacy secret_ + 43 chars)',
    pattern: new RegExp(`(?:ntn_\\d{11}[${BASE62}]{35}|(?<![${BASE62}])secret_[${BASE62}]{43}(?![${BASE62}]))`),
    keywords: ['ntn_', 'secret_'],
    maxLength: 50,
  },
  {
    id: 'supabase-token',
    description: 'Supabase personal access tokens (sbp_) and secret keys (sb_secret_)',
    pattern: /(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{30,64})/,
    keywords: ['sbp_', 'sb_secret_'],
    maxLength: 74,
  },
  {
    id: 'netlify-token',
    description: 'Netlify personal access tokens (nfp_)',
    pattern: new RegExp(`nfp_[${BASE62}]{36,44}`),
    keywords: ['nfp_'],
    maxLength: 48,
  },
  {
    id: 'figma-token',
    description: 'Figma personal access tokens (figd_)',
    pattern: /figd_[A-Za-z0-9_-]{40,64}/,
    keywords: ['figd_'],
    maxLength: 69,
  },
  {
    id: 'tailscale-key',
    description: 'Tailscale auth, API, OAuth-client, webhook and SCIM keys (tskey-)',
    pattern: /tskey-(?:[a-z]{1,8}-)?[A-Za-z0-9]{6,24}-[A-Za-z0-9]{16,64}/,
    keywords: ['tskey-'],
    maxLength: 104,
  },
  {
    id: 'pulumi-token',
    description: 'Pulumi access tokens (pul-)',
    pattern: /pul-[a-f0-9]{40}/,
    keywords: ['pul-'],
    maxLength: 44,
  },
  {
    id: 'postman-api-key',
    description: 'Postman API keys (PMAK-)',
    pattern: /PMAK-[a-f0-9]{24}-[a-f0-9]{34}/,
    keywords: ['pmak-'],
    maxLength: 64,
  },
  {
    id: 'grafana-token',
    description: 'Grafana Cloud tokens (glc_) and service-account tokens (glsa_)',
    pattern: /(?:glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})/,
    keywords: ['glc_', 'glsa_'],
    maxLength: 407,
  },
  {
    id: 'sentry-token',
    description: 'Sentry user (sntryu_) and organization (sntrys_) auth tokens',
    pattern: /(?:sntryu_[a-f0-9]{64}|sntrys_[A-Za-z0-9+/=_]{60,400})/,
    keywords: ['sntryu_', 'sntrys_'],
    maxLength: 407,
  },
  {
    id: 'new-relic-key',
    description: 'New Relic user API keys (NRAK-) and insert keys (NRII-)',
    pattern: /NR(?:AK|II)-[A-Z0-9]{27,32}/,
    keywords: ['nrak-', 'nrii-'],
    maxLength: 37,
  },
  {
    id: 'dynatrace-token',
    description: 'Dynatrace API tokens (dt0c01.)',
    pattern: /dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}/,
    keywords: ['dt0c01.'],
    maxLength: 96,
  },
  {
    id: 'planetscale-token',
    description: 'PlanetScale service tokens, OAuth tokens and passwords (pscale_tkn_, pscale_oauth_, pscale_pw_)',
    pattern: /pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64}/,
    keywords: ['pscale_tkn_', 'pscale_oauth_', 'pscale_pw_'],
    maxLength: 77,
  },
  {
    id: 'onepassword-token',
    description: '1Password service-account tokens (ops_eyJ…)',
    pattern: /ops_eyJ[A-Za-z0-9+/=_-]{200,4000}/,
    keywords: ['ops_eyj'],
    maxLength: 4007,
    continuation: run(/[A-Za-z0-9+/=_-]/),
  },
  {
    id: 'mapbox-secret-token',
    description: 'Mapbox secret and temporary tokens (sk.eyJ…, tk.eyJ…)',
    pattern: /(?<![A-Za-z0-9])[st]k\.eyJ[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{16,64}/,
    keywords: ['sk.eyj', 'tk.eyj'],
    maxLength: 475,
  },
  {
    id: 'jwt',
    description: 'JSON Web Tokens: three base64url parts, the header starting eyJ (signature may be empty)',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{4,8192}\.[A-Za-z0-9_-]{0,2048}/,
    keywords: ['eyj'],
    maxLength: 12300,
    continuation: TOKEN_CHARS,
  },
  // ── Credentials in context ──────────────────────────────────────────────────────────────────────
  {
    id: 'url-credentials',
    description: 'The password in a URL with user:password@ (any scheme; percent-encoded passwords too)',
    pattern: /:\/\/(?<user>[^\s:/?#@"'<>\\\0]{0,256}):(?<secret>[^\s/@"'<>\\\0]{1,256})@/,
    keywords: ['://'],
    maxLength: 520,
    precheck: urlCredentialsPrecheck,
    // The one secret group, read directly: a hostile line of near misses tries this at every `://`.
    validate: (m) => !isPlaceholderOrMask(m.groups!['secret']!),
  },
  {
    id: 'authorization-header',
    description: 'Credentials in an Authorization or Proxy-Authorization header: Basic, Bearer, Token, Bot… or a bare value',
    pattern: /(?<![A-Za-z0-9_])authorization(?:\\?["'])?[ \t]{0,8}[:=][ \t]{0,8}(?:\\?["'])?(?:[A-Za-z][A-Za-z0-9_-]{0,31}[ \t]{1,8})?(?<secret>[^\s"'`,;\\\0]{6,2048})/i,
    keywords: ['authorization'],
    maxLength: 2120,
    validate: credentialValue,
    continuation: run(/[^\s"'`,;\\\0]/),
  },
  {
    id: 'curl-user-password',
    description: 'The password in curl -u / --user user:password',
    pattern: /curl(?![\w-])[^\n\r]{0,512}?[ \t](?:-[A-Za-z]{0,8}u|--user)(?:[ \t]{1,8}|=)?["']?[^\s:"'@\0]{0,256}:(?<secret>[^\s"'\0]{1,256})/,
    keywords: ['curl'],
    maxLength: 1050,
    validate: (m) => !isPlaceholderOrMask(secretText(m)) && !/^\d{1,6}$/.test(secretText(m)),
  },
  {
    id: 'secret-assignment',
    description:
      'A value assigned to a secret-looking name (password, secret, token, api_key, auth…) that looks like a secret (entropy, length): KEY=value, KEY: value, "key": "value", --flag value, env / export -p / declare -p / /proc/*/environ lines',
    pattern:
      /(?<kw>pass|pwd|secret|token|key|auth|cred)(?=(?<rest>[\w.-]{0,48}))\k<rest>(?<kq>(?:\\?["'])?)(?<sep>[ \t]{0,8}(?::=|=>|==?|:)[ \t]{0,8}|(?<=(?:^|[ \t])--[\w.-]{1,80})[ \t]{1,8})(?:\\"(?<secretEdq>(?:[^"\\\n\r\0]|\\[^"\n\r\0]){1,256})|"(?<secretDq>(?:[^"\\\n\r\0]|\\[^\n\r\0]){1,256})|'(?<secretSq>[^'\n\r\0]{1,256})|(?<secretBare>[^\s"'`,;&<>(){}[\]\\\0]{1,256}))/i,
    keywords: ['pass', 'pwd', 'secret', 'token', 'key', 'auth', 'cred'],
    maxLength: 600,
    precheck: assignmentPrecheck,
    validate: validateAssignment,
    continuation: assignmentContinuation,
  },
];
