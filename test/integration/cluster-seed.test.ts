/**
 * `npm run cluster -- seed [DATASET]` (scripts/cluster/cluster.ts), run as a newcomer runs it, against
 * the test cluster: etcd holds exactly the dataset's keys, the Nodes and namespaces exist, and
 * `plan` of what was seeded passes its checks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { datasetDir, readDataset } from '../../scripts/cluster/seed.js';
import { ROOT, etcdClient, kube, resetDatastores, testCluster } from './support/cluster.js';
import { Workdir, cli } from './support/e2e.js';

function clusterScript(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'cluster', 'cluster.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, CALICO_MIGRATE_CLUSTER_DIR: testCluster().dir },
    encoding: 'utf8',
  });
}

async function calicoKeys(): Promise<Record<string, string>> {
  const etcd = etcdClient();
  try {
    return await etcd.getAll().prefix('/calico/').strings();
  } finally {
    etcd.close();
  }
}

describe('npm run cluster -- seed', function () {
  Workdir.cleanUpAfterSuite();
  before(resetDatastores);

  it('seeds the demo dataset by default: its keys replace etcd’s, its Nodes and namespaces are created, and plan passes its checks', async () => {
    const etcd = etcdClient();
    try {
      await etcd.put('/calico/resources/v3/projectcalico.org/globalnetworksets/left-over').value('{}');
    } finally {
      etcd.close();
    }
    const r = clusterScript('seed');
    assert.equal(r.status, 0, r.stderr);
    const demo = readDataset(datasetDir('demo'));
    assert.equal(demo.dir, path.join(ROOT, 'examples', 'datasets', 'demo'));
    assert.match(r.stdout, new RegExp(`^seeded examples/datasets/demo: ${demo.kvs.length} keys into etcd `));

    assert.deepEqual(await calicoKeys(), Object.fromEntries(demo.kvs.map((kv) => [kv.key, kv.value])));
    const nodes = (await kube('GET', '/api/v1/nodes')).body.items.map((n: any) => n.metadata.name);
    for (const n of demo.nodes) assert.ok(nodes.includes(n), `Node ${n}`);
    const namespaces = (await kube('GET', '/api/v1/namespaces')).body.items.map((n: any) => n.metadata.name);
    for (const n of demo.namespaces) assert.ok(namespaces.includes(n), `namespace ${n}`);

    const w = new Workdir();
    await cli(w, ['plan', '--out', 'p.json'], 0);
  });

  it('seeds a conversion golden by name, its Nodes and namespaces found by converting it', async () => {
    const r = clusterScript('seed', 'legacy-v3.28');
    assert.equal(r.status, 0, r.stderr);
    const legacy = readDataset(datasetDir('legacy-v3.28'));
    assert.ok(legacy.nodes.length > 0 && legacy.namespaces.length > 0);
    assert.deepEqual(await calicoKeys(), Object.fromEntries(legacy.kvs.map((kv) => [kv.key, kv.value])));
    const nodes = (await kube('GET', '/api/v1/nodes')).body.items.map((n: any) => n.metadata.name);
    for (const n of legacy.nodes) assert.ok(nodes.includes(n), `Node ${n}`);
  });

  it('refuses an unknown dataset (exit 1, naming where it looked) and extra arguments (exit 64), writing nothing', async () => {
    const before = await calicoKeys();
    const unknown = clusterScript('seed', 'no-such-dataset');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no dataset no-such-dataset: looked for etcd\.json in examples\/datasets\/no-such-dataset, test\/fixtures\/datasets\/no-such-dataset/);
    const extra = clusterScript('seed', 'demo', 'more');
    assert.equal(extra.status, 64);
    assert.match(extra.stderr, /usage: npm run cluster -- up \| seed \[DATASET\]/);
    assert.deepEqual(await calicoKeys(), before);
  });
});
