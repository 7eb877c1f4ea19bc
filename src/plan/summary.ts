/**
 * The plan's summary block: what a reviewer or a CI gate reads first.
 */
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

/** True for a change that overwrites or deletes target data a user may care about. */
export function isDestructive(change: ResourceChange): boolean {
  if (isClusterInformationStep(change)) return false;
  return change.change.action === 'update' || change.change.action === 'delete';
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
