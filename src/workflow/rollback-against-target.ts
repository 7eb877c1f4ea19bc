/**
 * `rollback --against-target`: the reverse of what this tool wrote (one journal, or with --all
 * every recorded run), planned against the target as it is now (apply/rebase-reverse.ts). It reads
 * every object the reverse would touch, reports the drift it finds, and writes a reviewable reverse
 * plan once every drifted object has a decision (--restore / --skip patterns, --on-drift for the
 * rest). Undecided drift writes nothing (exit DRIFT). Applying the result goes through every guard
 * of `apply`, now against the uid and resourceVersion read here.
 */
import path from 'node:path';
import { sameContent } from '../apply/content.js';
import { describeDrift, liveState, restoreFromLive, type Drift, type DriftDecision } from '../apply/rebase-reverse.js';
import { compositeReverseBody, type RunReverse } from '../apply/reverse-composite.js';
import { MigrateError } from '../errors.js';
import { makeMatcher, type FilterTarget } from '../model/filters.js';
import type { KubeObject } from '../model/types.js';
import { displayName, objectAddress } from '../plan/address.js';
import { changedPaths } from '../plan/paths.js';
import { normalizeLive, normalizeLiveNode } from '../plan/normalize.js';
import { summarize } from '../plan/summary.js';
import type { PlanBody, ResourceChange } from '../plan/types.js';
import type { TargetPort } from '../ports/target.js';
import { mapLimit } from '../util/concurrency.js';
import type { Context } from './context.js';
import { describeRuns, loadJournalRun, loadRecordedRuns, writePlanFile, type CompositeRollbackReport } from './rollback.js';
import { shortId } from './state-dir.js';
import { assertCanRead } from './target.js';

export interface AgainstTargetOptions {
  stateDir: string;
  journal?: string;
  planPath?: string;
  /** Every run recorded in the state dir (`--all`), not one journal. */
  all: boolean;
  out?: string;
  /** Patterns (as --include) of drifted objects to restore, and to skip. */
  restore: readonly string[];
  skip: readonly string[];
  /** The decision for drifted objects no pattern names; none: they must all be named. */
  onDrift?: DriftDecision;
  parallelism: number;
}

export interface AgainstTargetReport {
  reverse_path: string;
  reverse_plan_id: string;
  runs: CompositeRollbackReport['runs'];
  /** Writes in the plan. */
  changes: number;
  /** Objects already as they were before the apply (nothing to write). */
  already_restored: number;
  drift: Drift[];
}

/** What reading one object found; the live object is kept only where a restore needs it. */
interface Read {
  change: ResourceChange;
  state: Awaited<ReturnType<typeof liveState>>;
  live: KubeObject | null;
}

export async function writeRollbackAgainstTarget(opts: AgainstTargetOptions, ctx: Pick<Context, 'toolVersion' | 'openTarget' | 'io' | 'now'>): Promise<AgainstTargetReport> {
  const decide = decider(opts);
  const loaded = opts.all ? recorded(opts.stateDir) : single(opts);
  try {
    const body = compositeReverseBody(loaded.reverses, ctx.toolVersion);
    const target = await ctx.openTarget();
    await assertCanRead(target);
    const uid = await target.clusterUid();
    if (uid !== body.target.cluster_uid) {
      throw new MigrateError(
        'WRONG_CLUSTER',
        `the target (${target.server}, cluster uid ${uid}) is not the cluster the apply wrote to (${body.target.server}, cluster uid ${body.target.cluster_uid})`,
        {
          hint: 'check --kubeconfig/--context',
        },
      );
    }
    const reads = await mapLimit(body.resource_changes, opts.parallelism, (c) => readOne(target, c));
    const drift: Drift[] = [];
    const drifted: ResourceChange[] = [];
    const changes: ResourceChange[] = [];
    let alreadyRestored = 0;
    for (const r of reads) {
      if (r.state.state === 'restored') {
        alreadyRestored++;
        continue;
      }
      if (r.state.state === 'as-left') {
        changes.push(r.change);
        continue;
      }
      const decision = decide(r.change);
      drifted.push(r.change);
      drift.push({ address: objectAddress(r.change), display: displayName(r.change), kind: r.state.kind, decision, paths: driftPaths(r.change, r.live) });
      const restored = decision === 'restore' ? restoreFromLive(r.change, r.live) : null;
      if (restored) changes.push(restored);
    }
    const undecided = drift.filter((d) => d.decision === null);
    if (undecided.length) {
      throw new MigrateError(
        'DRIFT',
        `${undecided.length} object(s) changed by others since the apply; decide for each before the rollback is planned (nothing was written):\n${undecided
          .slice(0, 20)
          .map((d) => `  ${describeDrift(d)}`)
          .join('\n')}${undecided.length > 20 ? `\n  … ${undecided.length - 20} more (see --json)` : ''}`,
        {
          hint: 'name them with --restore KIND/[NAMESPACE/]NAME (back to the pre-apply state, overwriting the change) or --skip (left as they are), or decide for all with --on-drift restore|skip',
          details: { drift: undecided },
        },
      );
    }
    warnUnused(opts, drifted, ctx);
    const out = opts.out ?? path.join(opts.stateDir, `reverse-now-${shortId(body.reverses ?? 'none')}.json`);
    const planned: PlanBody = {
      ...body,
      resource_changes: changes,
      summary: summarize(changes, []),
      warnings: [...body.warnings, ...driftWarnings(drift, alreadyRestored, ctx.now())],
    };
    const planId = writePlanFile(planned, out);
    return { reverse_path: out, reverse_plan_id: planId, runs: loaded.runs, changes: changes.length, already_restored: alreadyRestored, drift };
  } finally {
    loaded.close();
  }
}

