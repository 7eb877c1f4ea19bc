/**
 * What a live cluster does to its Calico data between a pre-copy and the cut-over, applied to a
 * dataset of scripts/bench/dataset.ts: pods come and go (handles and block allocations, released
 * and compacted as Calico's IPAM does), a node joins (its blocks, affinities, handles, configs),
 * a node leaves (all of that removed), policies are edited, network sets deleted, a tier added.
 * Deterministic for a given seed; every reference still resolves afterwards (the plan's IPAM
 * check passes), as it does in a healthy cluster.
 */
import { createHash } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { kubeRequest, type ClusterState } from '../cluster/local-cluster.js';
import { ensureNodes } from '../cluster/seed.js';
import { nodeKvs, PODS_PER_NODE, type KV } from './dataset.js';

export interface ChurnOptions {
  /** Fraction of the pods released, and as many started (default 0.01). */
  pods?: number;
  /** Nodes that join and nodes that leave (default 1 each). */
  joins?: number;
  leaves?: number;
  /** Policies edited and network sets deleted (default 1% each, at least 1). */
  policyEdits?: number;
  setDeletes?: number;
  /** A new tier (default true). */
  tier?: boolean;
  seed?: number;
}

export interface Churn {
  puts: KV[];
  deletes: string[];
  /** Kubernetes Nodes the joining nodes need, and their node-map entries. */
  k8sNodes: string[];
  /** Kubernetes Nodes of the nodes that left (the cluster deletes them too). */
  k8sNodesGone: string[];
  nodeMap: Record<string, string>;
  summary: Record<string, number>;
}

const R = '/calico/resources/v3/projectcalico.org';

/** A small deterministic generator (mulberry32), so a seed gives the same churn everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Block {
  cidr: string;
  allocations: Array<number | null>;
  unallocated: number[];
  attributes: Array<{ handle_id?: string | null; secondary?: Record<string, string> | null }>;
  sequenceNumber?: number;
  sequenceNumberForAllocation?: Record<string, number>;
  [k: string]: unknown;
}

/** Releases an address as Calico's IPAM does: the ordinal goes back, its attribute is removed and the indexes above it shift down. */
function release(b: Block, ordinal: number): string | null {
  const attr = b.allocations[ordinal];
  if (attr === null || attr === undefined) return null;
  b.allocations[ordinal] = null;
  b.unallocated.push(ordinal);
  const handle = b.attributes[attr]?.handle_id ?? null;
  if (!b.allocations.includes(attr)) {
    b.attributes.splice(attr, 1);
    b.allocations = b.allocations.map((a) => (a !== null && a > attr ? a - 1 : a));
  }
  b.sequenceNumber = (b.sequenceNumber ?? 0) + 1;
  return handle;
}

function assign(b: Block, handle: string, secondary: Record<string, string>): boolean {
  const ordinal = b.unallocated.shift();
  if (ordinal === undefined) return false;
  b.attributes.push({ handle_id: handle, secondary });
  b.allocations[ordinal] = b.attributes.length - 1;
  b.sequenceNumber = (b.sequenceNumber ?? 0) + 1;
  return true;
}

