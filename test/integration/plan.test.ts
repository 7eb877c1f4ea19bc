/**
 * Issue 4, end to end: `plan` (and `show`, and `apply` where a plan must be executed first) through
 * the BUILT CLI against the real etcd and kube-apiserver, on the `full` golden dataset.
 *
 * The tests of the first describe run in order on one evolving target: empty → applied → drifted →
 * with an extra object → partially deleted. Each test states the state it starts from.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';
import { EXIT_CODES } from '../../src/errors.js';
import { CRD_API_VERSION } from '../../src/model/kinds.js';
import type { Plan, ResourceChange } from '../../src/plan/types.js';
import { etcdClient, kube, resetDatastores } from './support/cluster.js';
import { DATASETS, seedDataset } from './support/datasets.js';
import { Workdir, cli, finalJson, fullWithClusterInfo, getByAddress, readPlan, targetSnapshot } from './support/e2e.js';

const NP = `${CRD_API_VERSION}/NetworkPolicy`;
const LOCK = `${CRD_API_VERSION}/ClusterInformation/default#lock`;
const IDENTITY = `${CRD_API_VERSION}/ClusterInformation/default#identity`;

/** The `full` golden objects, by plan address. */
function goldenByAddress(): Map<string, any> {
  const docs = YAML.parseAllDocuments(readFileSync(`${DATASETS}/full/expected.k8s.yaml`, 'utf8')).map((d) => d.toJSON());
  return new Map(docs.map((d) => [`${d.apiVersion}/${d.kind}/${d.metadata.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata.name}`, d]));
}

const action = (c: ResourceChange) => c.change.action;
const byAddress = (plan: Plan) => new Map(plan.resource_changes.map((c) => [c.address, c]));
const nonNoop = (plan: Plan) => plan.resource_changes.filter((c) => action(c) !== 'no-op');

