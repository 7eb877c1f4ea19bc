import assert from 'node:assert/strict';
import { MigrateError } from '../../../src/errors.js';
import { detailedExitCode, enforceGates, evaluateGates } from '../../../src/plan/gates.js';
import { summarize } from '../../../src/plan/summary.js';
import { changeBody } from '../../../src/plan/change-body.js';
import type { Action, Plan, ResourceChange, Step } from '../../../src/plan/types.js';
import { buildSamplePlan } from './sample-plan.js';

function change(kind: string, name: string, action: Action, step?: Step): ResourceChange {
  const obj = { apiVersion: 'crd.projectcalico.org/v1', kind, metadata: { name } };
  const address = `crd.projectcalico.org/v1/${kind}/${name}${step ? `#${step}` : ''}`;
  return {
    address,
    wave: 1,
    api_version: 'crd.projectcalico.org/v1',
    kind,
    namespace: null,
    name,
    step: step ?? null,
    change: changeBody(action, action === 'create' || action === 'no-op' ? null : obj, action === 'create' || action === 'update' ? obj : null, []),
    source_keys: [],
    target: { uid: null, resource_version: null },
    dry_run: null,
  };
}

/** An update of a Kubernetes Node's Calico annotations, as the diff makes it (`before` holds only Calico's). */
function nodeUpdate(name: string, before: Record<string, string>, after: Record<string, string>): ResourceChange {
  const obj = (annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Node', metadata: Object.keys(annotations).length ? { name, annotations } : { name } });
  return {
    address: `v1/Node/${name}`,
    wave: 2,
    api_version: 'v1',
    kind: 'Node',
    namespace: null,
    name,
    step: null,
    change: changeBody(
      'update',
      obj(before),
      obj(after),
      Object.keys(after).map((k) => `metadata.annotations["${k}"]`),
    ),
    source_keys: [],
    target: { uid: 'u', resource_version: '1' },
    dry_run: null,
  };
}

/** The sample plan with its changes, checks and warnings replaced. */
function planWith(changes: ResourceChange[], extra: Partial<Plan> = {}): Plan {
  const plan = { ...structuredClone(buildSamplePlan().plan), checks: [], warnings: [], ...extra };
  plan.resource_changes = changes;
  plan.summary = summarize(changes, plan.checks);
  return plan;
}

describe('summarize', () => {
  it('counts by action and by kind, and checks by status', () => {
    const s = summarize(
      [change('Tier', 'a', 'create'), change('Tier', 'b', 'no-op'), change('IPPool', 'p', 'extra'), change('IPPool', 'q', 'create')],
      [
        { id: 'x', status: 'pass', message: '', items: [] },
        { id: 'y', status: 'fail', message: '', items: [] },
      ],
    );
    assert.deepEqual(s, {
      create: 2,
      update: 0,
      delete: 0,
      no_op: 1,
      extra: 1,
      by_kind: {
        Tier: { create: 1, update: 0, delete: 0, no_op: 1, extra: 0 },
        IPPool: { create: 1, update: 0, delete: 0, no_op: 0, extra: 1 },
      },
      destructive: false,
      checks: { pass: 1, warn: 0, fail: 1 },
    });
  });

  it('is destructive for an update or delete of an object, but not for the ClusterInformation steps', () => {
    assert.equal(summarize([change('Tier', 'a', 'update')], []).destructive, true);
    assert.equal(summarize([change('Tier', 'a', 'delete')], []).destructive, true);
    const steps = summarize([change('ClusterInformation', 'default', 'update', 'lock'), change('ClusterInformation', 'default', 'update', 'identity')], []);
    assert.equal(steps.update, 2);
    assert.equal(steps.destructive, false);
  });
});

describe('destructive and Node annotations', () => {
  const ip = 'projectcalico.org/IPv4Address';
  const asn = 'projectcalico.org/ASNumber';

  it('is not destructive when a Node only gains Calico annotations (every migration from etcd)', () => {
    const plain = [nodeUpdate('w1', {}, { [ip]: '10.0.0.1/24' }), nodeUpdate('w2', { [ip]: '10.0.0.2/24' }, { [ip]: '10.0.0.2/24', [asn]: '64512' })];
    assert.equal(summarize(plain, []).destructive, false);
    assert.deepEqual(evaluateGates(planWith(plain), ['destructive', 'delete', 'extra']), []);
    // --fail-on update still sees them: it is about every update, not about harm.
    assert.deepEqual(evaluateGates(planWith(plain), ['update']), ['--fail-on update: the plan updates 2 objects: Node w1, Node w2']);
  });

  it('is destructive when a Calico annotation the Node has is changed or removed', () => {
    const changed = nodeUpdate('w1', { [asn]: '65000' }, { [asn]: '64512', [ip]: '10.0.0.1/24' });
    const removed = nodeUpdate('w2', { [ip]: '10.0.0.2/24', [asn]: '65000' }, { [ip]: '10.0.0.2/24' });
    assert.equal(summarize([changed], []).destructive, true);
    assert.equal(summarize([removed], []).destructive, true);
    assert.deepEqual(evaluateGates(planWith([nodeUpdate('w3', {}, { [ip]: '10.0.0.3/24' }), changed, removed]), ['destructive']), [
      '--fail-on destructive: the plan overwrites or deletes 2 objects: Node w1, Node w2',
    ]);
  });

  it('is destructive for any update of a Calico object, even one that only adds annotations', () => {
    const policy = { ...nodeUpdate('p', {}, { 'example.com/a': 'b' }), api_version: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy' };
    assert.equal(summarize([policy], []).destructive, true);
  });
});

describe('evaluateGates', () => {
  const mixed = () =>
    planWith([
      change('ClusterInformation', 'default', 'update', 'lock'),
      change('Tier', 'new', 'create'),
      change('IPPool', 'p', 'update'),
      change('GlobalNetworkSet', 'old', 'extra'),
      change('Tier', 'same', 'no-op'),
    ]);

  it('passes with no gates, and for gates that do not match', () => {
    assert.deepEqual(evaluateGates(mixed(), []), []);
    assert.deepEqual(evaluateGates(mixed(), ['delete', 'warning']), []);
  });

  it('gives one reason per matching gate, naming the objects', () => {
    assert.deepEqual(evaluateGates(mixed(), ['create', 'update', 'extra', 'destructive']), [
      '--fail-on create: the plan creates 1 object: Tier new',
      '--fail-on update: the plan updates 1 object: IPPool p',
      '--fail-on extra: the target has 1 object that the source does not: GlobalNetworkSet old',
      '--fail-on destructive: the plan overwrites or deletes 1 object: IPPool p',
    ]);
  });

  it('does not count the ClusterInformation lock as an update', () => {
    assert.deepEqual(evaluateGates(planWith([change('ClusterInformation', 'default', 'update', 'lock')]), ['update', 'destructive']), []);
  });

  it('names at most five objects', () => {
    const many = planWith(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => change('Tier', n, 'delete')));
    assert.deepEqual(evaluateGates(many, ['delete']), ['--fail-on delete: the plan deletes 7 objects: Tier a, Tier b, Tier c, Tier d, Tier e, and 2 more']);
  });

  it('fails on warnings from the plan and from checks', () => {
    const plan = planWith([], { warnings: ['w'], checks: [{ id: 'server-dry-run', status: 'warn', message: 'm', items: [] }] });
    assert.deepEqual(evaluateGates(plan, ['warning']), ['--fail-on warning: the plan has 2 warnings (checks: server-dry-run)']);
  });

  it('rejects an unknown gate as a usage error', () => {
    assert.throws(
      () => evaluateGates(mixed(), ['updates']),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE' && /unknown --fail-on value "updates"/.test(e.message),
    );
  });

  it('enforceGates throws GATE_REFUSED with the reasons', () => {
    assert.doesNotThrow(() => enforceGates(mixed(), ['delete']));
    assert.throws(
      () => enforceGates(mixed(), ['create']),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'GATE_REFUSED' && e.exitCode === 4 && e.message.includes('--fail-on create'),
    );
  });
});

describe('detailedExitCode', () => {
  it('is 0 when nothing would be written (no-ops and extras only)', () => {
    assert.equal(detailedExitCode(planWith([change('Tier', 'a', 'no-op'), change('Tier', 'b', 'extra')])), 0);
    assert.equal(detailedExitCode(planWith([])), 0);
  });

  it('is 2 when apply would write', () => {
    for (const a of ['create', 'update', 'delete'] as const) assert.equal(detailedExitCode(planWith([change('Tier', 'a', a)])), 2, a);
  });

  it('is 3 when a check failed, even with changes', () => {
    const failed = { checks: [{ id: 'nodes-exist', status: 'fail' as const, message: 'm', items: [] }] };
    assert.equal(detailedExitCode(planWith([change('Tier', 'a', 'create')], failed)), 3);
    assert.equal(detailedExitCode(planWith([], failed)), 3);
    assert.equal(detailedExitCode(planWith([], { checks: [{ id: 'w', status: 'warn', message: 'm', items: [] }] })), 0);
  });
});
