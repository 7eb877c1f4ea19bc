/**
 * etcd and the Kubernetes API unreachable (nothing listens) or silent (a socket that accepts and
 * never answers) at each command that reads or writes them, through the built CLI: exit 6 within a
 * few request deadlines (--request-timeout 2), a message naming the endpoint, and both real
 * datastores unchanged. (Outages in the middle of apply: apiserver.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { EXIT_CODES } from '../../src/errors.js';
import { seedDataset } from '../integration/support/datasets.js';
import { testCluster } from '../integration/support/cluster.js';
import { Workdir, cli, worldSnapshot } from '../integration/support/e2e.js';

/** A TCP server that accepts connections and never sends a byte. */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The admin kubeconfig pointed at another port of 127.0.0.1. */
function kubeconfigAt(w: Workdir, port: number): string {
  const text = readFileSync(testCluster().kubeconfig, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`);
  const file = w.path(`kubeconfig-${port}`);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

const ETCD_COMMANDS: Array<[string, string[]]> = [
  ['plan', ['plan', '--out', 'p.json', '--no-server-dry-run']],
  ['lock', ['lock', '--auto-approve']],
  ['unlock --datastore etcd', ['unlock', '--datastore', 'etcd']],
  ['verify', ['verify']],
  ['apply (its source guard)', ['apply', 'good.json', '--auto-approve']],
];
const KUBE_COMMANDS: Array<[string, string[]]> = [
  ['plan', ['plan', '--out', 'p.json', '--no-server-dry-run']],
  ['verify', ['verify']],
  ['apply (its target guard)', ['apply', 'good.json', '--auto-approve']],
  ['lock --datastore kubernetes', ['lock', '--datastore', 'kubernetes', '--auto-approve']],
];

describe('etcd and Kubernetes unreachable or silent, per command (built CLI, real cluster)', function () {
  this.timeout(300_000);
  Workdir.cleanUpAfterSuite();
  let w: Workdir;
  let silent: { port: number; close(): void };
  let dead: number;

  before(async () => {
    await seedDataset('full');
    w = new Workdir();
    await cli(w, ['plan', '--out', 'good.json', '--no-server-dry-run'], 0);
    silent = await silentServer();
    dead = await deadPort();
  });
  after(() => silent.close());

  for (const mode of ['unreachable', 'silent'] as const) {
    for (const [name, args] of ETCD_COMMANDS) {
      it(`etcd ${mode}: ${name} exits 6 in seconds, naming the endpoint; nothing changes`, async () => {
        const port = mode === 'silent' ? silent.port : dead;
        const before = await worldSnapshot();
        const t0 = Date.now();
        const r = await cli(w, [...args, '--etcd-endpoints', `http://127.0.0.1:${port}`, '--request-timeout', '2'], EXIT_CODES.CONNECTION);
        assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
        assert.ok(r.stderr.includes(`127.0.0.1:${port}`), r.stderr);
        assert.match(r.stderr, /Next step: /);
        assert.deepEqual(await worldSnapshot(), before);
      });
    }
    for (const [name, args] of KUBE_COMMANDS) {
      it(`Kubernetes API ${mode}: ${name} exits 6 in seconds, naming the server; nothing changes`, async () => {
        const port = mode === 'silent' ? silent.port : dead;
        const before = await worldSnapshot();
        const t0 = Date.now();
        const r = await cli(w, [...args, '--request-timeout', '2'], EXIT_CODES.CONNECTION, { env: { KUBECONFIG: kubeconfigAt(w, port) } });
        assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
        assert.ok(r.stderr.includes(`127.0.0.1:${port}`), r.stderr);
        assert.match(r.stderr, /Next step: /);
        assert.deepEqual(await worldSnapshot(), before);
      });
    }
  }
});
