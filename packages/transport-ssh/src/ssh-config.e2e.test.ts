import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecKitError, Session, type Transport } from '@execkit/core';
import { createSshTransport, listConfiguredHosts, type SshTransportOptions } from './index.js';
import { authorizeKeys, ensureTestUsers, startSshd, type SshdFixture, type TestUsers } from './test-support/index.js';

let target: SshdFixture;
let jump: SshdFixture;
let outer: SshdFixture;
let users: TestUsers;
let dir: string;
let configPath: string;
let knownHostsPath: string;
const opened: Transport[] = [];

beforeAll(async () => {
  [target, jump, outer] = await Promise.all([startSshd(), startSshd(), startSshd()]);
  users = await ensureTestUsers();
  await Promise.all([authorizeKeys(target, users), authorizeKeys(jump, users), authorizeKeys(outer, users)]);
  dir = mkdtempSync(join(tmpdir(), 'execkit-ssh-config-'));
  configPath = join(dir, 'config');
  writeFileSync(
    configPath,
    [
      'Host build-box',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      `  User ${users.bash.name}`,
      `  IdentityFile ${users.keys.ed25519.path}`,
      '  IdentitiesOnly yes',
      '  ProxyJump bastion',
      '  ServerAliveInterval 5',
      'Host bastion',
      '  HostName 127.0.0.1',
      `  Port ${jump.port}`,
      `  User ${users.dash.name}`,
      `  IdentityFile ${users.keys.rsaPem.path}`,
      'Host far-box',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      `  User ${users.bash.name}`,
      `  IdentityFile ${users.keys.ed25519.path}`,
      '  ProxyJump outer-bastion,bastion',
      'Host outer-bastion',
      '  HostName 127.0.0.1',
      `  Port ${outer.port}`,
      `  User ${users.bash.name}`,
      `  IdentityFile ${users.keys.ed25519.path}`,
      'Host direct',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      `  User ${users.dash.name}`,
      `  IdentityFile ${users.keys.ed25519.path}`,
      'Host *.pattern',
      '  User nobody',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  knownHostsPath = join(dir, 'known_hosts');
  writeFileSync(knownHostsPath, target.knownHostsLine() + jump.knownHostsLine() + outer.knownHostsLine(), { mode: 0o600 });
});
afterAll(async () => {
  for (const transport of opened) await transport.close();
  await users?.dispose();
  await target?.dispose();
  await jump?.dispose();
  await outer?.dispose();
});

function transport(options: Partial<SshTransportOptions> & { host: string }): Transport {
  const created = createSshTransport({ sshConfigPath: configPath, knownHostsPath, hostKeyPolicy: 'strict', agent: false, keyDir: users.keys.dir, ...options });
  opened.push(created);
  return created;
}

describe('ssh_config', () => {
  it('connects to an alias through its ProxyJump host, verifying both host keys', async () => {
    const mark = jump.logMark();
    const session = await Session.open(transport({ host: 'build-box' }));
    expect((await session.exec('id -un')).stdout).toBe(`${users.bash.name}\n`);
    await session.close();
    // The jump host saw the bastion user log in and forward to the target.
    await jump.waitForLog(new RegExp(`Accepted publickey for ${users.dash.name}`), { sinceMark: mark });
  });

  it('follows a ProxyJump chain of two hops in order', async () => {
    const outerMark = outer.logMark();
    const jumpMark = jump.logMark();
    const session = await Session.open(transport({ host: 'far-box' }));
    expect((await session.exec('id -un')).stdout).toBe(`${users.bash.name}\n`);
    await session.close();
    await outer.waitForLog(new RegExp(`Accepted publickey for ${users.bash.name}`), { sinceMark: outerMark });
    await jump.waitForLog(new RegExp(`Accepted publickey for ${users.dash.name}`), { sinceMark: jumpMark });
  });

  it('refuses a jump host whose key is not known, naming it', async () => {
    const onlyTarget = join(dir, 'known_hosts_target_only');
    writeFileSync(onlyTarget, target.knownHostsLine(), { mode: 0o600 });
    const error = await Session.open(transport({ host: 'build-box', knownHostsPath: onlyTarget })).catch((caught: unknown) => caught);
    expect(ExecKitError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'HOST_KEY_REJECTED', rejection: 'unknown', host: `[127.0.0.1]:${jump.port}` });
  });

  it('lets explicit options override the config', async () => {
    const session = await Session.open(transport({ host: 'direct', user: users.bash.name }));
    expect((await session.exec('id -un')).stdout).toBe(`${users.bash.name}\n`);
    await session.close();
  });

  it('lists concrete aliases with host, user and port only', () => {
    const hosts = listConfiguredHosts({ configPath });
    expect(hosts).toEqual([
      { name: 'bastion', hostName: '127.0.0.1', user: users.dash.name, port: jump.port },
      { name: 'build-box', hostName: '127.0.0.1', user: users.bash.name, port: target.port },
      { name: 'direct', hostName: '127.0.0.1', user: users.dash.name, port: target.port },
      { name: 'far-box', hostName: '127.0.0.1', user: users.bash.name, port: target.port },
      { name: 'outer-bastion', hostName: '127.0.0.1', user: users.bash.name, port: outer.port },
    ]);
    expect(JSON.stringify(hosts)).not.toContain('IdentityFile');
    expect(JSON.stringify(hosts)).not.toContain(users.keys.dir);
  });
});
