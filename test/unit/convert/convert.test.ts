import assert from 'node:assert/strict';
import { convertSnapshot, convertSnapshotConsuming } from '../../../src/convert/index.js';
import type { ConversionResult, SourceKV, SourceSnapshot } from '../../../src/model/types.js';

const V3 = '/calico/resources/v3/projectcalico.org/';

function snap(entries: Array<[string, unknown]>): SourceSnapshot {
  const kvs: SourceKV[] = entries.map(([key, value], i) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value), modRevision: i + 1 }));
  return { origin: 'etcd', endpoints: [], clusterId: null, revision: 99, kvs };
}

function obj(r: ConversionResult, kind: string, name: string) {
  return r.objects.find((o) => o.kind === kind && o.name === name);
}

function v3(kind: string, name: string, spec: Record<string, unknown>, ns?: string, extra: Record<string, unknown> = {}) {
  return { kind, apiVersion: 'projectcalico.org/v3', metadata: { name, ...(ns ? { namespace: ns } : {}), ...extra }, spec };
}

const cinfo = (version: string) => [`${V3}clusterinformations/default`, v3('ClusterInformation', 'default', { clusterGUID: 'g', calicoVersion: version, datastoreReady: false })] as [string, unknown];

describe('convertSnapshot', () => {
  it('renames an etcd node everywhere it is referenced', () => {
    const r = convertSnapshot(
      snap([
        cinfo('v3.31.2'),
        [`${V3}nodes/old`, v3('Node', 'old', { orchRefs: [{ nodeName: 'new.k8s', orchestrator: 'k8s' }], bgp: { ipv4Address: '10.0.0.1/24' } })],
        [`${V3}felixconfigurations/node.old`, v3('FelixConfiguration', 'node.old', {})],
        [`${V3}bgpconfigurations/node.old`, v3('BGPConfiguration', 'node.old', {})],
        [`${V3}bgppeers/p`, v3('BGPPeer', 'p', { node: 'old', peerIP: '10.0.0.254', asNumber: 65000 })],
        [`${V3}hostendpoints/h`, v3('HostEndpoint', 'h', { node: 'old', interfaceName: 'eth0' })],
        [
          '/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26',
          {
            cidr: '10.0.0.0/26',
            affinity: 'host:old',
            allocations: [0],
            unallocated: [],
            attributes: [{ handle_id: 'ipip-tunnel-addr-old', secondary: { node: 'old' } }],
            sequenceNumber: 0,
            deleted: false,
          },
        ],
        ['/calico/ipam/v2/host/old/ipv4/block/10.0.0.0-26', { state: 'confirmed', deleted: false }],
        ['/calico/ipam/v2/handle/ipip-tunnel-addr-old', { block: { '10.0.0.0/26': 1 }, deleted: false }],
      ]),
    );
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity !== 'info'),
      [],
    );
    assert.deepEqual(r.nodeMap, { old: 'new.k8s' });
    assert.ok(obj(r, 'Node', 'new.k8s'));
    assert.ok(obj(r, 'FelixConfiguration', 'node.new.k8s'));
    assert.ok(obj(r, 'BGPConfiguration', 'node.new.k8s'));
    assert.equal((obj(r, 'BGPPeer', 'p')?.body.spec as Record<string, unknown>).node, 'new.k8s');
    assert.equal((obj(r, 'HostEndpoint', 'h')?.body.spec as Record<string, unknown>).node, 'new.k8s');
    const block = obj(r, 'IPAMBlock', '10-0-0-0-26')?.body.spec as Record<string, unknown>;
    assert.equal(block.affinity, 'host:new.k8s');
    assert.deepEqual(block.attributes, [{ handle_id: 'ipip-tunnel-addr-new.k8s', secondary: { node: 'new.k8s' } }]);
    assert.ok(obj(r, 'BlockAffinity', 'new.k8s-10-0-0-0-26'));
    assert.ok(obj(r, 'IPAMHandle', 'ipip-tunnel-addr-new.k8s'));
    assert.equal(JSON.stringify(r.objects).includes('"old"'), false);
  });

  it('the consuming conversion gives the same result, and empties the snapshot it takes over', () => {
    const entries: Array<[string, unknown]> = [
      cinfo('v3.31.2'),
      [`${V3}nodes/n1`, v3('Node', 'n1', {})],
      [`${V3}tiers/t`, v3('Tier', 't', { order: 10 })],
      [
        '/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26',
        { cidr: '10.0.0.0/26', affinity: 'host:n1', allocations: [0], unallocated: [], attributes: [{ handle_id: 'h1', secondary: { node: 'n1', pod: 'p' } }] },
      ],
      ['/calico/ipam/v2/handle/h1', { block: { '10.0.0.0/26': 1 }, deleted: false }],
      ['/calico/ipam/v2/host/n1/ipv4/block/10.0.0.0-26', { state: 'confirmed', deleted: false }],
    ];
    const taken = snap(entries);
    const kept = snap(entries);
    const r = convertSnapshotConsuming(taken, { calicoVersion: 'v3.31.2' });
    assert.deepEqual(r, convertSnapshot(kept, { calicoVersion: 'v3.31.2' }));
    assert.equal(taken.kvs.length, 0);
    assert.equal(kept.kvs.length, entries.length, 'convertSnapshot leaves its input alone');
  });

  it('names a legacy default.foo policy key per the target version', () => {
    const entries: Array<[string, unknown]> = [[`${V3}globalnetworkpolicies/default.foo`, v3('GlobalNetworkPolicy', 'default.foo', { tier: 'default', selector: 'all()' })]];
    const old = convertSnapshot(snap(entries), { calicoVersion: 'v3.28.0' });
    const mid = convertSnapshot(snap(entries), { calicoVersion: 'v3.30.0' });
    const cur = convertSnapshot(snap(entries), { calicoVersion: 'v3.32.1' });
    assert.deepEqual(
      old.objects.map((o) => o.name),
      ['default.foo'],
    );
    assert.deepEqual(
      mid.objects.map((o) => o.name),
      ['foo'],
    );
    assert.deepEqual(
      cur.objects.map((o) => o.name),
      ['foo'],
    );
    assert.equal(old.namingVersion, 'v3.28.0');
    assert.match(String(mid.objects[0]?.body.metadata.annotations?.['projectcalico.org/metadata']), /^\{"name":"foo",/);
  });

  it('migrates staged policies in every namespace', () => {
    const r = convertSnapshot(
      snap([
        cinfo('v3.31.2'),
        [`${V3}stagednetworkpolicies/a/s1`, v3('StagedNetworkPolicy', 's1', { tier: 'default' }, 'a')],
        [`${V3}stagednetworkpolicies/b/s2`, v3('StagedNetworkPolicy', 's2', { tier: 'default' }, 'b')],
        [`${V3}stagedkubernetesnetworkpolicies/c/k1`, v3('StagedKubernetesNetworkPolicy', 'k1', { podSelector: {} }, 'c')],
      ]),
    );
    assert.deepEqual(
      r.objects.map((o) => `${o.namespace}/${o.name}`),
      ['c/k1', 'a/s1', 'b/s2'],
    );
    assert.equal(obj(r, 'StagedKubernetesNetworkPolicy', 'k1')?.body.metadata.labels, undefined);
  });

  it('reports ClusterInformation without datastoreReady as null and never emits it as an object', () => {
    const r = convertSnapshot(snap([[`${V3}clusterinformations/default`, v3('ClusterInformation', 'default', { clusterGUID: 'abc', calicoVersion: 'v3.31.1' })]]));
    assert.deepEqual(r.objects, []);
    assert.deepEqual(r.clusterInfo, {
      key: `${V3}clusterinformations/default`,
      modRevision: 1,
      clusterGUID: 'abc',
      calicoVersion: 'v3.31.1',
      clusterType: null,
      datastoreReady: null,
      creationTimestamp: null,
    });
  });

  it('fails closed on unknown keys unless skipUnknown', () => {
    const s = snap([cinfo('v3.31.2'), ['/calico/mystery', 'x']]);
    const strict = convertSnapshot(s);
    assert.deepEqual(
      strict.diagnostics.map((d) => [d.severity, d.code, d.key]),
      [['error', 'unknown-key', '/calico/mystery']],
    );
    const lax = convertSnapshot(s, { skipUnknown: true });
    assert.deepEqual(
      lax.diagnostics.map((d) => [d.severity, d.code]),
      [['warning', 'unknown-key']],
    );
    assert.deepEqual(
      lax.skipped.map((k) => [k.key, k.category]),
      [['/calico/mystery', 'unknown']],
    );
  });

  it('treats bad JSON as an error, not a silent skip, and carries on', () => {
    const r = convertSnapshot(snap([cinfo('v3.31.2'), [`${V3}ippools/p`, '{"kind":'], [`${V3}globalnetworksets/g`, v3('GlobalNetworkSet', 'g', { nets: [] })]]));
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.key]),
      [['invalid-json', `${V3}ippools/p`]],
    );
    assert.deepEqual(
      r.objects.map((o) => o.name),
      ['g'],
    );
  });

  it('reports two keys converting to the same object', () => {
    const r = convertSnapshot(
      snap([
        cinfo('v3.31.2'),
        [`${V3}globalnetworkpolicies/default.dup`, v3('GlobalNetworkPolicy', 'default.dup', { tier: 'default' })],
        [`${V3}globalnetworkpolicies/dup`, v3('GlobalNetworkPolicy', 'dup', { tier: 'default' })],
      ]),
    );
    assert.equal(r.objects.length, 1);
    const d = r.diagnostics.find((x) => x.code === 'duplicate-object');
    assert.ok(d);
    assert.match(d.message, /default\.dup.*dup/);
  });

  it('orders objects by wave, kind, namespace and name, independent of input order', () => {
    const entries: Array<[string, unknown]> = [
      cinfo('v3.31.2'),
      ['/calico/ipam/v2/config', { strict_affinity: false, auto_allocate_blocks: true }],
      [`${V3}networkpolicies/b/p`, v3('NetworkPolicy', 'p', { tier: 'default' }, 'b')],
      [`${V3}networkpolicies/a/p`, v3('NetworkPolicy', 'p', { tier: 'default' }, 'a')],
      [`${V3}tiers/t`, v3('Tier', 't', { order: 1 })],
      [`${V3}ippools/p`, v3('IPPool', 'p', { cidr: '10.0.0.0/16' })],
    ];
    const a = convertSnapshot(snap(entries));
    const b = convertSnapshot(snap([...entries].reverse()));
    const order = a.objects.map((o) => `${o.kind}/${o.namespace ?? ''}/${o.name}`);
    assert.deepEqual(order, ['Tier//t', 'IPPool//p', 'NetworkPolicy/a/p', 'NetworkPolicy/b/p', 'IPAMConfig//default']);
    assert.deepEqual(
      b.objects.map((o) => `${o.kind}/${o.namespace ?? ''}/${o.name}`),
      order,
    );
    assert.deepEqual(JSON.stringify(a.objects.map((o) => o.body)), JSON.stringify(b.objects.map((o) => o.body)));
  });

  it('warns when the Calico version is unknown and errors when it is malformed', () => {
    const none = convertSnapshot(snap([]));
    assert.equal(none.namingVersion, 'v3.32.1');
    assert.deepEqual(
      none.diagnostics.map((d) => d.code),
      ['calico-version-unknown'],
    );
    const bad = convertSnapshot(snap([]), { calicoVersion: 'latest' });
    assert.deepEqual(
      bad.diagnostics.map((d) => [d.severity, d.code]),
      [['error', 'invalid-calico-version']],
    );
  });

  it('never throws on garbage input', () => {
    for (const s of [null, undefined, {}, { kvs: null }, { kvs: [null, 1, 'x', { key: 1, value: 2 }] }]) {
      const r = convertSnapshot(s as unknown as SourceSnapshot);
      assert.ok(Array.isArray(r.objects) && Array.isArray(r.diagnostics) && Array.isArray(r.skipped));
    }
  });

  it('leaves schema validation to the schema check: a value no CRD allows is converted as stored', () => {
    const r = convertSnapshot(snap([cinfo('v3.31.2'), [`${V3}globalnetworksets/g`, v3('GlobalNetworkSet', 'g', { nets: [1] })]]));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(obj(r, 'GlobalNetworkSet', 'g')?.body.spec, { nets: [1] });
  });
});
