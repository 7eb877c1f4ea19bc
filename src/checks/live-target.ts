/**
 * The point of no return as a check: a target whose ClusterInformation \`default\` exists and is not
 * locked (datastoreReady true, or absent, which Calico reads as ready) may have Calico running
 * from it (after \`unlock --datastore kubernetes\`, or a Calico installed in Kubernetes-datastore
 * mode). A plan that writes into it would lock it again (no new pod starts anywhere) and put the
 * frozen etcd state over data Calico wrote since, such as IPAM blocks allocated after the unlock.
 */
import type { KubeObject } from '../model/types.js';
import type { Check, ResourceChange } from '../plan/types.js';

export const LIVE_TARGET_FLAG = '--allow-live-target';

/** Whether a live target ClusterInformation (as read from the server) says Calico may be running from it. */
export function isLiveClusterInformation(obj: KubeObject | null): boolean {
  if (!obj) return false;
  const spec = (obj['spec'] ?? {}) as { datastoreReady?: unknown };
  return spec.datastoreReady !== false;
}

/** The check over the plan's lock step, whose \`before\` is the target ClusterInformation as plan found it. */
export function liveTargetCheck(lock: ResourceChange, allowed: boolean): Check {
  const live = lock.change.action === 'update' && isLiveClusterInformation(lock.change.before);
  if (!live) return { id: 'target-not-live', status: 'pass', message: 'the target ClusterInformation is absent or locked: Calico does not run from the target datastore', items: [] };
  const message =
    'the target datastore is LIVE: its ClusterInformation is unlocked (datastoreReady is not false), so Calico may run from it; applying would lock it again (no new pod could start) and overwrite what Calico wrote since with the frozen etcd data';
  return allowed
    ? { id: 'target-not-live', status: 'warn', message: `${message}; allowed by ${LIVE_TARGET_FLAG}`, items: [] }
    : { id: 'target-not-live', status: 'fail', message: `${message}; lock it first (\`calico-migrate lock --datastore kubernetes\`) or plan with ${LIVE_TARGET_FLAG} if you mean it`, items: [] };
}
