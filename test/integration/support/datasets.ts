/** Seeding a golden dataset into the real etcd, with the Nodes and namespaces its data refers to. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureNamespaces, ensureNodes, seedEtcd, type KV } from '../../../scripts/cluster/seed.js';
import { convertSnapshot } from '../../../src/convert/index.js';
import { ROOT, testCluster } from './cluster.js';

export const DATASETS = path.join(ROOT, 'test', 'fixtures', 'datasets');

export function datasetKvs(name: string): KV[] {
  return JSON.parse(readFileSync(path.join(DATASETS, name, 'etcd.json'), 'utf8')) as KV[];
}

/** The Nodes and namespaces a dataset's converted objects need in the target. */
export function datasetPrerequisites(kvs: KV[]): { nodes: string[]; namespaces: string[] } {
  const r = convertSnapshot({ origin: 'etcd', endpoints: [], clusterId: null, revision: null, kvs: kvs.map((k) => ({ ...k, modRevision: 1 })) });
  return {
    nodes: [...new Set(r.objects.filter((o) => o.kind === 'Node').map((o) => o.name))].sort(),
    namespaces: [...new Set(r.objects.map((o) => o.namespace).filter((n): n is string => !!n))].sort(),
  };
}

/** Writes the dataset's keys into etcd (after clearing /calico/) and creates its Nodes and namespaces. */
export async function seedDataset(nameOrKvs: string | KV[], opts: { withNodes?: boolean } = {}): Promise<KV[]> {
  const kvs = typeof nameOrKvs === 'string' ? datasetKvs(nameOrKvs) : nameOrKvs;
  const s = testCluster();
  await seedEtcd(s.etcd.endpoint, kvs, { clear: true });
  const pre = datasetPrerequisites(kvs);
  await ensureNamespaces(s, pre.namespaces);
  if (opts.withNodes !== false) await ensureNodes(s, pre.nodes);
  return kvs;
}
