import assert from 'node:assert/strict';
import type { Permission } from '../../../src/checks/rbac.js';
import type { DesiredObject, Diagnostic, KubeObject, SourceSnapshot } from '../../../src/model/types.js';
import { assemblePlan, planChanges, type PlanInputs } from '../../../src/plan/assemble.js';
import { clusterInformationChanges, IDENTITY_ADDRESS, LOCK_ADDRESS } from '../../../src/plan/cluster-information.js';
import { diffObjects } from '../../../src/plan/diff.js';
import { serializePlan } from '../../../src/plan/plan-file.js';
import { sourceDigest, summarizeSource } from '../../../src/plan/source-digest.js';

const CRD = 'crd.projectcalico.org/v1';
const KEY = '/calico/resources/v3/projectcalico.org/';

function want(kind: string, name: string, spec: Record<string, unknown>, namespace: string | null = null, rev = 10): DesiredObject {
  const metadata: KubeObject['metadata'] = namespace ? { name, namespace } : { name };
  return { apiVersion: CRD, kind, namespace, name, body: { apiVersion: CRD, kind, metadata, spec }, sources: [{ key: `${KEY}${kind.toLowerCase()}s/${name}`, mod_revision: rev }] };
}

const warning = (key: string, message: string, code = 'w'): Diagnostic => ({ severity: 'warning', code, key, message });

const SNAPSHOT: SourceSnapshot = {
  origin: 'etcd',
  endpoints: ['https://etcd:2379'],
  clusterId: '77',
  revision: 99,
  kvs: [
    { key: `${KEY}clusterinformations/default`, value: '{}', modRevision: 3 },
    { key: `${KEY}tiers/security`, value: '{}', modRevision: 10 },
    { key: '/calico/felix/v1/host/x/status', value: '{}', modRevision: 99 },
  ],
};

function inputs(over: Partial<PlanInputs> = {}): PlanInputs {
  const desired = [want('Tier', 'security', { order: 100 }), want('GlobalNetworkPolicy', 'deny', { tier: 'security', selector: 'all()' }), want('NetworkPolicy', 'web', { selector: 'all()' }, 'prod')];
  const [lock, identity] = clusterInformationChanges({
    source: { key: `${KEY}clusterinformations/default`, modRevision: 3, clusterGUID: 'f'.repeat(32), calicoVersion: 'v3.31.2' },
    live: null,
    newClusterGUID: '0'.repeat(32),
  });
  return {
    toolVersion: '9.9.9',
    source: summarizeSource(SNAPSHOT),
    conversion: {
      clusterInfo: {
        key: `${KEY}clusterinformations/default`,
        modRevision: 3,
        clusterGUID: 'f'.repeat(32),
        calicoVersion: 'v3.31.2',
        clusterType: 'k8s',
        datastoreReady: false,
        creationTimestamp: null,
      },
      skipped: [{ key: '/calico/felix/v1/host/x/status', category: 'felix-status', reason: 'Felix rewrites it' }],
      diagnostics: [warning(`${KEY}tiers/security`, 'converted with care'), { severity: 'info', code: 'i', message: 'not a warning' }],
    },
    options: { include: [], exclude: [], prune: false, conversion: { skipUnknown: true, calicoVersion: 'v3.31.2', nodeMap: { a: 'b' } } },
    desired,
    // Given out of order on purpose: assemble orders them.
    changes: diffObjects({ desired: [...desired].reverse(), live: [], prune: false }).reverse(),
    clusterInformation: { lock, identity },
    target: {
      server: 'https://k8s:6443',
      clusterUid: 'uid-1',
      apiGroup: CRD,
      crdCheck: { id: 'crds-established', status: 'pass', message: 'ok', items: [] },
      live: [],
      nodes: [],
      namespaces: ['prod'],
    },
    schema: { errors: [], warnings: [warning(`${KEY}tiers/security`, '/spec/x is not in the schema', 'schema-pruned')] },
    serverDryRun: { id: 'server-dry-run', status: 'pass', message: 'all accepted', items: [] },
    rbac: { identity: 'alice', results: [{ perm: { verb: 'create', group: 'crd.projectcalico.org', resource: 'tiers' } satisfies Permission, allowed: true }] },
    ...over,
  };
}

