/**
 * A production-shaped Calico etcd dataset of about `total` keys (each becomes one object in the
 * plan), deterministic for a given size so two clusters can be seeded identically:
 *   - Calico nodes named by hostname (`ip-172-20-0-10`) whose Kubernetes Nodes are FQDNs
 *     (`ip-172-20-0-10.eu-west-1.compute.internal`); the nodes carry no `k8s` orchRef, so the
 *     run passes a node map, as an operator of such a cluster must;
 *   - per node: one /26 IPv4 block with ~56 pods and the IPIP tunnel address, one /122 IPv6 block
 *     with the same (dual-stack) pods, both affinities, one IPAM handle per pod and one for the
 *     tunnel, a FelixConfiguration `node.<host>`, a host endpoint, and on every fourth node a
 *     BGPConfiguration `node.<host>`;
 *   - cluster-wide: pools, IPAM config, default Felix/BGP configs, the protected and some custom
 *     tiers, and the rest of the budget as namespaced and global policies and network sets.
 * IPAM handles are most of the objects, as in a real cluster. Every reference resolves, so the
 * plan's checks pass (the source is seeded locked).
 */
import { createHash } from 'node:crypto';

export interface KV {
  key: string;
  value: string;
}

export interface Dataset {
  kvs: KV[];
  /** Kubernetes Node names (FQDNs) the cluster must have; the tool never creates Nodes. */
  k8sNodes: string[];
  namespaces: string[];
  /** etcd (hostname) node name -> Kubernetes node name, for `--node-map`. */
  nodeMap: Record<string, string>;
  /** Keys by what they hold, for the report. */
  counts: Record<string, number>;
}

export const PODS_PER_NODE = 56;
const R = '/calico/resources/v3/projectcalico.org';
const TS = '2025-06-01T00:00:00Z';
const POD_TS = '2025-06-01 10:20:00.123456789 +0000 UTC';
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const CUSTOM_TIERS = ['security', 'platform', 'compliance', 'app'];
/** Objects one node brings: node, 2 blocks, 2 affinities, pod handles + tunnel handle, Felix config, host endpoint, 1/4 BGP config. */
const PER_NODE = 1 + 2 + 2 + PODS_PER_NODE + 1 + 1 + 1 + 0.25;
const V4_POOL = { base: 10 * 2 ** 24 + 128 * 2 ** 16, cidr: '10.128.0.0/10', blocks: 2 ** 16 };

function ipv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The canonical (RFC 5952) text of fd00:10:244::/64 + offset, as Go's net.IP prints it; offset < 2^32. */
export function ipv6InPool(offset: number): string {
  const hi = Math.floor(offset / 65536);
  const lo = offset % 65536;
  if (hi === 0) return lo === 0 ? 'fd00:10:244::' : `fd00:10:244::${lo.toString(16)}`;
  return `fd00:10:244::${hi.toString(16)}:${lo.toString(16)}`;
}

function containerId(node: number, pod: number): string {
  return createHash('sha256').update(`bench/${node}/${pod}`).digest('hex');
}

