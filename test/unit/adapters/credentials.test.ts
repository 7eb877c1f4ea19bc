/**
 * Credentials that expire: fetched again when due and after a 401, against a FAKE API server (a
 * local https server with a test-only certificate, test/fixtures/tls, that accepts one bearer
 * token at a time). It claims only what it checks: which token each request carried, how often
 * the credentials were fetched, and what the caller is given. The real exec-plugin refresh
 * against a kube-apiserver is test/integration/credentials-refresh.test.ts.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConnection } from '../../../src/adapters/kube/connection.js';
import { loadCredentials, type Credentials } from '../../../src/adapters/kube/credentials.js';
import { KubeTarget } from '../../../src/adapters/kube/target.js';
import { MigrateError } from '../../../src/errors.js';

const TLS_DIR = path.resolve(import.meta.dirname, '../../fixtures/tls');
const CERT = readFileSync(path.join(TLS_DIR, 'localhost.crt'));
const KEY = readFileSync(path.join(TLS_DIR, 'localhost.key'));

describe('credentials that expire (a fake https API server)', function () {
  let server: https.Server;
  let port = 0;
  /** The one token the fake accepts now. */
  let accepted = 'tok-1';
  const seen: string[] = [];
  before(async () => {
    server = https.createServer({ cert: CERT, key: KEY }, (req, res) => {
      const auth = req.headers.authorization ?? '';
      seen.push(`${req.method} ${auth}`);
      req.resume();
      req.on('end', () => {
        const ok = auth === `Bearer ${accepted}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { kind: 'Namespace', metadata: { name: 'kube-system', uid: 'u-1' } } : { kind: 'Status', code: 401, message: 'Unauthorized' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => server.close());
  beforeEach(() => {
    seen.length = 0;
    accepted = 'tok-1';
  });

  function kubeConfig(user: Record<string, unknown> = { name: 'u', token: 'tok-1' }): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, caData: CERT.toString('base64'), skipTLSVerify: false }],
      users: [user as never],
      contexts: [{ name: 'x', cluster: 'c', user: String(user.name) }],
      currentContext: 'x',
    });
    return kc;
  }

  /** Credentials handing out tok-1, tok-2, … one per fetch. */
  function counter(opts: { refreshAt?: (n: number) => number; refreshable?: boolean } = {}) {
    const fetches: number[] = [];
    const fetch = async (): Promise<Credentials> => {
      const n = fetches.length + 1;
      fetches.push(n);
      return { headers: { Authorization: `Bearer tok-${n}` }, tls: { ca: CERT }, refreshAt: opts.refreshAt?.(n) ?? Infinity, refreshable: opts.refreshable ?? true };
    };
    return { fetches, fetch };
  }

  it('a 401 fetches the credentials again once and retries the request with them', async () => {
    const c = counter();
    const conn = await KubeConnection.fromKubeConfig(kubeConfig(), { credentials: c.fetch });
    try {
      accepted = 'tok-2';
      const res = await conn.request('GET', '/api/v1/namespaces/kube-system');
      assert.equal(res.status, 200);
      assert.deepEqual(seen, ['GET Bearer tok-1', 'GET Bearer tok-2']);
      assert.deepEqual(c.fetches, [1, 2]);
      assert.equal(conn.credentialRefreshes, 1);
    } finally {
      conn.close();
    }
  });

  it('a 401 after the refresh is a real refusal: reported as today (CONNECTION, HTTP 401), no loop', async () => {
    const c = counter();
    const target = new KubeTarget(await KubeConnection.fromKubeConfig(kubeConfig(), { credentials: c.fetch }));
    try {
      accepted = 'nobody-has-this';
      await assert.rejects(target.clusterUid(), (e: unknown) => {
        assert.ok(e instanceof MigrateError);
        assert.equal(e.exitName, 'CONNECTION');
        assert.match(e.message, /rejected the credentials .*HTTP 401/);
        return true;
      });
      assert.deepEqual(seen, ['GET Bearer tok-1', 'GET Bearer tok-2']);
      assert.deepEqual(c.fetches, [1, 2]);
    } finally {
      target.close();
    }
  });

  it('a static token is not fetched again: one 401, one request', async () => {
    const c = counter({ refreshable: false });
    const conn = await KubeConnection.fromKubeConfig(kubeConfig(), { credentials: c.fetch });
    try {
      accepted = 'tok-2';
      assert.equal((await conn.request('GET', '/x')).status, 401);
      assert.deepEqual(seen, ['GET Bearer tok-1']);
      assert.deepEqual(c.fetches, [1]);
    } finally {
      conn.close();
    }
  });

  it('parallel requests refused together fetch the credentials once, and a write (retry: false) is retried too', async () => {
    const c = counter();
    const conn = await KubeConnection.fromKubeConfig(kubeConfig(), { credentials: c.fetch });
    try {
      accepted = 'tok-2';
      const all = await Promise.all(Array.from({ length: 12 }, (_, i) => conn.request(i % 2 ? 'POST' : 'GET', '/x', { body: { i }, retry: false })));
      assert.deepEqual(
        all.map((r) => r.status),
        Array(12).fill(200),
      );
      assert.deepEqual(c.fetches, [1, 2]);
      assert.equal(seen.filter((s) => s.endsWith('tok-1')).length, 12);
      assert.equal(seen.filter((s) => s.endsWith('tok-2')).length, 12);
    } finally {
      conn.close();
    }
  });

  it('fetches before a request only when the credentials are due (clock injected)', async () => {
    let now = 1_000_000;
    const c = counter({ refreshAt: () => now + 5000 });
    const conn = await KubeConnection.fromKubeConfig(kubeConfig(), { credentials: c.fetch, now: () => now });
    try {
      for (let i = 0; i < 20; i++) assert.equal((await conn.request('GET', '/x')).status, 200);
      assert.deepEqual(c.fetches, [1], 'not due: no fetch');
      now += 5000;
      accepted = 'tok-2';
      assert.equal((await conn.request('GET', '/x')).status, 200);
      assert.deepEqual(c.fetches, [1, 2]);
      assert.deepEqual(seen.slice(-1), ['GET Bearer tok-2'], 'fetched before the request was sent, no 401 first');
    } finally {
      conn.close();
    }
  });

  describe('exec credential plugins (a node script)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-exec-'));
    const plugin = path.join(dir, 'plugin.mjs');
    const log = path.join(dir, 'calls.log');
    writeFileSync(
      plugin,
      `#!${process.execPath}
import { appendFileSync } from 'node:fs';
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ server: info.spec.cluster.server, extra: process.env.EXTRA, args: process.argv.slice(2) }) + '\\n');
if (process.argv[2] === 'fail') { process.stderr.write('no credentials for you'); process.exit(3); }
const lifetime = Number(process.argv[3] ?? 0);
const status = { token: 'tok-' + process.argv[2] };
if (lifetime) status.expirationTimestamp = new Date(Date.now() + lifetime * 1000).toISOString();
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status }));
`,
    );
    chmodSync(plugin, 0o755);
    const execUser = (args: string[]) => ({ name: 'exec-user', exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, args, env: [{ name: 'EXTRA', value: 'from-kubeconfig' }] } });

    it('runs the plugin with KUBERNETES_EXEC_INFO and the kubeconfig env, and fetches again 30 s, or a quarter of its life, before expiry', async () => {
      const t0 = Date.now();
      const creds = await loadCredentials(kubeConfig(execUser(['1', '8'])));
      assert.equal(creds.headers.Authorization, 'Bearer tok-1');
      assert.equal(creds.refreshable, true);
      // 8 s of life: fetched again 2 s (a quarter) before expiry.
      assert.ok(creds.refreshAt > t0 + 5000 && creds.refreshAt < t0 + 6500, `refreshAt ${creds.refreshAt - t0} ms`);
      const call = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop()!);
      assert.deepEqual(call, { server: `https://127.0.0.1:${port}`, extra: 'from-kubeconfig', args: ['1', '8'] });
      const forever = await loadCredentials(kubeConfig(execUser(['1'])));
      assert.equal(forever.refreshAt, Infinity, 'no expirationTimestamp: kept, as kubectl keeps it');
    });

    it('a failing plugin is CONNECTION naming the command, its stderr and the next step', async () => {
      await assert.rejects(loadCredentials(kubeConfig(execUser(['fail']))), (e: unknown) => {
        assert.ok(e instanceof MigrateError);
        assert.equal(e.exitName, 'CONNECTION');
        assert.match(e.message, /exec credential plugin .*plugin\.mjs failed: exit 3: no credentials for you/);
        assert.match(e.hint!, /plugin\.mjs fail` runs/);
        return true;
      });
    });
  });
});
