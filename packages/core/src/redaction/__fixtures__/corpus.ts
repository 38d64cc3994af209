/**
 * Synthetic test corpus: secrets of the right shape, generated at test time from a seeded PRNG
 * (no real credential appears anywhere), the lines they appear in, and lines that must stay as they
 * are.
 */

export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const HEX = '0123456789abcdef';
export const BASE62 = UPPER + LOWER + DIGITS;
export const BASE64 = BASE62 + '+/';
export const BASE64URL = BASE62 + '-_';
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

/** Deterministic random source (mulberry32), so a failing case can be replayed from its seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)]!;
    return out;
  }
}

const b64url = (text: string): string => Buffer.from(text).toString('base64url');

/**
 * A secret as it appears in text (`value`), the part of it that is replaced by the marker
 * (`redacted`), and the part that must never come out, not even 8 chars of it (`secret`, default
 * `redacted`).
 */
export interface Secret {
  readonly value: string;
  readonly redacted: string;
  readonly secret?: string;
}

/** What must never leak of a secret. */
export const secretOf = (secret: Secret): string => secret.secret ?? secret.redacted;

export interface Family {
  readonly id: string;
  /** Makes one secret. */
  readonly make: (rng: Rng) => Secret;
  /**
   * Lines embedding the secret's value, each containing it once. Default: {@link STANDARD_CONTEXTS}.
   */
  readonly contexts?: (value: string) => string[];
  /** The value spans lines (a key block). */
  readonly multiline?: boolean;
  /** The value is only a secret in its context lines (a password after `password=`…). */
  readonly needsContext?: boolean;
}

const plain = (value: string): Secret => ({ value, redacted: value });

/** Realistic places a token appears: env output, JSON, YAML, a log line, a URL query, a header. */
export const STANDARD_CONTEXTS = (value: string): string[] => [
  `SERVICE_CREDENTIAL=${value}`,
  `declare -x DEPLOY_CREDENTIAL="${value}"`,
  `{"credential": "${value}", "region": "eu-west-1"}`,
  `  api_token: ${value}`,
  `2024-05-01T12:00:00.123Z INFO uploading with ${value} (attempt 1/3)`,
  `GET https://api.example.com/v1/items?access_token=${value}&page=2 HTTP/1.1`,
  `[build] export VALUE='${value}'`,
];

function discordId(rng: Rng): string {
  return String(rng.int(1, 9)) + rng.chars(DIGITS, 17);
}

function pemBody(rng: Rng, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(rng.chars(BASE64, 64));
  return out.join('\n');
}

