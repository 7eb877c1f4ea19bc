/** The datasets `npm run cluster -- seed [DATASET]` reads (scripts/cluster/seed.ts); the seeding itself is tested against a real cluster in test/integration/cluster-seed.test.ts. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { datasetDir, readDataset } from '../../../scripts/cluster/seed.js';
import { ROOT } from '../../../scripts/cluster/local-cluster.js';

describe('seed datasets', () => {
  it('finds a name under examples/datasets/, then test/fixtures/datasets/, and a path as it is', () => {
    assert.equal(datasetDir('demo'), path.join(ROOT, 'examples', 'datasets', 'demo'));
    assert.equal(datasetDir('full'), path.join(ROOT, 'test', 'fixtures', 'datasets', 'full'));
    assert.equal(datasetDir('./test/fixtures/datasets/full', ROOT), path.join(ROOT, 'test', 'fixtures', 'datasets', 'full'));
    assert.throws(() => datasetDir('no-such-dataset', ROOT), /no dataset no-such-dataset: looked for etcd\.json in examples\/datasets\/no-such-dataset, test\/fixtures\/datasets\/no-such-dataset/);
  });

  it("the demo's cluster.json lists exactly the Nodes and namespaces its data refers to", () => {
    const demo = readDataset(datasetDir('demo'));
    const dir = mkdtempSync(path.join(tmpdir(), 'cm-seed-'));
    try {
      writeFileSync(path.join(dir, 'etcd.json'), JSON.stringify(demo.kvs));
      const derived = readDataset(dir);
      assert.deepEqual([...demo.nodes].sort(), derived.nodes);
      assert.deepEqual([...demo.namespaces].sort(), derived.namespaces);
      assert.ok(derived.nodes.length > 0 && derived.namespaces.length > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a golden's options.json (its node map) decides the Node names", () => {
    assert.ok(readDataset(datasetDir('legacy-v3.28')).nodes.includes('edge-01.corp.example'));
  });
});
