import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionsError } from '@execkit/core';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DOCKER_SOCKET, describeDockerEndpoint, dockerConnectionOptions, type DockerEnvironment } from './docker-host.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'execkit-docker-host-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const PEM = (label: string, body: string) => `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`;

/** A cert directory with fake-but-PEM-shaped files. */
function certDir(files: Partial<Record<'ca.pem' | 'cert.pem' | 'key.pem', string>>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function refused(env: DockerEnvironment, field: string, platform?: NodeJS.Platform): InvalidOptionsError {
  try {
    dockerConnectionOptions(env, platform);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    const e = error as InvalidOptionsError;
    expect(e.code).toBe('INVALID_OPTIONS');
    expect(e.field).toBe(field);
    expect(e.message).not.toMatch(/[\u0000-\u001f\u007f]/);
    return e;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

/** Only the keys that are set (the result also carries explicit `undefined`s). */
function defined(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

describe('dockerConnectionOptions: default and unix sockets', () => {
  it('uses /var/run/docker.sock when DOCKER_HOST is unset or blank', () => {
    expect(defined(dockerConnectionOptions({}))).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(defined(dockerConnectionOptions({ DOCKER_HOST: '' }))).toEqual({ socketPath: DEFAULT_DOCKER_SOCKET });
    expect(defined(dockerConnectionOptions({ DOCKER_HOST: '   ' }))).toEqual({ socketPath: DEFAULT_DOCKER_SOCKET });
  });

  it('sets every key docker-modem derives from process.env, so process.env cannot override', () => {
    const options = dockerConnectionOptions({});
    for (const key of ['host', 'port', 'protocol', 'username', 'ca', 'cert', 'key', 'timeout']) {
      expect(Object.hasOwn(options, key), key).toBe(true);
    }
  });

  it('refuses a non-default DOCKER_CONTEXT (contexts are not supported) unless DOCKER_HOST is set', () => {
    expect(refused({ DOCKER_CONTEXT: 'remote' }, 'DOCKER_CONTEXT').message).toMatch(/contexts are not supported.*"remote"/);
    expect(defined(dockerConnectionOptions({ DOCKER_CONTEXT: 'default' }))).toEqual({ socketPath: DEFAULT_DOCKER_SOCKET });
    expect(defined(dockerConnectionOptions({ DOCKER_CONTEXT: 'remote', DOCKER_HOST: 'unix:///x.sock' }))).toEqual({ socketPath: '/x.sock' });
  });

  it.each([
    ['unix:///var/run/docker.sock', '/var/run/docker.sock'],
    ['unix:///home/me/.docker/run/docker.sock', '/home/me/.docker/run/docker.sock'],
    ['UNIX:///tmp/d.sock', '/tmp/d.sock'],
    ['unix://', DEFAULT_DOCKER_SOCKET],
    ['  unix:///tmp/d.sock  ', '/tmp/d.sock'],
    ['/run/user/1000/docker.sock', '/run/user/1000/docker.sock'],
    ['./docker.sock', './docker.sock'],
  ])('DOCKER_HOST=%j → socketPath %j', (host, socketPath) => {
    expect(defined(dockerConnectionOptions({ DOCKER_HOST: host }))).toEqual({ socketPath });
  });

  it('refuses unix:// with another scheme inside', () => {
    refused({ DOCKER_HOST: 'unix://tcp://x' }, 'DOCKER_HOST');
  });

  it('ignores TLS variables for unix sockets (as the CLI does)', () => {
    const env = { DOCKER_HOST: 'unix:///x.sock', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' };
    expect(defined(dockerConnectionOptions(env))).toEqual({ socketPath: '/x.sock' });
  });
});

describe('dockerConnectionOptions: tcp', () => {
  it.each([
    ['tcp://docker.example.com:2375', { host: 'docker.example.com', port: 2375 }],
    ['tcp://10.0.0.5:12375', { host: '10.0.0.5', port: 12375 }],
    ['tcp://10.0.0.5:12375/', { host: '10.0.0.5', port: 12375 }],
    ['tcp://docker.example.com', { host: 'docker.example.com', port: 2375 }],
    ['tcp://docker.example.com:', { host: 'docker.example.com', port: 2375 }],
    ['tcp://:4243', { host: 'localhost', port: 4243 }],
    ['tcp://', { host: 'localhost', port: 2375 }],
    ['tcp://[::1]:2375', { host: '::1', port: 2375 }],
    ['tcp://[fe80::1]', { host: 'fe80::1', port: 2375 }],
    ['TCP://h:1', { host: 'h', port: 1 }],
    ['docker.example.com:2375', { host: 'docker.example.com', port: 2375 }],
    ['localhost', { host: 'localhost', port: 2375 }],
  ])('DOCKER_HOST=%j → plain http', (host, expected) => {
    expect(defined(dockerConnectionOptions({ DOCKER_HOST: host }))).toEqual({ ...expected, protocol: 'http' });
  });

  it('uses plain http for port 2376 without TLS variables (the CLI does; docker-modem would guess https)', () => {
    expect(dockerConnectionOptions({ DOCKER_HOST: 'tcp://h:2376' }).protocol).toBe('http');
  });

  it.each([
    ['tcp://h:0', /port/],
    ['tcp://h:65536', /expected tcp:\/\/host\[:port\]/],
    ['tcp://h:abc', /expected tcp:\/\/host/],
    ['tcp://h:2375/api', /path prefix/],
    ['tcp://h:2375?x=1', /query/],
    ['tcp://h:2375#frag', /query strings and fragments/],
    ['tcp://a b:2375', /expected tcp/],
    ['tcp://h%41:2375', /host name contains/],
    ['tcp://-h:2375', /must not start with "-"/],
    ['tcp://http://h', /expected tcp/],
    ['tcp://h\n:2375', /control/],
    ['http://h:2375', /unsupported scheme "http"/],
    ['https://h:2376', /unsupported scheme "https"/],
    ['fd://', /unsupported scheme "fd"/],
    ['ftp://x', /unsupported scheme/],
    ['://h', /unsupported scheme ""/],
  ])('refuses DOCKER_HOST=%j', (host, why) => {
    expect(refused({ DOCKER_HOST: host }, 'DOCKER_HOST').message).toMatch(why);
  });

  it('refuses user info in tcp:// and never echoes the password', () => {
    const e = refused({ DOCKER_HOST: 'tcp://admin:s3cret@h:2375' }, 'DOCKER_HOST');
    expect(e.message).toMatch(/user info/);
    expect(e.message).not.toContain('s3cret');
    expect(e.message).not.toContain('admin');
    expect(e.message).toContain('tcp://***@h:2375');
  });

  it('escapes and truncates odd DOCKER_HOST values in messages', () => {
    const e = refused({ DOCKER_HOST: `weird://${'x'.repeat(500)}` }, 'DOCKER_HOST');
    expect(e.message.length).toBeLessThan(300);
    expect(refused({ DOCKER_HOST: 'tcp://h\u0000:1' }, 'DOCKER_HOST').message).toContain('\\u0000');
  });
});

describe('dockerConnectionOptions: TLS', () => {
  const ca = PEM('CERTIFICATE', 'ca');
  const cert = PEM('CERTIFICATE', 'client');
  const key = PEM('PRIVATE KEY', 'key');

  it('reads ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH with DOCKER_TLS_VERIFY=1', () => {
    const dir = certDir({ 'ca.pem': ca, 'cert.pem': cert, 'key.pem': key });
    const options = dockerConnectionOptions({ DOCKER_HOST: 'tcp://docker.example.com:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    expect(defined(options)).toEqual({
      host: 'docker.example.com',
      port: 2376,
      protocol: 'https',
      ca: Buffer.from(ca),
      cert: Buffer.from(cert),
      key: Buffer.from(key),
    });
  });

  it('treats any non-empty DOCKER_TLS_VERIFY as on, like the CLI (even "0")', () => {
    const dir = certDir({ 'ca.pem': ca });
    for (const value of ['1', 'true', '0', 'yes']) {
      expect(dockerConnectionOptions({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: value, DOCKER_CERT_PATH: dir }).protocol).toBe('https');
    }
    expect(dockerConnectionOptions({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: dir }).protocol).toBe('http');
  });

  it('keeps the CLI default port 2375 for tcp://host without a port even with TLS', () => {
    const dir = certDir({ 'ca.pem': ca });
    expect(dockerConnectionOptions({ DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }).port).toBe(2375);
  });

  it('verifies the server with only ca.pem when there is no client certificate', () => {
    const dir = certDir({ 'ca.pem': ca });
    const options = dockerConnectionOptions({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    expect(defined(options)).toEqual({ host: 'h', port: 2376, protocol: 'https', ca: Buffer.from(ca) });
  });

  it('defaults the certificate directory to $DOCKER_CONFIG, then $HOME/.docker', () => {
    const config = certDir({ 'ca.pem': PEM('CERTIFICATE', 'from-config') });
    expect(dockerConnectionOptions({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: config }).ca).toEqual(
      Buffer.from(PEM('CERTIFICATE', 'from-config')),
    );
    const home = tempDir();
    mkdirSync(join(home, '.docker'));
    writeFileSync(join(home, '.docker', 'ca.pem'), PEM('CERTIFICATE', 'from-home'));
    expect(dockerConnectionOptions({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', HOME: home }).ca).toEqual(
      Buffer.from(PEM('CERTIFICATE', 'from-home')),
    );
  });

  it('refuses TLS without ca.pem, naming the path', () => {
    const dir = certDir({ 'cert.pem': cert, 'key.pem': key });
    const e = refused({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }, 'DOCKER_CERT_PATH');
    expect(e.message).toContain(join(dir, 'ca.pem'));
    expect(e.message).toMatch(/does not exist/);
  });

  it('refuses cert.pem without key.pem and the reverse', () => {
    expect(
      refused({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir({ 'ca.pem': ca, 'cert.pem': cert }) }, 'DOCKER_CERT_PATH').message,
    ).toMatch(/cert\.pem but no key\.pem/);
    expect(
      refused({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir({ 'ca.pem': ca, 'key.pem': key }) }, 'DOCKER_CERT_PATH').message,
    ).toMatch(/key\.pem but no cert\.pem/);
  });

  it('refuses files that are not PEM, and directories, without echoing their contents', () => {
    const secret = 'not-a-pem super secret bytes';
    const e = refused(
      { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir({ 'ca.pem': ca, 'cert.pem': cert, 'key.pem': secret }) },
      'DOCKER_CERT_PATH',
    );
    expect(e.message).toMatch(/not a PEM file/);
    expect(e.message).not.toContain('secret');
    const dir = tempDir();
    mkdirSync(join(dir, 'ca.pem'));
    expect(refused({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }, 'DOCKER_CERT_PATH').message).toMatch(/not a regular file/);
  });

  it('refuses DOCKER_TLS without DOCKER_TLS_VERIFY (TLS without verifying the server)', () => {
    expect(refused({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1' }, 'DOCKER_TLS').message).toMatch(/without verifying the server/);
  });
});

describe('dockerConnectionOptions: ssh', () => {
  it.each([
    ['ssh://deploy@build-host', { USER: 'me' }, { host: 'build-host', port: 22, username: 'deploy' }],
    ['ssh://deploy@build-host:2222', {}, { host: 'build-host', port: 2222, username: 'deploy' }],
    ['ssh://build-host', { USER: 'me' }, { host: 'build-host', port: 22, username: 'me' }],
    ['ssh://build-host', { LOGNAME: 'lg' }, { host: 'build-host', port: 22, username: 'lg' }],
    ['ssh://d%40x@[2001:db8::1]:22', {}, { host: '2001:db8::1', port: 22, username: 'd@x' }],
    ['ssh://deploy@build-host/', {}, { host: 'build-host', port: 22, username: 'deploy' }],
  ])('DOCKER_HOST=%j (%j)', (host, extra, expected) => {
    expect(defined(dockerConnectionOptions({ DOCKER_HOST: host, ...extra }))).toEqual({ ...expected, protocol: 'ssh', sshOptions: {} });
  });

  it('falls back to the local account name for the user', () => {
    const options = dockerConnectionOptions({ DOCKER_HOST: 'ssh://h' });
    expect(typeof options.username).toBe('string');
    expect(options.username).not.toBe('');
  });

  it('passes SSH_AUTH_SOCK as the ssh2 agent', () => {
    const options = dockerConnectionOptions({ DOCKER_HOST: 'ssh://u@h', SSH_AUTH_SOCK: '/tmp/agent.sock' });
    expect(options.sshOptions).toEqual({ agent: '/tmp/agent.sock' });
  });

  it('ignores TLS variables for ssh', () => {
    const options = dockerConnectionOptions({ DOCKER_HOST: 'ssh://u@h', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' });
    expect(options.protocol).toBe('ssh');
    expect(options.ca).toBeUndefined();
  });

  it.each([
    ['ssh://', /host name is empty|expected ssh/],
    ['ssh://u@', /host name is empty|expected ssh/],
    ['ssh://u@h:0', /port/],
    ['ssh://u@h/var/run/docker.sock', /path/],
    ['ssh://u@h?x=1', /query/],
    ['ssh://-oProxyCommand=touch%20x', /must not start with "-"|host name contains/],
    ['ssh://-oProxyCommand=x@h', /user name is not valid/],
    ['ssh://a%0Ab@h', /user name is not valid/],
  ])('refuses DOCKER_HOST=%j', (host, why) => {
    expect(refused({ DOCKER_HOST: host, USER: 'me' }, 'DOCKER_HOST').message).toMatch(why);
  });

  it('refuses a password in the URL and never echoes it', () => {
    const e = refused({ DOCKER_HOST: 'ssh://deploy:hunter2@h' }, 'DOCKER_HOST');
    expect(e.message).toMatch(/password/);
    expect(e.message).not.toContain('hunter2');
  });
});

describe('dockerConnectionOptions: npipe and versions', () => {
  it('refuses npipe:// on Linux and accepts it on Windows', () => {
    expect(refused({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }, 'DOCKER_HOST', 'linux').message).toMatch(/not supported on linux/);
    expect(defined(dockerConnectionOptions({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }, 'win32'))).toEqual({
      socketPath: '//./pipe/docker_engine',
    });
    expect(defined(dockerConnectionOptions({ DOCKER_HOST: 'npipe://' }, 'win32'))).toEqual({ socketPath: '//./pipe/docker_engine' });
  });

  it('maps DOCKER_API_VERSION to a path version prefix and refuses junk', () => {
    expect(dockerConnectionOptions({ DOCKER_API_VERSION: '1.41' }).version).toBe('v1.41');
    expect(dockerConnectionOptions({ DOCKER_API_VERSION: 'v1.43', DOCKER_HOST: 'tcp://h' }).version).toBe('v1.43');
    expect(refused({ DOCKER_API_VERSION: '1.41/../../x' }, 'DOCKER_API_VERSION').message).toMatch(/expected a version/);
  });
});

describe('describeDockerEndpoint', () => {
  it('describes each form', () => {
    expect(describeDockerEndpoint(dockerConnectionOptions({}))).toBe('unix:///var/run/docker.sock');
    expect(describeDockerEndpoint(dockerConnectionOptions({ DOCKER_HOST: 'tcp://h:2375' }))).toBe('tcp://h:2375 (plain HTTP, unencrypted)');
    expect(describeDockerEndpoint(dockerConnectionOptions({ DOCKER_HOST: 'tcp://[::1]:2375' }))).toBe('tcp://[::1]:2375 (plain HTTP, unencrypted)');
    expect(describeDockerEndpoint(dockerConnectionOptions({ DOCKER_HOST: 'ssh://u@h:2222' }))).toBe('ssh://u@h:2222');
    expect(describeDockerEndpoint({ socketPath: '//./pipe/docker_engine' })).toBe('npipe:////./pipe/docker_engine');
    expect(describeDockerEndpoint({ host: 'h', port: 2376, protocol: 'https' })).toBe('tcp://h:2376 (TLS)');
  });

  it('never includes key material', () => {
    const key = PEM('PRIVATE KEY', 'very secret key');
    const dir = certDir({ 'ca.pem': PEM('CERTIFICATE', 'ca body'), 'cert.pem': PEM('CERTIFICATE', 'cert body'), 'key.pem': key });
    const options = dockerConnectionOptions({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    const text = describeDockerEndpoint({ ...options, sshOptions: { password: 'pw' }, headers: { Authorization: 'Bearer t' } });
    expect(text).toBe('tcp://h:2376 (TLS, client certificate)');
    expect(text).not.toMatch(/BEGIN|secret|pw|Bearer/);
  });

  it('escapes odd values and never throws', () => {
    expect(describeDockerEndpoint({ socketPath: '/tmp/a\nb' })).toBe('unix://"/tmp/a\\nb"');
    expect(describeDockerEndpoint({})).toMatch(/default/);
    expect(describeDockerEndpoint(undefined as unknown as object)).toMatch(/default/);
  });

  it('describes a live docker-modem instance', () => {
    const docker = new Docker(dockerConnectionOptions({ DOCKER_HOST: 'tcp://example.invalid:2375' }));
    expect(describeDockerEndpoint(docker.modem)).toBe('tcp://example.invalid:2375 (plain HTTP, unencrypted)');
  });
});

describe('with dockerode', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('our options win over a different process.env DOCKER_HOST inside docker-modem', () => {
    vi.stubEnv('DOCKER_HOST', 'tcp://elsewhere.invalid:2375');
    const docker = new Docker(dockerConnectionOptions({ DOCKER_HOST: 'unix:///tmp/ours.sock' }));
    const modem = docker.modem as unknown as Record<string, unknown>;
    expect(modem['socketPath']).toBe('/tmp/ours.sock');
    expect(modem['host']).toBeUndefined();
    expect(describeDockerEndpoint(docker.modem)).toBe('unix:///tmp/ours.sock');
  });

  function pingServer(server: Server): Promise<void> {
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  }
  const handler: RequestListener = (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(req.url ?? '');
  };

  it('reaches an Engine-like server over a unix socket and over plain tcp', async () => {
    const dir = tempDir();
    const socketPath = join(dir, 'engine.sock');
    const unixServer = createHttpServer(handler);
    await new Promise<void>((resolve) => unixServer.listen(socketPath, () => resolve()));
    const tcpServer = createHttpServer(handler);
    await pingServer(tcpServer);
    try {
      const viaUnix = new Docker(dockerConnectionOptions({ DOCKER_HOST: `unix://${socketPath}` }));
      expect(String(await viaUnix.ping())).toBe('/_ping');
      const port = (tcpServer.address() as AddressInfo).port;
      const viaTcp = new Docker(dockerConnectionOptions({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_API_VERSION: '1.41' }));
      expect(String(await viaTcp.ping())).toBe('/v1.41/_ping');
    } finally {
      unixServer.close();
      tcpServer.close();
    }
  });

  describe('TLS with real certificates', () => {
    let pki: string;
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
    const issue = (name: string, ca: string, ext: string) => {
      run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
      writeFileSync(join(pki, `${name}.ext`), ext);
      run('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
    };
    const makeCa = (name: string) =>
      run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`);
    const read = (file: string) => readFileSync(join(pki, file));
    let server: Server;
    let port: number;

    beforeAll(async () => {
      // The certificates are made with openssl (scripts/setup.sh --test-deps installs it): a
      // missing openssl fails these tests rather than skipping them.
      try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' });
      } catch {
        throw new Error('openssl is not installed (Debian: apt-get install -y openssl)');
      }
      pki = tempDir();
      makeCa('ca');
      makeCa('other-ca');
      issue('server', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
      issue('client', 'ca', 'extendedKeyUsage=clientAuth\n');
      server = createHttpsServer({ key: read('server-key.pem'), cert: read('server.pem'), ca: read('ca.pem'), requestCert: true, rejectUnauthorized: true }, handler);
      await pingServer(server);
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => {
      server?.close();
    });

    const certPath = (files: Record<string, string>) => {
      const dir = tempDir();
      for (const [to, from] of Object.entries(files)) writeFileSync(join(dir, to), read(from));
      return dir;
    };

    it('connects with DOCKER_TLS_VERIFY=1 and a client certificate from DOCKER_CERT_PATH', async () => {
      const dir = certPath({ 'ca.pem': 'ca.pem', 'cert.pem': 'client.pem', 'key.pem': 'client-key.pem' });
      const docker = new Docker(dockerConnectionOptions({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }));
      expect(String(await docker.ping())).toBe('/_ping');
    });

    it('fails when the server is not signed by ca.pem (verification really happens)', async () => {
      const dir = certPath({ 'ca.pem': 'other-ca.pem', 'cert.pem': 'client.pem', 'key.pem': 'client-key.pem' });
      const docker = new Docker(dockerConnectionOptions({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }));
      await expect(docker.ping()).rejects.toThrow(/certificate/i);
    });

    it('fails when the server requires a client certificate and none is given', async () => {
      const dir = certPath({ 'ca.pem': 'ca.pem' });
      const docker = new Docker(dockerConnectionOptions({ DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }));
      await expect(docker.ping()).rejects.toThrow();
    });
  });
});
