/**
 * `plan`: the desired-state pipeline with every write dry-run on the server, the access review
 * apply will need, and the plan body assembled from both. Writes nothing to either datastore.
 */
import { requiredPermissions } from '../checks/rbac.js';
import { makeFilter, makeMatcher } from '../model/filters.js';
import type { ConversionSettings, DesiredObject, Diagnostic } from '../model/types.js';
import { assemblePlan, planChanges } from '../plan/assemble.js';
import { writePlan } from '../plan/plan-file.js';
import type { Plan, PlanBody } from '../plan/types.js';
import type { SourcePort } from '../ports/source.js';
import type { TargetReader } from '../ports/target.js';
import { PhaseProgress } from '../progress.js';
import type { Context } from './context.js';
import { desiredState, type DesiredState } from './desired-state.js';
import { ownedObjects, precopies, readRuns, runsFor } from './migration-runs.js';
import { accessResults, assertCanRead } from './target.js';

// apply's guards read the target the same way; they import these from here today.
export { assertCanRead, readTarget, type TargetState } from './target.js';

export interface PlanOptions {
  conversion: ConversionSettings;
  include: string[];
  exclude: string[];
  prune: boolean;
  /** Server-side dry run of every create and update (default on). */
  serverDryRun: boolean;
  parallelism: number;
  /** Where apply recorded its runs (`runs.json`): a plan after a pre-copy is its delta. */
  stateDir: string;
  /** Return the desired state the plan was made from (the cut-over continues from it); it is let go otherwise. */
  keepState?: boolean;
  /** Plan into a live (unlocked) target anyway: its check warns instead of failing. */
  allowLiveTarget?: boolean;
  /** --accept-invalid patterns: objects migrated as they are although Calico's validator rejects them. */
  acceptInvalid?: string[];
}

export interface PlanOutcome {
  plan: Plan;
  /** The plan file's bytes when makePlan was given no `emit`; '' when they went to `emit`. */
  text: string;
  /** The conversion's diagnostics, then the schema check's findings (errors, then warnings). */
  diagnostics: Diagnostic[];
  /** With `keepState`: the pipeline's result, and what was known of the objects this tool created. */
  state: DesiredState | null;
  owned: ReadonlyMap<string, string> | null;
}

/**
 * Makes the plan and encodes it line by line into `emit` (the plan file), never holding its text;
 * without `emit` the text is collected and returned (small plans, tests).
 */
export async function makePlan(opts: PlanOptions, ctx: Context, emit?: (line: string) => void): Promise<PlanOutcome> {
  // A malformed pattern is a USAGE error before anything is read.
  const filter = makeFilter(opts.include, opts.exclude);
  makeMatcher(opts.acceptInvalid ?? [], '--accept-invalid'); // parsed here only to refuse a malformed pattern early
  const source = await ctx.openSource();
  const target = await ctx.openTarget();
  const delta = await precopyBase(opts.stateDir, source, target);
  if (delta) ctx.io.say('info', `Planning the delta since the pre-copy at source revision ${delta.precopy.source_revision ?? '?'} (${delta.owned.size} object(s) it created are known)`);
  const state = await desiredState(
    { conversion: opts.conversion, filter, prune: opts.prune, dryRun: opts.serverDryRun ? 'writes' : 'none', parallelism: opts.parallelism, owned: delta?.owned },
    { source, target },
    ctx,
  );
  for (const pattern of unmatched(opts.include, state.desired)) {
    ctx.io.say('warn', `--include ${pattern} matches no object of the source: check the KIND[/NAMESPACE][/NAME] pattern (kinds as in the plan, e.g. NetworkPolicy)`);
  }
  const perms = requiredPermissions(planChanges(state.changes, state.clusterInformation));
  const body = assemblePlan({
    toolVersion: ctx.toolVersion,
    source: state.source,
    conversion: state.conversion,
    options: {
      include: opts.include,
      exclude: opts.exclude,
      prune: opts.prune,
      conversion: opts.conversion,
      precopy: delta?.precopy ?? null,
      allowLiveTarget: opts.allowLiveTarget,
      acceptInvalid: opts.acceptInvalid,
    },
    desired: state.selected,
    allDesired: state.desired,
    changes: state.changes,
    clusterInformation: state.clusterInformation,
    target: state.target,
    schema: state.schema,
    ownerReferences: state.ownerReferences,
    serverDryRun: state.dryRun?.check ?? null,
    rbac: { identity: target.userName, results: await accessResults(target, perms) },
  });
  const parts: string[] = [];
  const plan = writePlanReporting(body, emit ?? ((line) => parts.push(line)), ctx);
  const text = parts.join('');
  return {
    plan,
    text,
    diagnostics: [...state.conversion.diagnostics, ...state.schema.errors, ...state.schema.warnings],
    state: opts.keepState ? state : null,
    owned: opts.keepState ? (delta?.owned ?? null) : null,
  };
}

/** writePlan, as the `write-plan` phase: one plan-file line per change, and a header, footer and trailer. */
export function writePlanReporting(body: PlanBody, emit: (line: string) => void, ctx: Pick<Context, 'io' | 'monotonic'>): Plan {
  const total = body.resource_changes.length;
  const writing = PhaseProgress.start(ctx, 'write-plan', 'changes', total);
  let lines = 0;
  const plan = writePlan(body, (line) => {
    emit(line);
    writing.update(Math.min(++lines, total));
  });
  writing.end(total);
  return plan;
}

/** The --include patterns that select nothing: a typo there would otherwise make a silently empty plan. */
function unmatched(include: readonly string[], desired: readonly DesiredObject[]): string[] {
  return include.filter((pattern) => {
    const f = makeFilter([pattern], []);
    return !!f && !desired.some((d) => f({ kind: d.kind, namespace: d.namespace, name: d.name }));
  });
}

/**
 * The pre-copies recorded for this target and source, and what they (and the applies after
 * them) created: a plan made after one is its delta. Null when there was no pre-copy.
 */
async function precopyBase(stateDir: string, source: SourcePort, target: TargetReader): Promise<{ precopy: NonNullable<PlanBody['options']['precopy']>; owned: Map<string, string> } | null> {
  if (!precopies(readRuns(stateDir)).length) return null;
  // Missing read access is named whole, as the target read would (not as the first 403 here).
  await assertCanRead(target);
  const clusterId = source.origin === 'etcd' ? (await source.header()).clusterId : null;
  const runs = runsFor(stateDir, { clusterUid: await target.clusterUid() }, { clusterId });
  const pre = precopies(runs);
  const newest = pre[pre.length - 1];
  if (!newest) return null;
  const owned = ownedObjects(runs);
  return { precopy: { plan_ids: pre.map((r) => r.plan_id), source_revision: newest.source_revision, owned: owned.size }, owned };
}
