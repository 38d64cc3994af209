import { Client } from 'ssh2';
import { readFileSync } from 'node:fs';
import { Session } from '/work/main/packages/core/dist/index.js';
import { setupScript, commandText } from '/work/main/packages/core/dist/session/shell-dialect.js';
import { newNonce } from '/work/main/packages/core/dist/session/nonce.js';
import { createSshTransport } from '/work/main/packages/transport-ssh/dist/index.js';
import { startSshTestbed } from '/work/main/packages/transport-ssh/dist/test-support/index.js';
const bed = await startSshTestbed();
const { sshd, users, knownHostsPath } = bed;
const client = await new Promise((res, rej) => { const c = new Client(); c.once('ready', () => res(c)); c.once('error', rej); c.connect({ host: sshd.host, port: sshd.port, username: users.bash.name, privateKey: readFileSync(users.keys.ed25519.path) }); c.setNoDelay(true); });
function shell(kind) { return new Promise((res) => client.exec('exec bash --noprofile --norc --noediting -i', (e, ch) => {
  let out = '', err = '', waiter;
  ch.on('data', (d) => { out += d.toString('latin1'); waiter?.(); }); ch.stderr.on('data', (d) => { err += d.toString('latin1'); waiter?.(); });
  if (kind !== 'floor') ch.write(setupScript('bash'));
  const run = () => new Promise((done) => { const n = newNonce(); waiter = () => { if (out.includes(n) && (kind === 'floor' || err.includes(n))) { out = err = ''; waiter = undefined; done(); } }; ch.write(kind === 'floor' ? `echo hi; echo ${n}\n` : kind === 'both' ? `echo hi; echo ${n} >&2; echo ${n}\n` : commandText('bash', 'echo hi', n, { kind: 'none' }, '')); });
  setTimeout(() => res({ run }), 300);
})); }
const floor = await shell('floor'), both = await shell('both'), framed = await shell('framed');
const t = createSshTransport({ host: sshd.host, port: sshd.port, user: users.bash.name, privateKeyPath: users.keys.ed25519.path, keyDir: users.keys.dir, knownHostsPath, hostKeyPolicy: 'strict', sshConfigPath: false, agent: false });
const s = await Session.open(t);
const vs = { floor: floor.run, both: both.run, framedRaw: framed.run, library: () => s.exec('echo hi') };
const samples = Object.fromEntries(Object.keys(vs).map((k) => [k, []]));
for (let round = 0; round < 40; round++) for (const [k, f] of Object.entries(vs)) for (let i = 0; i < 50; i++) { const t0 = process.hrtime.bigint(); await f(); if (round >= 10) samples[k].push(Number(process.hrtime.bigint() - t0) / 1000); }
for (const [k, v] of Object.entries(samples)) { v.sort((x, y) => x - y); console.log(k.padEnd(10), 'p50', v[v.length >> 1].toFixed(1)); }
await s.close(); await t.close(); client.end(); await bed.dispose(); process.exit(0);
