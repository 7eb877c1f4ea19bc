/** lock / unlock / status through the BUILT CLI against the real etcd and kube-apiserver. */
import assert from 'node:assert/strict';
import { CRD_API_VERSION } from '../../src/model/kinds.js';
import { LOCKED_AT, LOCKED_BY } from '../../src/workflow/lock.js';
import { kube, resetDatastores } from './support/cluster.js';
import { seedDataset } from './support/datasets.js';
import { CLUSTER_INFO_KEY, Workdir, cli, etcdGet, finalJson, fullWithClusterInfo, readPlan, targetSnapshot } from './support/e2e.js';

const TARGET_CI = `/apis/${CRD_API_VERSION}/clusterinformations/default`;

describe('lock and unlock (built CLI, real cluster)', function () {
  this.timeout(120_000);
  Workdir.cleanUpAfterSuite();

  it('a ClusterInformation without datastoreReady is unlocked; lock sets an explicit false; locking twice writes nothing', async () => {
    await resetDatastores();
    await seedDataset(fullWithClusterInfo((spec) => delete spec.datastoreReady));
    const w = new Workdir();
    const ciBefore = await etcdGet(CLUSTER_INFO_KEY);
    assert.equal('datastoreReady' in ciBefore!.value.spec, false);

    let r = await cli(w, ['status'], 0);
    assert.match(r.stdout, /^ {2}source \(etcd\): unlocked \(datastoreReady not set; Calico treats that as ready\)$/m);

    r = await cli(w, ['lock', '--auto-approve'], 0);
    assert.match(r.stderr, /^Locked: source \(etcd\): locked by \S+@\S+\/\d+ at /m);
    const locked = await etcdGet(CLUSTER_INFO_KEY);
    assert.equal(locked?.value.spec.datastoreReady, false, 'an explicit false');
    assert.match(locked?.value.metadata.annotations[LOCKED_BY], /^\S+@\S+\/\d+$/);
    assert.ok(locked?.value.metadata.annotations[LOCKED_AT]);
    // Everything else in the ClusterInformation is kept.
    assert.deepEqual({ ...locked?.value.spec, datastoreReady: undefined }, { ...ciBefore!.value.spec, datastoreReady: undefined });
    assert.notEqual(locked?.modRevision, ciBefore?.modRevision);

    r = await cli(w, ['lock', '--auto-approve'], 0);
    assert.match(r.stderr, /^Already locked: source \(etcd\): locked by /m);
    assert.doesNotMatch(r.stderr, /new pods cannot start/);
    const again = await etcdGet(CLUSTER_INFO_KEY);
    assert.equal(again?.modRevision, locked?.modRevision, 'no write: mod_revision unchanged');
    assert.deepEqual(again?.value, locked?.value);
  });

  it('unlock --datastore kubernetes refuses (14) while verify finds differences, unlocks with --force; unlock --datastore etcd refuses while the target is unlocked, and works once it is locked again', async () => {
    await resetDatastores();
    await seedDataset('full');
    const w = new Workdir();
    await cli(w, ['plan', '--out', 'plan.json'], 0);
    await cli(w, ['apply', 'plan.json', '--auto-approve'], 0);
    // Someone deletes a migrated object: the target no longer holds what the source says.
    const del = await kube('DELETE', `/apis/${CRD_API_VERSION}/ippools/loadbalancer-pool`);
    assert.equal(del.status, 200);
    const targetCi = (await kube('GET', TARGET_CI)).body;
    assert.equal(targetCi.spec.datastoreReady, false);

    let r = await cli(w, ['unlock', '--datastore', 'kubernetes', '--auto-approve'], 14);
    assert.match(r.stderr, /^Error: refusing to unlock the target: verify found 1 difference\(s\) between source and target \(first: IPPool loadbalancer-pool missing\)$/m);
    assert.match(r.stderr, /^Next step: run `calico-migrate verify` to see them, plan and apply again; --force unlocks anyway$/m);
    assert.equal((await kube('GET', TARGET_CI)).body.metadata.resourceVersion, targetCi.metadata.resourceVersion, 'the target stays locked, untouched');

    r = await cli(w, ['unlock', '--datastore', 'kubernetes', '--force', '--auto-approve'], 0);
    assert.match(r.stderr, /^Unlocked: target \(Kubernetes\): unlocked$/m);
    assert.equal((await kube('GET', TARGET_CI)).body.spec.datastoreReady, true);

    const source = await etcdGet(CLUSTER_INFO_KEY);
    r = await cli(w, ['unlock', '--datastore', 'etcd'], 14);
    assert.match(r.stderr, /^Error: refusing to unlock the source: the target datastore is unlocked, so Calico may already run from it; two unlocked datastores would both drive the cluster$/m);
    assert.match(r.stderr, /^Next step: lock the target first \(calico-migrate lock --datastore kubernetes\), or pass --force$/m);
    assert.deepEqual(await etcdGet(CLUSTER_INFO_KEY), source, 'the source stays locked, untouched');

    // Following the hint works: with the target locked again, the source may be unlocked.
    r = await cli(w, ['lock', '--datastore', 'kubernetes', '--auto-approve'], 0);
    assert.match(r.stderr, /^Locked: target \(Kubernetes\): locked by \S+@\S+\/\d+ at /m);
    assert.equal((await kube('GET', TARGET_CI)).body.spec.datastoreReady, false);
    r = await cli(w, ['unlock', '--datastore', 'etcd'], 0);
    assert.match(r.stderr, /^Unlocked: source \(etcd\): unlocked$/m);
    assert.equal((await etcdGet(CLUSTER_INFO_KEY))?.value.spec.datastoreReady, true);
  });

  it('past the point of no return the target is guarded: plan fails its target-not-live check (3), apply and the rollback exit 16 writing nothing, status says LIVE; locked again, plan passes', async () => {
    await resetDatastores();
    await seedDataset('full');
    const w = new Workdir();
    await cli(w, ['plan', '--out', 'plan.json'], 0);
    const applied = finalJson((await cli(w, ['apply', 'plan.json', '--auto-approve', '--json'], 0)).stdout);
    await cli(w, ['unlock', '--datastore', 'kubernetes', '--auto-approve'], 0);
    // Calico now runs from the target: an IPAM block gets an allocation the frozen etcd never saw.
    const blocks = (await kube('GET', `/apis/${CRD_API_VERSION}/ipamblocks`)).body.items as any[];
    const block = blocks[0];
    block.spec.allocations = [...block.spec.allocations];
    const free = block.spec.unallocated.shift();
    block.spec.allocations[free] = block.spec.attributes.length;
    block.spec.attributes.push({ handle_id: 'k8s-pod-network.after-unlock', secondary: { namespace: 'default', pod: 'new-pod' } });
    assert.equal((await kube('PUT', `/apis/${CRD_API_VERSION}/ipamblocks/${block.metadata.name}`, block)).status, 200);
    const live = await targetSnapshot();

    const status = finalJson((await cli(w, ['status', '--json'], 0)).stdout);
    assert.equal(status.target_live, true);
    assert.match((await cli(w, ['status'], 0)).stdout, /the target is LIVE .* refuse to write to it without --allow-live-target/);

    let r = await cli(w, ['plan', '--out', 'again.json'], 3);
    const check = readPlan(w.path('again.json')).checks.find((c) => c.id === 'target-not-live');
    assert.equal(check?.status, 'fail');
    assert.match(check.message, /the target datastore is LIVE/);

    // A plan made with the flag (a warning) still needs the flag at apply time.
    r = await cli(w, ['plan', '--out', 'allowed.json', '--allow-live-target'], 0);
    assert.equal(readPlan(w.path('allowed.json')).checks.find((c) => c.id === 'target-not-live')?.status, 'warn');
    r = await cli(w, ['apply', 'allowed.json', '--auto-approve'], 16);
    assert.match(r.stderr, /^Error: the target \S+ is live: its ClusterInformation default is unlocked \(datastoreReady true\), so Calico may run from it; nothing was written$/m);
    assert.match(r.stderr, /lock --datastore kubernetes/);
    // The rollback would delete what Calico now runs on: the same guard.
    r = await cli(w, ['apply', applied.reverse_path, '--auto-approve'], 16);
    assert.deepEqual(await targetSnapshot(), live, 'nothing was written');

    // The documented way back: lock the target, then plan again.
    await cli(w, ['lock', '--datastore', 'kubernetes', '--auto-approve'], 0);
    await cli(w, ['plan', '--out', 'relocked.json'], 0);
    assert.equal(readPlan(w.path('relocked.json')).checks.find((c) => c.id === 'target-not-live')?.status, 'pass');
  });
});