describe('assemblePlan (pure)', () => {
  it('places the lock step first and the identity step last, the object changes sorted between', () => {
    const body = assemblePlan(inputs());
    assert.deepEqual(
      body.resource_changes.map((c) => c.address),
      [LOCK_ADDRESS, `${CRD}/Tier/security`, `${CRD}/GlobalNetworkPolicy/deny`, `${CRD}/NetworkPolicy/prod/web`, IDENTITY_ADDRESS],
    );
    assert.deepEqual(planChanges(inputs().changes, inputs().clusterInformation), body.resource_changes);
  });

  it('leaves the identity step out when the filter did, never the lock step', () => {
    const i = inputs();
    const body = assemblePlan({ ...i, clusterInformation: { lock: i.clusterInformation.lock, identity: null } });
    assert.equal(body.resource_changes[0]?.address, LOCK_ADDRESS);
    assert.ok(!body.resource_changes.some((c) => c.address === IDENTITY_ADDRESS));
  });

  it('runs every check, in a fixed order', () => {
    assert.deepEqual(
      assemblePlan(inputs()).checks.map((c) => [c.id, c.status]),
      [
        ['crds-established', 'pass'],
        ['schema', 'pass'],
        ['names-valid', 'pass'],
        ['nodes-exist', 'pass'],
        ['namespaces-exist', 'pass'],
        ['tiers-exist', 'pass'],
        ['owner-references', 'pass'],
        ['calico-validation', 'pass'],
        ['ipam-consistency', 'pass'],
        ['rbac', 'pass'],
        ['source-locked', 'pass'],
        ['target-not-live', 'pass'],
        ['server-dry-run', 'pass'],
      ],
    );
  });

  it('fails the checks the inputs give reason to, naming the objects', () => {
    const checks = assemblePlan(
      inputs({
        target: { ...inputs().target, namespaces: [] },
        schema: { errors: [{ severity: 'error', code: 'schema', key: `${KEY}tiers/security`, path: '/spec/order', message: '/spec/order must be integer' }], warnings: [] },
        rbac: { identity: 'alice', results: [{ perm: { verb: 'patch', group: '', resource: 'nodes' }, allowed: false }] },
      }),
    ).checks;
    const byId = new Map(checks.map((c) => [c.id, c]));
    assert.deepEqual(byId.get('schema')?.items, [`${KEY}tiers/security: /spec/order must be integer`]);
    assert.deepEqual(byId.get('namespaces-exist')?.items, ['namespace prod (1 object(s))']);
    assert.deepEqual([byId.get('rbac')?.status, byId.get('rbac')?.items], ['fail', ['patch nodes']]);
    assert.match(byId.get('rbac')?.message ?? '', /identity alice lacks 1 permission/);
  });

  it('warns when the source is not locked, and when the dry run was skipped', () => {
    const i = inputs();
    const conversion = i.conversion.clusterInfo ? { ...i.conversion, clusterInfo: { ...i.conversion.clusterInfo, datastoreReady: null } } : i.conversion;
    const body = assemblePlan({ ...i, conversion, serverDryRun: null });
    const byId = new Map(body.checks.map((c) => [c.id, c]));
    assert.equal(byId.get('source-locked')?.status, 'warn');
    assert.equal(body.source.locked, false);
    assert.equal(byId.get('server-dry-run')?.status, 'warn');
    assert.match(byId.get('server-dry-run')?.message ?? '', /--no-server-dry-run/);
    assert.deepEqual(body.summary.checks, { pass: 11, warn: 2, fail: 0 });
  });

  it('records conversion warnings, then the schema warnings, as `KEY: message`', () => {
    assert.deepEqual(assemblePlan(inputs()).warnings, [`${KEY}tiers/security: converted with care`, `${KEY}tiers/security: /spec/x is not in the schema`]);
  });

  it('fills source, target, options, skipped and summary from the inputs', () => {
    const i = inputs();
    const body = assemblePlan(i);
    assert.deepEqual(body.source, {
      type: 'etcdv3',
      endpoints: ['https://etcd:2379'],
      cluster_id: '77',
      // The newest Calico mod_revision, Felix status and ClusterInformation aside.
      revision: 10,
      digest: sourceDigest(SNAPSHOT),
      locked: true,
      cluster_guid: 'f'.repeat(32),
      calico_version: 'v3.31.2',
    });
    assert.deepEqual(body.target, { type: 'kubernetes', server: 'https://k8s:6443', cluster_uid: 'uid-1', api_group: CRD });
    assert.deepEqual(body.options, { include: [], exclude: [], prune: false, calico_version: 'v3.31.2', node_map: { a: 'b' }, skip_unknown: true, precopy: null });
    assert.deepEqual(body.skipped, i.conversion.skipped);
    assert.deepEqual([body.summary.create, body.summary.update, body.tool.version, body.mode, body.reverses], [4, 1, '9.9.9', 'migrate', null]);
    assert.equal(assemblePlan({ ...i, source: { ...i.source, origin: 'export-file' } }).source.type, 'calicoctl-export');
  });

  it('is a pure function: same inputs, same bytes; the inputs are left as they were', () => {
    const i = inputs();
    const before = JSON.stringify(i);
    const a = serializePlan(assemblePlan(i));
    assert.equal(JSON.stringify(i), before);
    assert.equal(serializePlan(assemblePlan(inputs())).text, a.text);
  });
});
