/**
 * Credentials that expire, against the real kube-apiserver: a kubeconfig whose user is an exec
 * credential plugin (a node script written here) that mints service account tokens living a few
 * seconds. The tokens are real: signed with the test cluster's service account key, for a
 * ServiceAccount bound to cluster-admin, so the API server itself refuses one once it expires.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { KubeConnection } from '../../src/adapters/kube/connection.js';
import { KubeTarget } from '../../src/adapters/kube/target.js';
import { applyPlan } from '../../src/apply/executor.js';
import { resolveKubeConfig } from '../../src/config/target.js';
import { RecordingIo } from '../../src/io.js';
import { buildPlan, cr, createChange } from '../unit/apply/plan-builders.js';
import { kube, resetDatastores, testCluster } from './support/cluster.js';

const SA = { namespace: 'default', name: 'cm-exec-plugin' };
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** How long each minted token is accepted by the API server. */
const LIFETIME_S = 2;
/**
 * The API server accepts a service account token up to a minute past its `exp` (go-jose's
 * default leeway). The plugin backdates `exp` by it, so the server's own deadline is LIFETIME_S
 * after minting, and says that deadline in expirationTimestamp. The first test checks it.
 */
const LEEWAY_S = 60;
/** Creates whose time says how fast this machine writes, before the apply that must outlive a token. */
const WARM_UP = 500;

const PLUGIN = `
import { appendFileSync, readFileSync } from 'node:fs';
import { createSign } from 'node:crypto';
const [keyFile, uid, lifetime, leeway, log, mode] = process.argv.slice(2);
const calls = (() => { try { return readFileSync(log, 'utf8').split('\\n').filter(Boolean).length; } catch { return 0; } })();
const now = Math.floor(Date.now() / 1000);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = {
  iss: ${JSON.stringify(ISSUER)}, aud: [${JSON.stringify(ISSUER)}], sub: 'system:serviceaccount:${SA.namespace}:${SA.name}',
  iat: now - Number(leeway), nbf: now - Number(leeway), exp: now - Number(leeway) + Number(lifetime),
  'kubernetes.io': { namespace: '${SA.namespace}', serviceaccount: { name: '${SA.name}', uid: mode === 'bad-first' && calls === 0 ? '00000000-0000-0000-0000-000000000000' : uid } },
};
const unsigned = b64({ alg: 'RS256', typ: 'JWT' }) + '.' + b64(claims);
const token = unsigned + '.' + createSign('RSA-SHA256').update(unsigned).sign(readFileSync(keyFile), 'base64url');
appendFileSync(log, token + '\\n');
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token, expirationTimestamp: new Date((now + Number(lifetime)) * 1000).toISOString() } }));
`;