describe('plan (issue 4): the full dataset through the built CLI against the real cluster', function () {
  this.timeout(120_000);
  const w = new Workdir();
  const golden = goldenByAddress();
  const P1 = w.path('p1.json');

  before(async () => {
    await resetDatastores();
    await seedDataset('full');
  });

  it('empty target: every Calico object is a create (Nodes get annotation updates), the plan file is written, exit 0; --detailed-exitcode exits 2; both plans are byte-identical', async () => {
    const [plain, detailed] = await Promise.all([cli(w, ['plan', '--out', P1], EXIT_CODES.OK), cli(w, ['plan', '--out', w.path('p2.json'), '--detailed-exitcode'], EXIT_CODES.CHANGES)]);
    const plan = readPlan(P1);
    assert.match(plain.stderr, new RegExp(`Plan written to ${P1.replace(/[.]/g, '\\.')} \\(${plan.plan_id}\\)`));
    const s = plan.summary;
    assert.match(detailed.stdout, new RegExp(`^Plan: ${s.create} to create, ${s.update} to update, 0 to delete, 0 extra, 0 unchanged\\.$`, 'm'));

    // Determinism: two plans of the same state (the exit-code flag is not part of the plan).
    assert.equal(readFileSync(w.path('p2.json'), 'utf8'), readFileSync(P1, 'utf8'));
    // ... also when etcd is shared with other writers: a key outside /calico/ moves etcd's global
    // revision but is not part of the source, so the plan stays byte-identical.
    const etcd = etcdClient();
    try {
      await etcd.put('/registry/calico-migrate-test/unrelated').value(String(Date.now()));
    } finally {
      etcd.close();
    }
    await cli(w, ['plan', '--out', w.path('p3.json')], EXIT_CODES.OK);
    assert.equal(readFileSync(w.path('p3.json'), 'utf8'), readFileSync(P1, 'utf8'));

    const changes = byAddress(plan);
    for (const [address, doc] of golden) {
      const c = changes.get(address);
      assert.ok(c, `${address} is in the plan`);
      // The tool never creates Nodes: Calico node data becomes annotations on the existing ones.
      assert.equal(action(c), doc.kind === 'Node' ? 'update' : 'create', address);
      assert.deepEqual(c.change.after, doc, `after of ${address}`);
    }
    for (const c of plan.resource_changes) {
      if (c.address === IDENTITY) assert.equal(action(c), 'update', 'the identity step updates what the lock step creates');
      else if (c.kind !== 'Node') assert.equal(action(c), 'create', c.address);
    }
    assert.equal(action(changes.get(LOCK)!), 'create');
    const calicoObjects = [...golden.values()].filter((d) => d.kind !== 'Node').length;
    assert.ok(plan.summary.create >= calicoObjects + 1, `${plan.summary.create} creates`);
    const nodes = [...golden.values()].filter((d) => d.kind === 'Node').length;
    assert.equal(plan.summary.update, nodes + 1, 'each Node, and the identity step');
    assert.deepEqual([plan.summary.delete, plan.summary.no_op, plan.summary.extra], [0, 0, 0]);
    assert.ok(
      plan.checks.every((c) => c.status === 'pass'),
      JSON.stringify(plan.checks.filter((c) => c.status !== 'pass')),
    );
    assert.ok(
      plan.resource_changes.every((c) => c.dry_run?.status === 'ok' || c.dry_run?.status === 'skipped'),
      'every write was dry-run on the server',
    );
  });

  it('target already equal (after `apply PLAN --auto-approve`): every object is a no-op, exit 0 with --detailed-exitcode', async () => {
    const r = await cli(w, ['apply', P1, '--auto-approve'], EXIT_CODES.OK);
    assert.match(r.stdout, /^Apply complete: /m);
    const again = await cli(w, ['plan', '--out', w.path('p3.json'), '--detailed-exitcode'], EXIT_CODES.OK);
    const plan = readPlan(w.path('p3.json'));
    assert.deepEqual(
      nonNoop(plan).map((c) => `${c.address} ${action(c)}`),
      [],
    );
    assert.equal(plan.summary.no_op, readPlan(P1).resource_changes.length);
    assert.match(again.stdout, /^No changes: the target already matches the source\.$/m);
  });

  it('drift (a NetworkPolicy spec.order and a Node ASNumber changed by hand): updates with the right changed_paths and a unified diff', async () => {
    const npAddress = `${NP}/prod/allow-web`;
    const node = 'worker-3';
    const nodeAddress = `v1/Node/${node}`;
    const wantOrder = golden.get(npAddress).spec.order as number;
    const wantAsn = golden.get(nodeAddress).metadata.annotations['projectcalico.org/ASNumber'] as string;
    assert.equal(typeof wantOrder, 'number');
    assert.ok(wantAsn);
    const drifted = { order: wantOrder + 899, asn: String(Number(wantAsn) + 1) };
    const merge = 'application/merge-patch+json';
    assert.equal((await kube('PATCH', `/apis/${CRD_API_VERSION}/namespaces/prod/networkpolicies/allow-web`, { spec: { order: drifted.order } }, merge)).status, 200);
    assert.equal((await kube('PATCH', `/api/v1/nodes/${node}`, { metadata: { annotations: { 'projectcalico.org/ASNumber': drifted.asn } } }, merge)).status, 200);

    const r = await cli(w, ['plan', '--out', w.path('drift.json'), '--detailed-exitcode'], EXIT_CODES.CHANGES);
    const plan = readPlan(w.path('drift.json'));
    assert.deepEqual(
      nonNoop(plan)
        .map((c) => [c.address, action(c), c.change.changed_paths])
        .sort(),
      [
        [npAddress, 'update', ['spec.order']],
        [nodeAddress, 'update', ['metadata.annotations["projectcalico.org/ASNumber"]']],
      ].sort(),
    );
    const np = byAddress(plan).get(npAddress)!;
    assert.equal((np.change.before?.spec as any).order, drifted.order);
    assert.equal((np.change.after?.spec as any).order, wantOrder);
    assert.ok(np.target.resource_version, 'the update is pinned to the resourceVersion it saw');

    // The text output shows each update as a unified diff.
    assert.match(r.stdout, /^ {2}~ update NetworkPolicy prod\/allow-web: spec\.order$/m);
    // The ASNumber the Node has is overwritten: the headline says so (issue 13).
    assert.match(r.stdout, /^ {2}~ update Node worker-3 \(overwrites 1 annotation the Node has: projectcalico\.org\/ASNumber\): metadata\.annotations\["projectcalico\.org\/ASNumber"\]$/m);
    const diff = r.stdout.slice(r.stdout.indexOf('~ update NetworkPolicy prod/allow-web'));
    assert.match(diff, /^\s+@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    assert.match(diff, new RegExp(`^\\s+-\\s+order: ${drifted.order}$`, 'm'));
    assert.match(diff, new RegExp(`^\\s+\\+\\s+order: ${wantOrder}$`, 'm'));
    assert.match(diff, new RegExp(`^\\s+-\\s+projectcalico\\.org/ASNumber: "${drifted.asn}"$`, 'm'));
    assert.match(diff, new RegExp(`^\\s+\\+\\s+projectcalico\\.org/ASNumber: "${wantAsn}"$`, 'm'));
  });

  it('extras: a Calico CR only in the target is `extra` and kept without --prune, `delete` with --prune; --fail-on extra exits 4', async () => {
    const stray = { apiVersion: CRD_API_VERSION, kind: 'GlobalNetworkSet', metadata: { name: 'stray-set' }, spec: { nets: ['198.18.0.0/15'] } };
    assert.equal((await kube('POST', `/apis/${CRD_API_VERSION}/globalnetworksets`, stray)).status, 201);
    const address = `${CRD_API_VERSION}/GlobalNetworkSet/stray-set`;

    const [kept, pruned, gated] = await Promise.all([
      cli(w, ['plan', '--out', w.path('extra.json')], EXIT_CODES.OK),
      cli(w, ['plan', '--out', w.path('prune.json'), '--prune'], EXIT_CODES.OK),
      cli(w, ['plan', '--out', w.path('gated.json'), '--fail-on', 'extra'], EXIT_CODES.GATE_REFUSED),
    ]);
    const keptPlan = readPlan(w.path('extra.json'));
    assert.equal(action(byAddress(keptPlan).get(address)!), 'extra');
    assert.equal(keptPlan.summary.extra, 1);
    assert.equal(keptPlan.options.prune, false);
    assert.match(kept.stdout, /^ {2}\? extra GlobalNetworkSet stray-set \(not in source; use --prune to delete\)$/m);

    const prunePlan = readPlan(w.path('prune.json'));
    assert.equal(action(byAddress(prunePlan).get(address)!), 'delete');
    assert.deepEqual(
      prunePlan.resource_changes.filter((c) => action(c) === 'delete').map((c) => c.address),
      [address],
      'only the extra is deleted',
    );
    assert.equal(prunePlan.options.prune, true);
    assert.match(pruned.stdout, /^ {2}- delete GlobalNetworkSet stray-set$/m);

    assert.match(gated.stderr, /^Error: gate: --fail-on extra: .*GlobalNetworkSet stray-set/m);

    // Applying the plan made without --prune repairs the drift and leaves the extra object alone.
    await cli(w, ['apply', w.path('extra.json'), '--auto-approve'], EXIT_CODES.OK);
    assert.ok(await getByAddress(address), 'the extra object still exists');
    assert.equal((await getByAddress(`${NP}/prod/allow-web`)).spec.order, golden.get(`${NP}/prod/allow-web`).spec.order, 'the drift was repaired');
  });

  it("--include 'NetworkPolicy/prod/*': only those objects plus the ClusterInformation lock step, with the targeting banner, recorded in options.include", async () => {
    // Three policies disappear from the target; only the two in prod are in scope.
    const gone = [`${NP}/prod/allow-web`, `${NP}/prod/legacy-db`, `${NP}/dev/security.dev-isolation`];
    for (const a of gone) {
      const [, , , ns, name] = a.split('/');
      assert.equal((await kube('DELETE', `/apis/${CRD_API_VERSION}/namespaces/${ns}/networkpolicies/${name}`)).status, 200, a);
    }
    const r = await cli(w, ['plan', '--out', w.path('include.json'), '--include', 'NetworkPolicy/prod/*', '--detailed-exitcode'], EXIT_CODES.CHANGES);
    const plan = readPlan(w.path('include.json'));
    assert.deepEqual(
      plan.resource_changes.map((c) => [c.address, action(c)]).sort(),
      [
        [LOCK, 'no-op'],
        [`${NP}/prod/allow-web`, 'create'],
        [`${NP}/prod/legacy-db`, 'create'],
      ].sort(),
    );
    assert.deepEqual(plan.options.include, ['NetworkPolicy/prod/*']);
    assert.deepEqual(plan.options.exclude, []);
    assert.match(r.stdout, /^Targeting in effect: only NetworkPolicy\/prod\/\* — the plan is partial\.$/m);
    assert.equal(await getByAddress(`${NP}/dev/security.dev-isolation`), null, 'a pending create was filtered out, not absent');
  });

  it('a hand-edited plan file (one byte of a value changed; re-indented) is refused by show and apply with exit 7 naming the file; nothing is written', async () => {
    const original = readFileSync(P1, 'utf8');
    const plan = readPlan(P1);
    const oneByte = w.path('one-byte.json');
    const reindented = w.path('reindented.json');
    // One byte inside a value: the crds-established check message "all 22 …" becomes "all 23 …".
    const at = original.indexOf('"message":"all 22 ');
    assert.ok(at > 0);
    const i = at + '"message":"all 2'.length;
    writeFileSync(oneByte, original.slice(0, i) + '3' + original.slice(i + 1));
    assert.equal(readFileSync(oneByte).length, Buffer.byteLength(original));
    // The second line (the first change) re-indented onto one line with spaces: same content, other bytes.
    const lines = original.split('\n');
    lines[1] = JSON.stringify(JSON.parse(lines[1]!), null, 1).replace(/\n\s*/g, ' ');
    writeFileSync(reindented, lines.join('\n'));
    assert.deepEqual(JSON.parse(readFileSync(reindented, 'utf8').split('\n')[1]!), JSON.parse(original.split('\n')[1]!), 're-indenting keeps the content');
    copyFileSync(P1, w.path('control.json'));

    const before = await targetSnapshot();
    const runs = await Promise.all([
      cli(w, ['show', oneByte], EXIT_CODES.PLAN_INVALID),
      cli(w, ['apply', oneByte, '--auto-approve'], EXIT_CODES.PLAN_INVALID),
      cli(w, ['show', reindented], EXIT_CODES.PLAN_INVALID),
      cli(w, ['apply', reindented, '--auto-approve'], EXIT_CODES.PLAN_INVALID),
      cli(w, ['show', w.path('control.json')], EXIT_CODES.OK),
    ]);
    for (const [k, file] of [oneByte, oneByte, reindented, reindented].entries()) {
      assert.match(runs[k]!.stderr, new RegExp(`^Error: plan file ${file.replace(/[.]/g, '\\.')} was modified after it was written`, 'm'));
    }
    assert.match(runs[0].stderr, /plan_id does not match its content/);
    assert.match(runs[2].stderr, /its bytes differ from the form calico-migrate writes, first at line 2/);
    assert.match(runs[4].stdout, new RegExp(`^Plan ${plan.plan_id}$`, 'm'), 'the untouched copy is accepted');
    assert.deepEqual(await targetSnapshot(), before, 'apply wrote nothing');
  });

  it('show -o markdown --max-bytes 3000 fits in 3000 bytes and keeps the summary; show -o json and plan --json print JSON', async () => {
    const plan = readPlan(P1);
    const [md, json, planJson] = await Promise.all([
      cli(w, ['show', P1, '-o', 'markdown', '--max-bytes', '3000'], EXIT_CODES.OK),
      cli(w, ['show', P1, '-o', 'json'], EXIT_CODES.OK),
      cli(w, ['plan', '--out', w.path('json.plan.json'), '--json'], EXIT_CODES.OK),
    ]);
    assert.ok(Buffer.byteLength(md.stdout) <= 3000, `${Buffer.byteLength(md.stdout)} bytes`);
    const s = plan.summary;
    assert.ok(md.stdout.includes(`**Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.extra} extra, ${s.no_op} unchanged.**`), md.stdout.slice(0, 500));
    assert.ok(md.stdout.includes(plan.plan_id));
    // The cap was exercised: the details were cut, with a note saying so.
    assert.match(md.stdout, /^_This comment was cut to 3,000 bytes; see the full plan artifact\._$/m);

    assert.deepEqual(JSON.parse(json.stdout), plan);
    const out = finalJson(planJson.stdout);
    assert.equal(out.plan_id, readPlan(w.path('json.plan.json')).plan_id);
    assert.deepEqual(out.summary, readPlan(w.path('json.plan.json')).summary);
    assert.equal(out.exit_code, 0);
  });
});

describe('plan (issue 4): an unlocked source', function () {
  this.timeout(60_000);

  it('plans anyway: check source-locked is `warn` and plan.source.locked is false', async () => {
    await resetDatastores();
    await seedDataset(fullWithClusterInfo((spec) => (spec.datastoreReady = true)));
    const w = new Workdir();
    const r = await cli(w, ['plan', '--out', w.path('unlocked.json')], EXIT_CODES.OK);
    const plan = readPlan(w.path('unlocked.json'));
    assert.equal(plan.source.locked, false);
    const check = plan.checks.find((c) => c.id === 'source-locked');
    assert.equal(check?.status, 'warn');
    assert.match(check.message, /NOT locked/);
    assert.ok(plan.checks.filter((c) => c.id !== 'source-locked').every((c) => c.status === 'pass'));
    assert.match(r.stdout, /^! The source was not locked when this plan was made: it is a preview/m);
  });
});
