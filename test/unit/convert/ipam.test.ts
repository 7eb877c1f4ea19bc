import assert from 'node:assert/strict';
import { DiagnosticSink } from '../../../src/convert/diagnostics.js';
import { convertAffinityKV, convertBlockKV, convertConfigKV, convertHandleKV } from '../../../src/convert/ipam.js';
import { diffV3IpamConfig, readV2Config } from '../../../src/convert/ipam-config.js';
import { TUNNEL_HANDLE_PREFIXES, renameBlockAffinity, renameHandleId } from '../../../src/convert/rename.js';
import { StringPool } from '../../../src/convert/string-pool.js';
import { parseCalicoVersion } from '../../../src/convert/version.js';

const nodeMap = new Map([['old', 'new.k8s']]);

function ctx() {
  const version = parseCalicoVersion('v3.31.2');
  if (!version) throw new Error('bad test version');
  return { diag: new DiagnosticSink(), nodeMap, version, strings: new StringPool() };
}

function kv(key: string, value: unknown) {
  return { key, value: typeof value === 'string' ? value : JSON.stringify(value), modRevision: 7 };
}

describe('convert/ipam', () => {
  describe('node renames (reference §1.5, §7)', () => {
    it('renames all five tunnel handle prefixes and nothing else', () => {
      assert.equal(TUNNEL_HANDLE_PREFIXES.length, 5);
      for (const p of TUNNEL_HANDLE_PREFIXES) assert.equal(renameHandleId(`${p}old`, nodeMap), `${p}new.k8s`);
      assert.equal(renameHandleId('ipip-tunnel-addr-other', nodeMap), 'ipip-tunnel-addr-other');
      assert.equal(renameHandleId('k8s-pod-network.old', nodeMap), 'k8s-pod-network.old');
    });
    it('renames host: affinities but never virtual: ones', () => {
      assert.equal(renameBlockAffinity('host:old', nodeMap), 'host:new.k8s');
      assert.equal(renameBlockAffinity('virtual:old', nodeMap), 'virtual:old');
    });
  });

  it('IPAMBlock: name from CIDRToName, snake_case attributes, renames, strictAffinity false, no hostAffinity/releasedAt', () => {
    const c = ctx();
    const o = convertBlockKV(
      kv('/calico/ipam/v2/assignment/ipv6/block/fd00::40-122', {
        cidr: 'fd00::40/122',
        affinity: 'host:old',
        hostAffinity: 'old',
        allocations: [0, 1, null],
        unallocated: [2],
        attributes: [
          { handle_id: 'vxlan-v6-tunnel-addr-old', secondary: { node: 'old', type: 'vxlanV6TunnelAddress' } },
          { handle_id: 'k8s-pod-network.vmi.ns.vm', secondary: { node: 'old', pod: 'p2' }, alternateOwnerAttrs: { node: 'old', pod: 'p1' }, releasedAt: '2024-01-01T00:00:00Z' },
        ],
        sequenceNumber: 3,
        sequenceNumberForAllocation: { '0': 1, '1': 2 },
        deleted: false,
      }),
      'fd00::40/122',
      'fd00--40-122',
      c,
    );
    assert.ok(o);
    assert.equal(o.name, 'fd00--40-122');
    assert.deepEqual(o.body.spec, {
      cidr: 'fd00::40/122',
      affinity: 'host:new.k8s',
      allocations: [0, 1, null],
      unallocated: [2],
      attributes: [
        { handle_id: 'vxlan-v6-tunnel-addr-new.k8s', secondary: { node: 'new.k8s', type: 'vxlanV6TunnelAddress' } },
        { handle_id: 'k8s-pod-network.vmi.ns.vm', secondary: { node: 'new.k8s', pod: 'p2' }, alternateOwnerAttrs: { node: 'new.k8s', pod: 'p1' } },
      ],
      sequenceNumber: 3,
      sequenceNumberForAllocation: { '0': 1, '1': 2 },
      deleted: false,
      strictAffinity: false,
    });
    assert.deepEqual(o.body.metadata.annotations, { 'projectcalico.org/metadata': '{"creationTimestamp":null}' });
    assert.deepEqual(o.sources, [{ key: '/calico/ipam/v2/assignment/ipv6/block/fd00::40-122', mod_revision: 7 }]);
    assert.deepEqual(c.diag.list, []);
  });

  it('IPAMBlock: a value CIDR that differs from the key is an error', () => {
    const c = ctx();
    const o = convertBlockKV(kv('/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26', { cidr: '10.0.0.64/26' }), '10.0.0.0/26', '10-0-0-0-26', c);
    assert.equal(o, null);
    assert.deepEqual(
      c.diag.list.map((d) => d.code),
      ['cidr-mismatch'],
    );
  });

  it('BlockAffinity: host renamed, labels, deleted as a string, spec.type', () => {
    const c = ctx();
    const o = convertAffinityKV(
      kv('/calico/ipam/v2/host/old/ipv4/block/10.0.0.0-26', { state: 'confirmed', deleted: false }),
      { affinityType: 'host', host: 'old', ipVersion: 4, cidr: '10.0.0.0/26', cidrName: '10-0-0-0-26' },
      c,
    );
    assert.ok(o);
    assert.equal(o.name, 'new.k8s-10-0-0-0-26');
    assert.deepEqual(o.body.spec, { state: 'confirmed', node: 'new.k8s', type: 'host', cidr: '10.0.0.0/26', deleted: 'false' });
    assert.deepEqual(Object.keys(o.body.metadata.labels ?? {}), ['projectcalico.org/affinity-type', 'projectcalico.org/hostname-hash', 'projectcalico.org/ip-version']);
    assert.equal(o.body.metadata.labels?.['projectcalico.org/ip-version'], '4');
  });

  it('BlockAffinity: virtual affinities are migrated and never renamed; an empty value means {}', () => {
    const c = ctx();
    const o = convertAffinityKV(kv('/calico/ipam/v2/virtual/old/ipv6/block/fd00::-122', ''), { affinityType: 'virtual', host: 'old', ipVersion: 6, cidr: 'fd00::/122', cidrName: 'fd00---122' }, c);
    assert.ok(o);
    assert.equal(o.name, 'old-fd00---122');
    assert.deepEqual(o.body.spec, { state: '', node: 'old', type: 'virtual', cidr: 'fd00::/122', deleted: 'false' });
    assert.equal(o.body.metadata.labels?.['projectcalico.org/affinity-type'], 'virtual');
    assert.deepEqual(c.diag.list, []);
  });

  it('IPAMHandle: lower-cased name, handleID keeps its case; tunnel handles renamed', () => {
    const c = ctx();
    const pod = convertHandleKV(kv('/calico/ipam/v2/handle/k8s-pod-network.ABCdef', { block: { '10.0.0.0/26': 1 }, deleted: false }), 'k8s-pod-network.ABCdef', c);
    assert.ok(pod);
    assert.equal(pod.name, 'k8s-pod-network.abcdef');
    assert.deepEqual(pod.body.spec, { handleID: 'k8s-pod-network.ABCdef', block: { '10.0.0.0/26': 1 }, deleted: false });
    const tun = convertHandleKV(kv('/calico/ipam/v2/handle/wireguard-v6-tunnel-addr-old', { block: { 'fd00::/122': 1 } }), 'wireguard-v6-tunnel-addr-old', c);
    assert.ok(tun);
    assert.equal(tun.name, 'wireguard-v6-tunnel-addr-new.k8s');
    assert.equal(tun.body.spec && (tun.body.spec as Record<string, unknown>).handleID, 'wireguard-v6-tunnel-addr-new.k8s');
  });

  it('IPAMConfig: camelCase, autoAllocateBlocks and strictAffinity always present, omitempty zeros left out', () => {
    const c = ctx();
    const cfg = readV2Config({ strict_affinity: true, maxBlocksPerHost: 4, kubeVirtVMAddressPersistence: 'Enabled' }, '/calico/ipam/v2/config', c.diag);
    const o = convertConfigKV(kv('/calico/ipam/v2/config', '{}'), cfg, c);
    assert.ok(o);
    assert.equal(o.name, 'default');
    assert.deepEqual(o.body.spec, { strictAffinity: true, autoAllocateBlocks: false, maxBlocksPerHost: 4, kubeVirtVMAddressPersistence: 'Enabled' });
  });

  it('compares a v3 IPAMConfiguration with the effective v2 config', () => {
    const v2 = readV2Config({ strict_affinity: true, auto_allocate_blocks: true }, '/k', new DiagnosticSink());
    assert.deepEqual(diffV3IpamConfig({ strictAffinity: true, autoAllocateBlocks: true }, v2), []);
    assert.deepEqual(diffV3IpamConfig({ strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 2 }, v2), ['strictAffinity: v3=false v2=true', 'maxBlocksPerHost: v3=2 v2=0']);
  });
});
