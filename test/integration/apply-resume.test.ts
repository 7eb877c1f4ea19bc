/**
 * A failure part-way through apply (the hidden `--fail-after N` hook), through the BUILT CLI
 * against the real cluster: exit 12 with the resume and rollback commands, lease released, source
 * still locked; then either resume (nothing written twice) or roll back (exact prior state).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { CRD_API_VERSION, WAVES } from '../../src/model/kinds.js';
import type { Plan } from '../../src/plan/types.js';
import { kube, resetDatastores } from './support/cluster.js';
import { seedDataset } from './support/datasets.js';
import {
  ANNOTATED_NODE,
  CLUSTER_INFO_KEY,
  LEASE_PATH,
  PRIOR_NODE_ANNOTATIONS,
  Workdir,
  cli,
  createLeaseByHand,
  etcdGet,
  finalJson,
  getByAddress,
  okResultsByAddress,
  readJournalLines,
  readPlan,
  shortId,
  targetSnapshot,
  worldSnapshot,
  writes,
  planFullOnPreSeededTarget,
} from './support/e2e.js';

/** The full dataset into an empty target, planned as `plan.json` in a new working directory. */
async function planFull(): Promise<{ w: Workdir; plan: Plan }> {
  await resetDatastores();
  await seedDataset('full');
  const w = new Workdir();
  await cli(w, ['plan', '--out', 'plan.json'], 0);
  return { w, plan: readPlan(w.path('plan.json')) };
}

/** A planned run's state-dir paths, and how many results its journal holds so far (for kill points). */
function planned({ w, plan }: { w: Workdir; plan: Plan }) {
  const journal = `.calico-migrate/journal-${shortId(plan.plan_id)}.jsonl`;
  const reverse = `.calico-migrate/reverse-${shortId(plan.plan_id)}.json`;
  const results = () => (existsSync(w.path(journal)) ? readFileSync(w.path(journal), 'utf8').split('"type":"result"').length - 1 : 0);
  return { w, plan, journal, reverse, results };
}

