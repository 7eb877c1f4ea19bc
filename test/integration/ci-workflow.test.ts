/**
 * examples/ci/calico-migrate.yml, run job by job and step by step against the real test cluster
 * seeded with the demo dataset (support/workflow-runner.ts: each `run:` step with bash -e as
 * GitHub runs it, expressions from an explicit table, the actions replaced by local equivalents,
 * the install step by the built CLI on PATH, `gh` by a recording stub).
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { datasetDir, readDataset, seedDataset } from '../../scripts/cluster/seed.js';
import { CRD_API_VERSION } from '../../src/model/kinds.js';
import { ROOT, createNode, ensureNamespace, kube, resetDatastores, testCluster } from './support/cluster.js';
import { CLUSTER_INFO_KEY, PRE_EXISTING_POLICY, Workdir, cli, etcdGet, etcdPut, readJournalLines, readPlan, shortId, worldSnapshot } from './support/e2e.js';
import { describeJob, jobRuns, listFiles, readWorkflow, runJob, type JobResult, type Machine, type RunContext } from './support/workflow-runner.js';

const WORKFLOW = readWorkflow(path.join(ROOT, 'examples', 'ci', 'calico-migrate.yml'));
const MARKER = '<!-- calico-migrate-plan -->';
const CLI = process.env.CALICO_MIGRATE_CLI ?? path.join(ROOT, 'bin', 'run.js');

interface TestMachine extends Machine {
  ghDir: string;
}

/** One workflow run's machine: its artifact store, the stand-ins on PATH, and the gh stub's comments (shared across runs when given). */
function machine(ghDir?: string): TestMachine {
  // A Workdir, so the suite removes it when it passes (and keeps it, named, when it fails).
  const root = new Workdir().dir;
  const bin = path.join(root, 'bin');
  const repository = path.join(root, 'repository');
  mkdirSync(bin);
  mkdirSync(path.join(repository, 'migration'), { recursive: true });
  writeFileSync(path.join(repository, 'migration', 'README.md'), 'The migration of this cluster to the Kubernetes datastore.\n');
  // The install step's stand-in: the CLI this checkout built, under the name the release installs.
  writeFileSync(path.join(bin, 'calico-migrate'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(path.join(bin, 'calico-migrate'), 0o755);
  copyFileSync(path.join(ROOT, 'test', 'integration', 'support', 'gh-stub.js'), path.join(bin, 'gh'));
  chmodSync(path.join(bin, 'gh'), 0o755);
  const gh = ghDir ?? path.join(root, 'gh');
  mkdirSync(gh, { recursive: true });
  return {
    artifacts: path.join(root, 'artifacts'),
    repository,
    path: [bin],
    env: { GH_STUB_DIR: gh },
    mkdtemp: (prefix) => mkdtempSync(path.join(root, prefix)),
    ghDir: gh,
  };
}

function context(event: 'pull_request' | 'push', ref: string, runAttempt = '1'): RunContext {
  const s = testCluster();
  return {
    github: {
      event_name: event,
      ref,
      repository: 'example/infra',
      token: 'token-of-the-run',
      run_id: '4242',
      run_attempt: runAttempt,
      event: { ...(event === 'pull_request' ? { pull_request: { number: 7, head: { repo: { full_name: 'example/infra' } } } } : {}), repository: { default_branch: 'main' } },
    },
    secrets: { ETCD_ENDPOINTS: s.etcd.endpoint, TARGET_KUBECONFIG: readFileSync(s.kubeconfig, 'utf8') },
    // Unused here (the install step is replaced), but the workflow's env reads them.
    vars: { CALICO_MIGRATE_REPO: 'example/calico-migrate', CALICO_MIGRATE_VERSION: 'v0.1.0', CALICO_MIGRATE_SHA256: '0'.repeat(64) },
  };
}

const PR = () => context('pull_request', 'refs/pull/7/merge');
const MAIN = (attempt?: string) => context('push', 'refs/heads/main', attempt);

async function seedDemo(): Promise<void> {
  await seedDataset(testCluster(), readDataset(datasetDir('demo')));
}

function comments(m: TestMachine): { id: number; body: string }[] {
  const f = path.join(m.ghDir, 'comments.json');
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : [];
}

function ghCalls(m: TestMachine): string[][] {
  const f = path.join(m.ghDir, 'calls.jsonl');
  return existsSync(f)
    ? readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
    : [];
}

function step(r: JobResult, name: string) {
  const s = r.steps.find((x) => x.name === name);
  assert.ok(s, `no step "${name}" in:\n${describeJob(r)}`);
  return s;
}

function artifact(m: Machine, name: string): string[] {
  return listFiles(path.join(m.artifacts, name));
}

describe('examples/ci/calico-migrate.yml, its steps run in order against the test cluster', function () {
  this.timeout(300_000);
  Workdir.cleanUpAfterSuite();

  it('on a pull request: plans a plain migration (Node updates only), the gate passes, and one comment is posted, then updated on the next push', async () => {
    await resetDatastores();
    await seedDemo();
    const ctx = PR();
    const m = machine();
    assert.equal(jobRuns(WORKFLOW, 'plan', ctx), true);

    const first = runJob(WORKFLOW, 'plan', ctx, m);
    assert.ok(first.ok, describeJob(first));
    assert.equal(step(first, 'Plan').code, 0);
    assert.equal(first.outputs.exit_code, '2', 'changes to apply');
    const plan = readPlan(path.join(m.artifacts, 'calico-migrate-plan', 'migration.plan.json'));
    assert.equal(first.outputs.plan_id, plan.plan_id);
    assert.equal(first.outputs.source_locked, 'false');
    // Every migration has these; the gate must not refuse them.
    assert.ok(plan.resource_changes.filter((c) => c.kind === 'Node' && c.change.action === 'update').length >= 3);
    assert.equal(plan.summary.destructive, false);

    let posted = comments(m);
    assert.equal(posted.length, 1);
    assert.ok(posted[0]!.body.startsWith(`${MARKER}\n**calico-migrate:** the gates pass.`), posted[0]!.body.slice(0, 300));
    assert.ok(posted[0]!.body.includes(plan.plan_id));
    assert.ok(first.summary.includes(plan.plan_id), 'the job summary shows the plan');

    // What would be uploaded: the plan, the comment and the state folder, hidden as it is.
    const uploaded = artifact(m, 'calico-migrate-plan');
    assert.ok(uploaded.includes('migration.plan.json') && uploaded.includes('comment.md'), uploaded.join(' '));
    assert.ok(
      uploaded.some((f) => f.startsWith('.calico-migrate/')),
      uploaded.join(' '),
    );
    // Apply never runs for a pull request.
    assert.equal(jobRuns(WORKFLOW, 'apply', { ...ctx, needs: { plan: first.outputs } }), false);

    // The next push changes the source: the same comment is edited, not a second one posted.
    await etcdPut('/calico/resources/v3/projectcalico.org/globalnetworksets/added-in-review', {
      kind: 'GlobalNetworkSet',
      apiVersion: 'projectcalico.org/v3',
      metadata: { name: 'added-in-review', uid: '5e1f0c2a-0000-4000-8000-000000000001', creationTimestamp: '2024-03-01T10:00:00Z' },
      spec: { nets: ['192.0.2.0/24'] },
    });
    const m2 = machine(m.ghDir);
    const second = runJob(WORKFLOW, 'plan', ctx, m2);
    assert.ok(second.ok, describeJob(second));
    assert.notEqual(second.outputs.plan_id, first.outputs.plan_id);
    posted = comments(m2);
    assert.equal(posted.length, 1, 'still one comment');
    assert.ok(posted[0]!.body.includes(second.outputs.plan_id!) && !posted[0]!.body.includes(first.outputs.plan_id));
    const writes = ghCalls(m2).filter((c) => c.includes('-X'));
    assert.deepEqual(
      writes.map((c) => [c[c.indexOf('-X') + 1], c[c.indexOf('-X') + 2]]),
      [
        ['POST', 'repos/example/infra/issues/7/comments'],
        ['PATCH', `repos/example/infra/issues/comments/${posted[0]!.id}`],
      ],
    );
  });

  it('refuses (exit 4) a plan with an object only the target has, or one that overwrites target data, and still comments and uploads it', async () => {
    await resetDatastores();
    // An extra: a Calico object in the target that the source does not have.
    const stray = { apiVersion: CRD_API_VERSION, kind: 'GlobalNetworkSet', metadata: { name: 'stray' }, spec: { nets: ['198.51.100.0/24'] } };
    assert.equal((await kube('POST', `/apis/${CRD_API_VERSION}/globalnetworksets`, stray)).status, 201);
    // Overwrites: a policy the target already holds, and a Node whose Calico annotation differs.
    await ensureNamespace('prod');
    assert.equal((await kube('POST', `/apis/${CRD_API_VERSION}/namespaces/prod/networkpolicies`, PRE_EXISTING_POLICY)).status, 201);
    await createNode('ip-10-0-1-10.ec2.internal', { 'projectcalico.org/ASNumber': '65000' });
    await seedDemo();
    const m = machine();
    const r = runJob(WORKFLOW, 'plan', PR(), m);
    assert.equal(r.ok, false);
    assert.equal(step(r, 'Plan').code, 0, 'the plan step records the code and goes on');
    assert.equal(r.outputs.exit_code, '4');
    assert.equal(step(r, 'Gate').code, 4, describeJob(r));
    assert.equal(step(r, 'actions/upload-artifact@v4').code, 0);
    assert.ok(artifact(m, 'calico-migrate-plan').includes('migration.plan.json'));
    const body = comments(m)[0]!.body;
    assert.match(body, /needs a human \(exit 4\)/);
    assert.match(body, /--fail-on destructive: the plan overwrites or deletes 2 objects: NetworkPolicy prod\/allow-web, Node ip-10-0-1-10\.ec2\.internal\n/);
    assert.match(body, /--fail-on extra: the target has 1 object that the source does not: GlobalNetworkSet stray/);
  });

  it('on the default branch: the apply job refuses a plan_id other than the approved one, applies the approved one (pre-copy, cut-over), and uploads the state folder', async () => {
    await resetDatastores();
    await seedDemo();
    const m = machine();
    const plan = runJob(WORKFLOW, 'plan', MAIN(), m);
    assert.ok(plan.ok, describeJob(plan));
    assert.equal(plan.outputs.exit_code, '2');
    const approved = plan.outputs.plan_id!;

    const withNeeds = (ctx: RunContext, outputs = plan.outputs): RunContext => ({ ...ctx, needs: { plan: outputs } });
    assert.equal(jobRuns(WORKFLOW, 'apply', withNeeds(MAIN())), true);
    assert.equal(jobRuns(WORKFLOW, 'apply', withNeeds(context('push', 'refs/heads/feature'))), false, 'not from another branch');
    assert.equal(jobRuns(WORKFLOW, 'apply', withNeeds(MAIN(), { ...plan.outputs, exit_code: '0' })), false, 'not when there is nothing to change');

    // Another plan_id than the one approved: refused before any write, the state still uploaded.
    const before = await worldSnapshot();
    const other = runJob(WORKFLOW, 'apply', withNeeds(MAIN('1'), { ...plan.outputs, plan_id: `sha256:${'f'.repeat(64)}` }), m);
    assert.equal(other.ok, false);
    const refused = step(other, 'Apply exactly the approved plan');
    assert.equal(refused.code, 7, describeJob(other));
    assert.match(refused.stderr, /sha256:f{64}/);
    assert.deepEqual(await worldSnapshot(), before, 'nothing was written to either datastore');
    assert.equal(step(other, 'actions/upload-artifact@v4').code, 0, 'the state is uploaded after a failure too');

    const applied = runJob(WORKFLOW, 'apply', withNeeds(MAIN('2')), m);
    assert.ok(applied.ok, describeJob(applied));
    const state = artifact(m, 'calico-migrate-state-4242-2');
    const id = shortId(approved);
    const journal = state.find((f) => f === `.calico-migrate/journal-${id}.jsonl`);
    assert.ok(journal, `the approved plan's journal is uploaded: ${state.join(' ')}`);
    assert.ok(state.includes(`.calico-migrate/reverse-${id}.json`), state.join(' '));
    assert.ok(state.includes('.calico-migrate/runs.json'), state.join(' '));
    assert.equal(readJournalLines(path.join(m.artifacts, 'calico-migrate-state-4242-2', journal))[0].plan_id, approved);
    // The pre-copy's journal is the approved plan; the cut-over's are its catch-up and delta.
    const forward = readdirSync(path.join(m.artifacts, 'calico-migrate-state-4242-2', '.calico-migrate')).filter((f) => f.startsWith('journal-'));
    for (const f of forward.filter((x) => x !== `journal-${id}.jsonl`)) {
      const header = readJournalLines(path.join(m.artifacts, 'calico-migrate-state-4242-2', '.calico-migrate', f))[0];
      assert.match(header.plan_path, /(catchup|delta)-/, `${f} is the cut-over's`);
    }

    // The source is the frozen copy, and the target holds exactly what it says.
    assert.equal((await etcdGet(CLUSTER_INFO_KEY))!.value.spec.datastoreReady, false);
    await cli(new Workdir(), ['verify'], 0);
  });
});
