import assert from 'node:assert/strict';
import { compositeReverseBody, type RunReverse } from '../../../src/apply/reverse-composite.js';
import { reverseChanges, type ForwardOutcome } from '../../../src/apply/reverse-plan.js';
import { executionSteps, WAVE_BAND } from '../../../src/apply/order.js';
import { serializePlan } from '../../../src/plan/plan-file.js';
import type { Plan } from '../../../src/plan/types.js';
import { buildPlan, clusterInformationCreate, cr, createChange, deleteChange, updateChange } from './plan-builders.js';

const ok = (uid: string, rv: string): ForwardOutcome => ({ status: 'ok', uid, resourceVersion: rv });

/** A run: its forward plan and what each write returned (every write done). */
function run(plan: Plan, outcomes: Record<string, ForwardOutcome>): RunReverse {
  return { plan, changes: reverseChanges(plan, (a) => outcomes[a]) };
}

const line = (c: Plan['resource_changes'][number]) => `${c.change.action} ${c.kind}/${c.name}`;

describe('apply/reverse-composite', () => {
  // Run 1, the pre-copy: locks and identifies a new ClusterInformation, creates a policy and a
  // set, updates a pool that was there before. Run 2, the delta: updates the policy again,
  // deletes the set, deletes a pre-existing set, updates the pool again.
  const polV1 = cr('GlobalNetworkPolicy', 'p', { order: 1 });
  const polV2 = cr('GlobalNetworkPolicy', 'p', { order: 2 });
  const set = cr('NetworkSet', 's', { nets: ['10.0.0.0/8'] }, 'n');
  const pool0 = cr('IPPool', 'pool', { cidr: '10.0.0.0/16', natOutgoing: false }, undefined, { uid: 'pool-uid', resourceVersion: '10' });
  const pool1 = cr('IPPool', 'pool', { cidr: '10.0.0.0/16', natOutgoing: true });
  const pool2 = cr('IPPool', 'pool', { cidr: '10.0.0.0/16', natOutgoing: true, blockSize: 26 });
  const theirs = cr('NetworkSet', 'theirs', { nets: ['192.0.2.0/24'] }, 'n', { uid: 'theirs-uid', resourceVersion: '11' });
  const [lock, identity] = clusterInformationCreate();
  const precopy = buildPlan([lock!, identity!, createChange(polV1), createChange(set), updateChange(pool0, pool1)]);
  const r1 = run(precopy, {
    [lock!.address]: ok('ci-uid', '20'),
    [identity!.address]: ok('ci-uid', '21'),
    [createChange(polV1).address]: ok('pol-uid', '22'),
    [createChange(set).address]: ok('set-uid', '23'),
    [updateChange(pool0, pool1).address]: ok('pool-uid', '24'),
  });
  const polLive = cr('GlobalNetworkPolicy', 'p', { order: 1 }, undefined, { uid: 'pol-uid', resourceVersion: '22' });
  const setLive = cr('NetworkSet', 's', { nets: ['10.0.0.0/8'] }, 'n', { uid: 'set-uid', resourceVersion: '23' });
  const poolLive = cr('IPPool', 'pool', { cidr: '10.0.0.0/16', natOutgoing: true }, undefined, { uid: 'pool-uid', resourceVersion: '24' });
  const deltaChanges = [updateChange(polLive, polV2), deleteChange(setLive), deleteChange(theirs), updateChange(poolLive, pool2)];
  const delta = buildPlan(deltaChanges);
  const r2 = run(delta, Object.fromEntries(deltaChanges.map((c, i) => [c.address, ok(c.target.uid ?? `${c.name}-uid`, String(30 + i))])));

  const body = compositeReverseBody([r1, r2], '0.1.0');
  const byName = new Map(body.resource_changes.map((c) => [c.name, c]));

  it('undoes each object once: to what the oldest run found, guarded by what the newest run left', () => {
    assert.deepEqual(body.resource_changes.map(line).sort(), ['create NetworkSet/theirs', 'delete ClusterInformation/default', 'delete GlobalNetworkPolicy/p', 'update IPPool/pool'].sort());
    // Created by the pre-copy, updated by the delta: deleted, guarded by the delta's answer.
    const pol = byName.get('p')!;
    assert.deepEqual(pol.target, { uid: 'pol-uid', resource_version: '30' });
    assert.deepEqual(pol.change.before?.spec, { order: 2 });
    // There before, updated twice: back to the first `before`, guarded by the last resourceVersion.
    const pool = byName.get('pool')!;
    assert.deepEqual(pool.change.after?.spec, { cidr: '10.0.0.0/16', natOutgoing: false });
    assert.deepEqual(pool.change.before?.spec, pool2.spec);
    assert.equal(pool.target.resource_version, '33');
    // There before, deleted by the delta: created again.
    assert.deepEqual(byName.get('theirs')!.change.after?.spec, theirs.spec);
    // Created by the pre-copy and deleted by the delta: nothing to undo.
    assert.equal(byName.has('s'), false);
  });

  it('restores the ClusterInformation last, from the first run, guarded by its last write', () => {
    const ci = byName.get('default')!;
    assert.equal(ci.step, 'lock');
    assert.equal(ci.target.uid, 'ci-uid');
    const steps = executionSteps(body.resource_changes);
    assert.equal(steps[steps.length - 1]!.changes[0], ci);
    assert.ok(ci.wave >= WAVE_BAND);
  });

  it('is a valid reverse plan file', () => {
    const { plan } = serializePlan(body);
    assert.equal(plan.mode, 'reverse');
    assert.equal(plan.reverses, delta.plan_id);
    assert.equal(plan.summary.delete + plan.summary.update + plan.summary.create, 4);
  });
});
