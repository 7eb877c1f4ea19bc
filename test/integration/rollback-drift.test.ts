/**
 * `rollback --against-target` through the BUILT CLI on the real cluster: a reverse plan refused
 * because others changed the target since the apply (exit 11) is planned again against the target
 * as it is now; drift is listed and refused until decided (exit 17, nothing written), and the
 * decided plan restores everything but what the operator chose to keep.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ResourceChange } from '../../src/plan/types.js';
import { kube } from './support/cluster.js';
import { ANNOTATED_NODE, PRIOR_NODE_ANNOTATIONS, Workdir, apiPathOf, cli, finalJson, getByAddress, planFullOnPreSeededTarget, shortId, targetSnapshot, writes } from './support/e2e.js';

/** The pattern (as --include) naming exactly this object. */
function patternOf(c: Pick<ResourceChange, 'kind' | 'namespace' | 'name'>): string {
  return `${c.kind}/${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
}

/** Someone else's edit: one label added with a PUT of the object as read. */
async function relabel(address: string): Promise<void> {
  const o = await getByAddress(address);
  o.metadata.labels = { ...(o.metadata.labels ?? {}), 'example.com/edited-by': 'someone-else' };
  const r = await kube('PUT', apiPathOf(address), o);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

async function setNodeAsNumber(value: string): Promise<void> {
  const r = await kube('PATCH', `/api/v1/nodes/${ANNOTATED_NODE}`, { metadata: { annotations: { 'projectcalico.org/ASNumber': value } } }, 'application/merge-patch+json');
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

function reverseNowFiles(w: Workdir): string[] {
  return readdirSync(w.path('.calico-migrate')).filter((f) => f.startsWith('reverse-now-'));
}

describe('rollback --against-target: the reverse planned against the target as it is now (built CLI, real cluster)', function () {
  this.timeout(180_000);
  Workdir.cleanUpAfterSuite();

  it('after others deleted, edited and re-annotated objects: apply of the reverse plan exits 11 naming the way out; drift is refused until decided (17, nothing written); --skip/--on-drift restore give a plan that restores all but the skipped object', async () => {
    const { w, plan } = await planFullOnPreSeededTarget();
    const before = await targetSnapshot();
    await cli(w, ['apply', 'plan.json', '--auto-approve'], 0);
    const reverse = `.calico-migrate/reverse-${shortId(plan.plan_id)}.json`;

    const creates = writes(plan).filter((c) => c.change.action === 'create' && c.step === null && /NetworkSet|NetworkPolicy|HostEndpoint|Tier/.test(c.kind));
    const [gone, kept] = creates;
    assert.ok(gone && kept, 'the plan creates policy objects');
    const policy = writes(plan).find((c) => c.kind === 'NetworkPolicy' && c.name === 'allow-web' && c.change.action === 'update');
    assert.ok(policy, 'the plan updates the pre-existing policy');

    // Others, after the apply: one created object deleted, one relabelled, the updated policy relabelled, the Node re-annotated.
    assert.equal((await kube('DELETE', apiPathOf(gone.address))).status, 200);
    await relabel(kept.address);
    await relabel(policy.address);
    await setNodeAsNumber('65111');
    const drifted = await targetSnapshot();

    let r = await cli(w, ['apply', reverse, '--auto-approve'], 11);
    assert.match(r.stderr, /calico-migrate rollback --against-target/);

    r = await cli(w, ['rollback', '--against-target'], 17);
    assert.match(r.stderr, /3 object\(s\) changed by others since the apply/);
    assert.ok(r.stderr.includes(`${kept.kind} ${kept.namespace ? `${kept.namespace}/` : ''}${kept.name}: changed by someone else since the apply`), r.stderr);
    assert.ok(r.stderr.includes('NetworkPolicy prod/allow-web: changed by someone else since the apply (metadata.labels["example.com/edited-by"])'), r.stderr);
    assert.ok(r.stderr.includes(`Node ${ANNOTATED_NODE}: changed by someone else since the apply (metadata.annotations["projectcalico.org/ASNumber"])`), r.stderr);
    assert.ok(!r.stderr.includes(gone.name), 'an object deleted by others that the rollback would delete is no drift');
    assert.match(r.stderr, /--restore KIND\/\[NAMESPACE\/\]NAME .* --skip .* --on-drift restore\|skip/);
    assert.deepEqual(reverseNowFiles(w), [], 'no plan is written while drift is undecided');
    assert.deepEqual(await targetSnapshot(), drifted, 'nothing was written to the target');

    r = await cli(w, ['rollback', '--against-target', '--skip', patternOf(kept), '--on-drift', 'restore', '--json'], 0);
    const report = finalJson(r.stdout);
    assert.equal(report.already_restored, 1, 'the deleted object');
    assert.deepEqual(
      report.drift.map((d: { display: string; kind: string; decision: string }) => [d.display.split(' ')[0], d.kind, d.decision]).sort(),
      [
        [kept.kind, 'changed', 'skip'],
        ['NetworkPolicy', 'changed', 'restore'],
        ['Node', 'changed', 'restore'],
      ].sort(),
    );
    assert.ok(existsSync(w.path(report.reverse_path)));
    const shown = await cli(w, ['show', report.reverse_path], 0);
    assert.match(shown.stdout, /Drift, skipped \(left as it is\)/);
    assert.deepEqual(await targetSnapshot(), drifted, 'rollback --against-target only reads the target');

    await cli(w, ['apply', report.reverse_path, '--auto-approve'], 0);
    const after = await targetSnapshot();
    const keptKey = Object.keys(after).find((k) => k.endsWith(`/${kept.name}`) && k.startsWith(`${kept.kind}/`));
    assert.ok(keptKey, 'the skipped object is still there');
    const { [keptKey]: keptNow, ...rest } = after;
    assert.deepEqual(rest, before, 'every other object is exactly as before the apply');
    assert.equal((await getByAddress(kept.address)).metadata.labels['example.com/edited-by'], 'someone-else');
    assert.ok(keptNow);
    assert.deepEqual((await getByAddress(`v1/Node/${ANNOTATED_NODE}`)).metadata.annotations, PRIOR_NODE_ANNOTATIONS);
  });

  it('--all --against-target (every recorded run) with --on-drift skip: the rollback restores everything but the drifted object, left as the other writer made it', async () => {
    const { w, plan } = await planFullOnPreSeededTarget();
    const before = await targetSnapshot();
    await cli(w, ['apply', 'plan.json', '--auto-approve'], 0);
    const policy = writes(plan).find((c) => c.kind === 'NetworkPolicy' && c.name === 'allow-web' && c.change.action === 'update');
    assert.ok(policy);
    await relabel(policy.address);
    const r = await cli(w, ['rollback', '--all', '--against-target', '--on-drift', 'skip', '--json'], 0);
    const report = finalJson(r.stdout);
    assert.deepEqual(
      report.runs.map((x: { kind: string }) => x.kind),
      ['apply'],
    );
    assert.deepEqual(
      report.drift.map((d: { display: string; decision: string }) => [d.display, d.decision]),
      [['NetworkPolicy prod/allow-web', 'skip']],
    );
    await cli(w, ['apply', report.reverse_path, '--auto-approve'], 0);
    const after = await targetSnapshot();
    const key = 'NetworkPolicy/prod/allow-web';
    assert.ok(key in after && key in before, Object.keys(after).join(' '));
    const { [key]: policyNow, ...rest } = after;
    const { [key]: policyBefore, ...restBefore } = before;
    assert.deepEqual(rest, restBefore);
    assert.notDeepEqual(policyNow, policyBefore, 'the drifted policy was skipped: still as the migration and the other writer left it');
    assert.equal((await getByAddress(policy.address)).metadata.labels['example.com/edited-by'], 'someone-else');
  });

  it('after an apply killed part-way and an edit of an object it created: --on-drift restore plans the way back, and it restores exactly the prior target', async () => {
    const { w, plan } = await planFullOnPreSeededTarget();
    const before = await targetSnapshot();
    const journal = `.calico-migrate/journal-${shortId(plan.plan_id)}.jsonl`;
    const results = () => (existsSync(w.path(journal)) ? readFileSync(w.path(journal), 'utf8').split('"type":"result"').length - 1 : 0);
    await cli(w, ['apply', 'plan.json', '--auto-approve', '--parallelism', '2'], 137, { killWhen: () => results() >= 12 });
    const lines = readFileSync(w.path(journal), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const created = lines.find((l) => l.type === 'result' && l.status === 'ok' && l.action === 'create' && !/ClusterInformation/.test(l.address));
    assert.ok(created, 'the killed run created objects');
    await relabel(created.address);

    await cli(w, ['rollback', '--against-target'], 17);
    const r = await cli(w, ['rollback', '--against-target', '--on-drift', 'restore', '--json'], 0);
    const report = finalJson(r.stdout);
    assert.equal(report.drift.length, 1);
    assert.equal(report.drift[0].address, created.address.split('#')[0]);
    await cli(w, ['apply', report.reverse_path, '--auto-approve'], 0);
    assert.deepEqual(await targetSnapshot(), before);
  });
});
