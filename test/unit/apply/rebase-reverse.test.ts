import assert from 'node:assert/strict';
import { describeDrift, liveState, restoreFromLive, type SameContent } from '../../../src/apply/rebase-reverse.js';
import type { KubeObject } from '../../../src/model/types.js';
import { normalizeLive } from '../../../src/plan/normalize.js';
import { jsonEqual } from '../../../src/plan/paths.js';
import { cr, createChange, deleteChange, nodeChange, updateChange } from './plan-builders.js';

/** Unit fake of apply's sameContent: normalised equality, no server dry run. */
const same: SameContent = async (a, b) => jsonEqual(normalizeLive(a), normalizeLive(b));

const stamped = (o: KubeObject, uid: string, rv: string): KubeObject => ({ ...o, metadata: { ...o.metadata, uid, resourceVersion: rv } });

describe('apply/rebase-reverse (a reverse change against the object as it is now)', () => {
  const original = cr('NetworkSet', 's', { nets: ['10.0.0.0/8'] }, 'n');
  const applied = cr('NetworkSet', 's', { nets: ['10.0.0.0/16'] }, 'n');
  const theirs = cr('NetworkSet', 's', { nets: ['192.0.2.0/24'] }, 'n');

  describe('undoing a create (reverse delete, guarded by the uid the create returned)', () => {
    const reverse = deleteChange(stamped(applied, 'ours', '5'));
    it('absent now: already as before the apply', async () => assert.deepEqual(await liveState(reverse, null, same), { state: 'restored' }));
    it('ours, unchanged: as the apply left it', async () => assert.deepEqual(await liveState(reverse, stamped(applied, 'ours', '5'), same), { state: 'as-left' }));
    it('ours, edited: changed', async () => assert.deepEqual(await liveState(reverse, stamped(theirs, 'ours', '9'), same), { state: 'drift', kind: 'changed' }));
    it('another uid: replaced', async () => assert.deepEqual(await liveState(reverse, stamped(applied, 'other', '9'), same), { state: 'drift', kind: 'replaced' }));
    it('restore deletes the object as it is now, guarded by its uid and resourceVersion', () => {
      const r = restoreFromLive(reverse, stamped(theirs, 'other', '9'));
      assert.equal(r?.change.action, 'delete');
      assert.deepEqual(r?.target, { uid: 'other', resource_version: '9' });
      assert.deepEqual(r?.change.before, normalizeLive(theirs));
    });
  });

  describe('undoing an update (reverse update back to the original)', () => {
    const reverse = updateChange(stamped(applied, 'u', '7'), original);
    it('still at the resourceVersion the apply got: as left', async () => assert.deepEqual(await liveState(reverse, stamped(applied, 'u', '7'), same), { state: 'as-left' }));
    it('already the original: restored', async () => assert.deepEqual(await liveState(reverse, stamped(original, 'u', '8'), same), { state: 'restored' }));
    it('edited by others: changed; restore updates from it', async () => {
      const live = stamped(theirs, 'u', '8');
      assert.deepEqual(await liveState(reverse, live, same), { state: 'drift', kind: 'changed' });
      const r = restoreFromLive(reverse, live);
      assert.equal(r?.change.action, 'update');
      assert.deepEqual(r?.target, { uid: 'u', resource_version: '8' });
      assert.deepEqual(r?.change.after, original);
      assert.deepEqual(r?.change.changed_paths, ['spec.nets[0]']);
    });
    it('deleted by others: deleted; restore creates the original', async () => {
      assert.deepEqual(await liveState(reverse, null, same), { state: 'drift', kind: 'deleted' });
      const r = restoreFromLive(reverse, null);
      assert.equal(r?.change.action, 'create');
      assert.deepEqual(r?.change.after, original);
      assert.deepEqual(r?.target, { uid: null, resource_version: null });
    });
  });

  describe('undoing a delete (reverse create of the original)', () => {
    const reverse = createChange(original);
    it('absent: as left', async () => assert.deepEqual(await liveState(reverse, null, same), { state: 'as-left' }));
    it('exactly the original: restored', async () => assert.deepEqual(await liveState(reverse, stamped(original, 'x', '3'), same), { state: 'restored' }));
    it('created again by others: created; restore updates it to the original', async () => {
      const live = stamped(theirs, 'x', '3');
      assert.deepEqual(await liveState(reverse, live, same), { state: 'drift', kind: 'created' });
      assert.equal(restoreFromLive(reverse, live)?.change.action, 'update');
    });
  });

  describe('Node annotations (never created or deleted)', () => {
    const node = (as: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', uid: 'n', resourceVersion: as, annotations: { 'projectcalico.org/ASNumber': as, 'example.com/x': 'y' } },
    });
    const reverse = nodeChange(node('65001'), { 'projectcalico.org/ASNumber': '65000' });
    it('a Node that left has nothing to restore', async () => {
      assert.deepEqual(await liveState(reverse, null, same), { state: 'restored' });
      assert.equal(restoreFromLive(reverse, null), null);
    });
    it('re-annotated by others: changed; restore patches from the managed annotations as they are now', async () => {
      const live = node('65111');
      assert.deepEqual(await liveState(reverse, live, same), { state: 'drift', kind: 'changed' });
      const r = restoreFromLive(reverse, live);
      assert.deepEqual(r?.change.before?.metadata.annotations, { 'projectcalico.org/ASNumber': '65111' });
      assert.deepEqual(r?.change.after?.metadata.annotations, { 'projectcalico.org/ASNumber': '65000' });
    });
  });

  it('describes drift with the paths that moved', () => {
    assert.equal(describeDrift({ display: 'NetworkSet n/s', kind: 'changed', paths: ['spec.nets[0]'] }), 'NetworkSet n/s: changed by someone else since the apply (spec.nets[0])');
  });
});
