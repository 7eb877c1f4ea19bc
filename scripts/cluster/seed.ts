/**
 * Seeding a local cluster: Calico keys into etcd (in transactions of 128 puts), and the Kubernetes
 * Nodes and namespaces the data refers to (a real cluster has them; the tool never creates them).
 */
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { kubeRequest, type ClusterState } from './local-cluster.js';

export interface KV {
  key: string;
  value: string;
}

export function readDatasetFile(file: string): KV[] {
  return JSON.parse(readFileSync(file, 'utf8')) as KV[];
}

export async function seedEtcd(endpoint: string, kvs: readonly KV[], opts: { clear?: boolean } = {}): Promise<void> {
  const etcd = new Etcd3({ hosts: [endpoint] });
  try {
    if (opts.clear) await etcd.delete().prefix('/calico/');
    for (let i = 0; i < kvs.length; i += 128) {
      await etcd.kv.txn({
        compare: [],
        success: kvs.slice(i, i + 128).map((e) => ({ request_put: { key: Buffer.from(e.key), value: Buffer.from(e.value) } })),
        failure: [],
      });
    }
  } finally {
    etcd.close();
  }
}

export async function ensureNamespaces(state: ClusterState, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const r = await kubeRequest(state, { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    if (r.status !== 201 && r.status !== 409) throw new Error(`namespace ${name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  }
}

/** Creates Nodes that do not exist yet; existing ones are left as they are. */
export async function ensureNodes(state: ClusterState, names: readonly string[], parallel = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++];
      const r = await kubeRequest(state, { method: 'POST', path: '/api/v1/nodes', body: { apiVersion: 'v1', kind: 'Node', metadata: { name } } });
      if (r.status !== 201 && r.status !== 409) throw new Error(`node ${name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
