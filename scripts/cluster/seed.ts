/**
 * Seeding a local cluster: Calico keys into etcd (in transactions of 128 puts), and the Kubernetes
 * Nodes and namespaces the data refers to (a real cluster has them; the tool never creates them).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { convertSnapshot } from '../../src/convert/index.js';
import type { ConvertOptions } from '../../src/model/types.js';
import { kubeRequest, ROOT, type ClusterState } from './local-cluster.js';

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

/**
 * A dataset directory: `etcd.json` (the Calico keys, as `etcdctl get --prefix /calico/` shows them),
 * `cluster.json` (the Kubernetes Nodes and namespaces they refer to) or, without it, those found by
 * converting the keys (with `options.json`, the ConvertOptions of a conversion golden, when present).
 */
export interface Dataset {
  dir: string;
  kvs: KV[];
  nodes: string[];
  namespaces: string[];
}

/** Where `seed NAME` looks: examples/datasets/NAME, then test/fixtures/datasets/NAME; a path is taken as it is. */
export function datasetDir(nameOrPath: string, cwd = process.cwd()): string {
  const candidates =
    nameOrPath.includes('/') || nameOrPath.startsWith('.')
      ? [path.resolve(cwd, nameOrPath)]
      : [path.join(ROOT, 'examples', 'datasets', nameOrPath), path.join(ROOT, 'test', 'fixtures', 'datasets', nameOrPath)];
  const dir = candidates.find((d) => existsSync(path.join(d, 'etcd.json')));
  if (!dir) throw new Error(`no dataset ${nameOrPath}: looked for etcd.json in ${candidates.map((d) => path.relative(cwd, d) || '.').join(', ')}`);
  return dir;
}

export function readDataset(dir: string): Dataset {
  const kvs = readDatasetFile(path.join(dir, 'etcd.json'));
  const clusterFile = path.join(dir, 'cluster.json');
  if (existsSync(clusterFile)) {
    const pre = JSON.parse(readFileSync(clusterFile, 'utf8')) as { nodes?: string[]; namespaces?: string[] };
    return { dir, kvs, nodes: pre.nodes ?? [], namespaces: pre.namespaces ?? [] };
  }
  const optionsFile = path.join(dir, 'options.json');
  const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as ConvertOptions) : {};
  const r = convertSnapshot({ origin: 'etcd', endpoints: [], clusterId: null, revision: null, kvs: kvs.map((k) => ({ ...k, modRevision: 1 })) }, options);
  return {
    dir,
    kvs,
    nodes: [...new Set(r.objects.filter((o) => o.kind === 'Node').map((o) => o.name))].sort(),
    namespaces: [...new Set(r.objects.map((o) => o.namespace).filter((n): n is string => !!n))].sort(),
  };
}

/** Replaces etcd's /calico/ keys with the dataset's and creates the Nodes and namespaces it needs (the target's Calico objects are left as they are). */
export async function seedDataset(state: ClusterState, dataset: Dataset): Promise<void> {
  await seedEtcd(state.etcd.endpoint, dataset.kvs, { clear: true });
  await ensureNamespaces(state, dataset.namespaces);
  await ensureNodes(state, dataset.nodes);
}
