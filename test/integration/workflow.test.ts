/**
 * The whole migration workflow through the BUILT CLI against the real etcd and kube-apiserver:
 * lock → plan → show → apply → verify → status → roll back (exact restore) → plan → apply → unlock.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CRD_API_VERSION } from '../../src/model/kinds.js';
import { LOCKED_BY } from '../../src/workflow/lock.js';
import { kube, resetDatastores } from './support/cluster.js';
import { seedDataset } from './support/datasets.js';
import {
  ANNOTATED_NODE,
  CLUSTER_INFO_KEY,
  LEASE_PATH,
  PRIOR_NODE_ANNOTATIONS,
  Workdir,
  calicoObjects,
  cli,
  escapeRe,
  etcdGet,
  finalJson,
  fullWithClusterInfo,
  preSeedTarget,
  readPlan,
  shortId,
  targetSnapshot,
  writes,
} from './support/e2e.js';

describe('workflow: lock, plan, show, apply, verify, status, rollback, re-apply, unlock (built CLI)', function () {
  this.timeout(240_000);
  Workdir.cleanUpAfterSuite();

  it('migrates the full dataset, rolls back to exactly the prior target, migrates again and unlocks the target', async () => {
    await resetDatastores();
    await preSeedTarget();
    // A running etcd-mode cluster: its ClusterInformation says datastoreReady=true.
    await seedDataset(fullWithClusterInfo((spec) => (spec.datastoreReady = true)));
    const w = new Workdir();

    // ---- lock the source (the migration freeze)
    let r = await cli(w, ['lock', '--auto-approve'], 0);
    assert.match(r.stderr, /^Locked: source \(etcd\): locked by \S+@\S+\/\d+ at \d{4}-\d\d-\d\dT/m);
    assert.match(r.stderr, /new pods cannot start/);
    const ci = await etcdGet(CLUSTER_INFO_KEY);
    assert.equal(ci?.value.spec.datastoreReady, false);
    assert.match(ci?.value.metadata.annotations[LOCKED_BY], /^\S+@\S+\/\d+$/);

    // ---- plan, show
    r = await cli(w, ['plan', '--out', 'plan.json'], 0);
    const plan = readPlan(w.path('plan.json'));
    assert.equal(plan.source.locked, true);
    assert.ok(
      plan.checks.every((c) => c.status === 'pass'),
      JSON.stringify(plan.checks.filter((c) => c.status !== 'pass')),
    );
    assert.match(r.stderr, new RegExp(`To apply exactly this plan: calico-migrate apply plan\\.json --expect-plan-id ${plan.plan_id}`));
    const policyChange = plan.resource_changes.find((c) => c.address === `${CRD_API_VERSION}/NetworkPolicy/prod/allow-web`);
    assert.equal(policyChange?.change.action, 'update');
    const nodeChange = plan.resource_changes.find((c) => c.address === `v1/Node/${ANNOTATED_NODE}`);
    assert.equal(nodeChange?.change.action, 'update');
    assert.deepEqual(nodeChange?.change.before?.metadata.annotations, { 'projectcalico.org/ASNumber': '65000' }, 'the plan compares Calico annotations only');
    const nWrites = writes(plan).length;
    assert.equal(nWrites, plan.summary.create + plan.summary.update);

    r = await cli(w, ['show', 'plan.json'], 0);
    assert.match(r.stdout, new RegExp(`^Plan ${plan.plan_id}$`, 'm'));
    assert.match(r.stdout, new RegExp(`Plan: ${plan.summary.create} to create, ${plan.summary.update} to update, 0 to delete`));
    assert.match(r.stdout, /~ update NetworkPolicy prod\/allow-web/);
    assert.match(r.stdout, new RegExp(`~ update Node ${escapeRe(ANNOTATED_NODE)}`));

    const before = await targetSnapshot();
    assert.deepEqual((before[`Node/${ANNOTATED_NODE}`] as any).annotations, PRIOR_NODE_ANNOTATIONS);

    // ---- apply exactly the approved plan
    r = await cli(w, ['apply', 'plan.json', '--expect-plan-id', plan.plan_id, '--auto-approve'], 0);
    assert.match(r.stdout, new RegExp(`^Apply complete: ${plan.summary.create} created, ${plan.summary.update} updated, 0 deleted in `, 'm'));
    const reversePath = `.calico-migrate/reverse-${shortId(plan.plan_id)}.json`;
    assert.ok(r.stdout.includes(`Reverse plan: ${reversePath}  (roll back with: calico-migrate apply ${reversePath})`), r.stdout);
    assert.match(r.stdout, /The source stays locked .* Next: .*calico-migrate verify.*calico-migrate unlock --datastore kubernetes/);
    assert.ok(existsSync(w.path(reversePath)));
    assert.equal((await kube('GET', LEASE_PATH)).status, 404, 'the apply lease is released');
    const applied = await targetSnapshot();
    assert.deepEqual((applied[`Node/${ANNOTATED_NODE}`] as any).annotations['example.com/unrelated'], 'keep-me');
    assert.equal((applied[`Node/${ANNOTATED_NODE}`] as any).annotations['projectcalico.org/ASNumber'], '64512');
    assert.equal((applied['NetworkPolicy/prod/allow-web'] as any).spec.order, 100);

    r = await cli(w, ['status', '--json'], 0);
    assert.equal(finalJson(r.stdout).phase, 'applied');

    // ---- verify passes, status says verified
    r = await cli(w, ['verify'], 0);
    assert.match(r.stdout, new RegExp(`^Verified: the target holds exactly the \\d+ object\\(s\\) the source converts to\\.`, 'm'));
    r = await cli(w, ['status'], 0);
    assert.match(r.stdout, /^Phase: verified$/m);
    assert.match(r.stdout, /source \(etcd\): locked by /);
    assert.match(r.stdout, /target \(Kubernetes\): locked/);
    assert.match(r.stdout, /apply lease: free/);
    assert.match(r.stdout, new RegExp(`last apply: migrate plan ${plan.plan_id} complete at `));

    // ---- roll back with the reverse plan apply wrote
    const reverse = readPlan(w.path(reversePath));
    assert.equal(reverse.mode, 'reverse');
    assert.equal(reverse.reverses, plan.plan_id);
    r = await cli(w, ['apply', reversePath, '--auto-approve'], 0);
    assert.match(r.stdout, new RegExp(`^Apply complete: 0 created, ${plan.summary.update} updated, ${plan.summary.create} deleted in `, 'm'));

    // verify now fails, listing what is missing and what differs
    r = await cli(w, ['verify'], 14);
    assert.match(r.stdout, /^Verify found \d+ difference\(s\):/m);
    assert.match(r.stdout, /^ {2}missing {3}Tier security$/m);
    assert.match(r.stdout, /^ {2}missing {3}IPPool default-ipv4-ippool$/m);
    assert.match(r.stdout, /^ {2}different NetworkPolicy prod\/allow-web: .*metadata\.labels\.team/m);
    assert.match(r.stdout, new RegExp(`^  different Node ${escapeRe(ANNOTATED_NODE)}`, 'm'));

    // the target is EXACTLY as it was before the first apply, Node annotations included
    const restored = await targetSnapshot();
    assert.deepEqual(restored, before);

    assert.equal((await etcdGet(CLUSTER_INFO_KEY))?.value.spec.datastoreReady, false, 'the source stays locked after a rollback');
    assert.equal((await kube('GET', `/apis/${CRD_API_VERSION}/clusterinformations/default`)).status, 404, 'the rollback removed the ClusterInformation the apply created');

    // ---- plan and apply again, then unlock the target (the point of no return)
    r = await cli(w, ['plan', '--out', 'plan2.json'], 0);
    const plan2 = readPlan(w.path('plan2.json'));
    assert.equal(plan2.summary.create, plan.summary.create);
    assert.equal(plan2.summary.update, plan.summary.update);
    r = await cli(w, ['apply', 'plan2.json', '--auto-approve'], 0);
    assert.match(r.stdout, /^Apply complete: /m);
    assert.deepEqual(calicoObjects(await targetSnapshot()), calicoObjects(applied));

    r = await cli(w, ['unlock', '--datastore', 'kubernetes', '--auto-approve'], 0);
    assert.match(r.stderr, /Verifying the target against the source/);
    assert.match(r.stderr, /^Unlocked: target \(Kubernetes\): unlocked$/m);
    const targetCi = await kube('GET', `/apis/${CRD_API_VERSION}/clusterinformations/default`);
    assert.equal(targetCi.body.spec.datastoreReady, true);
    assert.equal(targetCi.body.spec.clusterGUID, ci?.value.spec.clusterGUID);

    r = await cli(w, ['status', '--json'], 0);
    const done = finalJson(r.stdout);
    assert.equal(done.phase, 'unlocked');
    assert.equal(done.target.locked, false);
    assert.equal(done.source.locked, true);
  });
});
