/**
 * Pre-copy, random churn, cut-over, over the in-memory ports (fakes.ts says what they do not
 * claim): whatever the churn, the target ends as a cold migration of the final source would
 * leave it, only the delta is written, and `rollback --all` gives back the target as it was.
 * The same flow runs against a real etcd and API server in test/integration/precopy-cutover.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { makeChurn } from '../../../scripts/bench/churn.js';
import { makeDataset } from '../../../scripts/bench/dataset.js';
import { CLUSTER_INFO_KEY } from '../../../src/model/keys.js';
import type { KubeObject } from '../../../src/model/types.js';
import { runApply } from '../../../src/workflow/apply.js';
import { runCutover } from '../../../src/workflow/cutover.js';
import { makePlan, type PlanOptions } from '../../../src/workflow/plan.js';
import { openPlanOutput, savePlan } from '../../../src/workflow/plan-output.js';
import { writeCompositeRollback } from '../../../src/workflow/rollback.js';
import { FakeSource, FakeTarget, fakeContext } from './fakes.js';
import { smallSource, smallTarget } from './small-cluster.js';
import { MigrateError } from '../../../src/errors.js';
import { migrationStatus } from '../../../src/workflow/status.js';
import { setEtcdLock } from '../../../src/workflow/lock.js';
import { unlockDatastore } from '../../../src/workflow/unlock.js';

const R = '/calico/resources/v3/projectcalico.org';
/** A small production-shaped dataset, with a few more policies and network sets for the churn to edit and delete. */
const ds = (() => {
  const d = makeDataset(260);
  const ns = d.namespaces[0]!;
  for (let i = 0; i < 20; i++) {
    const meta = { namespace: ns, creationTimestamp: '2025-06-01T00:00:00Z' };
    d.kvs.push({
      key: `${R}/networkpolicies/${ns}/extra-${i}`,
      value: JSON.stringify({ kind: 'NetworkPolicy', apiVersion: 'projectcalico.org/v3', metadata: { name: `extra-${i}`, ...meta }, spec: { order: i, selector: 'all()', types: ['Ingress'] } }),
    });
    d.kvs.push({
      key: `${R}/networksets/${ns}/extra-${i}`,
      value: JSON.stringify({ kind: 'NetworkSet', apiVersion: 'projectcalico.org/v3', metadata: { name: `extra-${i}`, ...meta }, spec: { nets: [`192.0.2.${i}/32`] } }),
    });
  }
  return d;
})();

function source(): FakeSource {
  return new FakeSource(
    ds.kvs.map((kv) => {
      if (kv.key !== CLUSTER_INFO_KEY) return kv;
      const v = JSON.parse(kv.value);
      v.spec.datastoreReady = true;
      return { key: kv.key, value: v };
    }),
  );
}

function target(nodes: readonly string[]): FakeTarget {
  const t = new FakeTarget();
  for (const n of nodes) t.seedNode(n);
  for (const ns of ds.namespaces) t.namespaces.add(ns);
  return t;
}

/** Every object, without what the server assigns (uid, resourceVersion, timestamps). */
function contents(t: FakeTarget): Record<string, KubeObject> {
  const out: Record<string, KubeObject> = {};
  for (const [k, o] of [...t.objects].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const { uid: _u, resourceVersion: _r, creationTimestamp: _c, ...metadata } = o.metadata;
    out[k] = { ...o, metadata };
  }
  return out;
}

async function planTo(file: string, opts: PlanOptions, ctx: ReturnType<typeof fakeContext>): Promise<void> {
  const out = openPlanOutput(file);
  try {
    const made = await makePlan(opts, ctx, (l) => out.write(l));
    savePlan({ plan: made.plan, output: out, stateDir: opts.stateDir }, ctx);
  } finally {
    out.abort();
  }
}