function recorded(stateDir: string): { reverses: RunReverse[]; runs: CompositeRollbackReport['runs']; close(): void } {
  const l = loadRecordedRuns(stateDir);
  return { reverses: l.reverses, runs: describeRuns(l.runs), close: l.close };
}

function single(opts: AgainstTargetOptions): { reverses: RunReverse[]; runs: CompositeRollbackReport['runs']; close(): void } {
  const one = loadJournalRun(opts);
  return { reverses: [one.reverse], runs: [{ kind: 'apply', plan_id: one.plan.plan_id, journal: one.journal }], close: () => one.plan.close() };
}

async function readOne(target: TargetPort, change: ResourceChange): Promise<Read> {
  const live = await target.get({ apiVersion: change.api_version, kind: change.kind, namespace: change.namespace, name: change.name });
  const state = await liveState(change, live, (a, b) => sameContent(target, a, b));
  return { change, state, live: state.state === 'drift' ? live : null };
}

function driftPaths(change: ResourceChange, live: KubeObject | null): string[] {
  const left = change.change.before;
  if (!left || !live) return [];
  const now = live.apiVersion === 'v1' && live.kind === 'Node' ? normalizeLiveNode(live) : normalizeLive(live);
  return changedPaths(left, now);
}

function filterTargetOf(c: ResourceChange): FilterTarget {
  return { kind: c.kind, namespace: c.namespace, name: c.name };
}

function decider(opts: AgainstTargetOptions): (c: ResourceChange) => DriftDecision | null {
  const restore = makeMatcher(opts.restore, '--restore');
  const skip = makeMatcher(opts.skip, '--skip');
  return (c) => {
    const r = restore(filterTargetOf(c));
    const s = skip(filterTargetOf(c));
    if (r && s) {
      throw new MigrateError('USAGE', `${displayName(c)} matches both --restore and --skip`, { hint: 'name each drifted object in one of them only' });
    }
    return r ? 'restore' : s ? 'skip' : (opts.onDrift ?? null);
  };
}

function warnUnused(opts: AgainstTargetOptions, drifted: readonly ResourceChange[], ctx: Pick<Context, 'io'>): void {
  for (const [flag, patterns] of [
    ['--restore', opts.restore],
    ['--skip', opts.skip],
  ] as const) {
    for (const p of patterns) {
      const m = makeMatcher([p], flag);
      if (!drifted.some((c) => m(filterTargetOf(c)))) ctx.io.say('warn', `${flag} ${p} names no drifted object`);
    }
  }
}

function driftWarnings(drift: readonly Drift[], alreadyRestored: number, at: Date): string[] {
  const head = `Planned against the target as it was at ${at.toISOString()}: ${alreadyRestored} object(s) were already as before the apply, ${drift.length} had drifted since it.`;
  const listed = drift.slice(0, 100).map((d) => `Drift, ${d.decision === 'restore' ? 'restored' : 'skipped (left as it is)'}: ${describeDrift(d)}`);
  return [head, ...listed, ...(drift.length > 100 ? [`… ${drift.length - 100} more drifted object(s)`] : [])];
}
