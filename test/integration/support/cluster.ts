/**
 * One real cluster per integration run: started in mocha's global setup (or reused when one is
 * already running from a previous run's state), and a reset between suites that empties both
 * datastores in well under a second, so no test pays start-up.
 */
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { DEFAULT_STATE_DIR, ROOT, down, isRunning, kubeRequest, readState, up, type ClusterState } from '../../../scripts/cluster/local-cluster.js';
import { ALL_CRD_KINDS, CRD_API_VERSION } from '../../../src/model/kinds.js';
import { ensureNamespaces } from '../../../scripts/cluster/seed.js';

const TEST_DIR = process.env.CALICO_MIGRATE_TEST_CLUSTER_DIR ?? path.join(path.dirname(DEFAULT_STATE_DIR), 'test-cluster');
let startedHere = false;

export async function startTestCluster(): Promise<ClusterState> {
  const existing = readState(TEST_DIR);
  if (isRunning(existing)) return existing!;
  startedHere = true;
  return up(TEST_DIR);
}

export async function stopTestCluster(): Promise<void> {
  // KEEP_TEST_CLUSTER=1 leaves it up for the next run (faster local iteration).
  if (startedHere && process.env.KEEP_TEST_CLUSTER !== '1') await down(TEST_DIR);
}

export function testCluster(): ClusterState {
  const s = readState(TEST_DIR);
  if (!s || !isRunning(s)) throw new Error('the test cluster is not running (global setup did not run?)');
  return s;
}

export function etcdClient(state = testCluster()): Etcd3 {
  return new Etcd3({ hosts: [state.etcd.endpoint] });
}

export async function kube(method: string, p: string, body?: unknown, contentType?: string) {
  return kubeRequest(testCluster(), { method, path: p, body, contentType });
}

/** Empties Calico's etcd data, every Calico CR, every Node and the apply lease. Namespaces stay (nothing here can finish deleting them). */
export async function resetDatastores(): Promise<void> {
  const state = testCluster();
  const etcd = etcdClient(state);
  try {
    await etcd.delete().prefix('/calico/');
  } finally {
    etcd.close();
  }
  await resetTarget();
}

/** Every Calico CR, every Node, the apply lease and the run record; etcd is left as it is. */
export async function resetTarget(): Promise<void> {
  const nsList = (await kube('GET', '/api/v1/namespaces')).body.items.map((n: any) => n.metadata.name) as string[];
  const jobs: Promise<unknown>[] = [];
  for (const k of ALL_CRD_KINDS) {
    if (k.namespaced) {
      for (const ns of nsList) jobs.push(mustOk(kube('DELETE', `/apis/${CRD_API_VERSION}/namespaces/${ns}/${k.plural}`)));
    } else {
      jobs.push(mustOk(kube('DELETE', `/apis/${CRD_API_VERSION}/${k.plural}`)));
    }
  }
  jobs.push(mustOk(kube('DELETE', '/api/v1/nodes')));
  jobs.push(kube('DELETE', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/calico-migrate-apply'));
  jobs.push(kube('DELETE', '/api/v1/namespaces/kube-system/configmaps/calico-migrate-status'));
  await Promise.all(jobs);
}

async function mustOk(p: Promise<{ status: number; body: any }>) {
  const r = await p;
  if (r.status >= 300 && r.status !== 404) throw new Error(`reset failed: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  return r;
}

export async function ensureNamespace(name: string): Promise<void> {
  await ensureNamespaces(testCluster(), [name]);
}

export async function createNode(name: string, annotations: Record<string, string> = {}, labels: Record<string, string> = {}): Promise<void> {
  const r = await kube('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, annotations, labels } });
  if (r.status !== 201) throw new Error(`node ${name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
}

export { ROOT };