describe('apply stopped part-way, resume and rollback (built CLI, real cluster)', function () {
  this.timeout(120_000);
  Workdir.cleanUpAfterSuite();

  it('--fail-after 20: exit 12 with resume/rollback commands; --resume completes writing nothing twice; verify passes; the reverse plan undoes both runs', async () => {
    await resetDatastores();
    await seedDataset('full');
    const w = new Workdir();
    await cli(w, ['plan', '--out', 'plan.json'], 0);
    const plan = readPlan(w.path('plan.json'));
    const planned = writes(plan);
    assert.ok(planned.length > 40, `the plan has ${planned.length} writes`);
    const journal = `.calico-migrate/journal-${shortId(plan.plan_id)}.jsonl`;
    const reverse = `.calico-migrate/reverse-${shortId(plan.plan_id)}.json`;
    const before = await targetSnapshot();

    let r = await cli(w, ['apply', 'plan.json', '--auto-approve', '--fail-after', '20'], 12);
    assert.match(r.stdout, new RegExp(`^Apply stopped \\(partial\\): 20/${planned.length} done, \\d+ failed, \\d+ not started\\.$`, 'm'));
    assert.match(r.stdout, /^ {2}failed: \S+: INJECTED: .*injected failure \(failAfter=20\); not sent$/m);
    assert.ok(r.stdout.includes(`  resume:   calico-migrate apply plan.json --resume ${journal} --auto-approve\n`), r.stdout);
    assert.ok(r.stdout.includes(`  rollback: calico-migrate apply ${reverse}\n`), r.stdout);
    assert.match(r.stdout, /The source stays locked; the apply lease was released\./);
    assert.equal((await kube('GET', LEASE_PATH)).status, 404, 'no Lease object after the partial apply');
    assert.equal((await etcdGet(CLUSTER_INFO_KEY))?.value.spec.datastoreReady, false, 'the source is still locked');

    const first = okResultsByAddress(readJournalLines(w.path(journal)));
    assert.equal(first.size, 20, 'exactly 20 writes landed');
    // The objects the first run created, with the uid it got back.
    const firstCreates = [...first.values()].map((l) => l[0]).filter((l) => l.action === 'create');

    r = await cli(w, ['status', '--json'], 0);
    assert.equal(finalJson(r.stdout).phase, 'partial');

    r = await cli(w, ['apply', 'plan.json', '--resume', journal, '--auto-approve', '--json'], 0);
    const result = finalJson(r.stdout);
    assert.equal(result.status, 'complete');
    assert.equal(result.counts.skipped, 20);
    assert.equal(result.counts.done, planned.length);
    assert.equal(result.counts.failed, 0);
    assert.equal(result.counts.adopted, 0, 'nothing was found already written: the injected failures were never sent');
    assert.equal(result.counts.created + result.counts.updated, planned.length - 20);
    assert.equal((await kube('GET', LEASE_PATH)).status, 404);

    // Across both runs, every planned write has exactly one `ok` result, and nothing else does.
    const all = okResultsByAddress(readJournalLines(w.path(journal)));
    assert.deepEqual([...all.keys()].sort(), planned.map((c) => c.address).sort());
    for (const [address, oks] of all) assert.equal(oks.length, 1, `${address} has ${oks.length} ok results`);
    // What the first run created is the very object the target holds now (not deleted and made again).
    assert.ok(firstCreates.length > 0);
    for (const c of firstCreates) assert.equal((await getByAddress(c.address))?.metadata.uid, c.uid, c.address);

    r = await cli(w, ['verify'], 0);
    assert.match(r.stdout, /^Verified: /m);

    // The reverse plan covers both runs: it takes the target back to exactly where it was.
    r = await cli(w, ['apply', reverse, '--auto-approve'], 0);
    assert.match(r.stdout, new RegExp(`^Apply complete: 0 created, ${plan.summary.update} updated, ${plan.summary.create} deleted`, 'm'));
    assert.deepEqual(await targetSnapshot(), before);
  });

  it('a partial apply rolled back with its reverse plan restores exactly the prior target (Node annotations included); then the source can be unlocked', async () => {
    const { w, plan } = await planFullOnPreSeededTarget();
    // Stop after the Node annotations have been written, part-way through the per-node config.
    const failAfter = writes(plan).filter((c) => c.wave <= WAVES.nodes).length + 1;
    assert.ok(failAfter < writes(plan).length);
    const before = await targetSnapshot();

    let r = await cli(w, ['apply', 'plan.json', '--auto-approve', '--fail-after', String(failAfter)], 12);
    const reverse = `.calico-migrate/reverse-${shortId(plan.plan_id)}.json`;
    assert.ok(r.stdout.includes(`  rollback: calico-migrate apply ${reverse}\n`), r.stdout);
    const partial = await targetSnapshot();
    assert.equal((partial[`Node/${ANNOTATED_NODE}`] as any).annotations['projectcalico.org/ASNumber'], '64512', 'the Node patches landed');
    assert.equal((partial['NetworkPolicy/prod/allow-web'] as any).spec.order, 100, 'the pre-existing policy was updated');
    assert.equal(partial['IPAMBlock/192-168-10-0-26'], undefined, 'later waves were not written');

    r = await cli(w, ['apply', reverse, '--auto-approve'], 0);
    assert.match(r.stdout, /^Apply complete: 0 created, \d+ updated, \d+ deleted/m);
    const restored = await targetSnapshot();
    assert.deepEqual((restored[`Node/${ANNOTATED_NODE}`] as any).annotations, PRIOR_NODE_ANNOTATIONS);
    assert.deepEqual(restored, before);
    assert.equal((await kube('GET', LEASE_PATH)).status, 404);

    // Rolled back, not migrating: ending the freeze is allowed (the target has no ClusterInformation to run from).
    r = await cli(w, ['unlock', '--datastore', 'etcd'], 0);
    assert.match(r.stderr, /^Unlocked: source \(etcd\): unlocked$/m);
    assert.equal((await etcdGet(CLUSTER_INFO_KEY))?.value.spec.datastoreReady, true);
    r = await cli(w, ['status', '--json'], 0);
    const st = finalJson(r.stdout);
    assert.equal(st.phase, 'rolled back');
    assert.equal(st.source.locked, false);
  });

  it('a rollback is refused (exit 11, nothing written) when an object it would restore was changed, or one it would delete was replaced', async () => {
    const { w, plan } = await planFullOnPreSeededTarget();
    await cli(w, ['apply', 'plan.json', '--auto-approve'], 0);
    const reverse = `.calico-migrate/reverse-${shortId(plan.plan_id)}.json`;

    // The policy the apply updated is edited by someone: restoring it would overwrite their change.
    const policy = await getByAddress(`${CRD_API_VERSION}/NetworkPolicy/prod/allow-web`);
    const edited = await kube('PUT', `/apis/${CRD_API_VERSION}/namespaces/prod/networkpolicies/allow-web`, { ...policy, spec: { ...policy.spec, order: 7 } });
    assert.equal(edited.status, 200);
    // An object the apply created is deleted and made again by someone: it is not ours to delete.
    const gns = await getByAddress(`${CRD_API_VERSION}/GlobalNetworkSet/trusted-cidrs`);
    assert.equal((await kube('DELETE', `/apis/${CRD_API_VERSION}/globalnetworksets/trusted-cidrs`)).status, 200);
    const { uid: _u, resourceVersion: _rv, creationTimestamp: _c, managedFields: _m, generation: _g, ...meta } = gns.metadata;
    const remade = await kube('POST', `/apis/${CRD_API_VERSION}/globalnetworksets`, { ...gns, metadata: meta });
    assert.equal(remade.status, 201, JSON.stringify(remade.body));

    const world = await worldSnapshot();
    const r = await cli(w, ['apply', reverse, '--auto-approve'], 11);
    assert.match(r.stderr, /^Error: 2 target object\(s\) changed since the plan: /m);
    assert.ok(r.stderr.includes(`NetworkPolicy prod/allow-web changed (resourceVersion ${policy.metadata.resourceVersion} → ${edited.body.metadata.resourceVersion})`), r.stderr);
    assert.ok(r.stderr.includes(`GlobalNetworkSet trusted-cidrs was replaced by another object (uid ${gns.metadata.uid} → ${remade.body.metadata.uid})`), r.stderr);
    assert.match(r.stderr, /^Next step: nothing was written; plan the rollback against the target as it is now, with a decision per drifted object: `calico-migrate rollback --against-target`/m);
    assert.deepEqual(await worldSnapshot(), world);
  });

  it('SIGINT mid-apply: no new write starts, those in flight settle, the journal ends, the lease is released, exit 130 with both next commands; status names them; --resume completes; a second signal exits at once, still resumable', async () => {
    const { w, plan, journal, reverse, results } = planned(await planFull());
    let r = await cli(w, ['apply', 'plan.json', '--auto-approve', '--parallelism', '2'], 130, { killWhen: () => results() >= 10, killSignal: 'SIGINT' });
    assert.match(r.stderr, /SIGINT: stopping; the writes in flight are settled and recorded/);
    assert.match(r.stdout, new RegExp(`^Apply stopped \\(interrupted by SIGINT\\): \\d+/${writes(plan).length} done, 0 failed, \\d+ not started\\.$`, 'm'));
    assert.ok(r.stdout.includes(`  resume:   calico-migrate apply plan.json --resume ${journal} --auto-approve\n`), r.stdout);
    assert.ok(r.stdout.includes(`  rollback: calico-migrate apply ${reverse}\n`), r.stdout);
    assert.match(r.stdout, /The source stays locked; the apply lease was released\./);
    let lines = readJournalLines(w.path(journal));
    assert.equal(lines[lines.length - 1].type, 'end', 'the journal has its end line');
    const answered = new Set(lines.filter((l) => l.type === 'result').map((l) => l.seq));
    assert.deepEqual(
      lines.filter((l) => l.type === 'intent' && !answered.has(l.seq)),
      [],
      'every write whose intent was journaled has its answer: none is left open',
    );
    assert.ok(okResultsByAddress(lines).size < writes(plan).length, 'it stopped before the end');
    assert.ok(existsSync(w.path(reverse)), 'the reverse plan is written');
    assert.equal((await kube('GET', LEASE_PATH)).status, 404, 'the lease is released');
    r = await cli(w, ['status'], 0);
    assert.ok(r.stdout.includes(`  next: resume with \`calico-migrate apply plan.json --resume ${journal}\``), r.stdout);
    assert.match(r.stdout, /apply lease: free/);

    // Resumed, and stopped again with two signals: the second exits at once; the journal still resumes.
    const base = results();
    r = await cli(w, ['apply', 'plan.json', '--resume', journal, '--auto-approve', '--parallelism', '1'], 130, {
      killWhen: () => results() >= base + 15,
      killSignal: ['SIGINT', 'SIGINT'],
      signalGapMs: 5,
    });
    // The second signal may land while the first stop is settling (the process then exits at once,
    // perhaps before its end line or its lease release) or after it finished: resumable either way,
    // and a lease it left is taken over (its process is gone) without `unlock --lease` or a wait.
    const leaseLeft = (await kube('GET', LEASE_PATH)).status === 200;
    if (leaseLeft) assert.match(r.stderr, /SIGINT again: exiting now/);
    r = await cli(w, ['apply', 'plan.json', '--resume', journal, '--auto-approve'], 0);
    if (leaseLeft) assert.match(r.stderr + r.stdout, /took over the apply lease of \S+: that process no longer runs on this host/);
    lines = readJournalLines(w.path(journal));
    assert.equal(okResultsByAddress(lines).size, writes(plan).length, 'every write done, none twice');
    for (const [address, ok] of okResultsByAddress(lines)) assert.equal(ok.length, 1, `${address} written once`);
    await cli(w, ['verify'], 0);
  });

  it('a second apply of a plan another apply is writing exits 10 naming that apply (not 11, though the objects have moved), writing nothing', async () => {
    const { w } = await planFull();
    // The state while another apply runs: part of the plan written, and its lease held (renewed now).
    await cli(w, ['apply', 'plan.json', '--auto-approve', '--fail-after', '20'], 12);
    const holder = 'ops@ci-runner-7/4321/sha256:running';
    await createLeaseByHand(holder, new Date());
    const before = await targetSnapshot();
    const other = new Workdir();
    copyFileSync(w.path('plan.json'), other.path('plan.json'));
    const r = await cli(other, ['apply', 'plan.json', '--auto-approve'], 10);
    assert.ok(r.stderr.includes(`Error: another apply is running: the apply lease kube-system/calico-migrate-apply is held by ${holder} (`), r.stderr);
    assert.deepEqual(other.artefacts(), [], 'the refused apply wrote nothing');
    assert.deepEqual(await targetSnapshot(), before);
  });

  it('killed (SIGKILL) mid-apply, resumed at once on the same host: the lease of the dead holder is taken over with a message, not waited out', async () => {
    const { w, journal, results } = planned(await planFull());
    await cli(w, ['apply', 'plan.json', '--auto-approve', '--parallelism', '2'], 137, { killWhen: () => results() >= 10 });
    assert.equal((await kube('GET', LEASE_PATH)).status, 200, 'the killed apply left its lease');
    const r = await cli(w, ['apply', 'plan.json', '--resume', journal, '--auto-approve'], 0);
    assert.match(r.stderr, /took over the apply lease of \S+@\S+\/\d+\/sha256:\w+: that process no longer runs on this host, so its apply had stopped/);
    await cli(w, ['verify'], 0);
  });

  it('killed (SIGKILL) mid-apply: no out-of-date reverse plan is left; `rollback` writes it from the journal, and it restores exactly the prior target', async () => {
    const { w, plan, journal, reverse, results } = planned(await planFullOnPreSeededTarget());
    const before = await targetSnapshot();
    let r = await cli(w, ['apply', 'plan.json', '--auto-approve', '--parallelism', '2'], 137, { killWhen: () => results() >= 10 });
    const lines = readJournalLines(w.path(journal));
    assert.ok(!lines.some((l) => l.type === 'end'), 'the killed run has no end line');
    assert.ok(okResultsByAddress(lines).size < writes(plan).length, 'it was killed before the end');
    assert.equal(existsSync(w.path(reverse)), false, 'apply writes its reverse plan only when it stops');

    // The dead holder's lease is released by hand (an operator would see it in `status`).
    await cli(w, ['unlock', '--lease', '--force'], 0);
    r = await cli(w, ['status'], 0);
    assert.ok(
      r.stdout.includes(
        `  next: resume with \`calico-migrate apply <plan> --resume ${journal}\`, or roll back: \`calico-migrate rollback --journal ${journal}\`, then apply the reverse plan it writes`,
      ),
      r.stdout,
    );

    r = await cli(w, ['rollback', '--json'], 0);
    const written = finalJson(r.stdout);
    assert.deepEqual([written.journal, written.reverse_path, written.plan_id, written.journal_ended], [journal, reverse, plan.plan_id, false]);
    assert.ok(written.changes >= 10, JSON.stringify(written));
    assert.ok(written.unsettled >= 1, `writes in flight at the kill have no recorded answer: ${JSON.stringify(written)}`);
    const world = await worldSnapshot();
    r = await cli(w, ['show', reverse], 0);
    assert.deepEqual(await worldSnapshot(), world, 'rollback and show write nothing to either datastore');

    r = await cli(w, ['apply', reverse, '--auto-approve'], 0);
    assert.match(r.stdout, /^Apply complete: /m);
    assert.deepEqual(await targetSnapshot(), before);
  });
});
