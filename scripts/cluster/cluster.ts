/**
 * `npm run cluster -- up | seed [DATASET] | env | status | down`: the local throwaway cluster.
 * `seed` replaces etcd's Calico keys with a dataset (default `demo`, examples/datasets/demo) and
 * creates the Kubernetes Nodes and namespaces it refers to, so `plan` can be tried by hand.
 */
import path from 'node:path';
import { down, envLines, isRunning, readState, ROOT, up } from './local-cluster.js';
import { datasetDir, readDataset, seedDataset } from './seed.js';

const USAGE = 'usage: npm run cluster -- up | seed [DATASET] | env | status | down';

const cmd = process.argv[2] ?? 'status';
try {
  switch (cmd) {
    case 'up': {
      const s = await up();
      process.stdout.write(envLines(s));
      process.stderr.write('[cluster] run `eval "$(npm run -s cluster -- env)"` to point calico-migrate at it\n');
      break;
    }
    case 'down':
      await down();
      break;
    case 'seed': {
      if (process.argv.length > 4) {
        process.stderr.write(`${USAGE}\n`);
        process.exit(64);
      }
      const s = readState();
      if (!isRunning(s)) {
        process.stderr.write('no local cluster is running; start one with `npm run cluster -- up`\n');
        process.exit(1);
      }
      const dataset = readDataset(datasetDir(process.argv[3] ?? 'demo'));
      await seedDataset(s!, dataset);
      process.stdout.write(
        `seeded ${path.relative(ROOT, dataset.dir) || '.'}: ${dataset.kvs.length} keys into etcd ${s!.etcd.endpoint} (its /calico/ keys replaced); ` +
          `${dataset.nodes.length} Nodes and ${dataset.namespaces.length} namespaces in ${s!.apiserver.server}\n`,
      );
      process.stderr.write('[cluster] next: `eval "$(npm run -s cluster -- env)"`, then `calico-migrate status`, `calico-migrate plan --out migration.plan.json`\n');
      break;
    }
    case 'env': {
      const s = readState();
      if (!isRunning(s)) {
        process.stderr.write('no local cluster is running; start one with `npm run cluster -- up`\n');
        process.exit(1);
      }
      process.stdout.write(envLines(s!));
      break;
    }
    case 'status': {
      const s = readState();
      process.stdout.write(isRunning(s) ? `running: etcd ${s!.etcd.endpoint}, apiserver ${s!.apiserver.server}\n` : 'not running\n');
      break;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(64);
  }
} catch (e) {
  process.stderr.write(`[cluster] ${(e as Error).message}\n`);
  process.exit(1);
}
