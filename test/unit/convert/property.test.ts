import assert from 'node:assert/strict';
import fc from 'fast-check';
import { convertSnapshot } from '../../../src/convert/index.js';
import { dns1123SubdomainError } from '../../../src/convert/k8s-names.js';
import type { ConversionResult, ConvertOptions, SourceSnapshot } from '../../../src/model/types.js';
import { loadDataset } from '../../tools/datasets.js';

const V3 = '/calico/resources/v3/projectcalico.org/';
const PLURALS = [
  'ippools',
  'bgppeers',
  'tiers',
  'globalnetworkpolicies',
  'stagedglobalnetworkpolicies',
  'globalnetworksets',
  'hostendpoints',
  'kubecontrollersconfigurations',
  'networkpolicies',
  'stagednetworkpolicies',
  'stagedkubernetesnetworkpolicies',
  'networksets',
  'nodes',
  'bgpconfigurations',
  'felixconfigurations',
  'ipreservations',
  'bgpfilters',
  'clusterinformations',
  'profiles',
  'workloadendpoints',
  'ipamconfigurations',
  'blockaffinities',
  'caliconodestatuses',
  'livemigrations',
  'nosuchkind',
];
const KINDS = ['IPPool', 'Node', 'NetworkPolicy', 'GlobalNetworkPolicy', 'FelixConfiguration', 'ClusterInformation', 'Tier', 'Bogus'];

const segment = fc.oneof(
  fc.constantFrom('default', 'node.a', 'default.foo', 'sec.bar', 'kns.x', 'knp.default.y', 'a', 'B_ad', ''),
  fc.stringMatching(/^[a-z0-9.-]{1,20}$/),
  fc.string({ maxLength: 8 }),
);

const cidrText = fc.oneof(
  fc.constantFrom('10.0.0.0-26', 'fd00::40-122', '10.0.0.1-26', '10.0.0.0-33', 'x', '::-0', '0.0.0.0-0'),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(32)).map(([a, b, p]) => `${a}.${b}.0.0-${p}`),
);

const validLookingKey = fc.oneof(
  fc.tuple(fc.constantFrom(...PLURALS), segment).map(([p, n]) => `${V3}${p}/${n}`),
  fc.tuple(fc.constantFrom(...PLURALS), segment, segment).map(([p, ns, n]) => `${V3}${p}/${ns}/${n}`),
  fc.tuple(fc.constantFrom('ipv4', 'ipv6'), cidrText).map(([v, c]) => `/calico/ipam/v2/assignment/${v}/block/${c}`),
  fc.tuple(fc.constantFrom('host', 'virtual'), segment, fc.constantFrom('ipv4', 'ipv6'), cidrText).map(([t, h, v, c]) => `/calico/ipam/v2/${t}/${h}/${v}/block/${c}`),
  segment.map((h) => `/calico/ipam/v2/handle/${h}`),
  fc.constant('/calico/ipam/v2/config'),
  fc.string().map((s) => `/calico/${s}`),
);

