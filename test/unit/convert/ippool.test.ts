import assert from 'node:assert/strict';
import { DiagnosticSink } from '../../../src/convert/diagnostics.js';
import { checkPoolOverlaps, defaultAndValidateIPPool, type PoolRef } from '../../../src/convert/ippool.js';

function run(spec: Record<string, unknown>) {
  const diag = new DiagnosticSink();
  const cidr = defaultAndValidateIPPool(spec, { key: '/k', address: 'a', diag });
  return { spec, cidr, diag: diag.list };
}

describe('convert/ippool', () => {
  it('applies clientv3 defaults to an IPv4 pool', () => {
    const { spec, diag } = run({ cidr: '192.168.0.0/16' });
    assert.deepEqual(spec, {
      cidr: '192.168.0.0/16',
      nodeSelector: 'all()',
      blockSize: 26,
      allowedUses: ['Workload', 'Tunnel'],
      ipipMode: 'Never',
      vxlanMode: 'Never',
      assignmentMode: 'Automatic',
    });
    assert.deepEqual(diag, []);
  });

  it('defaults the block size to 122 for IPv6 and normalises the CIDR text', () => {
    const { spec } = run({ cidr: 'FD5F:ABCD:0064:0::/48' });
    assert.equal(spec.cidr, 'fd5f:abcd:64::/48');
    assert.equal(spec.blockSize, 122);
  });

  it('keeps explicit values', () => {
    const { spec } = run({ cidr: '10.0.0.0/16', blockSize: 28, nodeSelector: "zone == 'a'", allowedUses: ['Workload'], assignmentMode: 'Manual', ipipMode: 'CrossSubnet' });
    assert.equal(spec.blockSize, 28);
    assert.equal(spec.nodeSelector, "zone == 'a'");
    assert.deepEqual(spec.allowedUses, ['Workload']);
    assert.equal(spec.assignmentMode, 'Manual');
    assert.equal(spec.ipipMode, 'CrossSubnet');
  });

  it('reports invalid CIDRs, unmasked CIDRs and bad block sizes', () => {
    assert.deepEqual(
      run({ cidr: '10.0.0.0/33' }).diag.map((d) => [d.code, d.path]),
      [['invalid-cidr', '/spec/cidr']],
    );
    assert.deepEqual(
      run({}).diag.map((d) => d.code),
      ['invalid-cidr'],
    );
    assert.deepEqual(
      run({ cidr: '10.1.2.3/16' }).diag.map((d) => d.code),
      ['invalid-ippool'],
    );
    assert.deepEqual(
      run({ cidr: '10.0.0.0/16', blockSize: 19 }).diag.map((d) => d.path),
      ['/spec/blockSize'],
    );
    assert.deepEqual(
      run({ cidr: '10.0.0.0/28', blockSize: 26 }).diag.map((d) => d.path),
      ['/spec/cidr'],
    );
    assert.deepEqual(
      run({ cidr: 'fd00::/64', ipipMode: 'Always' }).diag.map((d) => d.path),
      ['/spec/ipipMode'],
    );
  });

  it('reports overlapping pools, naming both', () => {
    const pools: PoolRef[] = [];
    for (const [name, cidr] of [
      ['a', '172.20.0.0/16'],
      ['b', '172.20.128.0/17'],
      ['c', '172.21.0.0/16'],
    ] as const) {
      const r = run({ cidr });
      assert.ok(r.cidr);
      pools.push({ key: `/k/${name}`, address: name, name, cidr: r.cidr });
    }
    const diag = new DiagnosticSink();
    checkPoolOverlaps(pools, diag);
    assert.equal(diag.list.length, 1);
    assert.equal(diag.list[0]?.code, 'ippool-overlap');
    assert.match(diag.list[0]?.message ?? '', /IPPool b .* overlaps IPPool a/);
  });
});