/** One entry per built-in rule id. */
export const FAMILIES: readonly Family[] = [
  {
    id: 'private-key',
    multiline: true,
    make: (rng) => {
      const body = pemBody(rng, 12);
      const kind = rng.pick(['RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', '', 'DSA ']);
      const value = `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`;
      return { value, redacted: value, secret: body };
    },
    contexts: (value) => [`$ cat ~/.ssh/id_rsa\n${value}\n$ echo done`, value, `key:\n${value}\ntrailer line`],
  },
  {
    id: 'putty-private-key',
    multiline: true,
    make: (rng) => {
      const priv = pemBody(rng, 2);
      const value = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\n${rng.chars(BASE64, 64)}\n${rng.chars(BASE64, 20)}\nPrivate-Lines: 2\n${priv}\nPrivate-MAC: ${rng.chars(HEX, 64)}`;
      return { value, redacted: value, secret: priv };
    },
    contexts: (value) => [`${value}\n`, `before\n${value}\nafter`],
  },
  { id: 'age-secret-key', make: (rng) => plain(`AGE-SECRET-KEY-1${rng.chars(BECH32, 58)}`) },
  { id: 'aws-access-key-id', make: (rng) => plain(rng.pick(['AKIA', 'ASIA']) + rng.chars(UPPER + '234567', 16)) },
  {
    id: 'aws-secret-access-key',
    needsContext: true,
    make: (rng) => plain(rng.chars(BASE62 + '+/', 40)),
    contexts: (value) => [
      `aws_secret_access_key = ${value}`,
      `AWS_SECRET_ACCESS_KEY=${value}`,
      `        "SecretAccessKey": "${value}",`,
      `export AWS_SECRET_ACCESS_KEY="${value}"`,
    ],
  },
  {
    id: 'aws-session-token',
    needsContext: true,
    make: (rng) => plain(rng.chars(BASE64, 356) + '=='),
    contexts: (value) => [`aws_session_token = ${value}`, `        "SessionToken": "${value}",`, `AWS_SESSION_TOKEN=${value}`],
  },
  { id: 'gcp-api-key', make: (rng) => plain(`AIza${rng.chars(BASE64URL, 35)}`) },
  { id: 'gcp-oauth-client-secret', make: (rng) => plain(`GOCSPX-${rng.chars(BASE64URL, 28)}`) },
  { id: 'google-oauth-token', make: (rng) => plain(rng.next() < 0.5 ? `ya29.${rng.chars(BASE64URL, 160)}` : `1//0${rng.chars(BASE64URL, 90)}`) },
  {
    id: 'azure-storage-key',
    make: (rng) => {
      const key = rng.chars(BASE64, 86) + '==';
      return { value: `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${key};EndpointSuffix=core.windows.net`, redacted: key };
    },
    contexts: (value) => [`AZURE_STORAGE_CONNECTION_STRING=${value}`, `{"ConnectionStrings": {"Blob": "${value}"}}`, `  connection: "${value}"`, `using ${value} for uploads`],
  },
  {
    id: 'azure-sas-token',
    make: (rng) => {
      const sig = rng.chars(BASE62, 43) + '%3D';
      return { value: `https://acme.blob.core.windows.net/c/b.tgz?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig=${sig}`, redacted: sig };
    },
    contexts: (value) => [`curl -fsSL "${value}" -o b.tgz`, `BLOB_URL=${value}`, `{"url": "${value}"}`],
  },
  { id: 'azure-client-secret', make: (rng) => plain(`${rng.chars(BASE62, 3)}${rng.int(0, 9)}Q~${rng.chars(BASE62 + '_~', 34)}`) },
  { id: 'digitalocean-token', make: (rng) => plain(`${rng.pick(['dop', 'doo', 'dor'])}_v1_${rng.chars(HEX, 64)}`) },
  { id: 'databricks-token', make: (rng) => plain(`dapi${rng.chars(HEX, 32)}`) },
  { id: 'vault-token', make: (rng) => plain(rng.next() < 0.5 ? `hvs.${rng.chars(BASE64URL, 91)}` : `s.Ab1${rng.chars(BASE62, 21)}`) },
  { id: 'terraform-cloud-token', make: (rng) => plain(`${rng.chars(BASE62, 14)}.atlasv1.${rng.chars(BASE62 + '_-', 67)}`) },
  { id: 'doppler-token', make: (rng) => plain(rng.next() < 0.5 ? `dp.pt.${rng.chars(BASE62, 43)}` : `dp.st.prd.${rng.chars(BASE62, 40)}`) },
  { id: 'fly-token', make: (rng) => plain(`fo1_${rng.chars(BASE64URL, 43)}`) },
  { id: 'github-pat', make: (rng) => plain(`ghp_${rng.chars(BASE62, 36)}`) },
  { id: 'github-oauth-token', make: (rng) => plain(`gho_${rng.chars(BASE62, 36)}`) },
  { id: 'github-app-token', make: (rng) => plain(`${rng.pick(['ghu', 'ghs'])}_${rng.chars(BASE62, 36)}`) },
  { id: 'github-refresh-token', make: (rng) => plain(`ghr_${rng.chars(BASE62, 36)}`) },
  { id: 'github-fine-grained-pat', make: (rng) => plain(`github_pat_${rng.chars(BASE62, 22)}_${rng.chars(BASE62, 59)}`) },
  { id: 'gitlab-pat', make: (rng) => plain(`glpat-${rng.chars(BASE64URL, 20)}`) },
  { id: 'gitlab-token', make: (rng) => plain(rng.pick(['glrt-', 'gldt-', 'glptt-', 'GR1348941']) + rng.chars(BASE62, 20)) },
  { id: 'npm-token', make: (rng) => plain(`npm_${rng.chars(BASE62, 36)}`) },
  { id: 'pypi-token', make: (rng) => plain(`pypi-AgEIcHlwaS5vcmc${rng.chars(BASE64URL, 160)}`) },
  { id: 'rubygems-token', make: (rng) => plain(`rubygems_${rng.chars(HEX, 48)}`) },
  { id: 'atlassian-token', make: (rng) => plain(`ATATT3${rng.chars(BASE62 + '_-', 186)}`) },
  { id: 'linear-api-key', make: (rng) => plain(`lin_api_${rng.chars(BASE62, 40)}`) },
  { id: 'buildkite-token', make: (rng) => plain(`bkua_${rng.chars(HEX, 40)}`) },
  { id: 'circleci-token', make: (rng) => plain(`CCIPAT_${rng.chars(BASE62, 22)}_${rng.chars(HEX, 40)}`) },
  { id: 'openai-api-key', make: (rng) => plain(`sk-${rng.chars(BASE62, 20)}T3BlbkFJ${rng.chars(BASE62, 20)}`) },
  { id: 'openai-project-key', make: (rng) => plain(`sk-proj-${rng.chars(BASE64URL, 74)}T3BlbkFJ${rng.chars(BASE64URL, 74)}`) },
  { id: 'anthropic-api-key', make: (rng) => plain(`sk-ant-api03-${rng.chars(BASE64URL, 93)}AA`) },
  { id: 'anthropic-admin-key', make: (rng) => plain(`sk-ant-admin01-${rng.chars(BASE64URL, 93)}AA`) },
  { id: 'huggingface-token', make: (rng) => plain(`hf_${rng.chars(UPPER + LOWER, 34)}`) },
  { id: 'groq-api-key', make: (rng) => plain(`gsk_${rng.chars(BASE62, 52)}`) },
  { id: 'xai-api-key', make: (rng) => plain(`xai-${rng.chars(BASE62, 80)}`) },
  { id: 'perplexity-api-key', make: (rng) => plain(`pplx-${rng.chars(BASE62, 48)}`) },
  { id: 'replicate-token', make: (rng) => plain(`r8_${rng.chars(BASE62, 37)}`) },
  { id: 'slack-bot-token', make: (rng) => plain(`xoxb-${rng.chars(DIGITS, 12)}-${rng.chars(DIGITS, 13)}-${rng.chars(BASE62, 24)}`) },
  { id: 'slack-user-token', make: (rng) => plain(`xoxp-${rng.chars(DIGITS, 12)}-${rng.chars(DIGITS, 12)}-${rng.chars(DIGITS, 13)}-${rng.chars(HEX, 32)}`) },
  { id: 'slack-app-token', make: (rng) => plain(`xapp-1-A${rng.chars(UPPER + DIGITS, 10)}-${rng.chars(DIGITS, 13)}-${rng.chars(HEX, 64)}`) },
  { id: 'slack-token', make: (rng) => plain(`xoxe.xoxp-1-${rng.chars(BASE62, 150)}`) },
  {
    id: 'slack-webhook',
    make: (rng) => {
      const path = `T${rng.chars(UPPER + DIGITS, 8)}/B${rng.chars(UPPER + DIGITS, 10)}/${rng.chars(BASE62, 24)}`;
      return { value: `https://hooks.slack.com/services/${path}`, redacted: path };
    },
    contexts: (value) => [`SLACK_WEBHOOK_URL=${value}`, `{"webhook": "${value}"}`, `curl -X POST -d '{"text":"hi"}' ${value}`],
  },
  {
    id: 'discord-webhook',
    make: (rng) => {
      const path = `${discordId(rng)}/${rng.chars(BASE64URL, 68)}`;
      return { value: `https://discord.com/api/webhooks/${path}`, redacted: path };
    },
    contexts: (value) => [`DISCORD_WEBHOOK=${value}`, `{"webhook": "${value}"}`, `POST ${value} 204`],
  },
  {
    id: 'discord-bot-token',
    make: (rng) => plain(`${Buffer.from(discordId(rng)).toString('base64')}.${rng.chars(BASE64URL, 6)}.${rng.chars(BASE64URL, 38)}`),
  },
  { id: 'telegram-bot-token', make: (rng) => plain(`${rng.chars(DIGITS, 10)}:AA${rng.chars(BASE64URL, 33)}`) },
  { id: 'sendgrid-api-key', make: (rng) => plain(`SG.${rng.chars(BASE64URL, 22)}.${rng.chars(BASE64URL, 43)}`) },
  { id: 'mailgun-api-key', make: (rng) => plain(`key-${rng.chars(HEX, 32)}`) },
  { id: 'mailchimp-api-key', make: (rng) => plain(`${rng.chars(HEX, 32)}-us${rng.int(1, 21)}`) },
  { id: 'twilio-api-key', make: (rng) => plain(`SK${rng.chars(HEX, 32)}`) },
  { id: 'twilio-account-sid', make: (rng) => plain(`AC${rng.chars(HEX, 32)}`) },
  {
    id: 'twilio-auth-token',
    needsContext: true,
    make: (rng) => plain(rng.chars(HEX, 32)),
    contexts: (value) => [`TWILIO_AUTH_TOKEN=${value}`, `  "twilioAuthToken": "${value}",`, `twilio.auth_token = '${value}'`],
  },
  { id: 'stripe-secret-key', make: (rng) => plain(`sk_${rng.pick(['live', 'test'])}_${rng.chars(BASE62, rng.pick([24, 99]))}`) },
  { id: 'stripe-restricted-key', make: (rng) => plain(`rk_${rng.pick(['live', 'test'])}_${rng.chars(BASE62, 24)}`) },
  { id: 'stripe-webhook-secret', make: (rng) => plain(`whsec_${rng.chars(BASE62, 32)}`) },
  { id: 'square-access-token', make: (rng) => plain(rng.next() < 0.5 ? `sq0atp-${rng.chars(BASE64URL, 22)}` : `EAAA${rng.chars(BASE64URL, 60)}`) },
  { id: 'square-oauth-secret', make: (rng) => plain(`sq0csp-${rng.chars(BASE64URL, 43)}`) },
  { id: 'shopify-token', make: (rng) => plain(`${rng.pick(['shpat', 'shpss', 'shpca', 'shppa'])}_${rng.chars(HEX, 32)}`) },
  { id: 'notion-token', make: (rng) => plain(rng.next() < 0.5 ? `ntn_${rng.chars(DIGITS, 11)}${rng.chars(BASE62, 35)}` : `secret_${rng.chars(BASE62, 43)}`) },
  { id: 'supabase-token', make: (rng) => plain(`sbp_${rng.chars(HEX, 40)}`) },
  { id: 'netlify-token', make: (rng) => plain(`nfp_${rng.chars(BASE62, 40)}`) },
  { id: 'figma-token', make: (rng) => plain(`figd_${rng.chars(BASE64URL, 40)}`) },
  { id: 'tailscale-key', make: (rng) => plain(`tskey-auth-${rng.chars(BASE62, 12)}-${rng.chars(BASE62, 33)}`) },
  { id: 'pulumi-token', make: (rng) => plain(`pul-${rng.chars(HEX, 40)}`) },
  { id: 'postman-api-key', make: (rng) => plain(`PMAK-${rng.chars(HEX, 24)}-${rng.chars(HEX, 34)}`) },
  { id: 'grafana-token', make: (rng) => plain(rng.next() < 0.5 ? `glsa_${rng.chars(BASE62, 32)}_${rng.chars(HEX, 8)}` : `glc_${rng.chars(BASE62, 120)}`) },
  { id: 'sentry-token', make: (rng) => plain(`sntryu_${rng.chars(HEX, 64)}`) },
  { id: 'new-relic-key', make: (rng) => plain(`NRAK-${rng.chars(UPPER + DIGITS, 27)}`) },
  { id: 'dynatrace-token', make: (rng) => plain(`dt0c01.${rng.chars(UPPER + DIGITS, 24)}.${rng.chars(UPPER + DIGITS, 64)}`) },
  { id: 'planetscale-token', make: (rng) => plain(`pscale_tkn_${rng.chars(BASE62, 43)}`) },
  { id: 'onepassword-token', make: (rng) => plain(`ops_eyJ${rng.chars(BASE62, 300)}`) },
  { id: 'mapbox-secret-token', make: (rng) => plain(`sk.eyJ1${rng.chars(BASE64URL, 60)}.${rng.chars(BASE64URL, 22)}`) },
  {
    id: 'jwt',
    make: (rng) => {
      const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: rng.chars(HEX, 16) }));
      const payload = b64url(JSON.stringify({ sub: rng.chars(DIGITS, 10), iss: 'https://auth.example.com', exp: 1893456000, scope: 'repo read:org' }));
      return plain(`${header}.${payload}.${rng.chars(BASE64URL, 342)}`);
    },
  },
  {
    id: 'url-credentials',
    needsContext: true,
    make: (rng) => plain(rng.chars(BASE62, rng.int(10, 24))),
    contexts: (value) => [
      `DATABASE_URL=postgres://app:${value}@db.internal:5432/app?sslmode=require`,
      `Cloning into 'repo'... https://x-access-token:${value}@github.com/acme/repo.git`,
      `{"broker": "amqp://guest:${value}@mq:5672/%2F"}`,
      `redis://:${value}@cache:6379/0`,
    ],
  },
  {
    id: 'authorization-header',
    needsContext: true,
    make: (rng) => plain(rng.chars(BASE62, 40)),
    contexts: (value) => [
      `Authorization: Bearer ${value}`,
      `> authorization: token ${value}`,
      `curl -H "Authorization: Basic ${value}" https://api.example.com`,
      `{"headers": {"Authorization": "Bot ${value}", "Accept": "application/json"}}`,
      `Proxy-Authorization: Basic ${value}`,
    ],
  },
  {
    id: 'curl-user-password',
    needsContext: true,
    make: (rng) => plain(rng.chars(BASE62, 14)),
    contexts: (value) => [
      `+ curl -u admin:${value} https://nexus.example.com/repository/x`,
      `$ curl -sSf --user deploy:${value} -X POST https://api.example.com/deploy`,
      `curl --user=ci:${value} https://example.com`,
    ],
  },
  {
    id: 'secret-assignment',
    needsContext: true,
    make: (rng) => plain(rng.chars(BASE62, 8) + rng.pick(['!', '#', '%', '^', '*']) + rng.chars(BASE62, 9)),
    contexts: (value) => [
      `DB_PASSWORD=${value}`,
      `declare -x API_TOKEN="${value}"`,
      `declare -- CLIENT_SECRET="${value}"`,
      `PATH=/usr/bin:/bin\0SECRET_KEY=${value}\0HOME=/root`,
      `  password: ${value}`,
      `{"client_secret": "${value}", "client_id": "web"}`,
      `docker login --username ci --password ${value} registry.example.com`,
      `api_key = '${value}'`,
      `spring.datasource.password=${value}`,
      `export MY_APP_SECRET=${value}`,
      `<add key="Password" value="x" /> connection: Server=db;User Id=sa;Password=${value};`,
      `[auth] token=${value} user=bob`,
      `"Env": ["DB_PASSWORD=${value}", "PATH=/usr/bin"]`,
    ],
  },
];