const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Objects shaped like Calico values, with every field possibly of the wrong type. */
const calicoish = fc.record(
  {
    kind: fc.oneof(fc.constantFrom(...KINDS), anyJson),
    apiVersion: fc.oneof(fc.constant('projectcalico.org/v3'), anyJson),
    metadata: fc.oneof(
      fc.record(
        {
          name: fc.oneof(segment, anyJson),
          namespace: fc.oneof(segment, anyJson),
          labels: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), anyJson),
          annotations: fc.oneof(fc.dictionary(fc.constantFrom('projectcalico.org/metadata', 'a', 'projectcalico.org/x'), fc.oneof(fc.string(), fc.constant('{"name":"n"}'))), anyJson),
          creationTimestamp: anyJson,
          ownerReferences: anyJson,
        },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    spec: fc.oneof(
      fc.record(
        {
          cidr: fc.oneof(fc.constantFrom('10.0.0.0/16', 'fd00::/48', 'bad'), anyJson),
          tier: anyJson,
          types: anyJson,
          ingress: anyJson,
          egress: anyJson,
          node: anyJson,
          orchRefs: fc.oneof(fc.array(fc.record({ nodeName: fc.oneof(segment, anyJson), orchestrator: fc.constantFrom('k8s', 'other') })), anyJson),
          bgp: anyJson,
          blockSize: anyJson,
          defaultEndpointToHostAction: anyJson,
        },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    // IPAM-shaped fields
    allocations: anyJson,
    unallocated: anyJson,
    attributes: fc.oneof(fc.array(fc.record({ handle_id: anyJson, secondary: anyJson, alternateOwnerAttrs: anyJson }, { requiredKeys: [] })), anyJson),
    affinity: anyJson,
    block: anyJson,
    state: anyJson,
    deleted: anyJson,
    strict_affinity: anyJson,
  },
  { requiredKeys: [] },
);

const value = fc.oneof(
  fc.string(),
  anyJson.map((v) => JSON.stringify(v)),
  calicoish.map((v) => JSON.stringify(v)),
);

const kvs = fc.array(fc.record({ key: fc.oneof(validLookingKey, fc.string()), value, modRevision: fc.integer() }), { maxLength: 25 });

const options: fc.Arbitrary<ConvertOptions> = fc.record(
  {
    calicoVersion: fc.oneof(fc.constantFrom('v3.28.0', 'v3.29.1', 'v3.30.0', 'v3.31.2', 'v3.32.1', 'garbage'), fc.string()),
    nodeMap: fc.dictionary(segment, segment),
    skipUnknown: fc.boolean(),
  },
  { requiredKeys: [] },
);

function checkInvariants(r: ConversionResult): void {
  assert.ok(Array.isArray(r.objects));
  assert.ok(Array.isArray(r.skipped));
  assert.ok(Array.isArray(r.diagnostics));
  assert.equal(typeof r.namingVersion, 'string');
  for (const o of r.objects) {
    assert.equal(o.body.metadata.name, o.name);
    assert.equal(dns1123SubdomainError(o.name), null, o.name);
    assert.ok(o.sources.length > 0);
  }
  for (const d of r.diagnostics) {
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    // An internal error means an exception escaped a converter: a bug, even though it was contained.
    assert.notEqual(d.code, 'internal-error', d.message);
    if (d.severity === 'error') assert.ok(d.hint, `error ${d.code} without a hint: ${d.message}`);
  }
  JSON.stringify(r);
}

function snapshot(entries: Array<{ key: string; value: string; modRevision: number }>): SourceSnapshot {
  return { origin: 'etcd', endpoints: [], clusterId: null, revision: 1, kvs: entries };
}

describe('convertSnapshot properties', () => {
  it('never throws and always returns arrays, for arbitrary keys and values', () => {
    fc.assert(
      fc.property(kvs, options, (entries, opts) => {
        checkInvariants(convertSnapshot(snapshot(entries), opts));
      }),
      { numRuns: 400 },
    );
  });

  it('never throws when values of a real dataset are corrupted', () => {
    const base = loadDataset('full').snapshot.kvs;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), value), { maxLength: 8 }), options, (mutations, opts) => {
        const entries = base.map((kv) => ({ ...kv }));
        for (const [i, v] of mutations) {
          const e = entries[i];
          if (e) e.value = v;
        }
        checkInvariants(convertSnapshot(snapshot(entries), opts));
      }),
      { numRuns: 150 },
    );
  });

  it('is a pure function of the set of keys (input order does not matter)', () => {
    fc.assert(
      fc.property(kvs, (entries) => {
        const uniq = [...new Map(entries.map((e) => [e.key, e])).values()];
        const a = convertSnapshot(snapshot(uniq), { calicoVersion: 'v3.31.2' });
        const b = convertSnapshot(snapshot([...uniq].reverse()), { calicoVersion: 'v3.31.2' });
        assert.deepEqual(b, a);
      }),
      { numRuns: 200 },
    );
  });
});
