/**
 * Pre-copy while the source runs, churn as a live cluster makes it, then the cut-over, through the
 * BUILT CLI against the real etcd and API server: only the delta is written, the pre-copy's
 * objects the source dropped are deleted (nothing else), the target equals a cold migration of the
 * final source, and `rollback --all` restores the target as it was before the pre-copy.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { applyChurn, makeChurn } from '../../scripts/bench/churn.js';
import { makeDataset, type Dataset } from '../../scripts/bench/dataset.js';
import { ensureNamespaces, ensureNodes, seedEtcd } from '../../scripts/cluster/seed.js';
import { CLUSTER_INFO_KEY } from '../../src/model/keys.js';
import { kube, resetDatastores, resetTarget, testCluster } from './support/cluster.js';
import { Workdir, cli, etcdGet, finalJson, readPlan, targetSnapshot } from './support/e2e.js';

/** The dataset as a running cluster has it: its ClusterInformation not locked. */
function liveSource(ds: Dataset) {
  return ds.kvs.map((kv) => {
    if (kv.key !== CLUSTER_INFO_KEY) return kv;
    const v = JSON.parse(kv.value);
    v.spec.datastoreReady = true;
    return { key: kv.key, value: JSON.stringify(v) };
  });
}

/** Fresh datastores holding a 900-object production-shaped dataset, the source running; a working directory with its node map. */
async function runningCluster() {
  await resetDatastores();
  const ds = makeDataset(900);
  const s = testCluster();
  await seedEtcd(s.etcd.endpoint, liveSource(ds), { clear: true });
  await ensureNamespaces(s, ds.namespaces);
  await ensureNodes(s, ds.k8sNodes);
  const w = new Workdir();
  writeFileSync(w.path('node-map.json'), JSON.stringify(ds.nodeMap));
  return { ds, s, w };
}

