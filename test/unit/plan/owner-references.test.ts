import assert from 'node:assert/strict';
import { WAVES } from '../../../src/model/kinds.js';
import type { DesiredObject, KubeObject } from '../../../src/model/types.js';
import { alignOwnerUids, calicoOwners, ownerReferencesCheck, resolveOwnerReferences, withOwnerUids } from '../../../src/plan/owner-references.js';

const V1 = 'crd.projectcalico.org/v1';
const META = 'projectcalico.org/metadata';

function object(kind: string, namespace: string | null, name: string, owners: Array<{ kind: string; name: string; uid: string; apiVersion?: string }> = []): DesiredObject {
  const annotation: Record<string, unknown> = { creationTimestamp: null };
  if (owners.length) annotation.ownerReferences = owners.map((o) => ({ apiVersion: o.apiVersion ?? V1, kind: o.kind, name: o.name, uid: o.uid, controller: true }));
  const metadata: KubeObject['metadata'] = { name, annotations: { [META]: JSON.stringify(annotation) } };
  if (namespace) metadata.namespace = namespace;
  return { apiVersion: V1, kind, namespace, name, body: { apiVersion: V1, kind, metadata, spec: {} }, sources: [] };
}

const refsOf = (o: DesiredObject | KubeObject) => {
  const body: KubeObject = 'sources' in o ? (o as DesiredObject).body : o;
  return (JSON.parse(body.metadata.annotations?.[META] ?? '{}') as { ownerReferences?: Array<{ kind: string; uid: string }> }).ownerReferences;
};

describe('ownerReferences that resolve in the target', () => {
  const owner = object('GlobalNetworkSet', null, 'trusted', []);
  const dependent = object('NetworkSet', 'prod', 'partners', [
    { kind: 'GlobalNetworkSet', name: 'trusted', uid: 'converted-source-uid' },
    { kind: 'Namespace', name: 'prod', uid: 'ns-uid', apiVersion: 'v1' },
  ]);

  it('reads only Calico owners of migrated kinds, with the namespace Kubernetes gives them', () => {
    const ns = object('NetworkSet', 'prod', 'x', [{ kind: 'NetworkSet', name: 'y', uid: 'u' }]);
    assert.deepEqual(
      calicoOwners(ns.body).map((o) => o.address),
      [`${V1}/NetworkSet/prod/y`],
    );
    assert.deepEqual(
      calicoOwners(dependent.body).map((o) => [o.index, o.address]),
      [[0, `${V1}/GlobalNetworkSet/trusted`]],
    );
  });

  it('an owner in the target: its live uid, at plan time; other owners untouched', () => {
    const live: KubeObject = { ...owner.body, metadata: { ...owner.body.metadata, uid: 'live-uid' } };
    const r = resolveOwnerReferences([owner, dependent], [live]);
    const d = r.desired.find((o) => o.kind === 'NetworkSet');
    assert.deepEqual(
      refsOf(d!)?.map((x) => x.uid),
      ['live-uid', 'ns-uid'],
    );
    assert.equal(d?.wave, undefined, 'nothing to wait for: its own wave');
    assert.deepEqual(r.rewrites, [{ address: `${V1}/NetworkSet/prod/partners`, object: 'NetworkSet prod/partners', owner: 'GlobalNetworkSet trusted', how: 'live' }]);
  });

  it('an owner this plan creates: uid left for apply, the dependent in the first owned wave, chains one wave deeper', () => {
    const grandchild = object('NetworkSet', 'prod', 'child', [{ kind: 'NetworkSet', name: 'partners', uid: 'u2' }]);
    const r = resolveOwnerReferences([owner, dependent, grandchild], []);
    const wave = (n: string) => r.desired.find((o) => o.name === n)?.wave;
    assert.equal(wave('trusted'), undefined);
    assert.equal(wave('partners'), WAVES.owned);
    assert.equal(wave('child'), WAVES.owned + 1);
    assert.ok(WAVES.owned > WAVES.ipamConfig && WAVES.ownedLast < WAVES.clusterIdentity);
    assert.equal(refsOf(r.desired.find((o) => o.name === 'partners')!)?.[0]?.uid, 'converted-source-uid');
    assert.deepEqual(
      r.rewrites.map((x) => x.how),
      ['at-apply', 'at-apply'],
    );
  });

  it('an owner neither migrated nor in the target: the reference is dropped, and the check warns', () => {
    const r = resolveOwnerReferences([dependent], []);
    assert.deepEqual(
      refsOf(r.desired[0]!)?.map((x) => x.kind),
      ['Namespace'],
    );
    const c = ownerReferencesCheck(r.rewrites);
    assert.equal(c.status, 'warn');
    assert.match(c.items[0] ?? '', /^NetworkSet prod\/partners -> GlobalNetworkSet trusted: dropped/);
    assert.equal(ownerReferencesCheck([]).status, 'pass');
  });

  it('dropping the last reference removes the field; nothing to change returns the same object', () => {
    const only = object('NetworkSet', 'prod', 'p', [{ kind: 'GlobalNetworkSet', name: 'gone', uid: 'u' }]);
    const out = withOwnerUids(only.body, new Map(), new Set([0]));
    assert.equal(refsOf(out), undefined);
    assert.equal(withOwnerUids(only.body, new Map([[0, 'u']])), only.body);
  });

  it('content comparison ignores which uid the owner got', () => {
    const written = withOwnerUids(dependent.body, new Map([[0, 'target-uid']]));
    const aligned = alignOwnerUids(dependent.body, written);
    assert.deepEqual(aligned, written);
    assert.equal(alignOwnerUids(owner.body, written), owner.body);
  });
});
