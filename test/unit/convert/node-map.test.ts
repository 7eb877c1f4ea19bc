import assert from 'node:assert/strict';
import { DiagnosticSink } from '../../../src/convert/diagnostics.js';
import { buildNodeMap, k8sOrchRefName, type NodeSource } from '../../../src/convert/node-map.js';

function node(etcdName: string, orchRefs: unknown[] | undefined): NodeSource {
  return { key: `/calico/resources/v3/projectcalico.org/nodes/${etcdName}`, etcdName, value: { kind: 'Node', metadata: { name: etcdName }, spec: orchRefs ? { orchRefs } : {} } };
}

describe('convert/node-map', () => {
  it('uses the last k8s orchRef (export semantics)', () => {
    const n = node('w3', [
      { nodeName: 'old', orchestrator: 'k8s' },
      { nodeName: 'vm', orchestrator: 'openstack' },
      { nodeName: 'new', orchestrator: 'k8s' },
    ]);
    assert.equal(k8sOrchRefName(n.value ?? {}), 'new');
  });

  it('maps every node, with --node-map overriding and filling in', () => {
    const diag = new DiagnosticSink();
    const r = buildNodeMap(
      [node('a', [{ nodeName: 'a.k8s', orchestrator: 'k8s' }]), node('b', undefined), node('c', [{ nodeName: 'c.k8s', orchestrator: 'k8s' }])],
      { b: 'b.k8s', c: 'c.override' },
      diag,
    );
    assert.deepEqual(
      [...r.map],
      [
        ['a', 'a.k8s'],
        ['b', 'b.k8s'],
        ['c', 'c.override'],
      ],
    );
    assert.deepEqual(
      diag.list.map((d) => [d.severity, d.code]),
      [['info', 'node-map-override']],
    );
  });

  it('reports a node without a mapping as an error naming it', () => {
    const diag = new DiagnosticSink();
    const r = buildNodeMap([node('lonely', undefined)], undefined, diag);
    assert.equal(r.map.size, 0);
    assert.equal(diag.list.length, 1);
    assert.equal(diag.list[0]?.code, 'node-missing-k8s-ref');
    assert.match(diag.list[0]?.message ?? '', /lonely/);
  });

  it('reports two etcd nodes on one Kubernetes node as a collision naming both', () => {
    const diag = new DiagnosticSink();
    const r = buildNodeMap([node('node4', [{ nodeName: 'node4', orchestrator: 'k8s' }]), node('node5', [{ nodeName: 'node4', orchestrator: 'k8s' }])], undefined, diag);
    assert.deepEqual([...r.collisions], [['node4', ['node4', 'node5']]]);
    const err = diag.list.find((d) => d.code === 'node-collision');
    assert.ok(err);
    assert.equal(err.severity, 'error');
    assert.match(err.message, /node4, node5/);
  });

  it('rejects invalid Kubernetes node names and warns about unused --node-map entries', () => {
    const diag = new DiagnosticSink();
    buildNodeMap([node('x', [{ nodeName: 'Bad_Name', orchestrator: 'k8s' }])], { ghost: 'g' }, diag);
    assert.deepEqual(
      diag.list.map((d) => d.code),
      ['invalid-node-name', 'node-map-unused'],
    );
  });
});
