/**
 * A synthetic but internally consistent Calico etcd dataset of about `total` keys, shaped like a
 * busy cluster: policies and network sets across namespaces, and Calico IPAM (blocks with
 * allocations, their handles and affinities) on many nodes. IPAM checks pass on it by design.
 */
export interface Dataset {
  kvs: Array<{ key: string; value: string }>;
  nodes: string[];
  namespaces: string[];
}

const R = '/calico/resources/v3/projectcalico.org';

export function makeDataset(total: number): Dataset {
  const kvs: Array<{ key: string; value: string }> = [];
  const put = (key: string, value: unknown) => kvs.push({ key, value: JSON.stringify(value) });
  const ts = '2025-06-01T00:00:00Z';
  const namespaces = Array.from({ length: 20 }, (_, i) => `team-${i}`);

  put(`${R}/clusterinformations/default`, {
    kind: 'ClusterInformation',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'default', creationTimestamp: ts },
    spec: { clusterGUID: '0123456789abcdef0123456789abcdef', clusterType: 'k8s,bgp', calicoVersion: 'v3.31.2', datastoreReady: false },
  });
  put(`${R}/ippools/bench-pool`, {
    kind: 'IPPool',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'bench-pool', creationTimestamp: ts },
    spec: { cidr: '10.0.0.0/8', blockSize: 26, ipipMode: 'Always', natOutgoing: true, nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'], assignmentMode: 'Automatic' },
  });
  put(`${R}/tiers/security`, { kind: 'Tier', apiVersion: 'projectcalico.org/v3', metadata: { name: 'security', creationTimestamp: ts }, spec: { order: 100, defaultAction: 'Deny' } });

  // Budget: ~45% IPAM (blocks, affinities, handles), ~40% policies, ~15% network sets.
  const nodeCount = Math.max(2, Math.round(total / 500));
  const nodes = Array.from({ length: nodeCount }, (_, i) => `bench-node-${i}`);
  for (const n of nodes) {
    put(`${R}/nodes/${n}`, {
      kind: 'Node',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name: n, creationTimestamp: ts },
      spec: { bgp: { ipv4Address: `192.168.${Math.floor(nodes.indexOf(n) / 250)}.${(nodes.indexOf(n) % 250) + 1}/16` }, orchRefs: [{ nodeName: n, orchestrator: 'k8s' }] },
    });
  }
  const blocks = Math.max(1, Math.round(total * 0.09));
  const handlesPerBlock = 3;
  for (let b = 0; b < blocks; b++) {
    const node = nodes[b % nodeCount];
    const base = 10 * 2 ** 24 + b * 64;
    const ip = [base >>> 24, (base >>> 16) & 255, (base >>> 8) & 255, base & 255].join('.');
    const cidr = `${ip}/26`;
    const handleIds = Array.from({ length: handlesPerBlock }, (_, h) => `k8s-pod-network.${b.toString(16).padStart(8, '0')}${h}`);
    const allocations: Array<number | null> = Array(64).fill(null);
    handleIds.forEach((_, h) => (allocations[h] = h));
    put(`/calico/ipam/v2/assignment/ipv4/block/${ip}-26`, {
      cidr,
      affinity: `host:${node}`,
      allocations,
      unallocated: Array.from({ length: 64 - handlesPerBlock }, (_, i) => i + handlesPerBlock),
      attributes: handleIds.map((id, h) => ({ handle_id: id, secondary: { namespace: namespaces[h % namespaces.length], node, pod: `pod-${b}-${h}` } })),
      sequenceNumber: handlesPerBlock,
      sequenceNumberForAllocation: Object.fromEntries(handleIds.map((_, h) => [String(h), h])),
      deleted: false,
    });
    put(`/calico/ipam/v2/host/${node}/ipv4/block/${ip}-26`, { state: 'confirmed', deleted: false });
    for (const id of handleIds) put(`/calico/ipam/v2/handle/${id}`, { block: { [cidr]: 1 }, deleted: false });
  }
  put('/calico/ipam/v2/config', { strict_affinity: false, auto_allocate_blocks: true });

  const remaining = Math.max(0, total - kvs.length);
  const policies = Math.round(remaining * 0.72);
  for (let p = 0; p < policies; p++) {
    const ns = namespaces[p % namespaces.length];
    const name = `allow-${p}`;
    put(`${R}/networkpolicies/${ns}/${name}`, {
      kind: 'NetworkPolicy',
      apiVersion: 'projectcalico.org/v3',
      metadata: {
        name,
        namespace: ns,
        creationTimestamp: ts,
        labels: { 'projectcalico.org/tier': 'default', app: `app-${p % 50}` },
        annotations: { 'projectcalico.org/metadata': JSON.stringify({ name }) },
      },
      spec: {
        tier: 'default',
        order: 100 + (p % 10),
        selector: `app == 'app-${p % 50}'`,
        types: ['Ingress'],
        ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80 + (p % 20)] } }],
      },
    });
  }
  const sets = Math.max(0, total - kvs.length);
  for (let s = 0; s < sets; s++) {
    const ns = namespaces[s % namespaces.length];
    put(`${R}/networksets/${ns}/set-${s}`, {
      kind: 'NetworkSet',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name: `set-${s}`, namespace: ns, creationTimestamp: ts, labels: { role: 'db' } },
      spec: { nets: [`172.16.${(s >> 8) & 255}.${s & 255}/32`] },
    });
  }
  return { kvs, nodes, namespaces };
}
