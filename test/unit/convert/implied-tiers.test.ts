import assert from 'node:assert/strict';
import { convertSnapshot } from '../../../src/convert/index.js';
import { impliedTiers, withImpliedTiers } from '../../../src/convert/implied-tiers.js';
import { PROTECTED_TIERS } from '../../../src/model/protected-tiers.js';
import type { DesiredObject } from '../../../src/model/types.js';

const TIERS = '/calico/resources/v3/projectcalico.org/tiers/';
const CREATED = '2024-03-01T10:00:00Z';

/** What the converter makes of the tier as Calico's EnsureInitialized would have stored it in etcd. */
function convertedFromEtcd(name: string, order: number, defaultAction: string, version: string, creationTimestamp?: string): DesiredObject {
  const value = JSON.stringify({ kind: 'Tier', apiVersion: 'projectcalico.org/v3', metadata: { name, creationTimestamp }, spec: { order, defaultAction } });
  const r = convertSnapshot({ origin: 'etcd', endpoints: [], clusterId: null, revision: null, kvs: [{ key: `${TIERS}${name}`, value, modRevision: 0 }] }, { calicoVersion: version });
  assert.deepEqual(r.diagnostics, []);
  const [o] = r.objects;
  assert.ok(o);
  return { ...o, sources: [] };
}

describe('implied protected tiers', () => {
  for (const version of ['v3.32.1', 'v3.28.0']) {
    it(`are exactly what the converter makes of Calico's own tiers (${version} metadata layout)`, () => {
      const implied = impliedTiers([], new Set(), version, CREATED);
      assert.deepEqual(
        implied.map((t) => t.name),
        ['default', 'kube-admin', 'kube-baseline'],
      );
      for (const t of PROTECTED_TIERS) {
        // Byte for byte, key order included: the plan file and its id are built from these bodies.
        assert.equal(JSON.stringify(implied.find((o) => o.name === t.name)), JSON.stringify(convertedFromEtcd(t.name, t.order, t.defaultAction, version, CREATED)));
      }
    });
  }

  it('carry the time the source datastore was initialised, not null', () => {
    for (const t of impliedTiers([], new Set(), 'v3.32.1', CREATED)) {
      const annotation = JSON.parse(t.body.metadata.annotations?.['projectcalico.org/metadata'] ?? '{}') as { creationTimestamp?: unknown };
      assert.equal(annotation.creationTimestamp, CREATED, t.name);
    }
  });

  it('take the source ClusterInformation creationTimestamp, else the earliest of the source objects', () => {
    const kv = (key: string, kind: string, metadata: object) => ({ key, value: JSON.stringify({ kind, apiVersion: 'projectcalico.org/v3', metadata, spec: {} }), modRevision: 1 });
    const snap = (kvs: ReturnType<typeof kv>[]) => ({ origin: 'etcd' as const, endpoints: [], clusterId: null, revision: null, kvs });
    const ci = kv('/calico/resources/v3/projectcalico.org/clusterinformations/default', 'ClusterInformation', { name: 'default', creationTimestamp: '2023-01-01T00:00:00Z' });
    const later = kv('/calico/resources/v3/projectcalico.org/globalnetworksets/b', 'GlobalNetworkSet', { name: 'b', creationTimestamp: '2024-05-01T00:00:00Z' });
    const earlier = kv('/calico/resources/v3/projectcalico.org/globalnetworksets/a', 'GlobalNetworkSet', { name: 'a', creationTimestamp: '2024-02-01T00:00:00Z' });
    const sorted = (kvs: ReturnType<typeof kv>[]) => [...kvs].sort((a, b) => (a.key < b.key ? -1 : 1));
    assert.equal(convertSnapshot(snap(sorted([ci, later, earlier]))).datastoreCreatedAt, '2023-01-01T00:00:00Z');
    assert.equal(convertSnapshot(snap(sorted([later, earlier]))).datastoreCreatedAt, '2024-02-01T00:00:00Z');
    assert.equal(convertSnapshot(snap([])).datastoreCreatedAt, null);
  });

  it('lists Deny 1e6 for default, Pass 1e3 for kube-admin and Pass 1e7 for kube-baseline', () => {
    assert.deepEqual(
      PROTECTED_TIERS.map((t) => [t.name, t.order, t.defaultAction]),
      [
        ['default', 1e6, 'Deny'],
        ['kube-admin', 1e3, 'Pass'],
        ['kube-baseline', 1e7, 'Pass'],
      ],
    );
  });

  it('are left out when the source or the target has them, and carry no source key', () => {
    const source = convertedFromEtcd('default', 5, 'Pass', 'v3.32.1');
    const implied = impliedTiers([source], new Set(['kube-admin']), 'v3.32.1', CREATED);
    assert.deepEqual(
      implied.map((t) => [t.name, t.sources]),
      [['kube-baseline', []]],
    );
  });

  it('are merged in conversion order', () => {
    const pool: DesiredObject = {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'IPPool',
      namespace: null,
      name: 'p',
      body: { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' } },
      sources: [],
    };
    const own = convertedFromEtcd('aaa', 1, 'Deny', 'v3.32.1');
    assert.deepEqual(
      withImpliedTiers([pool, own], new Set(), 'v3.32.1', CREATED).map((o) => `${o.kind}/${o.name}`),
      ['Tier/aaa', 'Tier/default', 'Tier/kube-admin', 'Tier/kube-baseline', 'IPPool/p'],
    );
  });
});
