/**
 * A realistic plan built through the plan core itself, for golden renderings and file tests.
 * Every value is fixed, so building it twice gives the same bytes.
 */
import type { DesiredObject, KubeObject } from '../../../src/model/types.js';
import { clusterInformationChanges } from '../../../src/plan/cluster-information.js';
import { sha256Hex } from '../../../src/plan/canonical.js';
import { diffObjects, missingNodes, type LiveObject } from '../../../src/plan/diff.js';
import { sortChanges } from '../../../src/plan/address.js';
import { serializePlan } from '../../../src/plan/plan-file.js';
import { summarize } from '../../../src/plan/summary.js';
import { FORMAT_VERSION, type Check, type Plan, type PlanBody } from '../../../src/plan/types.js';

const CRD = 'crd.projectcalico.org/v1';
const REV = 48213;

function cr(kind: string, name: string, spec: Record<string, unknown>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: CRD, kind, metadata: { name, ...extra }, spec };
}

function desired(body: KubeObject, key: string, rev: number): DesiredObject {
  return {
    apiVersion: body.apiVersion,
    kind: body.kind,
    namespace: body.metadata.namespace ?? null,
    name: body.metadata.name,
    body,
    sources: [{ key, mod_revision: rev }],
  };
}

let uidCounter = 0;
/** What the API server adds to an object it stores. */
function served(obj: KubeObject, rv: number): LiveObject {
  uidCounter++;
  return {
    object: {
      ...structuredClone(obj),
      metadata: {
        ...structuredClone(obj.metadata),
        uid: `00000000-0000-4000-8000-${String(uidCounter).padStart(12, '0')}`,
        resourceVersion: String(rv),
        generation: 1,
        creationTimestamp: '2026-03-01T10:00:00Z',
        managedFields: [{ manager: 'calico-migrate', operation: 'Update', apiVersion: obj.apiVersion, time: '2026-03-01T10:00:00Z' }],
      },
    },
  };
}

function policyMeta(name: string, tier: string): Partial<KubeObject['metadata']> {
  return {
    labels: { 'projectcalico.org/tier': tier },
    annotations: {
      'projectcalico.org/metadata': JSON.stringify({ name, creationTimestamp: '2025-11-02T08:15:00Z', labels: { 'projectcalico.org/tier': tier } }),
    },
  };
}

function node(name: string, annotations: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, annotations } };
}