export function makeDataset(total: number): Dataset {
  const kvs: KV[] = [];
  const counts: Record<string, number> = {};
  const put = (what: string, key: string, value: unknown) => {
    kvs.push({ key, value: JSON.stringify(value) });
    counts[what] = (counts[what] ?? 0) + 1;
  };
  const nodeCount = Math.max(2, Math.round((total * 0.9) / PER_NODE));
  if (nodeCount > V4_POOL.blocks) throw new Error(`size ${total} needs ${nodeCount} nodes; the benchmark's IPv4 pool holds ${V4_POOL.blocks} /26 blocks`);
  const namespaces = Array.from({ length: Math.min(200, Math.max(5, Math.round(nodeCount / 5))) }, (_, i) => `team-${i}`);

  put('ClusterInformation', `${R}/clusterinformations/default`, {
    kind: 'ClusterInformation',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'default', creationTimestamp: TS },
    // Seeded locked (datastoreReady=false): the migration freeze, so plan's checks all pass.
    spec: { clusterGUID: '0123456789abcdef0123456789abcdef', clusterType: 'k8s,bgp,kubeadm,kdd=false', calicoVersion: 'v3.31.2', datastoreReady: false },
  });
  put('IPPool', `${R}/ippools/default-ipv4-ippool`, {
    kind: 'IPPool',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'default-ipv4-ippool', creationTimestamp: TS },
    spec: { cidr: V4_POOL.cidr, blockSize: 26, ipipMode: 'Always', vxlanMode: 'Never', natOutgoing: true, nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'], assignmentMode: 'Automatic' },
  });
  put('IPPool', `${R}/ippools/default-ipv6-ippool`, {
    kind: 'IPPool',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'default-ipv6-ippool', creationTimestamp: TS },
    spec: { cidr: 'fd00:10:244::/64', blockSize: 122, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: false, nodeSelector: 'all()', allowedUses: ['Workload'], assignmentMode: 'Automatic' },
  });
  put('IPAMConfig', '/calico/ipam/v2/config', { strict_affinity: false, auto_allocate_blocks: true });
  put('FelixConfiguration', `${R}/felixconfigurations/default`, {
    kind: 'FelixConfiguration',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'default', creationTimestamp: TS },
    spec: { bpfLogLevel: '', floatingIPs: 'Disabled', logSeverityScreen: 'Info', reportingInterval: '0s', ipv6Support: true },
  });
  put('BGPConfiguration', `${R}/bgpconfigurations/default`, {
    kind: 'BGPConfiguration',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'default', creationTimestamp: TS },
    spec: { logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true, asNumber: 64512, serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] },
  });
  const tiers: Array<[string, number, string]> = [
    ['default', 1000000, 'Deny'],
    ['kube-admin', 1000, 'Pass'],
    ['kube-baseline', 10000000, 'Pass'],
    ...CUSTOM_TIERS.map((t, i): [string, number, string] => [t, 100 * (i + 1), 'Pass']),
  ];
  for (const [name, order, defaultAction] of tiers) {
    put('Tier', `${R}/tiers/${name}`, { kind: 'Tier', apiVersion: 'projectcalico.org/v3', metadata: { name, creationTimestamp: TS }, spec: { order, defaultAction } });
  }

  const k8sNodes: string[] = [];
  const nodeMap: Record<string, string> = {};
  for (let i = 0; i < nodeCount; i++) {
    const node = nodeKvs(i, namespaces);
    k8sNodes.push(node.fqdn);
    nodeMap[node.host] = node.fqdn;
    for (const e of node.entries) put(e.what, e.key, e.value);
  }

  // The rest of the budget: 55% namespaced policies, 10% global policies, 25% network sets, 10% global sets.
  const remaining = Math.max(0, total - kvs.length);
  const split = { np: Math.round(remaining * 0.55), gnp: Math.round(remaining * 0.1), ns: Math.round(remaining * 0.25) };
  for (let p = 0; p < split.np; p++) {
    const ns = namespaces[p % namespaces.length]!;
    // Most policies live in the default tier, as in real clusters; a third in the custom tiers.
    const tier = p % 3 === 2 ? CUSTOM_TIERS[p % CUSTOM_TIERS.length]! : 'default';
    const name = tier === 'default' ? `allow-${p}` : `${tier}.allow-${p}`;
    put('NetworkPolicy', `${R}/networkpolicies/${ns}/${name}`, {
      kind: 'NetworkPolicy',
      apiVersion: 'projectcalico.org/v3',
      metadata: {
        name,
        namespace: ns,
        creationTimestamp: TS,
        labels: { 'projectcalico.org/tier': tier, app: `app-${p % 40}` },
        annotations: { 'projectcalico.org/metadata': JSON.stringify({ name }) },
      },
      spec: {
        tier,
        order: 100 + (p % 10),
        selector: `app == 'app-${p % 40}'`,
        types: ['Ingress', 'Egress'],
        ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: `role == 'frontend-${p % 7}'` }, destination: { ports: [80 + (p % 20), 443] } }],
        egress: [{ action: 'Allow', protocol: 'UDP', destination: { selector: "k8s-app == 'kube-dns'", ports: [53] } }],
      },
    });
  }
  for (let g = 0; g < split.gnp; g++) {
    const tier = CUSTOM_TIERS[g % 2]!;
    const name = `${tier}.global-${g}`;
    put('GlobalNetworkPolicy', `${R}/globalnetworkpolicies/${name}`, {
      kind: 'GlobalNetworkPolicy',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name, creationTimestamp: TS, labels: { 'projectcalico.org/tier': tier }, annotations: { 'projectcalico.org/metadata': JSON.stringify({ name }) } },
      spec: {
        tier,
        order: 10 + (g % 50),
        selector: g % 2 === 0 ? 'has(host-endpoint)' : `environment == 'prod'`,
        types: ['Ingress'],
        ingress: [{ action: g % 5 === 0 ? 'Deny' : 'Allow', protocol: 'TCP', source: { nets: [`198.51.${g % 256}.0/24`] }, destination: { ports: [22 + (g % 1000)] } }],
      },
    });
  }
  for (let s = 0; s < split.ns; s++) {
    const ns = namespaces[s % namespaces.length]!;
    put('NetworkSet', `${R}/networksets/${ns}/set-${s}`, {
      kind: 'NetworkSet',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name: `set-${s}`, namespace: ns, creationTimestamp: TS, labels: { role: 'db', set: `s-${s % 100}` } },
      spec: { nets: [`172.16.${(s >> 8) & 255}.${s & 255}/32`, `2001:db8:${(s >> 16).toString(16)}:${(s & 0xffff).toString(16)}::/64`] },
    });
  }
  for (let s = 0; kvs.length < total; s++) {
    put('GlobalNetworkSet', `${R}/globalnetworksets/external-${s}`, {
      kind: 'GlobalNetworkSet',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name: `external-${s}`, creationTimestamp: TS, labels: { external: 'true', provider: `p-${s % 20}` } },
      spec: { nets: [`203.0.${(s >> 8) & 255}.${s & 255}/32`] },
    });
  }
  return { kvs, k8sNodes, namespaces, nodeMap, counts };
}

