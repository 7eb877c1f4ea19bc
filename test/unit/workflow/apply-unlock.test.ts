/**
 * The apply guards and the unlock policy, over the in-memory ports (fakes.ts says what they do
 * not claim). The same workflows run against a real etcd and API server in test/integration.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MigrateError, type ExitName } from '../../../src/errors.js';
import { CLUSTER_INFO_KEY } from '../../../src/model/keys.js';
import { runApply, type ApplyCommandOptions } from '../../../src/workflow/apply.js';
import { makePlan, type PlanOptions } from '../../../src/workflow/plan.js';
import { releaseApplyLease, unlockDatastore } from '../../../src/workflow/unlock.js';
import { FakeTarget, fakeContext } from './fakes.js';
import { smallSource, smallTarget } from './small-cluster.js';

const PLAN_OPTS: PlanOptions = { conversion: { skipUnknown: false }, include: [], exclude: [], prune: false, serverDryRun: true, parallelism: 4, stateDir: path.join(tmpdir(), 'cm-no-state-dir') };

const refusedWith = (name: ExitName, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof MigrateError, String(e));
  assert.equal(e.exitName, name, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

describe('apply and unlock workflows (over in-memory ports)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cm-apply-wf-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function planned(opts: { locked?: boolean } = {}) {
    const source = smallSource({ locked: opts.locked ?? true });
    const target = smallTarget();
    const { plan, text } = await makePlan(PLAN_OPTS, fakeContext(source, target));
    const planPath = path.join(dir, 'plan.json');
    writeFileSync(planPath, text);
    const applyOpts: ApplyCommandOptions = { planPath, stateDir: path.join(dir, 'state'), lock: false, autoApprove: true, parallelism: 4 };
    return { source, target, plan, planPath, applyOpts };
  }

  describe('runApply guards (each refuses before any write)', () => {
    it('applies a fresh plan, opening each datastore once, and records the apply', async () => {
      const { source, target, plan, applyOpts } = await planned();
      const ctx = fakeContext(source, target);
      const out = await runApply(applyOpts, ctx);
      assert.equal(out.result.status, 'complete');
      assert.equal(out.result.counts.done, plan.summary.create + plan.summary.update);
      assert.deepEqual(ctx.opened, { source: 1, target: 1 });
      assert.ok(existsSync(path.join(applyOpts.stateDir, 'last-apply.json')));
      assert.equal(target.lease, null, 'the apply lease is released');
    });

    it('refuses a plan that is not the approved one (PLAN_INVALID)', async () => {
      const { source, target, applyOpts } = await planned();
      await assert.rejects(runApply({ ...applyOpts, expectPlanId: 'sha256:0000' }, fakeContext(source, target)), refusedWith('PLAN_INVALID', /not the approved sha256:0000/));
      assert.deepEqual(target.writes(), []);
    });

    it('refuses an unlocked source (NOT_LOCKED) unless --lock, which locks it by compare-and-swap and applies', async () => {
      const { source, target, applyOpts } = await planned({ locked: false });
      await assert.rejects(runApply(applyOpts, fakeContext(source, target)), refusedWith('NOT_LOCKED'));
      assert.deepEqual(target.writes(), []);
      const ci = await source.get(CLUSTER_INFO_KEY);
      assert.equal(JSON.parse(ci?.value ?? '{}').spec.datastoreReady, true, 'refused: the source is not locked either');

      const out = await runApply({ ...applyOpts, lock: true }, fakeContext(source, target));
      assert.equal(out.result.status, 'complete');
      assert.equal(JSON.parse((await source.get(CLUSTER_INFO_KEY))?.value ?? '{}').spec.datastoreReady, false);
    });

    it('refuses when the source changed since the plan (STALE), naming the key', async () => {
      const { source, target, applyOpts } = await planned();
      source.put('/calico/resources/v3/projectcalico.org/tiers/late', { kind: 'Tier', apiVersion: 'projectcalico.org/v3', metadata: { name: 'late' }, spec: { order: 5 } });
      await assert.rejects(runApply(applyOpts, fakeContext(source, target)), refusedWith('STALE', /tiers\/late \(added\)/));
      assert.deepEqual(target.writes(), []);
    });

    it('refuses another target cluster (WRONG_CLUSTER)', async () => {
      const { source, target, applyOpts } = await planned();
      target.clusterUid = async () => 'another-cluster';
      await assert.rejects(runApply(applyOpts, fakeContext(source, target)), refusedWith('WRONG_CLUSTER', /cluster uid another-cluster/));
      assert.deepEqual(target.writes(), []);
    });

    it('refuses when a target object appeared since the plan (STALE)', async () => {
      const { source, target, applyOpts } = await planned();
      target.seed({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'pool-a' }, spec: { cidr: '10.99.0.0/16' } });
      await assert.rejects(runApply(applyOpts, fakeContext(source, target)), refusedWith('STALE', /IPPool pool-a now exists/));
      assert.deepEqual(target.writes(), []);
    });

    it('refuses a plan with a failed check (CHECK_FAILED)', async () => {
      const { source, target, plan, applyOpts } = await planned();
      target.denied.add('create crd.projectcalico.org/ippools');
      const denied = await makePlan(PLAN_OPTS, fakeContext(source, target));
      assert.equal(denied.plan.checks.find((c) => c.id === 'rbac')?.status, 'fail');
      writeFileSync(applyOpts.planPath, denied.text);
      await assert.rejects(runApply(applyOpts, fakeContext(source, target)), refusedWith('CHECK_FAILED', /rbac/));
      assert.notEqual(denied.plan.plan_id, plan.plan_id);
      assert.deepEqual(target.writes(), []);
    });

    it('without a terminal and without --auto-approve: ABORTED, nothing opened', async () => {
      const { source, target, applyOpts } = await planned();
      const ctx = fakeContext(source, target);
      await assert.rejects(runApply({ ...applyOpts, autoApprove: false }, ctx), refusedWith('ABORTED'));
      assert.deepEqual(ctx.opened, { source: 0, target: 0 });
    });

    it('a held apply lease stops apply (LEASE_HELD) before any object write', async () => {
      const { source, target, applyOpts } = await planned();
      await target.createLease({
        holderIdentity: 'other@host/9/sha256:x',
        leaseDurationSeconds: 30,
        acquireTime: '2026-02-03T04:05:00.000000Z',
        renewTime: '2026-02-03T04:05:00.000000Z',
        leaseTransitions: 0,
      });
      await assert.rejects(runApply(applyOpts, fakeContext(source, target)), refusedWith('LEASE_HELD', /held by other@host\/9/));
      assert.deepEqual(target.writes(), []);
    });
  });

  describe('unlock policy', () => {
    const unlockOpts = (stateDir: string, datastore: 'etcd' | 'kubernetes', force = false) => ({ datastore, force, conversion: { skipUnknown: false }, parallelism: 4, stateDir, autoApprove: true });

    it('kubernetes: refused while verify finds differences; unlocks once the target holds the source, and records it', async () => {
      const { source, target, applyOpts } = await planned();
      const stateDir = applyOpts.stateDir;
      await assert.rejects(unlockDatastore(unlockOpts(stateDir, 'kubernetes'), fakeContext(source, target)), refusedWith('VERIFY_FAILED', /verify found \d+ difference/));
      assert.deepEqual(target.writes(), []);

      await runApply(applyOpts, fakeContext(source, target));
      const r = await unlockDatastore(unlockOpts(stateDir, 'kubernetes'), fakeContext(source, target));
      assert.deepEqual({ changed: r.changed, locked: r.locked }, { changed: true, locked: false });
      assert.ok(existsSync(path.join(stateDir, 'verified.json')), 'verify recorded its result');
      assert.ok(existsSync(path.join(stateDir, 'unlocked.json')));
    });

    it('etcd: refused while the target is unlocked, unless forced', async () => {
      const { source, applyOpts } = await planned();
      const target = new FakeTarget();
      target.seed({ apiVersion: 'crd.projectcalico.org/v1', kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { datastoreReady: true } });
      await assert.rejects(unlockDatastore(unlockOpts(applyOpts.stateDir, 'etcd'), fakeContext(source, target)), refusedWith('VERIFY_FAILED', /target datastore is unlocked/));
      assert.equal(JSON.parse((await source.get(CLUSTER_INFO_KEY))?.value ?? '{}').spec.datastoreReady, false, 'still locked');

      const r = await unlockDatastore(unlockOpts(applyOpts.stateDir, 'etcd', true), fakeContext(source, target));
      assert.equal(r.locked, false);
    });

    it('--lease: only the matching holder, or force', async () => {
      const target = new FakeTarget();
      await target.createLease({ holderIdentity: 'a@h/1/p', leaseDurationSeconds: 30, acquireTime: null, renewTime: null, leaseTransitions: 0 });
      const ctx = fakeContext(smallSource(), target);
      await assert.rejects(releaseApplyLease({ holder: 'b@h/2/p', force: false }, ctx), refusedWith('LEASE_HELD', /held by a@h\/1\/p, not b@h\/2\/p/));
      assert.ok(target.lease);
      const r = await releaseApplyLease({ holder: 'a@h/1/p', force: false }, ctx);
      assert.equal(r.released, true);
      assert.equal(target.lease, null);
    });
  });
});