describe('pre-copy, churn and cut-over (built CLI, real cluster)', function () {
  this.timeout(300_000);
  Workdir.cleanUpAfterSuite();

  it('writes only the delta, deletes only what the pre-copy created, equals a cold migration, and rollback --all restores the prior target', async () => {
    const { ds, w } = await runningCluster();
    const before = await targetSnapshot();

    let r = await cli(w, ['plan', '--node-map', 'node-map.json', '--out', 'pre.plan.json'], 0);
    const pre = readPlan(w.path('pre.plan.json'));
    assert.equal(pre.source.locked, false);
    // Without --precopy the running source is refused, as ever.
    await cli(w, ['apply', 'pre.plan.json', '--auto-approve'], 9);
    r = await cli(w, ['apply', 'pre.plan.json', '--precopy', '--auto-approve'], 0);
    assert.match(r.stdout, new RegExp(`^Pre-copied at source revision ${pre.source.revision}; the target stays locked`, 'm'));
    const ci = await kube('GET', '/apis/crd.projectcalico.org/v1/clusterinformations/default');
    assert.equal(ci.body.spec.datastoreReady, false, 'the pre-copy locked the target first');
    assert.equal((await etcdGet(CLUSTER_INFO_KEY))?.value.spec.datastoreReady, true, 'the source still runs');
    r = await cli(w, ['status', '--json'], 0);
    const status = finalJson(r.stdout);
    assert.equal(status.phase, 'pre-copied');
    assert.equal(status.precopy.source_revision, pre.source.revision);
    // The point of no return is refused while the source is live.
    r = await cli(w, ['unlock', '--datastore', 'kubernetes', '--auto-approve'], 9);
    assert.match(r.stderr, /the source datastore is not locked/);

    // The cluster lives on: pods come and go, a node joins and one leaves, policies change.
    const churn = makeChurn(ds.kvs, ds.namespaces, ds.k8sNodes.length, { seed: 7 });
    assert.ok(churn.summary['pod started']! > 0 && churn.summary['pod stopped']! > 0 && churn.summary['node joined'] === 1 && churn.summary['node left'] === 1, JSON.stringify(churn.summary));
    await applyChurn(testCluster(), churn);
    writeFileSync(w.path('node-map.json'), JSON.stringify({ ...ds.nodeMap, ...churn.nodeMap }));

    r = await cli(w, ['cutover', '--node-map', 'node-map.json', '--auto-approve', '--json'], 0);
    const report = finalJson(r.stdout);
    assert.equal(report.stopped, null, JSON.stringify(report));
    assert.equal(report.precopy.plan_id, pre.plan_id);
    assert.equal(report.verify.ok, true);
    assert.ok(report.freeze_seconds > 0 && report.freeze_seconds >= report.phases.plan, JSON.stringify(report));
    assert.equal((await etcdGet(CLUSTER_INFO_KEY))?.value.spec.datastoreReady, false, 'the cut-over locked the source');
    // Nothing changed between the catch-up and the lock: the lock's delta is empty, the source not read again.
    assert.deepEqual(report.delta, { source: 'unchanged', touched: 0 });
    assert.deepEqual([report.delta_plan.create, report.delta_plan.update, report.delta_plan.delete], [0, 0, 0]);
    assert.equal(report.apply, null, 'nothing to write under the lock');
    assert.ok(report.verify.compared > 0 && report.verify.compared === report.catch_up.writes, JSON.stringify(report.verify));

    // The catch-up wrote only the delta since the pre-copy: what the churn touched, and every delete an object the pre-copy created.
    const delta = readPlan(w.path(report.catch_up.path));
    assert.deepEqual(delta.options.precopy?.plan_ids, [pre.plan_id]);
    const written = delta.resource_changes.filter((c) => c.change.action !== 'no-op' && c.change.action !== 'extra' && c.step === null);
    const touched = churn.puts.length + churn.deletes.length;
    assert.ok(written.length > 0 && written.length <= touched + 4, `${written.length} writes for ${touched} changed keys`);
    const deletes = written.filter((c) => c.change.action === 'delete');
    const preCreated = new Set(pre.resource_changes.filter((c) => c.change.action === 'create').map((c) => c.address));
    assert.ok(deletes.length >= churn.deletes.length - 2, `${deletes.length} deletes for ${churn.deletes.length} deleted keys`);
    for (const d of deletes) assert.ok(preCreated.has(d.address), `${d.address} was deleted but the pre-copy did not create it`);
    const counts = report.catch_up.apply.counts;
    assert.equal(counts.created + counts.updated + counts.deleted, written.length);
    const after = await targetSnapshot();

    // One reverse plan for both runs restores the target as it was before the pre-copy.
    r = await cli(w, ['rollback', '--all', '--json'], 0);
    const all = finalJson(r.stdout);
    assert.deepEqual(
      all.runs.map((x: { kind: string }) => x.kind),
      ['precopy', 'precopy'],
    );
    await cli(w, ['apply', all.reverse_path, '--auto-approve'], 0);
    // The Nodes that joined and left are the cluster's doing, not the migration's.
    const churned = new Set([...churn.k8sNodes, ...churn.k8sNodesGone].map((n) => `Node/${n}`));
    const ignoringChurnedNodes = (snap: Record<string, unknown>) => Object.fromEntries(Object.entries(snap).filter(([k]) => !churned.has(k)));
    assert.deepEqual(ignoringChurnedNodes(await targetSnapshot()), ignoringChurnedNodes(before));

    // A cold migration of the final source (still locked) gives the very target the cut-over made.
    await cli(w, ['plan', '--node-map', 'node-map.json', '--out', 'cold.plan.json', '--state-dir', 'cold-state'], 0);
    await cli(w, ['apply', 'cold.plan.json', '--auto-approve', '--state-dir', 'cold-state'], 0);
    assert.deepEqual(await targetSnapshot(), after);
  });

  it('a cut-over killed (SIGKILL) while catching up and under the lock is run again and ends verified, as a cold migration would', async () => {
    const { ds, s, w } = await runningCluster();
    await cli(w, ['plan', '--node-map', 'node-map.json', '--out', 'pre.plan.json'], 0);
    await cli(w, ['apply', 'pre.plan.json', '--precopy', '--auto-approve'], 0);
    const preId = readPlan(w.path('pre.plan.json')).plan_id.replace('sha256:', '').slice(0, 12);
    const churn = makeChurn(ds.kvs, ds.namespaces, ds.k8sNodes.length, { seed: 11 });
    await applyChurn(testCluster(), churn);
    writeFileSync(w.path('node-map.json'), JSON.stringify({ ...ds.nodeMap, ...churn.nodeMap }));

    const state = () => (existsSync(w.path('.calico-migrate')) ? readdirSync(w.path('.calico-migrate')) : []);
    const journals = () => state().filter((f) => f.startsWith('journal-'));
    const results = (f: string) => readFileSync(w.path('.calico-migrate', f), 'utf8').split('"type":"result"').length - 1;
    const cutover = ['cutover', '--node-map', 'node-map.json', '--auto-approve', '--json'];
    const kills: Array<[string, () => boolean, boolean]> = [
      // The catch-up apply has had some answers (the pre-copy's journal is the first one): the source still runs.
      ['catching up', () => journals().some((f) => !f.includes(preId) && results(f) >= 3), false],
      // The delta plan under the lock is being written, or verify runs after it.
      ['under the lock', () => state().some((f) => f.includes('delta-')), true],
    ];
    for (const [where, when, locked] of kills) {
      const r = await cli(w, cutover, 137, { killWhen: when });
      assert.equal(r.code, 137, `killed while ${where}`);
      assert.equal((await etcdGet(CLUSTER_INFO_KEY))?.value.spec.datastoreReady, !locked, `the source is ${locked ? 'still locked' : 'still running'} after a kill while ${where}`);
      // A dead apply's lease is released by hand, as an operator would after reading `status`.
      await cli(w, ['unlock', '--lease', '--force'], 0);
    }
    // The source is locked now: the cut-over plans the delta under the lock from a full read.
    const r = await cli(w, cutover, 0);
    const report = finalJson(r.stdout);
    assert.equal(report.verify.ok, true, JSON.stringify(report));
    const after = await targetSnapshot();

    await resetTarget();
    await ensureNodes(s, [...ds.k8sNodes.filter((n) => !churn.k8sNodesGone.includes(n)), ...churn.k8sNodes]);
    await cli(w, ['plan', '--node-map', 'node-map.json', '--out', 'cold.plan.json', '--state-dir', 'cold-state'], 0);
    await cli(w, ['apply', 'cold.plan.json', '--auto-approve', '--state-dir', 'cold-state'], 0);
    assert.deepEqual(await targetSnapshot(), after);
  });
});