function blockValue(cidr: string, host: string, attributes: Array<{ handle_id: string; secondary: Record<string, string> }>): unknown {
  const used = attributes.length;
  return {
    cidr,
    affinity: `host:${host}`,
    affinity_claim_time: TS,
    allocations: Array.from({ length: 64 }, (_, k) => (k < used ? k : null)),
    unallocated: Array.from({ length: 64 - used }, (_, k) => k + used),
    attributes,
    sequenceNumber: used,
    sequenceNumberForAllocation: Object.fromEntries(attributes.map((_, k) => [String(k), k])),
    deleted: false,
  };
}

/** Everything one Calico node brings (node index `i` of the dataset): what a node joining or leaving adds or removes. */
export function nodeKvs(i: number, namespaces: readonly string[]): { host: string; fqdn: string; entries: Array<{ what: string; key: string; value: unknown }> } {
  const entries: Array<{ what: string; key: string; value: unknown }> = [];
  const put = (what: string, key: string, value: unknown) => entries.push({ what, key, value });
  const n = i + 10;
  const nodeIp = `172.20.${(n >> 8) & 255}.${n & 255}`;
  const host = `ip-${nodeIp.replaceAll('.', '-')}`;
  const fqdn = `${host}.${ZONES[i % ZONES.length]!.slice(0, -1)}.compute.internal`;
  const v4Base = V4_POOL.base + i * 64;
  const v4Ip = ipv4(v4Base);
  const v4Cidr = `${v4Ip}/26`;
  const v6Ip = ipv6InPool(i * 64);
  const v6Cidr = `${v6Ip}/122`;
  const tunnelHandle = `ipip-tunnel-addr-${host}`;
  const pods = Array.from({ length: PODS_PER_NODE }, (_, p) => {
    const app = `app-${(i * 7 + p) % 40}`;
    return { handle: `k8s-pod-network.${containerId(i, p)}`, namespace: namespaces[(i + p) % namespaces.length]!, pod: `${app}-${(i * PODS_PER_NODE + p).toString(36)}` };
  });

  put('Node', `${R}/nodes/${host}`, {
    kind: 'Node',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: host, creationTimestamp: TS, labels: { 'kubernetes.io/hostname': host, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': ZONES[i % ZONES.length] } },
    spec: {
      bgp: { ipv4Address: `${nodeIp}/16`, ipv4IPIPTunnelAddr: v4Ip, ipv6Address: `fd00:172:20::${n.toString(16)}/64` },
      addresses: [{ address: nodeIp, type: 'InternalIP' }],
    },
  });

  // IPv4: ordinal 0 is the IPIP tunnel address, 1..56 the pods.
  const v4Attrs = [
    { handle_id: tunnelHandle, secondary: { node: host, type: 'ipipTunnelAddress' } },
    ...pods.map((p) => ({ handle_id: p.handle, secondary: { namespace: p.namespace, node: host, pod: p.pod, timestamp: POD_TS } })),
  ];
  put('IPAMBlock', `/calico/ipam/v2/assignment/ipv4/block/${v4Ip}-26`, blockValue(v4Cidr, host, v4Attrs));
  put('IPAMBlock', `/calico/ipam/v2/assignment/ipv6/block/${v6Ip}-122`, blockValue(v6Cidr, host, v4Attrs.slice(1)));
  put('BlockAffinity', `/calico/ipam/v2/host/${host}/ipv4/block/${v4Ip}-26`, { state: 'confirmed', deleted: false });
  put('BlockAffinity', `/calico/ipam/v2/host/${host}/ipv6/block/${v6Ip}-122`, { state: 'confirmed', deleted: false });
  put('IPAMHandle', `/calico/ipam/v2/handle/${tunnelHandle}`, { block: { [v4Cidr]: 1 }, deleted: false });
  for (const p of pods) put('IPAMHandle', `/calico/ipam/v2/handle/${p.handle}`, { block: { [v4Cidr]: 1, [v6Cidr]: 1 }, deleted: false });

  put('FelixConfiguration', `${R}/felixconfigurations/node.${host}`, {
    kind: 'FelixConfiguration',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: `node.${host}`, creationTimestamp: TS },
    spec: { logSeverityScreen: i % 10 === 0 ? 'Debug' : 'Info', defaultEndpointToHostAction: 'Accept' },
  });
  if (i % 4 === 0) {
    put('BGPConfiguration', `${R}/bgpconfigurations/node.${host}`, {
      kind: 'BGPConfiguration',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name: `node.${host}`, creationTimestamp: TS },
      spec: { listenPort: 1790 },
    });
  }
  put('HostEndpoint', `${R}/hostendpoints/${host}-eth0`, {
    kind: 'HostEndpoint',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: `${host}-eth0`, creationTimestamp: TS, labels: { 'host-endpoint': 'ingress', environment: 'prod' } },
    spec: { node: host, interfaceName: 'eth0', expectedIPs: [nodeIp], ports: [{ name: 'ssh', port: 22, protocol: 'TCP' }] },
  });
  return { host, fqdn, entries };
}
