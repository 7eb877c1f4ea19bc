import assert from 'node:assert/strict';
import { WAVES } from '../../../src/model/kinds.js';
import type { KubeObject } from '../../../src/model/types.js';
import { clusterInformationChanges, deriveClusterGUID, IDENTITY_ADDRESS, LOCK_ADDRESS } from '../../../src/plan/cluster-information.js';

const SOURCE = { key: '/calico/resources/v3/projectcalico.org/clusterinformations/default', modRevision: 12, clusterGUID: 'source-guid', calicoVersion: 'v3.31.2' };

function liveCI(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'ClusterInformation',
    metadata: { name: 'default', uid: 'ci-uid', resourceVersion: '77', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec,
  };
}

const specOf = (o: KubeObject | null) => o?.spec as Record<string, unknown>;

describe('clusterInformationChanges', () => {
  it('locks the target first and carries the source identity last', () => {
    const [lock, identity] = clusterInformationChanges({
      source: SOURCE,
      live: liveCI({ clusterGUID: 'target-guid', clusterType: 'k8s,kdd', calicoVersion: 'v3.31.0', datastoreReady: true, variant: 'Calico' }),
      newClusterGUID: 'unused',
    });
    assert.equal(lock.address, LOCK_ADDRESS);
    assert.equal(lock.address, 'crd.projectcalico.org/v1/ClusterInformation/default#lock');
    assert.equal(lock.wave, WAVES.clusterLock);
    assert.equal(lock.change.action, 'update');
    assert.deepEqual(lock.change.changed_paths, ['spec.datastoreReady']);
    assert.deepEqual(specOf(lock.change.after), { clusterGUID: 'target-guid', clusterType: 'k8s,kdd', calicoVersion: 'v3.31.0', datastoreReady: false, variant: 'Calico' });
    assert.deepEqual(lock.target, { uid: 'ci-uid', resource_version: '77' });
    assert.equal(lock.change.before?.metadata.resourceVersion, undefined, 'before is normalised');

    assert.equal(identity.address, IDENTITY_ADDRESS);
    assert.equal(identity.wave, WAVES.clusterIdentity);
    assert.equal(identity.change.action, 'update');
    assert.deepEqual(identity.change.before, lock.change.after, 'planned against the state the lock step leaves');
    assert.deepEqual(identity.change.changed_paths, ['spec.calicoVersion', 'spec.clusterGUID']);
    assert.deepEqual(specOf(identity.change.after), { clusterGUID: 'source-guid', clusterType: 'k8s,kdd', calicoVersion: 'v3.31.2', datastoreReady: false, variant: 'Calico' });
    assert.deepEqual(identity.source_keys, [{ key: SOURCE.key, mod_revision: 12 }]);
  });

  it('creates a missing ClusterInformation like EnsureInitialized, locked, with the GUID given and the metadata annotation Calico writes', () => {
    const [lock, identity] = clusterInformationChanges({ source: SOURCE, live: null, newClusterGUID: 'fresh-guid', createdAt: '2024-03-01T10:00:00Z' });
    assert.equal(lock.change.action, 'create');
    assert.equal(lock.change.before, null);
    assert.deepEqual(lock.change.after, {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'ClusterInformation',
      metadata: { name: 'default', annotations: { 'projectcalico.org/metadata': '{"creationTimestamp":"2024-03-01T10:00:00Z"}' } },
      spec: { clusterGUID: 'fresh-guid', clusterType: 'kdd', datastoreReady: false },
    });
    assert.deepEqual(lock.target, { uid: null, resource_version: null });
    assert.equal(identity.change.action, 'update');
    assert.deepEqual(specOf(identity.change.after), { clusterGUID: 'source-guid', clusterType: 'kdd', calicoVersion: 'v3.31.2', datastoreReady: false });
  });

  it('fills a missing GUID and type on an existing object, treating absent datastoreReady as ready', () => {
    const [lock] = clusterInformationChanges({ source: SOURCE, live: liveCI({ calicoVersion: 'v3.31.2' }), newClusterGUID: 'fresh-guid' });
    assert.deepEqual(lock.change.changed_paths, ['spec.clusterGUID', 'spec.clusterType', 'spec.datastoreReady']);
  });

  it('is a no-op twice when the target is already locked with the source identity', () => {
    const [lock, identity] = clusterInformationChanges({
      source: SOURCE,
      live: liveCI({ clusterGUID: 'source-guid', clusterType: 'k8s,kdd', calicoVersion: 'v3.31.2', datastoreReady: false }),
      newClusterGUID: 'unused',
    });
    for (const c of [lock, identity]) {
      assert.deepEqual(c.change, { action: 'no-op', before: null, after: null, changed_paths: [] });
      assert.deepEqual(c.target, { uid: 'ci-uid', resource_version: '77' });
    }
  });

  it('locks only, when already locked but the identity differs', () => {
    const [lock, identity] = clusterInformationChanges({
      source: SOURCE,
      live: liveCI({ clusterGUID: 'target-guid', clusterType: 'kdd', calicoVersion: 'v3.31.2', datastoreReady: false }),
      newClusterGUID: 'unused',
    });
    assert.equal(lock.change.action, 'no-op');
    assert.deepEqual(identity.change.changed_paths, ['spec.clusterGUID']);
  });

  it('keeps the target identity when the source has none', () => {
    const [, identity] = clusterInformationChanges({
      source: null,
      live: liveCI({ clusterGUID: 'target-guid', clusterType: 'kdd', datastoreReady: true }),
      newClusterGUID: 'unused',
    });
    assert.equal(identity.change.action, 'no-op');
    assert.deepEqual(identity.source_keys, []);
  });

  it('does not mutate the live object', () => {
    const live = liveCI({ clusterGUID: 'g', datastoreReady: true });
    const copy = structuredClone(live);
    clusterInformationChanges({ source: SOURCE, live, newClusterGUID: 'x' });
    assert.deepEqual(live, copy);
  });
});

describe('deriveClusterGUID', () => {
  it('is 32 hex digits and deterministic', () => {
    assert.match(deriveClusterGUID('a', 'b'), /^[0-9a-f]{32}$/);
    assert.equal(deriveClusterGUID('a', 'b'), deriveClusterGUID('a', 'b'));
    assert.notEqual(deriveClusterGUID('a', 'b'), deriveClusterGUID('ab'));
  });
});
