/** A source without a single Calico key (a wrong endpoint or prefix) is refused, over the in-memory ports. */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MigrateError, type ExitName } from '../../../src/errors.js';
import { makePlan } from '../../../src/workflow/plan.js';
import { verifyMigration } from '../../../src/workflow/verify.js';
import { FakeSource, fakeContext } from './fakes.js';
import { smallTarget } from './small-cluster.js';

const refusedWith = (name: ExitName, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof MigrateError, String(e));
  assert.equal(e.exitName, name, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

describe('a source without a single key under /calico/ (over in-memory ports)', () => {
  const stateDir = path.join(tmpdir(), 'cm-no-state-dir');
  const planOpts = { conversion: { skipUnknown: false }, include: [], exclude: [], prune: false, serverDryRun: true, parallelism: 4, stateDir };
  const empty = /^etcd at https:\/\/etcd\.fake:2379 has no keys under \/calico\/: .*nothing was written$/;

  it('plan refuses it as SOURCE_INVALID, naming the endpoint and the prefix, with the next step', async () => {
    const target = smallTarget();
    let caught: unknown;
    await makePlan(planOpts, fakeContext(new FakeSource(), target)).catch((e: unknown) => (caught = e));
    refusedWith('SOURCE_INVALID', empty)(caught);
    assert.match((caught as MigrateError).hint!, /check --etcd-endpoints/);
    assert.deepEqual(target.writes(), []);
  });

  it('verify refuses it the same way (it would otherwise compare the target with nothing)', async () => {
    await assert.rejects(verifyMigration({ conversion: { skipUnknown: false }, parallelism: 4, stateDir }, fakeContext(new FakeSource(), smallTarget())), refusedWith('SOURCE_INVALID', empty));
  });
});
