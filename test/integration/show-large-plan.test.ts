/**
 * Issue 13, large plans a reviewer can read, through the BUILT CLI against the real etcd and API
 * server: a plan of a production-shaped dataset of ~3,000 objects whose target already has a few
 * Nodes with Calico addresses the source changes (Node overwrites) and a network set the source
 * does not have (an extra). `show` prints it concisely (creates folded by kind, every change to
 * review listed); `show -o markdown` stays within 65,536 characters even with --verbose (which
 * lists every create and so exceeds it), keeping every Node overwrite and the extra.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { makeDataset } from '../../scripts/bench/dataset.js';
import { ensureNamespaces, ensureNodes, seedEtcd } from '../../scripts/cluster/seed.js';
import { CRD_API_VERSION } from '../../src/model/kinds.js';
import { kube, resetDatastores, testCluster } from './support/cluster.js';
import { Workdir, cli, readPlan } from './support/e2e.js';

const OVERWRITTEN = 6;
const GITHUB_MAX = 65_536;

describe('show of a large plan (built CLI, real cluster)', function () {
  this.timeout(300_000);
  Workdir.cleanUpAfterSuite();

  it('text is concise, Markdown fits one comment and keeps every Node overwrite and the extra, --verbose lists all', async () => {
    await resetDatastores();
    const ds = makeDataset(3000);
    const s = testCluster();
    await seedEtcd(s.etcd.endpoint, ds.kvs, { clear: true });
    await ensureNamespaces(s, ds.namespaces);
    await ensureNodes(s, ds.k8sNodes);
    const moved = ds.k8sNodes.slice(0, OVERWRITTEN);
    for (const [i, name] of moved.entries()) {
      const r = await kube('PATCH', `/api/v1/nodes/${name}`, { metadata: { annotations: { 'projectcalico.org/IPv4Address': `10.99.0.${i + 1}/24` } } }, 'application/merge-patch+json');
      assert.equal(r.status, 200);
    }
    const extra = { apiVersion: CRD_API_VERSION, kind: 'GlobalNetworkSet', metadata: { name: 'left-over' }, spec: { nets: ['198.51.100.0/24'] } };
    assert.equal((await kube('POST', `/apis/${CRD_API_VERSION}/globalnetworksets`, extra)).status, 201);

    const w = new Workdir();
    writeFileSync(w.path('node-map.json'), JSON.stringify(ds.nodeMap));
    await cli(w, ['plan', '--node-map', 'node-map.json', '--out', 'big.plan.json', '-o', 'json'], 0);
    const plan = readPlan(w.path('big.plan.json'));
    assert.ok(plan.summary.create > 2500, `${plan.summary.create} creates`);

    const [text, verboseText, md, verboseMd, fullMd] = await Promise.all([
      cli(w, ['show', 'big.plan.json'], 0),
      cli(w, ['show', 'big.plan.json', '--verbose'], 0),
      cli(w, ['show', 'big.plan.json', '-o', 'markdown'], 0),
      cli(w, ['show', 'big.plan.json', '-o', 'markdown', '--verbose'], 0),
      cli(w, ['show', 'big.plan.json', '-o', 'markdown', '--verbose', '--max-chars', '0'], 0),
    ]);

    // Text: folded creates, every Node overwrite and the extra, far fewer lines than --verbose.
    const handles = plan.resource_changes.filter((c) => c.kind === 'IPAMHandle' && c.change.action === 'create').length;
    assert.ok(text.stdout.includes(`  + ${handles.toLocaleString('en-US')} IPAMHandle creates (first: `), text.stdout.slice(0, 3000));
    assert.ok(text.stdout.includes('`calico-migrate show big.plan.json --verbose` lists all)'));
    for (const name of moved) assert.match(text.stdout, new RegExp(`^  ~ update Node ${name} \\(overwrites 1 annotation the Node has: projectcalico.org/IPv4Address\\)`, 'm'));
    assert.match(text.stdout, /^ {2}\? extra GlobalNetworkSet left-over /m);
    const lines = (s: string) => s.split('\n').length;
    assert.ok(lines(text.stdout) * 10 < lines(verboseText.stdout), `${lines(text.stdout)} lines concise, ${lines(verboseText.stdout)} verbose`);
    assert.match(verboseText.stdout, /^ {2}\+ create IPAMHandle /m);

    // Markdown: under GitHub's cap by default, even when --verbose lists far more than fits.
    assert.ok(fullMd.stdout.length > GITHUB_MAX, `the uncapped --verbose Markdown is ${fullMd.stdout.length} characters`);
    for (const out of [md.stdout, verboseMd.stdout]) {
      assert.ok(out.length <= GITHUB_MAX + 1, `${out.length} characters`); // + the newline the terminal host ends output with
      assert.ok(out.includes(plan.plan_id));
      for (const name of moved) assert.ok(out.includes(`<code>~ update</code> Node ${name} — ⚠️ overwrites 1 annotation the Node has: projectcalico.org/IPv4Address`), name);
      assert.ok(out.includes('<code>? extra</code> GlobalNetworkSet left-over'));
    }
    assert.match(
      verboseMd.stdout,
      /> Not shown, to keep this comment within 65,536 characters: [\d,]+ of [\d,]+ creates and Node annotation updates that overwrite nothing\. To see all: `calico-migrate show big\.plan\.json --verbose`/,
    );
    assert.ok(!verboseMd.stdout.includes('changes to review**'), 'nothing to review was cut');
  });
});
