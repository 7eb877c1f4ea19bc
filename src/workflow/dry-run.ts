/**
 * Server-side dry run (dryRun=All) of every create and update in a plan, so CEL rules, schema
 * defaults and admission webhooks answer at plan time instead of half-way through apply.
 */
import { nodeAnnotationPatch } from '../model/node-annotations.js';
import { check } from '../checks/check.js';
import type { KubeObject } from '../model/types.js';
import { displayName } from '../plan/address.js';
import type { Check, ResourceChange } from '../plan/types.js';
import type { TargetWriter, WriteOutcome } from '../ports/target.js';
import { mapLimit } from '../util/concurrency.js';
import { PhaseProgress, type ProgressClock } from '../progress.js';

/** What a dry run needs of the target: the writes, never stored (dryRun=All). */
export type DryRunTarget = Pick<TargetWriter, 'create' | 'replace' | 'patchNodeAnnotations'>;

export interface DryRunOutcome {
  /** What the server would store, by address (successful dry runs of updates only). */
  results: Map<string, KubeObject>;
  status: Map<string, NonNullable<ResourceChange['dry_run']>>;
  check: Check;
}

export async function dryRunOne(target: DryRunTarget, c: ResourceChange, lockCreated: boolean): Promise<WriteOutcome | null> {
  const body = c.change;
  switch (body.action) {
    case 'create':
    case 'update':
      break;
    case 'delete':
    case 'no-op':
    case 'extra':
      return null;
    default: {
      const never: never = body;
      throw new Error(`dryRunOne: unknown action ${String((never as { action?: unknown }).action)}`);
    }
  }
  if (c.kind === 'Node') return target.patchNodeAnnotations(c.name, nodeAnnotationPatch(body.before, body.after), null, { dryRun: true });
  // The identity step updates the object the lock step creates; it cannot be dry-run before it exists.
  if (c.step === 'identity' && lockCreated) return null;
  // Only an update's answer is diffed again; a create's is read for its status alone.
  if (body.action === 'create') return target.create(body.after, { dryRun: true, metadataOnly: true });
  return target.replace(body.after, c.target.resource_version ?? '', { dryRun: true });
}

/** Creates and updates can be dry-run; a delete's dry run says nothing the preconditions do not. */
export function isDryRunnable(c: ResourceChange): boolean {
  const a = c.change.action;
  return a === 'create' || a === 'update';
}

const DRY_RUN_OK: NonNullable<ResourceChange['dry_run']> = Object.freeze({ status: 'ok', message: null });

/** `progress` (optional): the clock and Io the `dry-run` phase is reported through. */
export async function dryRunChanges(target: DryRunTarget, changes: readonly ResourceChange[], parallelism: number, progress?: ProgressClock): Promise<DryRunOutcome> {
  const lockCreated = changes.some((c) => c.step === 'lock' && c.change.action === 'create');
  const writes = changes.filter(isDryRunnable);
  const tracker = progress ? PhaseProgress.start(progress, 'dry-run', 'writes', writes.length) : null;
  const results = new Map<string, KubeObject>();
  const status = new Map<string, NonNullable<ResourceChange['dry_run']>>();
  const failed: Array<{ i: number; line: string }> = [];
  // Each answer is reduced as it arrives: the server's object (managedFields and all) is kept only
  // for an update, which is re-diffed against it; a create stays a create. Holding every answer
  // until the last one came back would cost a copy of every object at once.
  await mapLimit(writes, parallelism, async (c, i) => {
    const o = await dryRunOne(target, c, lockCreated);
    if (!o) status.set(c.address, { status: 'skipped', message: 'runs after the lock step creates the object' });
    else if (o.ok) {
      status.set(c.address, DRY_RUN_OK);
      // Steps of one object share an address base; keeping nothing else bounds memory.
      if (c.step === null && c.change.action === 'update') results.set(c.address, o.object);
    } else {
      status.set(c.address, { status: 'error', message: o.message });
      failed.push({ i, line: `${displayName(c)}: ${o.message}` });
    }
    tracker?.tick();
  });
  tracker?.end();
  // In plan order, whatever order the answers came in.
  const failures = failed.sort((a, b) => a.i - b.i).map((f) => f.line);
  return {
    results,
    status,
    check: check(
      'server-dry-run',
      failures,
      `the API server accepted a dry run of all ${writes.length} write(s)`,
      (n) => `the API server would reject ${n} write(s) (schema, CEL rule or admission webhook)`,
    ),
  };
}
