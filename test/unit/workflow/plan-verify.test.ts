import assert from 'node:assert/strict';
import { calicoOwners, withOwnerUids } from '../../../src/plan/owner-references.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MigrateError } from '../../../src/errors.js';
import type { KubeObject } from '../../../src/model/types.js';
import { IDENTITY_ADDRESS, LOCK_ADDRESS } from '../../../src/plan/cluster-information.js';
import { parsePlan } from '../../../src/plan/plan-file.js';
import type { Plan } from '../../../src/plan/types.js';
import { makePlan, type PlanOptions } from '../../../src/workflow/plan.js';
import { verifyMigration } from '../../../src/workflow/verify.js';
import { loadDataset } from '../../tools/datasets.js';
import { FakeSource, FakeTarget, fakeContext } from './fakes.js';
import { smallSource, smallTarget, V3, v3 } from './small-cluster.js';

const CRD = 'crd.projectcalico.org/v1';

const OPTS: PlanOptions = { conversion: { skipUnknown: false }, include: [], exclude: [], prune: false, serverDryRun: true, parallelism: 4, stateDir: path.join(tmpdir(), 'cm-no-state-dir') };

const actions = (plan: Plan) => plan.resource_changes.map((c) => `${c.change.action} ${c.address}`);
const checkOf = (plan: Plan, id: string) => {
  const c = plan.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id}`);
  return c;
};

/**
 * Writes every change's `after` the way apply would (creates, guarded replaces, Node patches, Calico
 * owner references pointing at the uids their owners got): enough for verify.
 */
async function applyAll(target: FakeTarget, plan: Plan): Promise<void> {
  const uids = new Map<string, string>();
  for (const c of plan.resource_changes) {
    const a = c.change.action;
    const planned = c.change.after;
    const after = planned && withOwnerUids(planned, new Map(calicoOwners(planned).flatMap((o) => (uids.has(o.address) ? [[o.index, uids.get(o.address)!] as [number, string]] : []))));
    if (!after || (a !== 'create' && a !== 'update')) continue;
    let r;
    if (c.kind === 'Node') {
      r = await target.patchNodeAnnotations(c.name, after.metadata.annotations ?? {}, null);
    } else if (a === 'create') {
      r = await target.create(after);
    } else {
      // The identity step follows the lock step's write, so take the current resourceVersion.
      const cur = await target.get({ apiVersion: c.api_version, kind: c.kind, namespace: c.namespace, name: c.name });
      r = await target.replace(after, String(cur?.metadata.resourceVersion ?? ''));
    }
    assert.ok(r.ok, `${c.address}: ${r.ok ? '' : r.message}`);
    if (typeof r.object.metadata.uid === 'string') uids.set(c.address, r.object.metadata.uid);
  }
}

describe('plan and verify workflows (over in-memory ports)', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'cm-verify-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  describe('makePlan', () => {
    it('warns for each --include pattern that selects nothing (a typo would otherwise make a silently empty plan)', async () => {
      const ctx = fakeContext(smallSource(), smallTarget());
      await makePlan({ ...OPTS, include: ['IPPool', 'NetworkPolcy/*'] }, ctx);
      const warnings = ctx.io.messages.filter((m) => m.level === 'warn').map((m) => m.message);
      assert.ok(
        warnings.some((w) => w.startsWith('--include NetworkPolcy/* matches no object of the source')),
        warnings.join('\n'),
      );
      assert.ok(!warnings.some((w) => w.startsWith('--include IPPool ')), warnings.join('\n'));
    });

    it('plans lock first and identity last, creates the source objects and the implied tiers, and writes nothing', async () => {
      const source = smallSource();
      const target = smallTarget();
      const ctx = fakeContext(source, target);
      const { plan, text } = await makePlan(OPTS, ctx);

      assert.equal(parsePlan(text, 'plan.json').plan_id, plan.plan_id, 'the plan file validates and reads back');
      assert.equal(plan.resource_changes[0]?.address, LOCK_ADDRESS);
      assert.equal(plan.resource_changes.at(-1)?.address, IDENTITY_ADDRESS);
      assert.deepEqual(actions(plan), [
        `create ${LOCK_ADDRESS}`,
        `create ${CRD}/Tier/default`,
        `create ${CRD}/Tier/kube-admin`,
        `create ${CRD}/Tier/kube-baseline`,
        `create ${CRD}/Tier/security`,
        `create ${CRD}/IPPool/pool-a`,
        `create ${CRD}/GlobalNetworkPolicy/security.deny-all`,
        `create ${CRD}/NetworkPolicy/prod/allow-web`,
        'update v1/Node/n1',
        `update ${IDENTITY_ADDRESS}`,
      ]);
      // Implied tiers come from no source key.
      assert.deepEqual(plan.resource_changes.find((c) => c.name === 'kube-admin')?.source_keys, []);
      assert.deepEqual(
        plan.checks.filter((c) => c.status !== 'pass').map((c) => c.id),
        [],
        JSON.stringify(plan.checks.filter((c) => c.status !== 'pass')),
      );
      // Every write was dry-run; the identity step cannot be, before the lock step creates the object.
      const dry = new Map(plan.resource_changes.map((c) => [c.address, c.dry_run?.status ?? null]));
      assert.equal(dry.get(IDENTITY_ADDRESS), 'skipped');
      assert.ok(
        [...dry].filter(([a]) => a !== IDENTITY_ADDRESS).every(([, s]) => s === 'ok'),
        JSON.stringify([...dry]),
      );
      assert.deepEqual(target.writes(), [], 'plan writes nothing');
      assert.equal(plan.source.locked, true);
      assert.equal(plan.source.cluster_guid, 'a'.repeat(32));
      assert.deepEqual(plan.target, { type: 'kubernetes', server: target.server, cluster_uid: 'kube-system-uid-1', api_group: CRD });
      assert.deepEqual(plan.options, { include: [], exclude: [], prune: false, calico_version: null, node_map: {}, skip_unknown: false, precopy: null });
      assert.deepEqual({ source: ctx.opened.source, target: ctx.opened.target, reads: source.reads }, { source: 1, target: 1, reads: 1 });
    });

    it('is byte-identical for the same data', async () => {
      const a = await makePlan(OPTS, fakeContext(smallSource(), smallTarget()));
      const b = await makePlan(OPTS, fakeContext(smallSource(), smallTarget()));
      assert.equal(a.text, b.text);
    });

    it('filters by kind/namespace/name: the lock step stays, the identity step and the rest go', async () => {
      const { plan } = await makePlan({ ...OPTS, include: ['NetworkPolicy/prod'] }, fakeContext(smallSource(), smallTarget()));
      assert.deepEqual(actions(plan), [`create ${LOCK_ADDRESS}`, `create ${CRD}/NetworkPolicy/prod/allow-web`]);
      assert.deepEqual(plan.options.include, ['NetworkPolicy/prod']);
      const withIdentity = await makePlan({ ...OPTS, include: ['ClusterInformation'] }, fakeContext(smallSource(), smallTarget()));
      assert.deepEqual(actions(withIdentity.plan), [`create ${LOCK_ADDRESS}`, `update ${IDENTITY_ADDRESS}`]);
    });

    it('refuses a malformed pattern as USAGE before reading anything', async () => {
      const source = smallSource();
      const ctx = fakeContext(source, smallTarget());
      await assert.rejects(makePlan({ ...OPTS, exclude: ['a/b/c/d'] }, ctx), (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE' && /--exclude "a\/b\/c\/d"/.test(e.message));
      assert.equal(source.reads, 0);
    });

    it('does not report a field the CRD defaults as an update: it compares with what the server would store', async () => {
      const source = smallSource();
      const target = smallTarget();
      const first = await makePlan(OPTS, fakeContext(source, target));
      await applyAll(target, first.plan);
      // The stored tier carries the CRD default the source value lacks.
      const stored = await target.get({ apiVersion: CRD, kind: 'Tier', namespace: null, name: 'security' });
      assert.deepEqual(stored?.spec, { order: 100, defaultAction: 'Deny' });

      const again = await makePlan(OPTS, fakeContext(source, target));
      assert.deepEqual(
        again.plan.resource_changes.filter((c) => c.change.action !== 'no-op').map((c) => c.address),
        [],
      );
      const skipped = await makePlan({ ...OPTS, serverDryRun: false }, fakeContext(source, target));
      assert.deepEqual(
        skipped.plan.resource_changes.filter((c) => c.change.action === 'update').map((c) => [c.address, c.change.changed_paths]),
        [[`${CRD}/Tier/security`, ['spec.defaultAction']]],
        'without the dry run the default shows, which is why plan dry-runs by default',
      );
    });

    it('without the server dry run: a warning check, and no dry-run request', async () => {
      const target = smallTarget();
      const { plan } = await makePlan({ ...OPTS, serverDryRun: false }, fakeContext(smallSource(), target));
      assert.equal(checkOf(plan, 'server-dry-run').status, 'warn');
      assert.match(checkOf(plan, 'server-dry-run').message, /--no-server-dry-run/);
      assert.deepEqual(target.calls, []);
      assert.ok(plan.resource_changes.every((c) => c.dry_run === null));
    });

    it('names the dry-run refusals in the server-dry-run check', async () => {
      const target = smallTarget();
      target.namespaces.delete('prod');
      const { plan } = await makePlan(OPTS, fakeContext(smallSource(), target));
      assert.equal(checkOf(plan, 'namespaces-exist').status, 'fail');
      assert.deepEqual(checkOf(plan, 'server-dry-run').items, ['NetworkPolicy prod/allow-web: HTTP 404: namespaces "prod" not found']);
      assert.equal(plan.resource_changes.find((c) => c.name === 'allow-web')?.dry_run?.status, 'error');
    });

    it('schema findings: violations fail the schema check with the source key; pruned fields are plan warnings', async () => {
      const source = smallSource();
      source.put(`${V3}ippools/pool-b`, v3('IPPool', 'pool-b', { cidr: '10.20.0.0/16', ipipMode: 'Sometimes', colour: 'red' }));
      const { plan, diagnostics } = await makePlan(OPTS, fakeContext(source, smallTarget()));
      const schema = checkOf(plan, 'schema');
      assert.equal(schema.status, 'fail');
      assert.deepEqual(schema.items.length, 1);
      assert.match(schema.items[0] ?? '', /^\/calico\/resources\/v3\/projectcalico\.org\/ippools\/pool-b: \/spec\/ipipMode must be equal to one of the allowed values/);
      assert.ok(
        plan.warnings.some((w) => /^\/calico\/resources\/v3\/projectcalico\.org\/ippools\/pool-b: \/spec\/colour is not in the schema of CRD ippools/.test(w)),
        plan.warnings.join('\n'),
      );
      assert.ok(diagnostics.some((d) => d.code === 'schema') && diagnostics.some((d) => d.code === 'schema-pruned'));
    });

    it('refuses a source entry that cannot be converted (SOURCE_INVALID), before any dry run', async () => {
      const source = smallSource();
      source.put(`${V3}tiers/broken`, '{not json');
      const target = smallTarget();
      await assert.rejects(makePlan(OPTS, fakeContext(source, target)), (e: unknown) => {
        assert.ok(e instanceof MigrateError);
        assert.equal(e.exitName, 'SOURCE_INVALID');
        assert.match(e.message, /1 source entry in https:\/\/etcd\.fake:2379 cannot be converted:\n {2}- \/calico\/resources\/v3\/projectcalico\.org\/tiers\/broken: value is not valid JSON/);
        return true;
      });
      assert.deepEqual(target.calls, []);
    });

    it('the rbac check names what the identity may not do; missing read access is TARGET_INVALID naming the user', async () => {
      const target = smallTarget();
      target.denied.add('patch /nodes');
      const { plan } = await makePlan(OPTS, fakeContext(smallSource(), target));
      const rbac = checkOf(plan, 'rbac');
      assert.equal(rbac.status, 'fail');
      assert.match(rbac.message, /identity tester lacks 1 permission/);
      assert.deepEqual(rbac.items, ['patch nodes']);

      const blind = smallTarget();
      blind.denied.add('list crd.projectcalico.org/tiers');
      await assert.rejects(
        makePlan(OPTS, fakeContext(smallSource(), blind)),
        (e: unknown) =>
          e instanceof MigrateError && e.exitName === 'TARGET_INVALID' && /identity tester cannot read the target: missing 1 permission\(s\): list crd\.projectcalico\.org\/tiers/.test(e.message),
      );
    });

    it('refuses a v3-only target', async () => {
      const target = smallTarget();
      target.groups = ['projectcalico.org'];
      await assert.rejects(makePlan(OPTS, fakeContext(smallSource(), target)), /serves Calico's projectcalico\.org\/v3 API only/);
    });

    it('prune deletes target objects the source does not have, never a protected tier', async () => {
      const target = smallTarget();
      target.seed({ apiVersion: CRD, kind: 'GlobalNetworkSet', metadata: { name: 'stale' }, spec: { nets: ['10.9.0.0/16'] } });
      target.seed({ apiVersion: CRD, kind: 'Tier', metadata: { name: 'kube-admin' }, spec: { order: 1000, defaultAction: 'Pass' } });
      const kept = await makePlan(OPTS, fakeContext(smallSource(), target));
      assert.ok(actions(kept.plan).includes(`extra ${CRD}/GlobalNetworkSet/stale`));
      const { plan } = await makePlan({ ...OPTS, prune: true }, fakeContext(smallSource(), target));
      assert.ok(actions(plan).includes(`delete ${CRD}/GlobalNetworkSet/stale`));
      // The target has kube-admin, so it is not implied (not created) and not deleted.
      assert.ok(!actions(plan).some((a) => a.endsWith('/Tier/kube-admin') && !a.startsWith('no-op')), actions(plan).join('\n'));
    });
  });

  describe('verifyMigration', () => {
    it('after an apply of the full dataset the target holds exactly what the source says; verified.json records it', async () => {
      const ds = loadDataset('full');
      const source = new FakeSource(ds.snapshot.kvs.map((kv) => ({ key: kv.key, value: kv.value })));
      const target = new FakeTarget();
      const first = await makePlan({ ...OPTS, conversion: { skipUnknown: false, ...ds.options } }, fakeContext(source, target));
      // Give the target what the plan says it lacks: Nodes and namespaces are not the tool's to create.
      for (const item of checkOf(first.plan, 'nodes-exist').items) target.seedNode(/^Node (\S+)/.exec(item)?.[1] ?? '');
      for (const item of checkOf(first.plan, 'namespaces-exist').items) target.namespaces.add(/^namespace (\S+)/.exec(item)?.[1] ?? '');

      const { plan } = await makePlan({ ...OPTS, conversion: { skipUnknown: false, ...ds.options } }, fakeContext(source, target));
      assert.deepEqual(
        plan.checks.filter((c) => c.status === 'fail').map((c) => [c.id, c.items]),
        [],
      );
      const before = await verifyMigration({ conversion: { skipUnknown: false, ...ds.options }, parallelism: 4, stateDir }, fakeContext(source, target));
      assert.equal(before.ok, false);
      assert.ok(before.differences.some((d) => d.kind === 'missing'));
      assert.ok(before.differences.some((d) => d.kind === 'identity'));

      await applyAll(target, plan);
      const ctx = fakeContext(source, target);
      const r = await verifyMigration({ conversion: { skipUnknown: false, ...ds.options }, parallelism: 4, stateDir }, ctx);
      assert.deepEqual(r.differences, []);
      assert.equal(r.ok, true);
      assert.ok(r.compared > 20);
      assert.equal(r.source_digest, plan.source.digest);
      assert.equal(r.target_cluster_uid, 'kube-system-uid-1');
      const record = JSON.parse(readFileSync(path.join(stateDir, 'verified.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(record, { at: '2026-02-03T04:05:06.000Z', ok: true, source_digest: r.source_digest, target_cluster_uid: 'kube-system-uid-1', differences: 0 });
      assert.deepEqual(target.writes().length > 0, true);
      const writesBefore = target.writes().length;
      await verifyMigration({ conversion: { skipUnknown: false, ...ds.options }, parallelism: 4, stateDir }, fakeContext(source, target));
      assert.equal(target.writes().length, writesBefore, 'verify writes nothing to the target');
    });

    it('names each difference: missing, different (with paths), extra, and the identity', async () => {
      const source = smallSource();
      const target = smallTarget();
      const { plan } = await makePlan(OPTS, fakeContext(source, target));
      await applyAll(target, plan);
      assert.equal((await verifyMigration({ conversion: { skipUnknown: false }, parallelism: 4, stateDir }, fakeContext(source, target))).ok, true);

      const pool = await target.get({ apiVersion: CRD, kind: 'IPPool', namespace: null, name: 'pool-a' });
      assert.ok(pool);
      const changed: KubeObject = { ...pool, spec: { ...(pool.spec as Record<string, unknown>), natOutgoing: false } };
      assert.ok((await target.replace(changed, String(pool.metadata.resourceVersion))).ok);
      await target.delete({ apiVersion: CRD, kind: 'NetworkPolicy', namespace: 'prod', name: 'allow-web' }, {});
      target.seed({ apiVersion: CRD, kind: 'GlobalNetworkSet', metadata: { name: 'stray' }, spec: { nets: ['10.9.0.0/16'] } });
      const ci = await target.get({ apiVersion: CRD, kind: 'ClusterInformation', namespace: null, name: 'default' });
      assert.ok(ci);
      assert.ok((await target.replace({ ...ci, spec: { ...(ci.spec as Record<string, unknown>), calicoVersion: 'v3.20.0' } }, String(ci.metadata.resourceVersion))).ok);

      const r = await verifyMigration({ conversion: { skipUnknown: false }, parallelism: 4, stateDir }, fakeContext(source, target));
      assert.equal(r.ok, false);
      assert.deepEqual(
        r.differences.map((d) => [d.kind, d.object, d.paths]),
        [
          ['extra', 'GlobalNetworkSet stray', []],
          ['different', 'IPPool pool-a', ['spec.natOutgoing']],
          ['missing', 'NetworkPolicy prod/allow-web', []],
          ['identity', 'ClusterInformation default', ['spec.calicoVersion: target v3.20.0, source v3.31.2']],
        ],
      );
      const record = JSON.parse(readFileSync(path.join(stateDir, 'verified.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual([record.ok, record.differences], [false, 4]);
    });

    it('a source that cannot be converted is SOURCE_INVALID, and nothing is recorded', async () => {
      const source = smallSource();
      source.put(`${V3}tiers/broken`, '[]');
      await assert.rejects(
        verifyMigration({ conversion: { skipUnknown: false }, parallelism: 4, stateDir }, fakeContext(source, smallTarget())),
        (e: unknown) => e instanceof MigrateError && e.exitName === 'SOURCE_INVALID',
      );
      assert.equal(existsSync(path.join(stateDir, 'verified.json')), false);
    });
  });
});