describe('credentials that expire: an exec credential plugin (real kube-apiserver)', function () {
  this.timeout(120000);
  let dir: string;
  let uid: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cm-exec-it-'));
    writeFileSync(path.join(dir, 'plugin.mjs'), PLUGIN);
    chmodSync(path.join(dir, 'plugin.mjs'), 0o755);
    const sa = await kube('POST', `/api/v1/namespaces/${SA.namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SA.name } });
    assert.ok(sa.status === 201 || sa.status === 409, JSON.stringify(sa.body));
    uid = (await kube('GET', `/api/v1/namespaces/${SA.namespace}/serviceaccounts/${SA.name}`)).body.metadata.uid;
    const crb = await kube('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: SA.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', namespace: SA.namespace, name: SA.name }],
    });
    assert.ok(crb.status === 201 || crb.status === 409, JSON.stringify(crb.body));
  });
  after(async () => {
    await kube('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${SA.name}`);
    await kube('DELETE', `/api/v1/namespaces/${SA.namespace}/serviceaccounts/${SA.name}`);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(resetDatastores);

  /** A kubeconfig whose user runs the plugin; `log` gets one line (the token) per run. */
  function kubeconfig(log: string, mode = 'good'): string {
    const s = testCluster();
    const file = path.join(dir, `kubeconfig-${path.basename(log)}`);
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'local', cluster: { server: s.apiserver.server, 'certificate-authority': path.join(s.dir, 'certs', 'apiserver.crt') } }],
        users: [
          {
            name: 'exec-user',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: process.execPath,
                args: [path.join(dir, 'plugin.mjs'), path.join(s.dir, 'sa.key'), uid, String(LIFETIME_S), String(LEEWAY_S), log, mode],
              },
            },
          },
        ],
        contexts: [{ name: 'exec', context: { cluster: 'local', user: 'exec-user' } }],
        'current-context': 'exec',
      }),
    );
    return file;
  }

  const tokens = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);

  /** The API server's answer to a GET with `token` alone. */
  function statusWith(token: string): Promise<number> {
    const s = testCluster();
    return new Promise((resolve, reject) => {
      const req = https.get(
        `${s.apiserver.server}/api/v1/namespaces/kube-system`,
        { ca: readFileSync(path.join(s.dir, 'certs', 'apiserver.crt')), headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
    });
  }

  async function connect(file: string): Promise<KubeTarget> {
    return new KubeTarget(await KubeConnection.fromKubeConfig(resolveKubeConfig({ kubeconfig: file }, {})));
  }

  it('an apply that outlives the first token calls the plugin again and completes; the first token is by then refused by the server', async () => {
    // Long enough to outlive the token several times on this machine, however fast it writes: the
    // rate is measured first, by its own connection (its tokens are not counted below).
    const warm = await connect(kubeconfig(path.join(dir, 'warm-up.log')));
    const w0 = Date.now();
    const warmUp = await applyPlan(
      buildPlan(Array.from({ length: WARM_UP }, (_, i) => createChange(cr('GlobalNetworkSet', `warm-${i}`, { nets: [`10.200.${i & 255}.0/24`] })))),
      { target: warm, io: new RecordingIo(), lease: warm },
      { holder: `test@host/${process.pid}/warm`, planPath: path.join(dir, 'w.json'), journalPath: path.join(dir, 'w.jsonl'), reversePath: path.join(dir, 'wr.json') },
    );
    warm.close();
    assert.equal(warmUp.status, 'complete');
    const perSecond = WARM_UP / Math.max(0.001, (Date.now() - w0) / 1000);
    const log = path.join(dir, 'apply.log');
    const target = await connect(kubeconfig(log));
    const count = Math.min(60000, Math.max(4000, Math.ceil(perSecond * LIFETIME_S * 5)));
    try {
      const first = tokens(log)[0]!;
      assert.equal(await statusWith(first), 200, 'the first token is valid when minted');
      const changes = Array.from({ length: count }, (_, i) => createChange(cr('GlobalNetworkSet', `exec-${i}`, { nets: [`10.${(i >> 8) & 255}.${i & 255}.0/24`] })));
      const t0 = Date.now();
      const result = await applyPlan(
        buildPlan(changes),
        { target, io: new RecordingIo(), lease: target },
        { holder: `test@host/${process.pid}/exec`, planPath: path.join(dir, 'p.json'), journalPath: path.join(dir, 'j.jsonl'), reversePath: path.join(dir, 'r.json') },
      );
      const ms = Date.now() - t0;
      assert.equal(result.status, 'complete', JSON.stringify(result.failures).slice(0, 500));
      assert.equal(result.counts.created, count);
      assert.ok(ms > LIFETIME_S * 1000, `the apply took ${ms} ms, less than the first token's life: make it longer`);
      const runs = tokens(log).length;
      assert.ok(runs >= 2, `the plugin ran ${runs} time(s) during a ${ms} ms apply`);
      // The plugin states its deadline in whole seconds from a mint time rounded down, so a token
      // arrives with 1 to 2 s left and is fetched again after 3/4 of that: at most one run per 0.75 s.
      const shortestCycleMs = ((LIFETIME_S - 1) * 1000 * 3) / 4;
      assert.ok(runs <= Math.ceil(ms / shortestCycleMs) + 2, `the plugin ran ${runs} times in ${ms} ms: more than the expiry calls for`);
      // The API server caches a token's successful authentication for 10 s: poll past that.
      let refused = -1;
      for (let i = 0; i < 30 && refused !== 401; i++) {
        refused = await statusWith(first);
        if (refused !== 401) await new Promise((r) => setTimeout(r, 1000));
      }
      assert.equal(refused, 401, 'the first token is expired for the API server too');
      const listed = await kube('GET', '/apis/crd.projectcalico.org/v1/globalnetworksets?limit=1');
      assert.equal(listed.body.metadata.remainingItemCount + 1, WARM_UP + count);
      console.log(`      ${count} creates in ${ms} ms, ${runs} plugin runs, ${target.conn.credentialRefreshes} refreshes`);
    } finally {
      target.close();
    }
  });

  it('a token the server refuses (401) is fetched again once and the request retried; a fresh token is accepted', async () => {
    const log = path.join(dir, 'bad-first.log');
    const target = await connect(kubeconfig(log, 'bad-first'));
    try {
      const [bad] = tokens(log);
      assert.equal(await statusWith(bad!), 401, 'the first token names no existing ServiceAccount uid');
      assert.match(await target.clusterUid(), /^[0-9a-f-]{36}$/);
      assert.equal(tokens(log).length, 2);
      assert.equal(target.conn.credentialRefreshes, 1);
    } finally {
      target.close();
    }
  });
});
