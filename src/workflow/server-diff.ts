/**
 * The diff as the server sees it: diff the desired objects with the live ones, dry-run the writes
 * (all of them, or only the updates), and diff again against what the server would store, so a
 * field the CRD defaults is not an update on every plan. Shared by the full desired-state
 * pipeline and the cut-over, which runs it on the few objects its delta touches.
 */
import type { FilterTarget } from '../model/filters.js';
import type { ClusterInformationSteps } from '../plan/cluster-information.js';
import { diffObjects, liveAddress, liveToFetch, type LiveObject } from '../plan/diff.js';
import type { LiveEntry } from '../plan/live-index.js';
import type { DesiredObject } from '../model/types.js';
import type { ResourceChange } from '../plan/types.js';
import type { TargetReader } from '../ports/target.js';
import type { Context } from './context.js';
import { dryRunChanges, isDryRunnable, type DryRunOutcome, type DryRunTarget } from './dry-run.js';
import { fetchLive } from './target.js';

export type DryRunMode = 'writes' | 'updates' | 'none';

export interface ServerDiffInput {
  desired: readonly DesiredObject[];
  /** Whole live objects: all of them, or (with `index`) those the target keeps whole and the Nodes. */
  live: readonly LiveObject[];
  /** The target's other objects as entries (workflow/target.ts); those a change describes are fetched whole. */
  index?: Map<string, LiveEntry>;
  /** Null when the caller compares objects only (the cut-over's read-back). */
  clusterInformation: ClusterInformationSteps | null;
  filter?: (t: FilterTarget) => boolean;
  prune: boolean;
  owned?: ReadonlyMap<string, string>;
  /**
   * `writes` (plan): every create and update, the ClusterInformation steps included, so admission
   * answers at plan time. `updates` (verify): only updates, to learn what the server would store.
   */
  dryRun: DryRunMode;
  parallelism: number;
}

export interface ServerDiff {
  /** Object changes (no ClusterInformation), sorted, re-diffed after the dry run, with their dry-run status. */
  changes: ResourceChange[];
  clusterInformation: ClusterInformationSteps | null;
  /** Null when no dry run was asked for (or, for `updates`, there was no update to try). */
  dryRun: DryRunOutcome | null;
}

export async function serverDiff(input: ServerDiffInput, target: DryRunTarget & Pick<TargetReader, 'get' | 'resourceVersionNow'>, ctx: Pick<Context, 'io' | 'monotonic'>): Promise<ServerDiff> {
  const { desired, filter, prune, owned } = input;
  // Indexed, the target was read without bodies: each diff first fetches the live objects it
  // will describe (updates, deletes, extras), and keeps them for the diff after the dry run.
  const index = input.index ? new Map(input.index) : undefined;
  const whole = new Map(input.live.map((l) => [liveAddress(l.object), l]));
  const diff = async (dryRunResults?: DryRunOutcome['results']) => {
    const needed = index ? liveToFetch({ desired, live: [...whole.values()], index, prune, filter, dryRunResults, owned }) : [];
    if (index && needed.length) {
      ctx.io.say('info', `Reading ${needed.length} live object(s) the plan changes or lists`);
      for (const object of await fetchLive(target, index, needed, input.parallelism)) whole.set(liveAddress(object), { object });
    }
    return diffObjects({ desired, live: [...whole.values()], index, prune, filter, dryRunResults, owned });
  };
  let changes = await diff();
  let clusterInformation = input.clusterInformation;
  let toTry: ResourceChange[] | null = writesToTry(input.dryRun, changes, clusterInformation);
  let dryRun: DryRunOutcome | null = null;
  if (input.dryRun === 'writes' || toTry.length) {
    ctx.io.say('info', input.dryRun === 'writes' ? `Server-side dry run of ${toTry.length} write(s)` : `Server-side dry run of ${toTry.length} update(s), to compare with what the server would store`);
    dryRun = await dryRunChanges(target, toTry, input.parallelism, ctx);
    toTry = null;
    // Same inputs, so the same addresses. The first list is let go before the second is made, and
    // the answers are set in place: at 300,000 changes each copy of the list is ~140 MB.
    if (dryRun.results.size) {
      changes = [];
      changes = await diff(dryRun.results);
    }
    const status = dryRun.status;
    for (const c of changes) c.dry_run = status.get(c.address) ?? c.dry_run;
    const withStatus = (c: ResourceChange): ResourceChange => ({ ...c, dry_run: status.get(c.address) ?? c.dry_run });
    if (clusterInformation) clusterInformation = { lock: withStatus(clusterInformation.lock), identity: clusterInformation.identity && withStatus(clusterInformation.identity) };
  }
  return { changes, clusterInformation, dryRun };
}

function writesToTry(mode: DryRunMode, changes: readonly ResourceChange[], ci: ClusterInformationSteps | null): ResourceChange[] {
  switch (mode) {
    case 'writes':
      return [...(ci ? [ci.lock] : []), ...changes, ...(ci?.identity ? [ci.identity] : [])].filter(isDryRunnable);
    case 'updates':
      return changes.filter((c) => c.change.action === 'update');
    case 'none':
      return [];
    default: {
      const never: never = mode;
      throw new Error(`unknown dry-run mode ${String(never)}`);
    }
  }
}
