import assert from 'node:assert/strict';
import { convertSnapshot } from '../../../src/convert/index.js';
import type { SourceKV } from '../../../src/model/types.js';

const V3 = '/calico/resources/v3/projectcalico.org/';

/** A large but realistic cluster: 1,000 nodes, 24,000 blocks and affinities, 48,000 handles, 4,000 policies (~101,000 keys). */
function bigSnapshot(): SourceKV[] {
  const kvs: SourceKV[] = [];
  let rev = 1;
  const add = (key: string, value: unknown) => kvs.push({ key, value: JSON.stringify(value), modRevision: rev++ });
  add(`${V3}clusterinformations/default`, { kind: 'ClusterInformation', apiVersion: 'projectcalico.org/v3', metadata: { name: 'default' }, spec: { calicoVersion: 'v3.31.2', datastoreReady: false } });
  add(`${V3}ippools/pool`, { kind: 'IPPool', apiVersion: 'projectcalico.org/v3', metadata: { name: 'pool' }, spec: { cidr: '10.0.0.0/8' } });
  for (let n = 0; n < 1000; n++) {
    const node = `node-${n}`;
    add(`${V3}nodes/${node}`, {
      kind: 'Node',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name: node, labels: { zone: `z${n % 3}` } },
      spec: { bgp: { ipv4Address: `172.16.${n >> 8}.${n & 255}/16` }, orchRefs: [{ nodeName: `${node}.k8s`, orchestrator: 'k8s' }] },
    });
  }
  for (let b = 0; b < 24000; b++) {
    const node = `node-${b % 1000}`;
    const cidr = `10.${b >> 10}.${(b >> 2) & 255}.${(b & 3) * 64}/26`;
    const allocations: Array<number | null> = new Array(64).fill(null);
    const attributes = [];
    for (let i = 0; i < 2; i++) {
      allocations[i] = i;
      const handle = i === 0 && b < 1000 ? `ipip-tunnel-addr-${node}` : `k8s-pod-network.${b.toString(16).padStart(8, '0')}${i}`;
      attributes.push({ handle_id: handle, secondary: { node, namespace: 'ns', pod: `p${b}-${i}` } });
      add(`/calico/ipam/v2/handle/${handle}`, { block: { [cidr]: 1 }, deleted: false });
    }
    const key = cidr.replace('/', '-');
    add(`/calico/ipam/v2/assignment/ipv4/block/${key}`, {
      cidr,
      affinity: `host:${node}`,
      allocations,
      unallocated: [...Array(62).keys()].map((x) => x + 2),
      attributes,
      sequenceNumber: 2,
      sequenceNumberForAllocation: { '0': 0, '1': 1 },
      deleted: false,
    });
    add(`/calico/ipam/v2/host/${node}/ipv4/block/${key}`, { state: 'confirmed', deleted: false });
  }
  for (let p = 0; p < 4000; p++) {
    add(`${V3}networkpolicies/ns-${p % 50}/default.p${p}`, {
      kind: 'NetworkPolicy',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name: `default.p${p}`, namespace: `ns-${p % 50}` },
      spec: { tier: 'default', selector: 'all()', ingress: [{ action: 'Allow' }] },
    });
  }
  return kvs;
}

/**
 * Correctness at scale. How fast this runs is measured by `npm run bench` (scripts/bench/bench.ts
 * checks a conversion floor there); a wall-clock bound here failed on a busy runner, not on a slow converter.
 */
describe('convertSnapshot at scale', function () {
  this.timeout(60000);
  it('converts 100,000 keys without errors, one object per key but the ClusterInformation', () => {
    const kvs = bigSnapshot();
    assert.ok(kvs.length >= 100000, `${kvs.length} keys`);
    const r = convertSnapshot({ origin: 'etcd', endpoints: [], clusterId: null, revision: 1, kvs });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(r.objects.length, kvs.length - 1);
  });
});