export function buildSamplePlanBody(): PlanBody {
  uidCounter = 0;
  const tierSecurity = cr('Tier', 'security', { order: 100 });
  const tierDefault = cr('Tier', 'default', { order: 1000000 });
  const gnpDns = cr(
    'GlobalNetworkPolicy',
    'allow-dns',
    {
      tier: 'default',
      order: 200,
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53], selector: "k8s-app == 'kube-dns'" } }],
    },
    policyMeta('allow-dns', 'default'),
  );
  const npWeb = cr(
    'NetworkPolicy',
    'allow-web',
    {
      tier: 'default',
      order: 100,
      selector: "app == 'web'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80, 443] } }],
    },
    { namespace: 'prod', ...policyMeta('allow-web', 'default') },
  );
  const npStaging = structuredClone(npWeb);
  npStaging.metadata.namespace = 'staging';
  const pool = cr('IPPool', 'default-ipv4-ippool', {
    cidr: '10.244.0.0/16',
    blockSize: 26,
    ipipMode: 'Never',
    vxlanMode: 'CrossSubnet',
    natOutgoing: true,
    nodeSelector: 'all()',
    allowedUses: ['Workload', 'Tunnel'],
    assignmentMode: 'Automatic',
  });
  const felixDefault = cr('FelixConfiguration', 'default', { bpfEnabled: false, logSeverityScreen: 'Info', reportingInterval: '0s' });
  const felixNode = cr('FelixConfiguration', 'node.worker-1', { defaultEndpointToHostAction: 'Accept' });
  const block = cr('IPAMBlock', '10-244-0-0-26', {
    cidr: '10.244.0.0/26',
    affinity: 'host:worker-1',
    allocations: [0, null, null, 1],
    unallocated: [1, 2],
    attributes: [{ handle_id: 'vxlan-tunnel-addr-worker-1', secondary: { node: 'worker-1', type: 'vxlanTunnelAddress' } }, { handle_id: 'k8s-pod-network.4f1c' }],
    sequenceNumber: 7,
    sequenceNumberForAllocation: { '0': 0, '3': 6 },
    deleted: false,
    strictAffinity: false,
  });
  const affinity = cr('BlockAffinity', 'worker-1-10-244-0-0-26', { state: 'confirmed', node: 'worker-1', type: 'host', cidr: '10.244.0.0/26', deleted: 'false' });
  const handle = cr('IPAMHandle', 'k8s-pod-network.4f1c', { handleID: 'k8s-pod-network.4f1c', block: { '10.244.0.0/26': 1 }, deleted: false });
  const worker1 = node('worker-1', {
    'projectcalico.org/IPv4Address': '192.168.10.11/24',
    'projectcalico.org/IPv4VXLANTunnelAddr': '10.244.0.0',
    'projectcalico.org/VXLANTunnelMACAddr': '66:4f:2a:10:9c:01',
  });
  const worker2 = node('worker-2', { 'projectcalico.org/IPv4Address': '192.168.10.12/24' });
  const worker3 = node('worker-3', { 'projectcalico.org/IPv4Address': '192.168.10.13/24' });

  const key = (plural: string, name: string, ns?: string) => `/calico/resources/v3/projectcalico.org/${plural}/${ns ? `${ns}/` : ''}${name}`;
  const want: DesiredObject[] = [
    desired(tierSecurity, key('tiers', 'security'), 1201),
    desired(tierDefault, key('tiers', 'default'), 12),
    desired(gnpDns, key('globalnetworkpolicies', 'allow-dns'), 30455),
    desired(npWeb, key('networkpolicies', 'allow-web', 'prod'), 30460),
    desired(npStaging, key('networkpolicies', 'allow-web', 'staging'), 30461),
    desired(pool, key('ippools', 'default-ipv4-ippool'), 40),
    desired(felixDefault, key('felixconfigurations', 'default'), 41),
    desired(felixNode, key('felixconfigurations', 'node.worker-1'), 47000),
    desired(block, '/calico/ipam/v2/assignment/ipv4/block/10.244.0.0-26', 48001),
    desired(affinity, '/calico/ipam/v2/host/worker-1/ipv4/block/10.244.0.0-26', 48000),
    desired(handle, '/calico/ipam/v2/handle/k8s-pod-network.4f1c', 48002),
    desired(worker1, '/calico/resources/v3/projectcalico.org/nodes/worker-1', 47100),
    desired(worker2, '/calico/resources/v3/projectcalico.org/nodes/worker-2', 47101),
    desired(worker3, '/calico/resources/v3/projectcalico.org/nodes/worker-3', 47102),
  ];

  const liveDns = structuredClone(gnpDns);
  (liveDns.spec as Record<string, unknown>).order = 100;
  const livePool = structuredClone(pool);
  Object.assign(livePool.spec as object, { ipipMode: 'Always', vxlanMode: 'Never' });
  const k8sNodeExtras = { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' };
  const live: LiveObject[] = [
    served(tierDefault, 101),
    served(cr('Tier', 'kube-admin', { order: 1000, defaultAction: 'Pass' }), 102),
    served(liveDns, 230),
    served(livePool, 231),
    served({ ...felixDefault, status: { conditions: [] } }, 232),
    served(cr('GlobalNetworkSet', 'legacy-blocklist', { nets: ['198.51.100.0/24'] }), 233),
    served(node('worker-1', { ...k8sNodeExtras, 'projectcalico.org/IPv4Address': '192.168.10.11/24', 'projectcalico.org/IPv6Address': 'fd00:10::11/64' }), 300),
    served(node('worker-2', { ...k8sNodeExtras, 'projectcalico.org/IPv4Address': '192.168.10.12/24' }), 301),
    served(node('control-plane', k8sNodeExtras), 302),
  ];
  const liveClusterInfo = served(
    cr('ClusterInformation', 'default', { clusterGUID: '7d1f3c0b5a9e4f2c8b6a1d0e9f8c7b6a', clusterType: 'k8s,kdd,bgp', calicoVersion: 'v3.31.2', datastoreReady: true }),
    100,
  ).object;

  const changes = diffObjects({ desired: want, live, prune: false });
  const [lock, identity] = clusterInformationChanges({
    source: { key: key('clusterinformations', 'default'), modRevision: 9, clusterGUID: 'c0ffee00d15ea5e0123456789abcdef0', calicoVersion: 'v3.31.2' },
    live: liveClusterInfo,
    newClusterGUID: 'unused-because-the-target-has-one',
  });
  const all = sortChanges([...changes, lock, identity]);
  for (const c of all) {
    const action = c.change.action;
    if (action === 'create' || action === 'update') c.dry_run = { status: 'ok', message: null };
  }
  const staging = all.find((c) => c.address.endsWith('/NetworkPolicy/staging/allow-web'));
  if (staging) staging.dry_run = { status: 'error', message: 'admission webhook "policy.example.com" does not support dry run' };

  const missing = missingNodes(want, live);
  const checks: Check[] = [
    { id: 'crds-established', status: 'pass', message: 'all 22 Calico CRDs are installed and Established', items: [] },
    { id: 'nodes-exist', status: missing.length > 0 ? 'fail' : 'pass', message: `${missing.length} Calico node(s) have no Kubernetes node in the target`, items: missing },
    { id: 'rbac', status: 'pass', message: 'the credentials may create, update and delete every kind in the plan', items: [] },
    { id: 'server-dry-run', status: 'warn', message: '1 object could not be dry-run', items: staging ? [staging.address] : [] },
  ];
  return {
    format_version: FORMAT_VERSION,
    kind: 'CalicoMigrationPlan',
    mode: 'migrate',
    tool: { name: 'calico-migrate', version: '0.1.0' },
    source: {
      type: 'etcdv3',
      endpoints: ['https://etcd-0.example.internal:2379'],
      cluster_id: '14841639068965178418',
      revision: REV,
      digest: 'sha256:' + sha256Hex('sample source'),
      locked: true,
      cluster_guid: 'c0ffee00d15ea5e0123456789abcdef0',
      calico_version: 'v3.31.2',
    },
    target: {
      type: 'kubernetes',
      server: 'https://10.0.0.1:6443',
      cluster_uid: '4b2c6f2e-8d1a-4c3b-9e7f-0a1b2c3d4e5f',
      api_group: 'crd.projectcalico.org',
    },
    options: { include: [], exclude: ['IPReservation'], prune: false, calico_version: null, node_map: {}, skip_unknown: false, precopy: null },
    reverses: null,
    summary: summarize(all, checks),
    resource_changes: all,
    skipped: [
      { key: '/calico/resources/v3/projectcalico.org/profiles/kns.prod', category: 'kdd-derived-profile', reason: 'derived from the namespace in the Kubernetes datastore' },
      { key: '/calico/resources/v3/projectcalico.org/profiles/ksa.prod.default', category: 'kdd-derived-profile', reason: 'derived from the service account in the Kubernetes datastore' },
      { key: '/calico/resources/v3/projectcalico.org/workloadendpoints/prod/worker--1-k8s-web--0-eth0', category: 'workload-endpoint', reason: 'derived from the pod in the Kubernetes datastore' },
    ],
    checks,
    warnings: ['HostEndpoint worker-1-eth0 selects interface eth0; check it still exists after the move'],
  };
}

export function buildSamplePlan(): { plan: Plan; text: string } {
  return serializePlan(buildSamplePlanBody());
}
