/**
 * The confirmations lock and unlock --datastore kubernetes ask for (the mechanism apply and cutover
 * use: asked on a terminal, refused as ABORTED without one unless auto-approved), over the
 * in-memory ports.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MigrateError, type ExitName } from '../../../src/errors.js';
import { RecordingIo } from '../../../src/io.js';
import { CLUSTER_INFO_KEY } from '../../../src/model/keys.js';
import { lockDatastore } from '../../../src/workflow/lock.js';
import { unlockDatastore } from '../../../src/workflow/unlock.js';
import { fakeContext, type FakeSource } from './fakes.js';
import { smallSource, smallTarget } from './small-cluster.js';

const refusedWith = (name: ExitName, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof MigrateError, String(e));
  assert.equal(e.exitName, name, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

/** A terminal that answers every question with `answer` and remembers the questions. */
class Terminal extends RecordingIo {
  readonly questions: string[] = [];
  constructor(private readonly reply: boolean) {
    super(reply);
  }
  override async confirm(question?: string): Promise<boolean | undefined> {
    this.questions.push(question ?? '');
    return this.reply;
  }
}

const sourceReady = async (s: FakeSource) => JSON.parse((await s.get(CLUSTER_INFO_KEY))?.value ?? '{}').spec.datastoreReady as unknown;

describe('confirmations for lock and unlock (over in-memory ports)', () => {
  describe('lock', () => {
    it('without a terminal and without --auto-approve: ABORTED before the datastore is even opened', async () => {
      const source = smallSource({ locked: false });
      const ctx = fakeContext(source, smallTarget());
      await assert.rejects(lockDatastore('etcd', ctx, { autoApprove: false }), refusedWith('ABORTED', /needs confirmation; there is no terminal/));
      assert.deepEqual(ctx.opened, { source: 0, target: 0 });
      assert.equal(await sourceReady(source), true, 'still unlocked');
    });

    it('on a terminal: asks, naming the endpoint and what a lock does; "no" locks nothing, "yes" locks', async () => {
      const source = smallSource({ locked: false });
      const no = { ...fakeContext(source, smallTarget()), io: new Terminal(false) };
      await assert.rejects(lockDatastore('etcd', no, { autoApprove: false }), refusedWith('ABORTED', /lock cancelled; nothing was locked/));
      assert.equal(await sourceReady(source), true);
      assert.match(no.io.questions[0]!, /^Lock the source datastore \(etcd https:\/\/etcd\.fake:2379\)\? .*new pod/);

      const yes = { ...fakeContext(source, smallTarget()), io: new Terminal(true) };
      const r = await lockDatastore('etcd', yes, { autoApprove: false });
      assert.equal(r.changed, true);
      assert.equal(await sourceReady(source), false);
    });

    it('--auto-approve locks without asking; a datastore already locked is not asked about', async () => {
      const source = smallSource({ locked: false });
      const ctx = fakeContext(source, smallTarget());
      assert.equal((await lockDatastore('etcd', ctx, { autoApprove: true })).changed, true);
      const again = { ...fakeContext(source, smallTarget()), io: new Terminal(false) };
      assert.equal((await lockDatastore('etcd', again, { autoApprove: false })).changed, false);
      assert.deepEqual(again.io.questions, []);
    });
  });

  describe('unlock --datastore kubernetes (the point of no return)', () => {
    const opts = { datastore: 'kubernetes' as const, force: true, conversion: { skipUnknown: false }, parallelism: 4, stateDir: path.join(tmpdir(), 'cm-no-state-dir') };

    it('without a terminal and without --auto-approve: ABORTED before the verify, nothing unlocked', async () => {
      const target = smallTarget();
      const ctx = fakeContext(smallSource(), target);
      await assert.rejects(unlockDatastore({ ...opts, force: false, autoApprove: false }, ctx), refusedWith('ABORTED', /point of no return and needs confirmation/));
      assert.deepEqual(ctx.opened, { source: 0, target: 0 });
      assert.deepEqual(target.writes(), []);
    });

    it('on a terminal "no" unlocks nothing', async () => {
      const target = smallTarget();
      const ctx = { ...fakeContext(smallSource(), target), io: new Terminal(false) };
      await assert.rejects(unlockDatastore({ ...opts, autoApprove: false }, ctx), refusedWith('ABORTED', /unlock cancelled/));
      assert.match(ctx.io.questions[0]!, /^Unlock the target datastore \(.*\)\? .*point of no return/);
      assert.deepEqual(target.writes(), []);
    });
  });
});
