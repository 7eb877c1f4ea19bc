/** The point of no return as a plan check, over the lock step the plan computes from the live ClusterInformation. */
import assert from 'node:assert/strict';
import { isLiveClusterInformation, liveTargetCheck } from '../../../src/checks/live-target.js';
import type { KubeObject } from '../../../src/model/types.js';
import { clusterInformationChanges } from '../../../src/plan/cluster-information.js';

const ci = (spec: Record<string, unknown> | undefined): KubeObject => ({
  apiVersion: 'crd.projectcalico.org/v1',
  kind: 'ClusterInformation',
  metadata: { name: 'default', uid: 'u1', resourceVersion: '7' },
  ...(spec ? { spec } : {}),
});
const lockOf = (live: KubeObject | null) => clusterInformationChanges({ source: null, live, newClusterGUID: 'g'.repeat(32) })[0];

describe('target-not-live check', () => {
  it('passes for a target without ClusterInformation, or a locked one', () => {
    assert.equal(liveTargetCheck(lockOf(null), false).status, 'pass');
    assert.equal(liveTargetCheck(lockOf(ci({ clusterGUID: 'a', clusterType: 'kdd', datastoreReady: false })), false).status, 'pass');
  });

  it('fails for an unlocked target (datastoreReady true, or absent: Calico reads that as ready), naming the way out', () => {
    for (const spec of [{ datastoreReady: true, clusterGUID: 'a' }, { clusterGUID: 'a' }, undefined]) {
      const c = liveTargetCheck(lockOf(ci(spec)), false);
      assert.equal(c.status, 'fail', JSON.stringify(spec));
      assert.match(c.message, /LIVE/);
      assert.match(c.message, /lock --datastore kubernetes/);
      assert.match(c.message, /--allow-live-target/);
    }
  });

  it('warns instead with --allow-live-target', () => {
    const c = liveTargetCheck(lockOf(ci({ datastoreReady: true })), true);
    assert.equal(c.status, 'warn');
    assert.match(c.message, /allowed by --allow-live-target/);
  });

  it('reads a raw ClusterInformation the same way', () => {
    assert.equal(isLiveClusterInformation(null), false);
    assert.equal(isLiveClusterInformation(ci({ datastoreReady: false })), false);
    assert.equal(isLiveClusterInformation(ci({ datastoreReady: true })), true);
    assert.equal(isLiveClusterInformation(ci(undefined)), true);
  });
});
