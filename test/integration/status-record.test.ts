/**
 * `status` from any machine, against the real kube-apiserver: the run record apply and verify
 * write into the target (ConfigMap kube-system/calico-migrate-status) is what a second, empty
 * working directory reads. Through the BUILT CLI with the least-privilege identity, plus the
 * adapter's guarded writes under a real conflict, and an identity without the record's Role.
 */
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConnection } from '../../src/adapters/kube/connection.js';
import { KubeTarget } from '../../src/adapters/kube/target.js';
import { parseStatusRecord, upsertRun, type ClusterRun } from '../../src/model/status-record.js';
import { writeRun } from '../../src/workflow/cluster-record.js';
import { kube, resetDatastores, testCluster } from './support/cluster.js';
import { seedDataset } from './support/datasets.js';
import { Workdir, cli, finalJson, fullWithClusterInfo, preSeedTarget, readPlan } from './support/e2e.js';

const RECORD_PATH = '/api/v1/namespaces/kube-system/configmaps/calico-migrate-status';
const BINDING_PATH = '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings/calico-migrate-status-binding';
const FROM_RECORD = "from the target's run record kube-system/calico-migrate-status";

async function recordRuns(): Promise<ClusterRun[]> {
  const r = await kube('GET', RECORD_PATH);
  assert.equal(r.status, 200, `reading the record: HTTP ${r.status}`);
  return parseStatusRecord(r.body.data['runs.json'])?.runs ?? [];
}

const run = (id: string, startedAt: string): ClusterRun => ({
  id,
  command: 'verify',
  plan_id: null,
  by: `${id}@host/1`,
  started_at: startedAt,
  updated_at: startedAt,
  finished_at: startedAt,
  outcome: 'complete',
  done: null,
  total: null,
  plan_path: null,
  journal: null,
  reverse_path: null,
  source_revision: null,
  verify: { ok: true, compared: 1, differences: 0 },
  message: null,
});

