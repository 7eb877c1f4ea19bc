/**
 * The plan's summary block: what a reviewer or a CI gate reads first.
 */
import type { KubeObject } from '../model/types.js';
import type { Action, Check, PlanSummary, ResourceChange } from './types.js';

type Counts = PlanSummary['by_kind'][string];

const FIELD: Record<Action, keyof Counts> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  'no-op': 'no_op',
  extra: 'extra',
};

/**
 * The ClusterInformation lock and identity steps. They are the migration itself (flip
 * datastoreReady, carry the GUID), present in every real plan, so they are counted but do not
 * make a plan `destructive` and do not trip `--fail-on update`; otherwise those gates would
 * fire on every migration and mean nothing.
 */
export function isClusterInformationStep(change: Pick<ResourceChange, 'step'>): boolean {
  return change.step !== null;
}

/**
 * True for a change that overwrites or deletes target data a user may care about. A Node update
 * that only adds Calico's annotations is not: every migration from etcd has one per node (etcd-mode
 * Nodes carry none), and it overwrites nothing; changing or removing an annotation the Node has is.
 */
export function isDestructive(change: ResourceChange): boolean {
  if (isClusterInformationStep(change)) return false;
  const body = change.change;
  if (body.action === 'delete') return true;
  if (body.action !== 'update') return false;
  return !(change.api_version === 'v1' && change.kind === 'Node' && onlyAddsAnnotations(body.before, body.after));
}

/** Every annotation `before` has (for a Node, only Calico's) is in `after` with the same value. */
function onlyAddsAnnotations(before: KubeObject, after: KubeObject): boolean {
  const had = annotationsOf(before);
  const will = annotationsOf(after);
  return Object.entries(had).every(([key, value]) => Object.prototype.hasOwnProperty.call(will, key) && will[key] === value);
}

function annotationsOf(obj: KubeObject): Record<string, unknown> {
  const a: unknown = obj.metadata.annotations;
  return typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, unknown>) : {};
}

export function summarize(changes: readonly ResourceChange[], checks: readonly Check[]): PlanSummary {
  const total = zero();
  const byKind: Record<string, Counts> = {};
  for (const c of changes) {
    const kind = (byKind[c.kind] ??= zero());
    total[FIELD[c.change.action]]++;
    kind[FIELD[c.change.action]]++;
  }
  const checkCounts = { pass: 0, warn: 0, fail: 0 };
  for (const check of checks) checkCounts[check.status]++;
  return { ...total, by_kind: byKind, destructive: changes.some(isDestructive), checks: checkCounts };
}

function zero(): Counts {
  return { create: 0, update: 0, delete: 0, no_op: 0, extra: 0 };
}
