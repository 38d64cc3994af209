import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExecKitError, InvalidOptionsError } from '@execkit/core';
import SSHConfig from 'ssh-config';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  listConfiguredHosts,
  parseProxyJump,
  resolveHostConfig,
  resolveJumpHost,
  type ResolveHostConfigOptions,
} from './index.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

let home: string;
let sshDir: string;

beforeEach(() => {
  home = realpathSync(mkdtempSync(join(tmpdir(), 'execkit-sshcfg-')));
  roots.push(home);
  sshDir = join(home, '.ssh');
  mkdirSync(sshDir, { mode: 0o700 });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Writes `text` at `path` (relative to ~/.ssh unless absolute), mode 0600. */
function write(path: string, text: string, mode = 0o600): string {
  const full = path.startsWith('/') ? path : join(sshDir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  chmodSync(full, mode);
  return full;
}

function config(text: string): void {
  write('config', text);
}

function resolveIn(alias: string, extra: Partial<ResolveHostConfigOptions> = {}) {
  return resolveHostConfig(alias, { homeDir: home, localUser: 'me', ...extra });
}

function invalidField(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(ExecKitError.isInstance(error) && error.code).toBe('INVALID_OPTIONS');
    return (error as InvalidOptionsError).field;
  }
  throw new Error('expected an InvalidOptionsError');
}

describe('resolveHostConfig: basics and precedence', () => {
  it('returns HostName, User and Port of a matching Host block', () => {
    config('Host web\n  HostName web.example.com\n  User deploy\n  Port 2222\n');
    expect(resolveIn('web')).toEqual({
      alias: 'web',
      hostName: 'web.example.com',
      user: 'deploy',
      port: 2222,
      identityFiles: [],
      proxyJump: [],
    });
  });

  it('passes an unknown alias through with nothing set', () => {
    config('Host web\n  HostName web.example.com\n');
    expect(resolveIn('db.internal')).toEqual({ alias: 'db.internal', hostName: 'db.internal', identityFiles: [], proxyJump: [] });
  });

  it('treats a missing config file and /dev/null as an empty config', () => {
    expect(resolveIn('x', { configPath: join(home, 'nope', 'config') })).toEqual({
      alias: 'x',
      hostName: 'x',
      identityFiles: [],
      proxyJump: [],
    });
    expect(resolveIn('x', { configPath: '/dev/null' }).hostName).toBe('x');
  });

  it('keeps the first obtained value (ssh_config(5)), so specific blocks must come first', () => {
    config(
      [
        'Host web',
        '  User first',
        'Host *',
        '  User second',
        '  Port 2200',
        '  HostName fallback.example.com',
        'Host web',
        '  Port 2300',
      ].join('\n'),
    );
    const resolved = resolveIn('web');
    expect(resolved.user).toBe('first');
    expect(resolved.port).toBe(2200);
    expect(resolved.hostName).toBe('fallback.example.com');
  });

  it('applies directives before the first Host line to every host, and they win', () => {
    config('User global\nHost web\n  User specific\n  Port 2201\n');
    expect(resolveIn('web')).toMatchObject({ user: 'global', port: 2201 });
  });

  it('matches keywords case-insensitively and accepts key=value', () => {
    config('HOST web\n  hostname=web.example.com\n  USER=deploy\n  pOrT 2022\n');
    expect(resolveIn('web')).toMatchObject({ hostName: 'web.example.com', user: 'deploy', port: 2022 });
  });

  it('accumulates IdentityFile across blocks, in order, without duplicates', () => {
    config(
      [
        'Host web',
        '  IdentityFile ~/.ssh/web_key',
        '  IdentityFile ~/.ssh/shared',
        'Host *',
        '  IdentityFile ~/.ssh/shared',
        '  IdentityFile /abs/id_ed25519',
      ].join('\n'),
    );
    expect(resolveIn('web').identityFiles).toEqual([join(sshDir, 'web_key'), join(sshDir, 'shared'), '/abs/id_ed25519']);
    expect(resolveIn('other').identityFiles).toEqual([join(sshDir, 'shared'), '/abs/id_ed25519']);
  });

  it('returns config values untouched; explicit user/port behave like ssh -l/-p', () => {
    config('Host web\n  User cfguser\n  Port 2222\n  IdentityFile ~/.ssh/id_%r_%p\nMatch user alice\n  HostName alice-only.example.com\n');
    const fromConfig = resolveIn('web');
    expect(fromConfig).toMatchObject({ user: 'cfguser', port: 2222, hostName: 'web' });
    expect(fromConfig.identityFiles).toEqual([join(sshDir, 'id_cfguser_2222')]);
    const explicit = resolveIn('web', { user: 'alice', port: 2022 });
    expect(explicit).toMatchObject({ user: 'alice', port: 2022, hostName: 'alice-only.example.com' });
    expect(explicit.identityFiles).toEqual([join(sshDir, 'id_alice_2022')]);
  });

  it('uses $HOME to find ~/.ssh/config when no homeDir is given', () => {
    config('Host web\n  HostName from-home.example.com\n');
    vi.stubEnv('HOME', home);
    expect(resolveHostConfig('web', { localUser: 'me' }).hostName).toBe('from-home.example.com');
  });

  it('refuses a config file writable by group/others, as OpenSSH does', () => {
    write('config', 'Host web\n  HostName x\n', 0o666);
    chmodSync(join(sshDir, 'config'), 0o666);
    expect(() => resolveIn('web')).toThrow(/Bad owner or permissions/);
    expect(invalidField(() => resolveIn('web'))).toBe('sshConfig');
  });

  it('reports a parse error without echoing the line', () => {
    config('Host web\n  IdentityFile "~/.ssh/secret-name\n');
    try {
      resolveIn('web');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).not.toContain('secret-name');
    }
  });
});

describe('resolveHostConfig: Host patterns', () => {
  it('supports * and ? (exactly one character)', () => {
    config('Host db?\n  User onechar\nHost *.example.com\n  User star\n');
    expect(resolveIn('db1').user).toBe('onechar');
    expect(resolveIn('db').user).toBeUndefined();
    expect(resolveIn('db12').user).toBeUndefined();
    expect(resolveIn('a.b.example.com').user).toBe('star');
    expect(resolveIn('example.com').user).toBeUndefined();
  });

  it('skips a block when a negated pattern matches, whatever else matches', () => {
    config('Host * !bastion\n  ProxyJump bastion\n');
    expect(resolveIn('web').proxyJump).toEqual([{ alias: 'bastion' }]);
    expect(resolveIn('bastion').proxyJump).toEqual([]);
  });

  it('needs a positive pattern: a block with only negations never matches', () => {
    config('Host !foo\n  User neg\n');
    expect(resolveIn('bar').user).toBeUndefined();
  });

  it('matches several whitespace-separated patterns, but a comma is literal on Host lines', () => {
    config('Host alpha beta\n  User ab\nHost gamma,delta\n  User gd\n');
    expect(resolveIn('alpha').user).toBe('ab');
    expect(resolveIn('beta').user).toBe('ab');
    expect(resolveIn('gamma').user).toBeUndefined();
    expect(resolveIn('gamma,delta').user).toBe('gd');
  });
});

describe('resolveHostConfig: Match', () => {
  it('Match host sees the HostName obtained so far (with %h expanded), case-insensitively', () => {
    config(
      [
        'Host web',
        '  HostName %h.Prod.Example.com',
        'Match host *.prod.example.com',
        '  User produser',
        'Match host web',
        '  Port 2999',
      ].join('\n'),
    );
    const resolved = resolveIn('web');
    expect(resolved.hostName).toBe('web.Prod.Example.com');
    expect(resolved.user).toBe('produser');
    expect(resolved.port).toBeUndefined();
  });

  it('Match originalhost sees the alias; negation with !', () => {
    config('Host web\n  HostName 10.0.0.5\nMatch originalhost web\n  User orig\nMatch !originalhost web\n  Port 2001\n');
    expect(resolveIn('web')).toMatchObject({ user: 'orig', hostName: '10.0.0.5' });
    expect(resolveIn('web').port).toBeUndefined();
    expect(resolveIn('other')).toMatchObject({ port: 2001 });
  });

  it('Match user sees the User so far (or the local user); Match localuser sees the local user', () => {
    config('Host web\n  User admin\nMatch user admin\n  Port 2022\nMatch localuser me\n  HostKeyAlias mine\n');
    expect(resolveIn('web')).toMatchObject({ port: 2022, hostKeyAlias: 'mine' });
    expect(resolveIn('other').port).toBeUndefined();
    expect(resolveIn('other', { localUser: 'admin' }).port).toBe(2022);
    expect(resolveIn('other', { localUser: 'someone' }).hostKeyAlias).toBeUndefined();
  });

  it('ANDs criteria and supports comma pattern lists', () => {
    config('Match host web,db originalhost d*\n  User both\n');
    expect(resolveIn('db').user).toBe('both');
    expect(resolveIn('web').user).toBeUndefined();
  });

  it('Match all applies everywhere', () => {
    config('Host web\n  User w\nMatch all\n  User everyone\n  Port 2020\n');
    expect(resolveIn('web')).toMatchObject({ user: 'w', port: 2020 });
    expect(resolveIn('zzz')).toMatchObject({ user: 'everyone', port: 2020 });
  });

  it('never runs Match exec, negated or not, and treats it as not matching', () => {
    const marker = join(home, 'exec-marker');
    const marker2 = join(home, 'exec-marker-negated');
    config(`Match exec "touch ${marker}"\n  User fromexec\nMatch !exec "touch ${marker2}"\n  Port 2345\nHost *\n  User fallback\n`);
    const resolved = resolveIn('web');
    expect(resolved.user).toBe('fallback');
    expect(resolved.port).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(marker2)).toBe(false);
    expect(listConfiguredHosts({ homeDir: home, localUser: 'me' })).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('(why ssh-config compute() is not used: by default it does run Match exec)', () => {
    const marker = join(home, 'compute-marker');
    const parsed = SSHConfig.parse(`Match exec "touch ${marker}"\n  User x\n`);
    parsed.compute('web');
    expect(existsSync(marker)).toBe(true);
  });

  it('treats unsupported criteria (canonical, final, localnetwork, tagged) as not matching', () => {
    config('Match canonical\n  User c\nMatch final\n  User f\nMatch localnetwork 0.0.0.0/0\n  User l\nMatch tagged x\n  User t\n');
    expect(resolveIn('web').user).toBeUndefined();
  });
});

describe('resolveHostConfig: Include', () => {
  it('reads paths relative to ~/.ssh, absolute paths and ~/ paths', () => {
    write('relative.conf', 'Host rel\n  HostName rel.example.com\n');
    const absolute = write(join(home, 'elsewhere', 'abs.conf'), 'Host abs\n  HostName abs.example.com\n');
    write(join(home, 'tilde.conf'), 'Host til\n  HostName til.example.com\n');
    config(`Include relative.conf\nInclude ${absolute}\nInclude ~/tilde.conf\n`);
    expect(resolveIn('rel').hostName).toBe('rel.example.com');
    expect(resolveIn('abs').hostName).toBe('abs.example.com');
    expect(resolveIn('til').hostName).toBe('til.example.com');
  });

  it('expands globs in sorted order, skipping dot files; first obtained value still wins', () => {
    write('conf.d/20-b.conf', 'Host web\n  User from-b\n  Port 2002\n');
    write('conf.d/10-a.conf', 'Host web\n  User from-a\n');
    write('conf.d/.hidden.conf', 'Host web\n  Port 9999\n');
    write('conf.d/readme.txt', 'Host web\n  HostName not-included\n');
    config('Include conf.d/*.conf\n');
    expect(resolveIn('web')).toMatchObject({ user: 'from-a', port: 2002, hostName: 'web' });
  });

  it('follows nested includes and ignores missing files and empty globs', () => {
    write('level1.conf', 'Include level2.conf\nInclude does-not-exist.conf\nInclude nothing.d/*\n');
    write('level2.conf', 'Host deep\n  HostName deep.example.com\n');
    config('Include level1.conf\nHost deep\n  Port 2400\n');
    expect(resolveIn('deep')).toMatchObject({ hostName: 'deep.example.com', port: 2400 });
  });

  it('applies an Include inside a Host block only for that host, and restores the block after it', () => {
    write('web-extra.conf', 'User webuser\nIdentityFile ~/.ssh/web\nHost *\n  Port 2500\n');
    config('Host web\n  Include web-extra.conf\n  HostName web.example.com\nHost *\n  User other\n');
    expect(resolveIn('web')).toMatchObject({ user: 'webuser', port: 2500, hostName: 'web.example.com' });
    expect(resolveIn('web').identityFiles).toEqual([join(sshDir, 'web')]);
    const db = resolveIn('db');
    expect(db.user).toBe('other');
    // A Host block inside an Include of a non-matching block never matches (OpenSSH NEVERMATCH).
    expect(db.port).toBeUndefined();
    expect(db.identityFiles).toEqual([]);
  });

  it('applies an Include inside a Match block only when the Match holds; several paths per line', () => {
    write('prod-a.conf', 'User produser\n');
    write('prod-b.conf', 'Port 2600\n');
    config('Match host *.prod\n  Include prod-a.conf prod-b.conf\n');
    expect(resolveIn('db.prod')).toMatchObject({ user: 'produser', port: 2600 });
    const dev = resolveIn('db.dev');
    expect(dev.user).toBeUndefined();
    expect(dev.port).toBeUndefined();
  });

  it("does not let an included file's Host line change the including block", () => {
    write('inner.conf', 'Host nomatch\n  User inner\n');
    config('Host web\n  Include inner.conf\n  User after-include\n');
    expect(resolveIn('web').user).toBe('after-include');
  });

  it('allows 16 nested levels and refuses a 17th, like OpenSSH', () => {
    for (let i = 1; i <= 16; i++) write(`n${i}.conf`, i === 16 ? 'Host nested\n  HostName bottom\n' : `Include n${i + 1}.conf\n`);
    config('Include n1.conf\n');
    expect(resolveIn('nested').hostName).toBe('bottom');
    write('n16.conf', 'Include n17.conf\n');
    write('n17.conf', 'Host nested\n  HostName too-deep\n');
    expect(() => resolveIn('nested')).toThrow(/deeper than 16/);
    expect(invalidField(() => resolveIn('nested'))).toBe('sshConfig');
  });

  it('stops an Include loop, even inside a block that does not apply', () => {
    write('loop.conf', 'Include loop.conf\n');
    config('Host never-used\n  Include loop.conf\n');
    expect(() => resolveIn('web')).toThrow(/Include nesting/);
  });
});

describe('resolveHostConfig: tokens and values', () => {
  it('expands %h in HostName and the IdentityFile tokens', () => {
    config(
      [
        'Host web',
        '  HostName %h.example.com',
        '  User deploy',
        '  Port 2201',
        '  IdentityFile ~/.ssh/id_%h_%r_%p',
        '  IdentityFile %d/keys/%u-%n-%%',
        '  IdentityFile keys/relative',
        '  IdentityFile /k/%l/%L/%k/%j',
        '  HostKeyAlias web-alias',
        '  ProxyJump bastion',
      ].join('\n'),
    );
    const short = hostname().split('.')[0];
    expect(resolveIn('web')).toMatchObject({
      hostName: 'web.example.com',
      identityFiles: [
        join(sshDir, 'id_web.example.com_deploy_2201'),
        join(home, 'keys', 'me-web-%'),
        join(home, 'keys', 'relative'),
        `/k/${hostname()}/${short}/web-alias/bastion`,
      ],
    });
  });

  it('uses defaults for %r (local user) and %p (22)', () => {
    config('IdentityFile ~/.ssh/%r@%h:%p\n');
    expect(resolveIn('box').identityFiles).toEqual([join(sshDir, 'me@box:22')]);
  });

  it('expands ${ENV} and refuses unknown tokens and unset variables', () => {
    vi.stubEnv('EXECKIT_TEST_KEYDIR', '/env/keys');
    config('Host env\n  IdentityFile ${EXECKIT_TEST_KEYDIR}/id\nHost bad\n  IdentityFile ~/.ssh/%Z\nHost unset\n  IdentityFile ${EXECKIT_TEST_UNSET_VAR}/id\n');
    expect(resolveIn('env').identityFiles).toEqual(['/env/keys/id']);
    expect(() => resolveIn('bad')).toThrow(/%Z/);
    expect(() => resolveIn('unset')).toThrow(/not set/);
  });

  it('converts ConnectTimeout and ServerAliveInterval from seconds to ms', () => {
    config('Host a\n  ConnectTimeout 10\n  ServerAliveInterval 15\n  ServerAliveCountMax 4\nHost b\n  ConnectTimeout 1m30s\n  ServerAliveInterval 0\n');
    expect(resolveIn('a')).toMatchObject({ connectTimeoutMs: 10_000, serverAliveIntervalMs: 15_000, serverAliveCountMax: 4 });
    expect(resolveIn('b')).toMatchObject({ connectTimeoutMs: 90_000, serverAliveIntervalMs: 0 });
    expect(resolveIn('b').serverAliveCountMax).toBeUndefined();
  });

  it('refuses invalid numbers in the config', () => {
    config('Host t\n  ConnectTimeout ten\nHost c\n  ServerAliveCountMax -1\nHost p\n  Port 70000\nHost q\n  Port 0\nHost i\n  IdentitiesOnly maybe\n');
    for (const alias of ['t', 'c', 'p', 'q', 'i']) expect(invalidField(() => resolveIn(alias))).toBe('sshConfig');
  });

  it('reads IdentitiesOnly and HostKeyAlias', () => {
    config('Host y\n  IdentitiesOnly yes\n  HostKeyAlias y-key\nHost n\n  IdentitiesOnly no\n');
    expect(resolveIn('y')).toMatchObject({ identitiesOnly: true, hostKeyAlias: 'y-key' });
    expect(resolveIn('n').identitiesOnly).toBe(false);
    expect(resolveIn('z').identitiesOnly).toBeUndefined();
  });
});

describe('ProxyJump', () => {
  it('parses chains in every form, in connection order', () => {
    config('Host target\n  ProxyJump first,bob@second:2201,ssh://carol@third:2202,ssh://fourth/,[2001:db8::1]:2203,dave@[::1]\n');
    expect(resolveIn('target').proxyJump).toEqual([
      { alias: 'first' },
      { alias: 'second', user: 'bob', port: 2201 },
      { alias: 'third', user: 'carol', port: 2202 },
      { alias: 'fourth' },
      { alias: '2001:db8::1', port: 2203 },
      { alias: '::1', user: 'dave' },
    ]);
  });

  it('ProxyJump none disables jumping and, being first, wins over later ProxyJump', () => {
    config('Host direct\n  ProxyJump none\nHost *\n  ProxyJump bastion\n');
    expect(resolveIn('direct').proxyJump).toEqual([]);
    expect(resolveIn('other').proxyJump).toEqual([{ alias: 'bastion' }]);
  });

  it('a ProxyCommand obtained first wins over ProxyJump (and is never run)', () => {
    const marker = join(home, 'proxy-marker');
    config(`Host pc\n  ProxyCommand touch ${marker}\nHost *\n  ProxyJump bastion\n`);
    expect(resolveIn('pc').proxyJump).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('parseProxyJump handles user@host with @ in the user and %-encoded URI users', () => {
    expect(parseProxyJump('a@b@host:22')).toEqual([{ alias: 'host', user: 'a@b', port: 22 }]);
    expect(parseProxyJump('ssh://us%40er;fingerprint=x@host')).toEqual([{ alias: 'host', user: 'us@er' }]);
    expect(parseProxyJump('NONE')).toEqual([]);
  });

  it('refuses malformed hops', () => {
    for (const bad of ['', 'a,,b', 'host:0', 'host:99999', 'host:x', '@host', '-oProxyCommand=x', 'ssh://host/path', '[::1', 'bad\u0001host']) {
      expect(invalidField(() => parseProxyJump(bad)), bad).toBe('proxyJump');
    }
  });

  it('resolveJumpHost resolves the hop through the config; user/port in the hop win', () => {
    config('Host bastion\n  HostName bastion.example.com\n  User jumpcfg\n  Port 2222\nMatch user hopuser\n  IdentityFile ~/.ssh/hop_%r\n');
    const options = { homeDir: home, localUser: 'me' };
    expect(resolveJumpHost({ alias: 'bastion' }, options)).toMatchObject({
      hostName: 'bastion.example.com',
      user: 'jumpcfg',
      port: 2222,
      identityFiles: [],
    });
    expect(resolveJumpHost({ alias: 'bastion', user: 'hopuser', port: 2022 }, options)).toMatchObject({
      hostName: 'bastion.example.com',
      user: 'hopuser',
      port: 2022,
      identityFiles: [join(sshDir, 'hop_hopuser')],
    });
  });
});

describe('listConfiguredHosts', () => {
  it('lists concrete aliases (also from includes) with only name, hostName, user and port, sorted', () => {
    write('conf.d/extra.conf', 'Host zeta\n  HostName zeta.example.com\n');
    config(
      [
        'Include conf.d/*',
        'Host web db',
        '  HostName %h.example.com',
        '  IdentityFile ~/.ssh/secret_key',
        '  ProxyJump bastion',
        'Host bastion',
        '  HostName 192.0.2.1',
        '  Port 2222',
        'Host *.corp web? !nope',
        '  User corpuser',
        'Match host db.example.com',
        '  User dbuser',
        'Host *',
        '  User everyone',
      ].join('\n'),
    );
    expect(listConfiguredHosts({ homeDir: home, localUser: 'me' })).toEqual([
      { name: 'bastion', hostName: '192.0.2.1', user: 'everyone', port: 2222 },
      { name: 'db', hostName: 'db.example.com', user: 'dbuser' },
      { name: 'web', hostName: 'web.example.com', user: 'everyone' },
      { name: 'zeta', hostName: 'zeta.example.com', user: 'everyone' },
    ]);
  });

  it('returns [] for a missing config', () => {
    expect(listConfiguredHosts({ homeDir: home, localUser: 'me', configPath: join(home, 'missing') })).toEqual([]);
  });
});

describe('validation', () => {
  it.each([
    ['empty', ''],
    ['leading space', ' web'],
    ['inner space', 'we b'],
    ['tab', 'web\t'],
    ['newline', 'web\nProxyCommand x'],
    ['NUL', 'web\u0000'],
    ['DEL', 'web\u007f'],
    ['C1 control', 'web\u0085'],
    ['leading dash', '-oProxyCommand=touch /tmp/x'],
    ['too long', 'a'.repeat(1025)],
  ])('refuses an alias with %s', (_label, alias) => {
    config('Host *\n  User x\n');
    expect(invalidField(() => resolveIn(alias))).toBe('host');
  });

  it('refuses a non-string alias', () => {
    expect(invalidField(() => resolveHostConfig(42 as unknown as string, { homeDir: home }))).toBe('host');
  });

  it('refuses a HostName that would not be a valid host', () => {
    config('Host evil\n  HostName -oProxyCommand=x\n');
    expect(invalidField(() => resolveIn('evil'))).toBe('hostName');
  });

  it('refuses explicit ports outside 1–65535 and bad users', () => {
    for (const port of [0, 65536, 1.5, -1, Number.NaN]) expect(invalidField(() => resolveIn('web', { port }))).toBe('port');
    expect(resolveIn('web', { port: 65535 }).port).toBe(65535);
    expect(resolveIn('web', { port: 1 }).port).toBe(1);
    expect(invalidField(() => resolveIn('web', { user: 'a b' }))).toBe('user');
  });

  it('refuses a relative homeDir', () => {
    expect(invalidField(() => resolveHostConfig('web', { homeDir: 'relative/home' }))).toBe('homeDir');
  });
});
