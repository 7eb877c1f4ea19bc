import assert from 'node:assert/strict';
import { DiagnosticSink } from '../../../src/convert/diagnostics.js';
import { asNumberString, BGP_NODE_ANNOTATIONS, MANAGED_NODE_ANNOTATIONS, nodeToK8sNode } from '../../../src/convert/node.js';

function convert(node: Record<string, unknown>, name = 'k8s-node') {
  const diag = new DiagnosticSink();
  return { body: nodeToK8sNode(node, name, { key: '/k', address: `v1/Node/${name}`, diag }), diag: diag.list };
}

describe('convert/node (Calico Node -> Kubernetes Node annotations, reference §1.7)', () => {
  it('exports the 16 managed annotation keys', () => {
    assert.equal(MANAGED_NODE_ANNOTATIONS.length, 16);
    assert.equal(new Set(MANAGED_NODE_ANNOTATIONS).size, 16);
    for (const k of MANAGED_NODE_ANNOTATIONS) assert.ok(k.startsWith('projectcalico.org/'));
  });

  it('writes every annotation from spec, spec.bgp, spec.wireguard, status and metadata', () => {
    const { body } = convert({
      kind: 'Node',
      metadata: { name: 'etcd-name', labels: { zone: 'a', 'kubernetes.io/os': 'linux' }, annotations: { note: 'x' } },
      spec: {
        bgp: { ipv4Address: '10.0.0.1/24', ipv6Address: 'fd00::1/64', ipv4IPIPTunnelAddr: '192.168.0.1', asNumber: 64512, routeReflectorClusterID: '224.0.0.1' },
        ipv4VXLANTunnelAddr: '192.168.0.2',
        vxlanTunnelMACAddr: '66:00:00:00:00:01',
        ipv6VXLANTunnelAddr: 'fd00::2',
        vxlanTunnelMACAddrV6: '66:00:00:00:00:02',
        wireguard: { interfaceIPv4Address: '192.168.0.3', interfaceIPv6Address: 'fd00::3' },
        interfaces: [{ name: 'eth0', addresses: ['10.0.0.1'] }],
        orchRefs: [{ nodeName: 'k8s-node', orchestrator: 'k8s' }],
      },
      status: { wireguardPublicKey: 'k4', wireguardPublicKeyV6: 'k6' },
    });
    assert.deepEqual(body, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'k8s-node',
        annotations: {
          'projectcalico.org/ASNumber': '64512',
          'projectcalico.org/IPv4Address': '10.0.0.1/24',
          'projectcalico.org/IPv4IPIPTunnelAddr': '192.168.0.1',
          'projectcalico.org/IPv4VXLANTunnelAddr': '192.168.0.2',
          'projectcalico.org/IPv4WireguardInterfaceAddr': '192.168.0.3',
          'projectcalico.org/IPv6Address': 'fd00::1/64',
          'projectcalico.org/IPv6VXLANTunnelAddr': 'fd00::2',
          'projectcalico.org/IPv6WireguardInterfaceAddr': 'fd00::3',
          'projectcalico.org/Interfaces': '[{"name":"eth0","addresses":["10.0.0.1"]}]',
          'projectcalico.org/RouteReflectorClusterID': '224.0.0.1',
          'projectcalico.org/VXLANTunnelMACAddr': '66:00:00:00:00:01',
          'projectcalico.org/VXLANTunnelMACAddrV6': '66:00:00:00:00:02',
          'projectcalico.org/WireguardPublicKey': 'k4',
          'projectcalico.org/WireguardPublicKeyV6': 'k6',
          'projectcalico.org/annotations': '{"note":"x"}',
          'projectcalico.org/labels': '{"kubernetes.io/os":"linux","zone":"a"}',
        },
      },
    });
    assert.deepEqual(Object.keys(body.metadata.annotations ?? {}).sort(), [...MANAGED_NODE_ANNOTATIONS].sort());
  });

  it('a nil spec.bgp leaves all five BGP annotations absent', () => {
    const { body } = convert({ spec: { ipv4VXLANTunnelAddr: '192.168.0.2' } });
    const keys = Object.keys(body.metadata.annotations ?? {});
    for (const k of BGP_NODE_ANNOTATIONS) assert.ok(!keys.includes(k), k);
    assert.deepEqual(keys, ['projectcalico.org/IPv4VXLANTunnelAddr']);
  });

  it('drops labels inherited from Kubernetes when the kube-labels bookkeeping annotation is present', () => {
    const { body } = convert({
      metadata: { labels: { a: '1', k: 'v' }, annotations: { 'projectcalico.org/kube-labels': '{"k":"v"}' } },
      spec: {},
    });
    assert.deepEqual(body.metadata.annotations, { 'projectcalico.org/labels': '{"a":"1"}' });
  });

  it('formats AS numbers like numorstring.ASNumber.String()', () => {
    assert.equal(asNumberString(64512), '64512');
    assert.equal(asNumberString('64512'), '64512');
    assert.equal(asNumberString('1.10'), '65546');
    assert.equal(asNumberString('x'), null);
    assert.equal(asNumberString(2 ** 33), null);
    const { diag } = convert({ spec: { bgp: { asNumber: 'x' } } });
    assert.deepEqual(
      diag.map((d) => [d.code, d.path]),
      [['invalid-value', '/spec/bgp/asNumber']],
    );
  });
});