describe('pre-copy and cut-over under random churn (over in-memory ports)', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cm-cutover-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends where a cold migration of the final source ends, writes only the delta, and rollback --all restores the prior target', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          pods: fc.constantFrom(0, 0.02, 0.1),
          joins: fc.integer({ min: 0, max: 1 }),
          leaves: fc.integer({ min: 0, max: 1 }),
          policyEdits: fc.integer({ min: 0, max: 3 }),
          setDeletes: fc.integer({ min: 0, max: 3 }),
          tier: fc.boolean(),
          // Writes between the catch-up and the lock: the delta under the lock reads the source again.
          late: fc.boolean(),
        }),
        async ({ late, ...churnOpts }) => {
          const stateDir = path.join(dir, `state-${++run}`);
          const src = source();
          const tgt = target(ds.k8sNodes);
          const ctx = fakeContext(src, tgt);
          const opts: PlanOptions = { conversion: { skipUnknown: false, nodeMap: ds.nodeMap }, include: [], exclude: [], prune: false, serverDryRun: true, parallelism: 4, stateDir };
          const prior = contents(tgt);

          const prePlan = path.join(dir, `pre-${run}.plan.json`);
          await planTo(prePlan, opts, ctx);
          const pre = await runApply({ planPath: prePlan, stateDir, lock: false, autoApprove: true, parallelism: 4, precopy: true }, ctx);
          assert.equal(pre.result.status, 'complete');

          const churn = makeChurn(ds.kvs, ds.namespaces, ds.k8sNodes.length, churnOpts);
          for (const kv of churn.puts) src.put(kv.key, kv.value);
          for (const key of churn.deletes) src.remove(key);
          for (const n of churn.k8sNodes) tgt.seedNode(n);
          for (const n of churn.k8sNodesGone) tgt.objects.delete(`v1/Node/${n}`);
          const nodeMap = { ...ds.nodeMap, ...churn.nodeMap };
          const writesBefore = tgt.writes().length;
          const ns = ds.namespaces[0]!;
          if (late) {
            src.beforeNextSwap = () => {
              const key = `${R}/networkpolicies/${ns}/extra-19`;
              const v = JSON.parse(String(ds.kvs.find((kv) => kv.key === key)?.value));
              v.spec.order = 999;
              src.put(key, v);
              src.remove(`${R}/networksets/${ns}/extra-18`);
            };
          }

          const report = await runCutover({ conversion: { skipUnknown: false, nodeMap }, stateDir, failOn: [], autoApprove: true, planParallelism: 4, applyParallelism: 4 }, ctx);
          assert.equal(report.stopped, null, JSON.stringify(report.reasons));
          assert.equal(report.verify?.ok, true);
          assert.equal(report.delta?.source, late ? 'read again' : 'unchanged');
          const d = report.delta_plan;
          if (late) assert.ok(d && d.create + d.update + d.delete >= 1, 'the late edit and delete are written under the lock');
          const deltaWrites = tgt.writes().length - writesBefore;
          assert.ok(deltaWrites <= churn.puts.length + churn.deletes.length + 6, `${deltaWrites} writes for ${churn.puts.length + churn.deletes.length} changed keys`);
          const cutOver = contents(tgt);

          // A cold migration of the final source into a fresh target gives the same objects.
          const coldTarget = target(ds.k8sNodes.filter((n) => !churn.k8sNodesGone.includes(n)).concat(churn.k8sNodes));
          const coldCtx = fakeContext(src, coldTarget);
          const coldDir = path.join(dir, `cold-${run}`);
          const coldPlan = path.join(dir, `cold-${run}.plan.json`);
          await planTo(coldPlan, { ...opts, conversion: { skipUnknown: false, nodeMap }, stateDir: coldDir }, coldCtx);
          const cold = await runApply({ planPath: coldPlan, stateDir: coldDir, lock: false, autoApprove: true, parallelism: 4 }, coldCtx);
          assert.equal(cold.result.status, 'complete');
          assert.deepEqual(cutOver, contents(coldTarget));

          // One reverse plan for both runs gives back the target as it was.
          const all = await writeCompositeRollback({ stateDir }, ctx);
          const back = await runApply({ planPath: all.reverse_path, stateDir, lock: false, autoApprove: true, parallelism: 4 }, ctx);
          assert.equal(back.result.status, 'complete');
          const left = contents(tgt);
          for (const n of churn.k8sNodes) delete left[`v1/Node/${n}`];
          const expected = { ...prior };
          for (const n of churn.k8sNodesGone) delete expected[`v1/Node/${n}`];
          assert.deepEqual(left, expected);
        },
      ),
      { numRuns: 4, examples: [[{ seed: 7, pods: 0.02, joins: 1, leaves: 1, policyEdits: 1, setDeletes: 1, tier: true, late: true }]] },
    );
  });

  describe('guards', () => {
    async function prepared(locked: boolean) {
      const stateDir = path.join(dir, 'state');
      const src = locked ? smallSource({ locked: true }) : smallSource({ locked: false });
      const tgt = smallTarget();
      const ctx = fakeContext(src, tgt);
      const planPath = path.join(dir, 'plan.json');
      await planTo(planPath, { conversion: { skipUnknown: false }, include: [], exclude: [], prune: false, serverDryRun: true, parallelism: 4, stateDir }, ctx);
      return { src, tgt, ctx, stateDir, planPath, apply: { planPath, stateDir, lock: false, autoApprove: true, parallelism: 4, precopy: true } };
    }
    const refused = (name: string, message: RegExp) => (e: unknown) => {
      assert.ok(e instanceof MigrateError, String(e));
      assert.equal(e.exitName, name, e.message);
      assert.match(e.message, message);
      return true;
    };

    it('--precopy refuses a locked source and --lock, writing nothing', async () => {
      const { tgt, ctx, apply } = await prepared(true);
      await assert.rejects(runApply(apply, ctx), refused('USAGE', /the source is locked: this is the migration freeze, not a pre-copy/));
      await assert.rejects(runApply({ ...apply, lock: true }, ctx), refused('USAGE', /--precopy and --lock contradict/));
      assert.deepEqual(tgt.writes(), []);
    });

    it('a pre-copy leaves the source running and the target locked; status says pre-copied; unlock of the target is refused', async () => {
      const { src, tgt, ctx, stateDir, apply } = await prepared(false);
      const out = await runApply(apply, ctx);
      assert.equal(out.result.status, 'complete');
      assert.equal(JSON.parse((await src.get(CLUSTER_INFO_KEY))?.value ?? '{}').spec.datastoreReady, true);
      assert.equal((tgt.objects.get('crd.projectcalico.org/v1/ClusterInformation/default')?.spec as { datastoreReady?: boolean }).datastoreReady, false);
      const st = await migrationStatus({ stateDir }, ctx);
      assert.equal(st.phase, 'pre-copied');
      assert.equal(st.precopy?.plan_id, out.plan.plan_id);
      await assert.rejects(
        unlockDatastore({ datastore: 'kubernetes', force: false, conversion: { skipUnknown: false }, parallelism: 4, stateDir, autoApprove: true }, ctx),
        refused('NOT_LOCKED', /the source datastore is not locked/),
      );
    });

    it('after a cut-over that had nothing left to write, status says verified, not pre-copied', async () => {
      const { ctx, stateDir, apply } = await prepared(false);
      await runApply(apply, ctx);
      const r = await runCutover({ conversion: { skipUnknown: false }, stateDir, failOn: [], autoApprove: true, planParallelism: 4, applyParallelism: 4 }, ctx);
      assert.equal(r.stopped, null, JSON.stringify(r.reasons));
      const st = await migrationStatus({ stateDir }, ctx);
      assert.equal(st.phase, 'verified');
    });

    it('cutover stops before any write when the catch-up matches --fail-on, before the lock', async () => {
      const { src, tgt, ctx, stateDir, apply } = await prepared(false);
      await runApply(apply, ctx);
      src.remove('/calico/resources/v3/projectcalico.org/networkpolicies/prod/allow-web');
      const writes = tgt.writes().length;
      const r = await runCutover({ conversion: { skipUnknown: false }, stateDir, failOn: ['delete'], autoApprove: true, planParallelism: 4, applyParallelism: 4 }, ctx);
      assert.equal(r.stopped, 'gate-refused');
      assert.equal(r.catch_up?.writes, 1, 'the policy the pre-copy created and the source dropped');
      assert.equal(r.delta_plan, null, 'no delta: the source was never locked');
      assert.match(r.reasons[0] ?? '', /--fail-on delete/);
      assert.equal(tgt.writes().length, writes, 'nothing written to the target');
      assert.equal(JSON.parse((await src.get(CLUSTER_INFO_KEY))?.value ?? '{}').spec.datastoreReady, true, 'the source still runs');
      assert.ok(r.next.some((n) => n.includes(`--precopy --expect-plan-id ${r.catch_up?.plan_id}`)));
    });

    it('cutover of an already locked source plans the delta under the lock and stops there on --fail-on', async () => {
      const { src, tgt, ctx, stateDir, apply } = await prepared(false);
      await runApply(apply, ctx);
      src.remove('/calico/resources/v3/projectcalico.org/networkpolicies/prod/allow-web');
      await setEtcdLock(src, true, ctx);
      const writes = tgt.writes().length;
      const r = await runCutover({ conversion: { skipUnknown: false }, stateDir, failOn: ['delete'], autoApprove: true, planParallelism: 4, applyParallelism: 4 }, ctx);
      assert.equal(r.stopped, 'gate-refused');
      assert.equal(r.catch_up, null);
      assert.equal(r.delta_plan?.delete, 1);
      assert.equal(tgt.writes().length, writes, 'nothing written to the target');
      assert.equal(JSON.parse((await src.get(CLUSTER_INFO_KEY))?.value ?? '{}').spec.datastoreReady, false, 'the source stays locked');
      assert.ok(r.next.some((n) => n.includes(`--expect-plan-id ${r.delta_plan?.plan_id}`)));
    });

    it('cutover needs confirmation unless --auto-approve, and writes nothing without it', async () => {
      const { src, tgt, ctx, stateDir, apply } = await prepared(false);
      await runApply(apply, ctx);
      const writes = tgt.writes().length;
      await assert.rejects(
        runCutover({ conversion: { skipUnknown: false }, stateDir, failOn: [], autoApprove: false, planParallelism: 4, applyParallelism: 4 }, ctx),
        refused('ABORTED', /needs confirmation/),
      );
      assert.equal(JSON.parse((await src.get(CLUSTER_INFO_KEY))?.value ?? '{}').spec.datastoreReady, true, 'not locked');
      assert.equal(tgt.writes().length, writes);
    });
  });
});
