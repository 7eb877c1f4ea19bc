/**
 * ownerReferences on the real cluster (built CLI): the full dataset's NetworkSet dev/ci-runners is
 * owned by GlobalNetworkSet trusted-cidrs. After apply, its reference carries the uid the owner
 * got in the target, also when apply stopped between the owner and the dependent and --resume
 * wrote the rest; a second plan has nothing to change; the reverse plan removes both.
 */
import assert from 'node:assert/strict';
import { CRD_API_VERSION, WAVES } from '../../src/model/kinds.js';
import { resetDatastores } from './support/cluster.js';
import { seedDataset } from './support/datasets.js';
import { Workdir, cli, getByAddress, readPlan, shortId, targetSnapshot, writes } from './support/e2e.js';

const OWNER = `${CRD_API_VERSION}/GlobalNetworkSet/trusted-cidrs`;
const DEPENDENT = `${CRD_API_VERSION}/NetworkSet/dev/ci-runners`;

function ownerUidsOf(obj: { metadata: { annotations?: Record<string, string> } }): string[] {
  const meta = JSON.parse(obj.metadata.annotations?.['projectcalico.org/metadata'] ?? '{}') as { ownerReferences?: Array<{ uid: string }> };
  return (meta.ownerReferences ?? []).map((r) => r.uid);
}

describe('ownerReferences resolve in the target (built CLI, real cluster)', function () {
  this.timeout(120_000);
  Workdir.cleanUpAfterSuite();

  it('the plan lists the rewrite and orders the dependent after its owner; apply stopped between them, --resume writes the owner uid; plan again is a no-op; the reverse plan undoes it', async () => {
    await resetDatastores();
    await seedDataset('full');
    const before = await targetSnapshot();
    const w = new Workdir();
    await cli(w, ['plan', '--out', 'plan.json'], 0);
    const plan = readPlan(w.path('plan.json'));
    const check = plan.checks.find((c) => c.id === 'owner-references');
    assert.equal(check?.status, 'pass');
    assert.deepEqual(check?.items, ['NetworkSet dev/ci-runners -> GlobalNetworkSet trusted-cidrs: uid the owner gets when apply creates it (the dependent is written after it)']);
    const dependent = plan.resource_changes.find((c) => c.address === DEPENDENT);
    assert.equal(dependent?.wave, WAVES.owned);

    // Stop right before the owned wave: every other write is done, the dependent is not.
    const earlier = writes(plan).filter((c) => c.wave < WAVES.owned).length;
    await cli(w, ['apply', 'plan.json', '--auto-approve', '--fail-after', String(earlier)], 12);
    const owner = await getByAddress(OWNER);
    assert.ok(owner?.metadata.uid, 'the owner was written');
    assert.equal(await getByAddress(DEPENDENT), null, 'the dependent was not');

    const journal = `.calico-migrate/journal-${shortId(plan.plan_id)}.jsonl`;
    await cli(w, ['apply', 'plan.json', '--resume', journal, '--auto-approve'], 0);
    const written = await getByAddress(DEPENDENT);
    assert.deepEqual(ownerUidsOf(written), [owner.metadata.uid], 'the reference names the owner as it is in the target');

    await cli(w, ['verify'], 0);
    await cli(w, ['plan', '--out', 'again.json'], 0);
    const replan = readPlan(w.path('again.json'));
    assert.deepEqual([replan.summary.create, replan.summary.update, replan.summary.delete], [0, 0, 0], 'nothing to change once the owner uid is in place');
    assert.deepEqual(replan.checks.find((c) => c.id === 'owner-references')?.items, ['NetworkSet dev/ci-runners -> GlobalNetworkSet trusted-cidrs: uid of the owner in the target']);

    await cli(w, ['apply', `.calico-migrate/reverse-${shortId(plan.plan_id)}.json`, '--auto-approve'], 0);
    assert.deepEqual(await targetSnapshot(), before, 'the reverse plan gives back the target as it was');
  });
});
