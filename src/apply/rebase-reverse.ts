/**
 * A rollback planned against the target as it is now (`rollback --against-target`).
 *
 * A reverse plan is guarded by what the forward apply left: an object someone else changed,
 * deleted or re-created since makes apply refuse the whole plan (exit 11), and one drifted
 * NetworkSet would block the rollback of 20,000 objects. Here each object's reverse change (one
 * per object: reverse-composite.ts merges the ClusterInformation's two steps) is compared with
 * the object as read now:
 *
 *   now is what the rollback restores    → nothing to do (dropped; reported)
 *   now is what the forward apply left   → the reverse change as it is
 *   anything else (drift)                → the operator decides per object:
 *       skip:    leave the object as the others left it (dropped; reported)
 *       restore: back to the pre-apply state from the object as it is now, guarded by its
 *                uid and resourceVersion as read now (so a change after this plan is refused again)
 *
 * Nodes are never created or deleted; a Node that left the cluster has nothing to restore.
 */
import type { KubeObject } from '../model/types.js';
import { normalizeLive, normalizeLiveNode } from '../plan/normalize.js';
import { changedPaths } from '../plan/paths.js';
import type { ResourceChange } from '../plan/types.js';
import { isNode, resourceVersionOf, uidOf } from './content.js';

/** How an object differs from what the forward apply left. */
export type DriftKind = 'deleted' | 'created' | 'replaced' | 'changed';
export type DriftDecision = 'restore' | 'skip';

/** What the comparison with the object as it is now found. */
export type LiveState = { state: 'restored' } | { state: 'as-left' } | { state: 'drift'; kind: DriftKind };

/** Compares two objects as apply does (apply/content.ts sameContent), bound to the target. */
export type SameContent = (live: KubeObject, desired: KubeObject) => Promise<boolean>;

/** The object's state now, against the change's `before` (what the apply left) and `after` (what the rollback restores). */
export async function liveState(change: ResourceChange, live: KubeObject | null, same: SameContent): Promise<LiveState> {
  const left = change.change.before;
  const original = change.change.after;
  if (!live) {
    // A Node that left the cluster took the migration's annotations with it.
    if (!original || isNodeChange(change)) return { state: 'restored' };
    return left ? { state: 'drift', kind: 'deleted' } : { state: 'as-left' };
  }
  if (original && (await same(live, original))) return { state: 'restored' };
  if (!left) return { state: 'drift', kind: 'created' };
  const { uid, resource_version: rv } = change.target;
  if (uid && uidOf(live) !== uid) return { state: 'drift', kind: 'replaced' };
  if (rv && resourceVersionOf(live) === rv) return { state: 'as-left' };
  return (await same(live, left)) ? { state: 'as-left' } : { state: 'drift', kind: 'changed' };
}

function isNodeChange(c: Pick<ResourceChange, 'api_version' | 'kind'>): boolean {
  return isNode({ apiVersion: c.api_version, kind: c.kind });
}

/**
 * The change that takes the object from `live` (as read now) back to the pre-apply state, guarded
 * by `live`'s uid and resourceVersion; null when there is nothing to write.
 */
export function restoreFromLive(change: ResourceChange, live: KubeObject | null): ResourceChange | null {
  const original = change.change.after;
  const target = { uid: uidOf(live), resource_version: resourceVersionOf(live) };
  if (!live) {
    if (!original || isNodeChange(change)) return null;
    return { ...change, change: { action: 'create', before: null, after: original, changed_paths: [] }, target: { uid: null, resource_version: null } };
  }
  const now = isNodeChange(change) ? normalizeLiveNode(live) : normalizeLive(live);
  if (!original) return { ...change, change: { action: 'delete', before: now, after: null, changed_paths: [] }, target };
  return { ...change, change: { action: 'update', before: now, after: original, changed_paths: changedPaths(now, original) }, target };
}

/** One drifted object, as reported to the operator and recorded in the plan's warnings. */
export interface Drift {
  address: string;
  display: string;
  kind: DriftKind;
  decision: DriftDecision | null;
  /** Top-level paths that differ between what the apply left and the object now (changed/replaced). */
  paths: string[];
}

const WHAT: Record<DriftKind, string> = {
  deleted: 'deleted by someone else since the apply',
  created: 'created by someone else since the apply (the apply had deleted it)',
  replaced: 'deleted and created again by someone else since the apply (another uid)',
  changed: 'changed by someone else since the apply',
};

export function describeDrift(d: Pick<Drift, 'display' | 'kind' | 'paths'>): string {
  return `${d.display}: ${WHAT[d.kind]}${d.paths.length ? ` (${d.paths.slice(0, 5).join(', ')}${d.paths.length > 5 ? ', …' : ''})` : ''}`;
}
