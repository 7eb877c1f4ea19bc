/**
 * `plan`: the desired-state pipeline with every write dry-run on the server, the access review
 * apply will need, and the plan body assembled from both. Writes nothing to either datastore.
 */
import { requiredPermissions } from '../checks/rbac.js';
import { makeFilter } from '../model/filters.js';
import type { ConversionSettings, Diagnostic } from '../model/types.js';
import { assemblePlan, planChanges } from '../plan/assemble.js';
import { writePlan } from '../plan/plan-file.js';
import type { Plan } from '../plan/types.js';
import type { Context } from './context.js';
import { desiredState } from './desired-state.js';
import { accessResults } from './target.js';

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
}

export interface PlanOutcome {
  plan: Plan;
  /** The plan file's bytes when makePlan was given no `emit`; '' when they went to `emit`. */
  text: string;
  /** The conversion's diagnostics, then the schema check's findings (errors, then warnings). */
  diagnostics: Diagnostic[];
}

/**
 * Makes the plan and encodes it line by line into `emit` (the plan file), never holding its text;
 * without `emit` the text is collected and returned (small plans, tests).
 */
export async function makePlan(opts: PlanOptions, ctx: Context, emit?: (line: string) => void): Promise<PlanOutcome> {
  // A malformed pattern is a USAGE error before anything is read.
  const filter = makeFilter(opts.include, opts.exclude);
  const source = await ctx.openSource();
  const target = await ctx.openTarget();
  const state = await desiredState({ conversion: opts.conversion, filter, prune: opts.prune, dryRun: opts.serverDryRun ? 'writes' : 'none', parallelism: opts.parallelism }, { source, target }, ctx);
  const perms = requiredPermissions(planChanges(state.changes, state.clusterInformation));
  const body = assemblePlan({
    toolVersion: ctx.toolVersion,
    source: state.source,
    conversion: state.conversion,
    options: { include: opts.include, exclude: opts.exclude, prune: opts.prune, conversion: opts.conversion },
    desired: state.selected,
    changes: state.changes,
    clusterInformation: state.clusterInformation,
    target: state.target,
    schema: state.schema,
    serverDryRun: state.dryRun?.check ?? null,
    rbac: { identity: target.userName, results: await accessResults(target, perms) },
  });
  const parts: string[] = [];
  const plan = writePlan(body, emit ?? ((line) => parts.push(line)));
  const text = parts.join('');
  return { plan, text, diagnostics: [...state.conversion.diagnostics, ...state.schema.errors, ...state.schema.warnings] };
}
