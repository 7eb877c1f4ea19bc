/** A small Calico source and a matching Kubernetes target, over the fakes, shared by the workflow unit tests. */
import { FakeSource, FakeTarget } from './fakes.js';

export const V3 = '/calico/resources/v3/projectcalico.org/';

export const v3 = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string) => ({
  kind,
  apiVersion: 'projectcalico.org/v3',
  metadata: { name, ...(namespace ? { namespace } : {}), creationTimestamp: '2024-01-01T00:00:00Z' },
  spec,
});

/** A tier without defaultAction (the CRD defaults it), a policy in it, a pool, a node and a namespaced policy; locked unless told. */
export function smallSource(opts: { locked?: boolean } = {}): FakeSource {
  const locked = opts.locked ?? true;
  return new FakeSource([
    { key: `${V3}clusterinformations/default`, value: v3('ClusterInformation', 'default', { clusterGUID: 'a'.repeat(32), calicoVersion: 'v3.31.2', clusterType: 'k8s,bgp', datastoreReady: !locked }) },
    { key: `${V3}tiers/security`, value: v3('Tier', 'security', { order: 100 }) },
    { key: `${V3}globalnetworkpolicies/security.deny-all`, value: v3('GlobalNetworkPolicy', 'security.deny-all', { tier: 'security', selector: 'all()', types: ['Ingress'] }) },
    { key: `${V3}ippools/pool-a`, value: v3('IPPool', 'pool-a', { cidr: '10.10.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Always', natOutgoing: true, nodeSelector: 'all()' }) },
    { key: `${V3}nodes/n1`, value: v3('Node', 'n1', { orchRefs: [{ nodeName: 'n1', orchestrator: 'k8s' }], bgp: { ipv4Address: '10.0.0.1/24' } }) },
    { key: `${V3}networkpolicies/prod/allow-web`, value: v3('NetworkPolicy', 'allow-web', { selector: 'app == "web"', types: ['Ingress'], ingress: [{ action: 'Allow' }] }, 'prod') },
  ]);
}

export function smallTarget(): FakeTarget {
  const t = new FakeTarget();
  t.seedNode('n1');
  t.namespaces.add('prod');
  return t;
}
