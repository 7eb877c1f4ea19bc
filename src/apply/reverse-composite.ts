/**
 * One reverse plan for several forward applies into one target (a pre-copy, the cut-over's delta,
 * resumed or repeated runs): back to the target as it was before the first of them, in one apply.
 *
 * Applying their reverse plans one by one does not work in general: the reverse of an earlier run
 * is guarded by what that run left (uid, resourceVersion), and a later run moved those objects on.
 * So each object is undone once: restored to what the OLDEST run that touched it found, guarded
 * by what the NEWEST run that touched it left. Per object, from the runs' own reverse changes:
 *
 *   before the first run | after the last run | composite
 *   absent               | present            | delete, guarded by the last run's answer
 *   present              | present            | update back to the first run's `before`
 *   present              | absent             | create from the first run's `before`
 *   absent               | absent             | nothing
 *
 * Ordering: creates and updates in the forward dependency order, deletes in the reverse order
 * (order.ts does both inside one band), and the ClusterInformation last, in a band of its own.
 */
import { compareChanges, objectAddress } from '../plan/address.js';
import { changedPaths } from '../plan/paths.js';
import { summarize } from '../plan/summary.js';
import type { KubeObject } from '../model/types.js';
import { FORMAT_VERSION, type Plan, type PlanBody, type ResourceChange } from '../plan/types.js';
import { executionSteps, WAVE_BAND } from './order.js';

/** One run's reverse changes, with the plan they reverse. */
export interface RunReverse {
  plan: Pick<Plan, 'plan_id' | 'source' | 'target' | 'options' | 'tool'>;
  changes: readonly ResourceChange[];
}

interface Ends {
  /** Executed first in its run's reverse plan: undoes that run's last write, so it knows what the run left. */
  guard: ResourceChange;
  /** Executed last: restores what the run found. */
  restore: ResourceChange;
}

/** Per object (base address), the guard of the newest run and the restore of the oldest run. */
function ends(runs: readonly RunReverse[]): Map<string, Ends> {
  const out = new Map<string, Ends>();
  for (const run of runs) {
    const inRun = new Map<string, Ends>();
    for (const step of executionSteps(run.changes)) {
      for (const c of step.changes) {
        const base = objectAddress(c);
        const e = inRun.get(base);
        if (e) e.restore = c;
        else inRun.set(base, { guard: c, restore: c });
      }
    }
    for (const [base, e] of inRun) {
      const older = out.get(base);
      out.set(base, { guard: e.guard, restore: older ? older.restore : e.restore });
    }
  }
  return out;
}

const CLUSTER_BAND = 1;

/** The composite change for one object, or null when it was absent before and is absent now. */
export function compositeChange(e: Ends): ResourceChange | null {
  const { guard: g, restore: r } = e;
  // A reverse create or update restores a body: the object existed before the run.
  const hadOriginal = r.change.action !== 'delete';
  // A reverse delete or update starts from a body: the object exists after the run.
  const hasCurrent = g.change.action !== 'create';
  // Getters: the bodies are read back from the plan files only as each change is written out.
  const original = (): KubeObject => r.change.after as KubeObject;
  const current = (): KubeObject => g.change.before as KubeObject;
  const forwardWave = (c: ResourceChange) => c.wave % WAVE_BAND;
  const isCluster = r.step !== null || g.step !== null;
  const band = isCluster ? CLUSTER_BAND * WAVE_BAND : 0;
  const base = {
    address: isCluster ? r.address : objectAddress(r),
    api_version: r.api_version,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    step: isCluster ? r.step : null,
    source_keys: [],
    dry_run: null,
  };
  if (!hadOriginal && hasCurrent) {
    return {
      ...base,
      wave: band + forwardWave(g),
      change: {
        action: 'delete',
        get before() {
          return current();
        },
        after: null,
        changed_paths: [],
      },
      target: g.target,
    };
  }
  if (hadOriginal && hasCurrent) {
    return {
      ...base,
      wave: band + forwardWave(r),
      change: {
        action: 'update',
        get before() {
          return current();
        },
        get after() {
          return original();
        },
        get changed_paths() {
          return changedPaths(current(), original());
        },
      },
      target: g.target,
    };
  }
  if (hadOriginal && !hasCurrent) {
    return {
      ...base,
      wave: band + forwardWave(r),
      change: {
        action: 'create',
        before: null,
        get after() {
          return original();
        },
        changed_paths: [],
      },
      target: { uid: null, resource_version: null },
    };
  }
  return null;
}

/** The composite reverse plan body (runs oldest first). */
export function compositeReverseBody(runs: readonly RunReverse[], toolVersion: string): PlanBody {
  const newest = runs[runs.length - 1];
  if (!newest) throw new Error('compositeReverseBody: no runs');
  const changes = [...ends(runs).values()].flatMap((e) => compositeChange(e) ?? []).sort(compareChanges);
  return {
    format_version: FORMAT_VERSION,
    kind: 'CalicoMigrationPlan',
    mode: 'reverse',
    tool: { name: newest.plan.tool.name, version: toolVersion },
    source: newest.plan.source,
    target: newest.plan.target,
    options: newest.plan.options,
    reverses: newest.plan.plan_id,
    summary: summarize(changes, []),
    resource_changes: changes,
    skipped: [],
    checks: [],
    warnings: [
      `Reverse of ${runs.length} apply run(s) into this target, newest ${newest.plan.plan_id}: ${runs.map((r) => r.plan.plan_id).join(', ')}. Applying it restores every object to what the oldest run found.`,
    ],
  };
}