describe('status from another working directory reads the run record in the target (built CLI, real API server)', function () {
  this.timeout(240_000);
  Workdir.cleanUpAfterSuite();
  beforeEach(async () => {
    await resetDatastores();
    await preSeedTarget();
    await seedDataset(fullWithClusterInfo((spec) => (spec.datastoreReady = false)));
  });

  it('apply in one directory, status (text and --json) from an empty one says migrated, by which plan, when, and the verify result', async () => {
    const a = new Workdir();
    const b = new Workdir();
    await cli(a, ['plan', '--out', 'plan.json'], 0, { identity: 'limited' });
    const plan = readPlan(a.path('plan.json'));
    const applied = await cli(a, ['apply', 'plan.json', '--auto-approve'], 0, { identity: 'limited' });
    assert.doesNotMatch(applied.stderr, /could not write the run record/);

    const [rec] = await recordRuns();
    assert.equal(rec?.command, 'apply');
    assert.equal(rec?.plan_id, plan.plan_id);
    assert.equal(rec?.outcome, 'complete');
    assert.equal(rec?.done, rec?.total);
    assert.equal(rec?.journal, a.path('.calico-migrate', `journal-${plan.plan_id.slice(7, 19)}.jsonl`));

    let r = await cli(b, ['status'], 0, { identity: 'limited' });
    assert.match(r.stdout, /^Phase: applied$/m);
    assert.ok(r.stdout.includes(`last apply: migrate plan ${plan.plan_id} complete at `), r.stdout);
    assert.match(r.stdout, new RegExp(`last apply: .* by \\S+@\\S+/\\d+; reverse plan \\S+ \\(${FROM_RECORD}\\)`));
    assert.match(r.stdout, /runs recorded in the target \(kube-system\/calico-migrate-status\), newest first:\n {4}apply of plan sha256:\w+: complete, (\d+)\/\1 write\(s\)/);
    assert.doesNotMatch(r.stdout, /not started/);

    await cli(a, ['verify'], 0, { identity: 'limited' });
    r = await cli(b, ['status', '--json'], 0, { identity: 'limited' });
    const st = finalJson(r.stdout);
    assert.equal(st.phase, 'verified');
    assert.equal(st.last_apply.plan_id, plan.plan_id);
    assert.equal(st.from.last_apply, 'cluster');
    assert.equal(st.verified.ok, true);
    assert.equal(st.from.verified, 'cluster');
    assert.equal(st.cluster_record.state, 'read');
    assert.deepEqual(
      st.cluster_record.runs.map((x: ClusterRun) => x.command),
      ['verify', 'apply'],
    );
    assert.deepEqual(st.disagreements, []);
    r = await cli(b, ['status'], 0, { identity: 'limited' });
    assert.match(r.stdout, /^Phase: verified$/m);
    assert.match(r.stdout, new RegExp(`last verify: passed at \\S+ by \\S+ \\(${FROM_RECORD}\\)`));

    // Where the apply ran, both witnesses agree and the state directory's facts are shown.
    r = await cli(a, ['status', '--json'], 0, { identity: 'limited' });
    assert.equal(finalJson(r.stdout).from.last_apply, 'local');
    assert.deepEqual(finalJson(r.stdout).disagreements, []);
  });

  it('an identity without the record Role still applies, warning once; status says the record lacks that run', async () => {
    const binding = await kube('GET', BINDING_PATH);
    assert.equal(binding.status, 200, 'the local cluster binds the record Role to the least-privilege identity');
    assert.equal((await kube('DELETE', BINDING_PATH)).status, 200);
    try {
      const w = new Workdir();
      // RBAC changes reach the authorizer's cache within a moment; wait until the identity is refused.
      const lacksRecord = () => /permission\(s\) for the run record/.test(JSON.stringify(readPlan(w.path('plan.json')).checks));
      await cli(w, ['plan', '--out', 'plan.json'], 0, { identity: 'limited' });
      for (let i = 0; i < 20 && !lacksRecord(); i++) {
        await new Promise((res) => setTimeout(res, 250));
        await cli(w, ['plan', '--out', 'plan.json'], 0, { identity: 'limited' });
      }
      const rbac = readPlan(w.path('plan.json')).checks.find((c) => c.id === 'rbac');
      assert.equal(rbac?.status, 'warn', JSON.stringify(rbac));
      assert.match(rbac?.message ?? '', /may do everything apply and rollback need, but lacks 3 permission\(s\) for the run record kube-system\/calico-migrate-status/);

      const applied = await cli(w, ['apply', 'plan.json', '--auto-approve'], 0, { identity: 'limited' });
      assert.match(applied.stdout, /^Apply complete: /m);
      const warnings = applied.stderr.split('\n').filter((l) => l.includes('could not write the run record'));
      assert.equal(warnings.length, 1, applied.stderr);
      assert.match(warnings[0] ?? '', /kube-system\/calico-migrate-status \(permission denied .*\); the apply goes on, but `calico-migrate status` on another machine may not show this run/);
      assert.equal((await kube('GET', RECORD_PATH)).status, 404, 'nothing was recorded');

      const r = await cli(w, ['status', '--json'], 0);
      const st = finalJson(r.stdout);
      assert.equal(st.phase, 'applied');
      assert.equal(st.from.last_apply, 'local');
      assert.ok(
        st.disagreements.some((d: string) => /could not be written to kube-system\/calico-migrate-status; the target's record may be stale/.test(d)),
        JSON.stringify(st.disagreements),
      );
    } finally {
      const { metadata, ...rest } = binding.body;
      const restored = await kube('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings', { ...rest, metadata: { name: metadata.name, namespace: metadata.namespace } });
      assert.equal(restored.status, 201);
    }
  });
});

describe('the run record adapter under a concurrent writer (real API server)', function () {
  this.timeout(60_000);
  let limited: KubeTarget;
  before(async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(testCluster().limitedKubeconfig);
    limited = new KubeTarget(await KubeConnection.fromKubeConfig(kc));
  });
  after(() => limited.close());
  beforeEach(resetDatastores);

  it('a replace that loses the race to another writer gets a real 409, reads again and keeps both runs', async () => {
    await writeRun(limited, run('first', '2030-01-01T00:00:00.000Z'));
    let conflicts = 0;
    let interleaved = false;
    // The port as the tool sees it, with another writer replacing the record between our read and our write.
    const racing = {
      readStatusRecord: () => limited.readStatusRecord(),
      createStatusRecord: (text: string) => limited.createStatusRecord(text),
      replaceStatusRecord: async (text: string, resourceVersion: string) => {
        if (!interleaved) {
          interleaved = true;
          const cur = await kube('GET', RECORD_PATH);
          const other = upsertRun(parseStatusRecord(cur.body.data['runs.json']), run('other', '2030-01-01T00:01:00.000Z'));
          const put = await kube('PUT', RECORD_PATH, { ...cur.body, data: { 'runs.json': JSON.stringify(other) } });
          assert.equal(put.status, 200);
        }
        const w = await limited.replaceStatusRecord(text, resourceVersion);
        if (!w.ok) conflicts++;
        return w;
      },
    };
    await writeRun(racing, run('mine', '2030-01-01T00:02:00.000Z'));
    assert.equal(conflicts, 1, 'the API server refused the stale resourceVersion once');
    assert.deepEqual(
      (await recordRuns()).map((r) => r.id),
      ['first', 'other', 'mine'],
    );
  });

  it('five writers at once: every run is recorded', async () => {
    await Promise.all([0, 1, 2, 3, 4].map((i) => writeRun(limited, run(`w${i}`, `2030-01-01T00:0${i}:00.000Z`))));
    assert.deepEqual(
      (await recordRuns()).map((r) => r.id),
      ['w0', 'w1', 'w2', 'w3', 'w4'],
    );
  });
});
