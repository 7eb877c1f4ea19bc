/**
 * A generated large plan, built through the plan core (diffObjects, summarize, serializePlan), for
 * the concise renderings: 5,000 creates of four kinds (three of them beyond the listing limit,
 * one under it), 30 updates, 5 deletes (prune), 3 extras (Nodes with Calico annotations the source
 * does not know, never deleted), 10 Node updates that overwrite an address the Node had, 300 Node
 * updates that only add annotations, and a failed check. Every value is fixed: building it twice
 * gives the same bytes, so its renderings are goldens (small ones, thanks to the folding).
 */
import type { DesiredObject, KubeObject } from '../../../src/model/types.js';
import { sha256Hex } from '../../../src/plan/canonical.js';
import { diffObjects, type LiveObject } from '../../../src/plan/diff.js';
import { serializePlan } from '../../../src/plan/plan-file.js';
import { summarize } from '../../../src/plan/summary.js';
import { FORMAT_VERSION, type Check, type Plan, type PlanBody } from '../../../src/plan/types.js';

const CRD = 'crd.projectcalico.org/v1';

export interface LargePlanShape {
  handles: number;
  blocks: number;
  affinities: number;
  /** NetworkPolicy creates: at most the listing limit, so they are listed one by one. */
  policies: number;
  updates: number;
  deletes: number;
  extras: number;
  overwrites: number;
  plainNodeUpdates: number;
  /** Appended to names, e.g. multi-byte text for the character cap. */
  suffix: string;
}

export const LARGE_PLAN: LargePlanShape = {
  handles: 3000,
  blocks: 1000,
  affinities: 985,
  policies: 15,
  updates: 30,
  deletes: 5,
  extras: 3,
  overwrites: 10,
  plainNodeUpdates: 300,
  suffix: '',
};

const pad = (i: number) => String(i).padStart(5, '0');

function cr(kind: string, name: string, spec: Record<string, unknown>, namespace?: string): KubeObject {
  return { apiVersion: CRD, kind, metadata: namespace ? { name, namespace } : { name }, spec };
}

function node(name: string, annotations: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, annotations } };
}

function desired(body: KubeObject, i: number): DesiredObject {
  return {
    apiVersion: body.apiVersion,
    kind: body.kind,
    namespace: body.metadata.namespace ?? null,
    name: body.metadata.name,
    body,
    sources: [{ key: `/calico/generated/${body.kind}/${body.metadata.namespace ?? ''}/${body.metadata.name}`, mod_revision: 1000 + i }],
  };
}

function served(obj: KubeObject, i: number): LiveObject {
  return { object: { ...obj, metadata: { ...obj.metadata, uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resourceVersion: String(5000 + i) } } };
}

export function buildLargePlanBody(shape: LargePlanShape = LARGE_PLAN): PlanBody {
  const s = shape.suffix;
  const want: DesiredObject[] = [];
  const live: LiveObject[] = [];
  let n = 0;
  const add = (body: KubeObject) => want.push(desired(body, n++));
  const have = (body: KubeObject) => live.push(served(body, n++));

  for (let i = 0; i < shape.handles; i++) add(cr('IPAMHandle', `k8s-pod-network.${pad(i)}${s}`, { handleID: `k8s-pod-network.${pad(i)}${s}`, block: { '10.244.0.0/26': 1 }, deleted: false }));
  for (let i = 0; i < shape.blocks; i++) add(cr('IPAMBlock', `10-245-${pad(i)}-0-26${s}`, { cidr: `10.245.${i % 256}.0/26`, deleted: false }));
  for (let i = 0; i < shape.affinities; i++) add(cr('BlockAffinity', `worker-${pad(i)}-10-245-0-0-26${s}`, { state: 'confirmed', node: `worker-${pad(i)}`, cidr: '10.245.0.0/26', deleted: 'false' }));
  for (let i = 0; i < shape.policies; i++) add(cr('NetworkPolicy', `allow-${pad(i)}${s}`, { tier: 'default', order: 100, selector: 'all()' }, 'prod'));
  for (let i = 0; i < shape.updates; i++) {
    const gnp = cr('GlobalNetworkPolicy', `default.policy-${pad(i)}${s}`, { tier: 'default', order: 200, selector: `app == 'a${i}${s}'` });
    add(gnp);
    have({ ...gnp, spec: { ...(gnp.spec as Record<string, unknown>), order: 100 } });
  }
  for (let i = 0; i < shape.deletes; i++) have(cr('GlobalNetworkSet', `stale-${pad(i)}${s}`, { nets: ['198.51.100.0/24'] }));
  for (let i = 0; i < shape.extras; i++) have(node(`gone-${pad(i)}${s}`, { 'projectcalico.org/IPv4Address': `192.168.2.${i}/24` }));
  for (let i = 0; i < shape.overwrites; i++) {
    add(node(`moved-${pad(i)}${s}`, { 'projectcalico.org/IPv4Address': `192.168.1.${i}/24` }));
    have(node(`moved-${pad(i)}${s}`, { 'projectcalico.org/IPv4Address': `10.9.9.${i}/24` }));
  }
  for (let i = 0; i < shape.plainNodeUpdates; i++) {
    add(node(`worker-${pad(i)}${s}`, { 'projectcalico.org/IPv4Address': `192.168.0.${i % 256}/24`, 'projectcalico.org/IPv4VXLANTunnelAddr': `10.244.${i % 256}.0` }));
    have(node(`worker-${pad(i)}${s}`, {}));
  }

  const changes = diffObjects({ desired: want, live, prune: true });
  const checks: Check[] = [
    { id: 'crds-established', status: 'pass', message: 'all 22 Calico CRDs are installed and Established', items: [] },
    { id: 'ipam-consistent', status: 'fail', message: `2 IPAM handles are claimed by no block${s}`, items: [`k8s-pod-network.dangling-1${s}`, `k8s-pod-network.dangling-2${s}`] },
    { id: 'rbac', status: 'pass', message: 'the credentials may create, update and delete every kind in the plan', items: [] },
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
      revision: 99000,
      digest: 'sha256:' + sha256Hex('large source'),
      locked: true,
      cluster_guid: 'c0ffee00d15ea5e0123456789abcdef0',
      calico_version: 'v3.31.2',
    },
    target: { type: 'kubernetes', server: 'https://10.0.0.1:6443', cluster_uid: '4b2c6f2e-8d1a-4c3b-9e7f-0a1b2c3d4e5f', api_group: 'crd.projectcalico.org' },
    options: { include: [], exclude: [], prune: true, calico_version: null, node_map: {}, skip_unknown: false, precopy: null },
    reverses: null,
    summary: summarize(changes, checks),
    resource_changes: changes,
    skipped: [],
    checks,
    warnings: [],
  };
}

export function buildLargePlan(shape: LargePlanShape = LARGE_PLAN): { plan: Plan; text: string } {
  return serializePlan(buildLargePlanBody(shape));
}