/** Lines that contain no secret and must come out byte-identical. */
export function falsePositiveCorpus(rng: Rng): string[] {
  const sha = rng.chars(HEX, 40);
  const sha256 = rng.chars(HEX, 64);
  const uuid = `${rng.chars(HEX, 8)}-${rng.chars(HEX, 4)}-4${rng.chars(HEX, 3)}-a${rng.chars(HEX, 3)}-${rng.chars(HEX, 12)}`;
  const integrity = `sha512-${rng.chars(BASE64, 86)}==`;
  const image = `data:image/png;base64,${rng.chars(BASE64, 6000)}=`;
  const sshKey = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rng.chars(BASE64, 43)} dev@laptop`;
  const rsaKey = `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ${rng.chars(BASE64, 500)} ci@runner`;
  const fingerprint = `SHA256:${rng.chars(BASE64, 43)}`;
  const pemCert = `-----BEGIN CERTIFICATE-----\n${pemBody(rng, 10)}\n-----END CERTIFICATE-----`;
  const pemPublic = `-----BEGIN PUBLIC KEY-----\n${pemBody(rng, 4)}\n-----END PUBLIC KEY-----`;
  const pgpPublic = `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${pemBody(rng, 6)}\n=${rng.chars(BASE64, 4)}\n-----END PGP PUBLIC KEY BLOCK-----`;
  return [
    `commit ${sha}`,
    `HEAD is now at ${sha.slice(0, 7)} Fix the flaky test`,
    `${sha} refs/heads/main`,
    `Merge: ${sha.slice(0, 7)} ${rng.chars(HEX, 7)}`,
    `request-id: ${uuid}`,
    `{"id": "${uuid}", "parent": "${uuid.toUpperCase()}"}`,
    `Digest: sha256:${sha256}`,
    `FROM node:20-alpine@sha256:${sha256}`,
    `${rng.chars(HEX, 12)}: Pull complete`,
    `      "integrity": "${integrity}",`,
    `  resolution: {integrity: ${integrity}}`,
    `<img src="${image}" alt="logo">`,
    `{"avatar": "${image}", "name": "x"}`,
    sshKey,
    rsaKey,
    `256 ${fingerprint} dev@laptop (ED25519)`,
    `Host key fingerprint is ${fingerprint}`,
    pemCert,
    pemPublic,
    pgpPublic,
    `STRIPE_PUBLISHABLE_KEY=pk_live_${rng.chars(BASE62, 24)}`,
    `stripe.setPublishableKey('pk_test_${rng.chars(BASE62, 99)}')`,
    'password=${DB_PASSWORD}',
    'token: $GITHUB_TOKEN',
    'api_key: "{{ .Values.apiKey }}"',
    'password: {{ pg_password }}',
    'SECRET_KEY=$(cat /run/secrets/key)',
    'Authorization: Bearer $TOKEN',
    'Authorization: Bearer ${TOKEN}',
    '-H "Authorization: token ${{ secrets.GITHUB_TOKEN }}"',
    'DATABASE_URL=postgres://app:${PGPASSWORD}@db:5432/app',
    'git clone https://oauth2:$CI_JOB_TOKEN@gitlab.example.com/group/repo.git',
    'curl -u "$USER:$PASS" https://example.com',
    'password=',
    'password:',
    'PASSWORD=',
    'NODE_AUTH_TOKEN=',
    'password: ********',
    '"password": "********",',
    'token=xxxxxxxxxxxxxxxx',
    'Authorization: Bearer ****************',
    'api_key: <redacted>',
    'password: [REDACTED]',
    'password: "[REDACTED:secret-assignment]"',
    'Error: invalid api key',
    'error: invalid token (401 Unauthorized), please re-authenticate',
    'The password must be at least 12 characters long.',
    'Enter your password:',
    'Use --password to pass the password on the command line',
    'secret rotation complete for 3 services',
    'password: string;',
    '  token?: string | undefined;',
    'const token = getToken(options);',
    '  apiKey: process.env.OPENAI_API_KEY,',
    'password = os.environ["DB_PASSWORD"]',
    'password: Option<String>,',
    'if token == "":',
    'def login(username, password):',
    'token_type: Bearer',
    'max_tokens: 4096',
    '"prompt_tokens": 1234, "completion_tokens": 567',
    'PASSWORD_FILE=/run/secrets/db_password',
    'tokenizer: meta-llama/Llama-3-8B',
    'author: Jane Doe <jane@example.com>',
    'secretName: database-credentials',
    'auth: required',
    'PWD=/home/runner/work/project/project',
    'OLDPWD=/home/runner/work',
    'SSH_AUTH_SOCK=/tmp/ssh-XXXXq1w2e3/agent.1234',
    'GIT_ASKPASS=/usr/lib/git-core/git-gui--askpass',
    'KUBECONFIG=/home/runner/.kube/config',
    `LS_COLORS=rs=0:di=01;34:ln=01;36:mh=00:pi=40;33:so=01;35:do=01;35:bd=40;33;01`,
    'TERM=xterm-256color',
    'ssh://git@github.com:22/acme/repo.git',
    'git@github.com:acme/repo.git',
    'https://user@github.com/acme/repo.git',
    'http://localhost:8080/api/v1/health',
    'arn:aws:iam::123456789012:role/deploy',
    `github.com/stretchr/testify v1.9.0 h1:${rng.chars(BASE64, 43)}=`,
    'monkey-patching the key-value store',
    'npm WARN deprecated inflight@1.0.6: This module is not supported',
    '2024-05-01T12:00:00.123Z [INFO] Step 3/10 : RUN npm ci --ignore-scripts',
    'eyJhbGciOiJIUzI1NiJ9 is the header alone',
    'eyJ.eyJ.',
    '  "version": "1.2.3",',
    'Downloaded https://registry.npmjs.org/@types/node/-/node-20.19.0.tgz (1.2 MB)',
    'Time: 12:34:56, progress 100%, speed 3.2 MB/s',
    'color: #ff00aa; background: rgba(0, 0, 0, 0.5);',
    `checksum ${rng.chars(HEX, 32)}  dist/app.tar.gz`,
    `etag: "${rng.chars(HEX, 32)}"`,
    'the session token expired; log in again',
    'key: ${{ runner.os }}-node-${{ hashFiles(\'**/package-lock.json\') }}',
  ];
}

/** A stable seed from a name. */
export function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** The first 8-char window of `secret` found in `output` (markers aside), if any. */
export function leaks(output: string, secret: string): string | undefined {
  const text = output.replace(/\[REDACTED:[a-z0-9-]+\]/g, '\u0000');
  for (let i = 0; i + 8 <= secret.length; i++) {
    const window = secret.slice(i, i + 8);
    if (text.includes(window)) return window;
  }
  return undefined;
}

/**
 * A text holding one secret of each family in its first context line, between ordinary log lines,
 * and the secrets that must not leak from it.
 */
export function mixedDocument(seed: number, families: readonly Family[] = FAMILIES): { text: string; secrets: string[] } {
  const rng = new Rng(seed);
  const lines: string[] = [];
  const secrets: string[] = [];
  for (const family of families) {
    const secret = family.make(rng);
    const contexts = (family.contexts ?? STANDARD_CONTEXTS)(secret.value);
    lines.push(`[${lines.length}] step ${rng.int(1, 99)}: compiling module ${rng.chars(LOWER, 8)}.ts`);
    lines.push(rng.pick(contexts));
    secrets.push(secretOf(secret));
  }
  return { text: lines.join('\n') + '\n', secrets };
}