export function makeChurn(kvs: readonly KV[], namespaces: readonly string[], nodeCount: number, opts: ChurnOptions = {}): Churn {
  const rnd = random(opts.seed ?? 1);
  const byKey = new Map(kvs.map((kv) => [kv.key, kv.value]));
  const puts = new Map<string, string>();
  const deletes = new Set<string>();
  const summary: Record<string, number> = {};
  const count = (what: string) => (summary[what] = (summary[what] ?? 0) + 1);
  const value = (key: string) => (puts.has(key) ? puts.get(key) : deletes.has(key) ? undefined : byKey.get(key));
  const put = (key: string, v: unknown) => {
    deletes.delete(key);
    puts.set(key, typeof v === 'string' ? v : JSON.stringify(v));
  };
  const del = (key: string) => {
    puts.delete(key);
    if (byKey.has(key)) deletes.add(key);
  };
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(rnd() * list.length)];

  // A node leaves: the highest-numbered nodes, everything they brought goes.
  const leaving = new Set<number>();
  const k8sNodesGone: string[] = [];
  for (let k = 0; k < (opts.leaves ?? 1) && nodeCount - 1 - k > 0; k++) leaving.add(nodeCount - 1 - k);
  for (const i of leaving) {
    const node = nodeKvs(i, namespaces);
    for (const e of node.entries) del(e.key);
    k8sNodesGone.push(node.fqdn);
    count('node left');
  }

  // Pods stop and start on the nodes that stay: both IPv4 and IPv6 blocks, and their handles.
  const staying = Array.from({ length: nodeCount }, (_, i) => i).filter((i) => !leaving.has(i));
  const podMoves = Math.max(1, Math.round((opts.pods ?? 0.01) * staying.length * PODS_PER_NODE));
  const blocksOf = (i: number) =>
    nodeKvs(i, namespaces)
      .entries.filter((e) => e.what === 'IPAMBlock')
      .map((e) => e.key);
  for (let m = 0; m < podMoves; m++) {
    const i = pick(staying);
    if (i === undefined) break;
    const [v4Key, v6Key] = blocksOf(i);
    if (!v4Key || !v6Key) continue;
    const v4 = JSON.parse(value(v4Key) ?? 'null') as Block | null;
    const v6 = JSON.parse(value(v6Key) ?? 'null') as Block | null;
    if (!v4 || !v6) continue;
    // Stop a pod (ordinal 0 of the IPv4 block is the tunnel address: never released).
    const used = v4.allocations.map((a, ord) => (a !== null && ord > 0 ? ord : -1)).filter((o) => o > 0);
    const ord = pick(used);
    if (ord !== undefined) {
      const handle = release(v4, ord);
      if (handle) {
        const o6 = v6.allocations.findIndex((a) => a !== null && v6.attributes[a]?.handle_id === handle);
        if (o6 >= 0) release(v6, o6);
        del(`/calico/ipam/v2/handle/${handle}`);
        count('pod stopped');
      }
    }
    // Start one in its place.
    const id = createHash('sha256')
      .update(`churn/${opts.seed ?? 1}/${m}`)
      .digest('hex');
    const handle = `k8s-pod-network.${id}`;
    const host = String(v4.affinity ?? '').replace(/^host:/, '');
    const secondary = { namespace: pick(namespaces) ?? 'default', node: host, pod: `churn-${m.toString(36)}`, timestamp: '2025-06-02 08:00:00.000000000 +0000 UTC' };
    if (assign(v4, handle, secondary) && assign(v6, handle, secondary)) {
      put(`/calico/ipam/v2/handle/${handle}`, { block: { [v4.cidr]: 1, [v6.cidr]: 1 }, deleted: false });
      count('pod started');
    }
    put(v4Key, v4);
    put(v6Key, v6);
  }

  // Nodes join after the last one.
  const k8sNodes: string[] = [];
  const nodeMap: Record<string, string> = {};
  for (let k = 0; k < (opts.joins ?? 1); k++) {
    const node = nodeKvs(nodeCount + k, namespaces);
    for (const e of node.entries) put(e.key, e.value);
    k8sNodes.push(node.fqdn);
    nodeMap[node.host] = node.fqdn;
    count('node joined');
  }

  // Policies are edited, network sets deleted, a tier added.
  const policies = kvs.filter((kv) => kv.key.startsWith(`${R}/networkpolicies/`)).map((kv) => kv.key);
  const sets = kvs.filter((kv) => kv.key.startsWith(`${R}/networksets/`)).map((kv) => kv.key);
  const edits = opts.policyEdits ?? Math.max(1, Math.round(policies.length * 0.01));
  for (let k = 0; k < edits && policies.length; k++) {
    const key = policies[Math.floor(rnd() * policies.length)]!;
    const v = JSON.parse(value(key) ?? 'null') as { spec: { order?: number } } | null;
    if (!v) continue;
    v.spec.order = (v.spec.order ?? 0) + 1;
    put(key, v);
    count('policy edited');
  }
  const setDeletes = opts.setDeletes ?? Math.max(1, Math.round(sets.length * 0.01));
  for (let k = 0; k < setDeletes && sets.length; k++) {
    const key = sets[Math.floor(rnd() * sets.length)]!;
    if (value(key) === undefined) continue;
    del(key);
    count('network set deleted');
  }
  if (opts.tier ?? true) {
    put(`${R}/tiers/churn`, { kind: 'Tier', apiVersion: 'projectcalico.org/v3', metadata: { name: 'churn', creationTimestamp: '2025-06-02T08:00:00Z' }, spec: { order: 50, defaultAction: 'Pass' } });
    count('tier added');
  }
  return { puts: [...puts].map(([key, v]) => ({ key, value: v })), deletes: [...deletes].sort(), k8sNodes, k8sNodesGone, nodeMap, summary };
}

/** Makes the churn happen in a local cluster: the etcd keys, and the Kubernetes Nodes that joined and left. */
export async function applyChurn(state: ClusterState, churn: Churn): Promise<void> {
  const etcd = new Etcd3({ hosts: [state.etcd.endpoint] });
  try {
    const ops = [
      ...churn.puts.map((e) => ({ request_put: { key: Buffer.from(e.key), value: Buffer.from(e.value) } })),
      ...churn.deletes.map((key) => ({ request_delete_range: { key: Buffer.from(key) } })),
    ];
    for (let i = 0; i < ops.length; i += 128) await etcd.kv.txn({ compare: [], success: ops.slice(i, i + 128), failure: [] });
  } finally {
    etcd.close();
  }
  await ensureNodes(state, churn.k8sNodes);
  for (const name of churn.k8sNodesGone) {
    const r = await kubeRequest(state, { method: 'DELETE', path: `/api/v1/nodes/${name}` });
    if (r.status !== 200 && r.status !== 404) throw new Error(`deleting Node ${name}: HTTP ${r.status}`);
  }
}
