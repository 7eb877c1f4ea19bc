/**
 * The demo: the whole migration on a throwaway local cluster, narrated. Starts etcd and a
 * kube-apiserver with the Calico CRDs, seeds etcd with examples/datasets/demo, and runs the
 * documented procedure with the built CLI: lock, plan, show, apply, verify, roll back with the
 * reverse plan; then the short freeze: unlock, pre-copy, changes while it runs, cutover; unlock
 * the target, status. Tears the cluster down at the end
 * (--keep leaves it running and prints how to reach it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { down, ROOT, up } from '../cluster/local-cluster.js';
import { Etcd3 } from 'etcd3';
import { datasetDir, readDataset, seedDataset } from '../cluster/seed.js';

const keep = process.argv.includes('--keep');
const dir = path.join(ROOT, '.cache', 'demo-cluster');
const work = mkdtempSync(path.join(tmpdir(), 'calico-migrate-demo-'));
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
let step = 0;
const narrate = (title: string, why: string) => console.log(`\n${bold(`== ${++step}. ${title}`)}\n   ${why}`);

function cli(args: string[], opts: { expect?: number; head?: number } = {}): string {
  console.log(bold(`   $ calico-migrate ${args.join(' ')}`));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run.js'), ...args], { cwd: work, env: process.env, encoding: 'utf8' });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  const lines = out.trimEnd().split('\n');
  const shown = opts.head && lines.length > opts.head ? [...lines.slice(0, opts.head), `   … (${lines.length - opts.head} more lines)`] : lines;
  console.log(shown.map((l) => `   ${l}`).join('\n'));
  const expect = opts.expect ?? 0;
  if (r.status !== expect) throw new Error(`calico-migrate ${args[0]} exited ${r.status}, expected ${expect}`);
  console.log(`   (exit ${r.status})`);
  return r.stdout ?? '';
}

const t0 = Date.now();
try {
  narrate('A throwaway cluster', 'etcd (the old Calico datastore) and a kube-apiserver with the Calico v1 CRDs, both on 127.0.0.1.');
  const state = await up(dir);
  process.env.KUBECONFIG = state.kubeconfig;
  process.env.ETCD_ENDPOINTS = state.etcd.endpoint;
  const pre = readDataset(datasetDir('demo'));
  const kvs = pre.kvs;
  await seedDataset(state, pre); // what `npm run cluster -- seed` does
  console.log(
    `   etcd ${state.etcd.endpoint}: ${kvs.length} Calico keys; Kubernetes ${state.apiserver.server}: ${pre.nodes.length} Nodes, namespaces ${pre.namespaces.join(', ')}; working dir ${work}`,
  );

  narrate('Where do we stand?', 'status reads both datastores, the apply lease and the records in .calico-migrate/.');
  cli(['status']);

  narrate(
    'Freeze the source',
    'lock sets datastoreReady=false in etcd (compare-and-swap, stamped with who and when). From now on Calico CNI refuses new pods: nothing can change under the migration.',
  );
  cli(['lock', '--auto-approve']);

  narrate('Plan', 'Read every key at one etcd revision, convert, diff with the cluster, dry-run every write on the API server, run every check, write the plan file.');
  const planOut = cli(['plan', '--out', 'migration.plan.json'], { head: 45 });
  const planId = /^Plan (sha256:[0-9a-f]{64})/m.exec(planOut)?.[1];

  narrate('Review', 'The same plan as a pull-request comment (what a CI gate would post), capped at 4 KB.');
  cli(['show', 'migration.plan.json', '-o', 'markdown', '--max-bytes', '4000'], { head: 30 });

  narrate(
    'Apply exactly the approved plan',
    'Guards first (plan intact and approved, right clusters, source locked and unchanged, target as planned), then waves in dependency order under an exclusive Lease, every write journaled before it is sent, the reverse plan kept current.',
  );
  cli(['apply', 'migration.plan.json', '--expect-plan-id', planId ?? 'unknown', '--auto-approve']);

  narrate('Verify', 'Read both sides again and compare object by object.');
  cli(['verify']);

  narrate(
    'Roll back',
    'The reverse plan is an ordinary plan: review it, then apply it through the same guards. Created objects are deleted (guarded by their uid), updated ones restored, Node annotations put back.',
  );
  const reverse = `.calico-migrate/reverse-${(planId ?? '').replace('sha256:', '').slice(0, 12)}.json`;
  cli(['show', reverse], { head: 12 });
  cli(['apply', reverse, '--auto-approve']);
  cli(['verify'], { expect: 14, head: 6 });
  cli(['status'], { head: 3 });

  narrate(
    'A short freeze: pre-copy while the cluster runs',
    'Unlock the source again and copy while it runs: apply --precopy locks only the target (datastoreReady=false there), so nothing acts on the copy; new pods keep starting.',
  );
  cli(['unlock', '--datastore', 'etcd']);
  cli(['plan', '--out', 'precopy.plan.json'], { head: 8 });
  cli(['apply', 'precopy.plan.json', '--precopy', '--auto-approve']);
  cli(['status'], { head: 4 });

  narrate('The cluster lives on', 'Calico keeps writing to etcd after the pre-copy: here a new GlobalNetworkSet and an edited policy.');
  const etcd = new Etcd3({ hosts: [state.etcd.endpoint] });
  try {
    const R = '/calico/resources/v3/projectcalico.org';
    await etcd.put(`${R}/globalnetworksets/demo-late`).value(
      JSON.stringify({
        kind: 'GlobalNetworkSet',
        apiVersion: 'projectcalico.org/v3',
        metadata: { name: 'demo-late', creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { nets: ['198.51.100.0/24'] },
      }),
    );
    const policies = await etcd.getAll().prefix(`${R}/globalnetworkpolicies/`).strings();
    const [key, value] = Object.entries(policies)[0] ?? [];
    if (key && value) {
      const p = JSON.parse(value);
      p.spec.order = (p.spec.order ?? 0) + 1;
      await etcd.put(key).value(JSON.stringify(p));
      console.log(`   wrote ${R}/globalnetworksets/demo-late and changed the order of ${key}`);
    }
  } finally {
    etcd.close();
  }

  narrate(
    'Cut over',
    'One command: a catch-up round while the source still runs (what changed since the pre-copy), then lock, plan only what changed since the catch-up, apply it, read back everything written, and report the freeze window.',
  );
  cli(['cutover', '--auto-approve']);

  narrate('The point of no return', 'In a real cluster: roll calico-node to the Kubernetes datastore now. Then unlock the target; it runs the full verify first and refuses unless it passes.');
  cli(['unlock', '--datastore', 'kubernetes', '--auto-approve']);
  cli(['status']);
  console.log(`\n${bold(`Demo finished in ${((Date.now() - t0) / 1000).toFixed(0)}s.`)} The etcd source stays locked: it is the frozen copy.`);
} catch (e) {
  console.error(`\ndemo failed: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  if (keep) {
    console.log(
      `\nThe cluster is still running (--keep). Use it with:\n  export KUBECONFIG=${path.join(dir, 'kubeconfig')}\n  stop it with: CALICO_MIGRATE_CLUSTER_DIR=${dir} npm run cluster -- down`,
    );
  } else {
    await down(dir);
  }
}
