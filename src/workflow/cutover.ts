/**
 * `cutover`: the migration freeze as one guarded step, after a pre-copy. First a catch-up round
 * while the source still runs (plan the delta since the pre-copy against a full read of both
 * sides, gate it, apply it as a pre-copy), so what the cluster changed since the pre-copy is
 * written before the freeze. Then lock the source, plan what changed in the seconds since the
 * catch-up (cutover-delta.ts: asked of etcd by revision, only those objects read from the target),
 * stop before any write when a check fails or the delta breaks a `--fail-on` policy, apply it,
 * read back everything written since the full read (cutover-verify.ts), and report the freeze
 * window measured from the lock to that passing verify. Both plan files go to the state dir.
 *
 * A source already locked (a cut-over that stopped) gets no catch-up: the delta is planned under
 * the lock from a full read of both sides, and verified by a full `verify`.
 *
 * A stop after the lock leaves the source locked on purpose: the delta plan it wrote is only
 * valid while nothing changes, so it can be approved and applied as it is (`apply DELTA
 * --expect-plan-id`), or the freeze ended with `unlock --datastore etcd`. Both are printed.
 */
import path from 'node:path';
import { MigrateError } from '../errors.js';
import type { ConversionSettings } from '../model/types.js';
import { evaluateGates } from '../plan/gates.js';
import type { Plan } from '../plan/types.js';
import type { ApplyResult } from '../apply/types.js';
import type { Context } from './context.js';
import { runApply } from './apply.js';
import { readEtcdLock, setEtcdLock } from './lock.js';
import { ownedObjects, precopies, runsFor, type MigrationRun } from './migration-runs.js';
import { planLockedDelta, type DeltaBase } from './cutover-delta.js';
import { verifyWritten } from './cutover-verify.js';
import type { DesiredState } from './desired-state.js';
import { writes } from '../plan/gates.js';
import { writePlan } from '../plan/plan-file.js';
import type { ObjectRef } from '../ports/target.js';
import { makePlan } from './plan.js';
import { openPlanOutput, savePlan } from './plan-output.js';
import { ensureStateDir, shortId, writeRecord } from './state-dir.js';
import { verifyMigration, type VerifyResult } from './verify.js';
import { RunRecorder } from './cluster-record.js';

export interface CutoverOptions {
  conversion: ConversionSettings;
  stateDir: string;
  /** Where the delta plan goes; default `<state-dir>/delta-<time>.plan.json`. */
  out?: string;
  failOn: readonly string[];
  autoApprove: boolean;
  planParallelism: number;
  applyParallelism: number;
  /** --accept-invalid patterns, as for plan. */
  acceptInvalid?: string[];
}

export type CutoverStop = 'checks-failed' | 'gate-refused' | 'apply-stopped' | 'verify-failed';

export interface CutoverReport {
  /** Null when no pre-copy was recorded for this target (a cold cut-over). */
  precopy: { plan_id: string; source_revision: number | null } | null;
  /** The round before the lock: its plan, its writes, and its apply (null when it had none to make, or stopped before). */
  catch_up: { path: string; plan_id: string; writes: number; seconds: number; apply: Pick<ApplyResult, 'status' | 'counts' | 'journal_path' | 'reverse_path' | 'seconds'> | null } | null;
  /** Null when the cut-over stopped before the lock. */
  delta_plan: { path: string; plan_id: string; create: number; update: number; delete: number; extra: number } | null;
  /** How the delta under the lock was found: the source `unchanged` since the catch-up, or `read again`; objects compared with the target. */
  delta: { source: 'unchanged' | 'read again'; touched: number } | null;
  stopped: CutoverStop | null;
  reasons: string[];
  apply: Pick<ApplyResult, 'status' | 'counts' | 'journal_path' | 'reverse_path' | 'seconds'> | null;
  verify: (Pick<VerifyResult, 'ok' | 'compared'> & { differences: number }) | null;
  /** From the source lock to the end of the passing verify (or to the stop); 0 when stopped before the lock. */
  freeze_seconds: number;
  phases: { plan: number; apply: number; verify: number };
  next: string[];
}

export async function runCutover(opts: CutoverOptions, ctx: Context): Promise<CutoverReport> {
  const source = await ctx.openSource();
  const target = await ctx.openTarget();
  if (source.origin !== 'etcd') throw new MigrateError('USAGE', 'cutover locks a live etcd source; an export file cannot be locked', { hint: 'pass --etcd-endpoints' });
  const scope = { target: { clusterUid: await target.clusterUid() }, source: { clusterId: (await source.header()).clusterId } };
  const newest = precopies(runsFor(opts.stateDir, scope.target, scope.source)).pop() ?? null;
  if (!newest) ctx.io.say('warn', 'no pre-copy is recorded for this target in the state directory: the catch-up round copies everything before the lock');
  if (!opts.autoApprove) {
    if (!ctx.io.canConfirm()) {
      throw new MigrateError('ABORTED', 'cutover locks the source (no new pod can start until it ends) and needs confirmation; there is no terminal to ask on. Nothing was written', {
        hint: 'pass --auto-approve',
      });
    }
    const ok = await ctx.io.confirm(`Catch up, then lock the source datastore (new pods cannot start until the cut-over ends) and apply the delta to ${target.server}?`);
    if (!ok) throw new MigrateError('ABORTED', 'cutover cancelled; nothing was written', { hint: 'run it again and answer yes' });
  }
  // The cut-over as one run in the target's record (its applies and verify are recorded as their own runs too).
  const recorder = await RunRecorder.start(target, ctx, opts.stateDir, { command: 'cutover', plan_id: null, source_revision: newest?.source_revision ?? null });
  const report = await cutoverRounds(opts, ctx, newest, scope).catch(async (e: unknown) => {
    await recorder.finish({ outcome: 'failed', message: (e as Error).message });
    throw e;
  });
  await recorder.finish({
    outcome: report.stopped ? 'partial' : 'complete',
    plan_id: report.delta_plan?.plan_id ?? null,
    done: report.apply?.counts.done ?? null,
    total: report.apply?.counts.total ?? null,
    journal: report.apply?.journal_path ?? null,
    reverse_path: report.apply?.reverse_path ?? null,
    verify: report.verify,
    message: report.stopped ? `stopped: ${report.stopped}${report.reasons.length ? ` (${report.reasons[0]})` : ''}` : null,
  });
  return report;
}

async function cutoverRounds(opts: CutoverOptions, ctx: Context, newest: MigrationRun | null, scope: { target: { clusterUid: string }; source: { clusterId: string | null } }): Promise<CutoverReport> {
  const source = await ctx.openSource();
  if ((await readEtcdLock(source)).locked) {
    ctx.io.say('warn', 'the source is already locked: no catch-up round is possible; the delta is planned under the lock from a full read of both sides');
    const t0 = ctx.monotonic();
    return stillLocked(underLock(opts, ctx, newest, t0), ctx);
  }

  const round = await catchUp(opts, ctx, newest);
  if ('stopped' in round) return round;
  const owned = ownedObjects(runsFor(opts.stateDir, scope.target, scope.source));
  const pre = precopies(runsFor(opts.stateDir, scope.target, scope.source));

  const t0 = ctx.monotonic();
  const lock = await setEtcdLock(source, true, ctx);
  ctx.io.say('info', `${lock.changed ? 'Locked' : 'Already locked'} the source datastore: the freeze starts now.`);
  const base: DeltaBase = {
    state: round.state,
    owned,
    precopy: { plan_ids: pre.map((r) => r.plan_id), source_revision: newest?.source_revision ?? round.state.source.revision, owned: owned.size },
  };
  return stillLocked(deltaUnderLock(opts, ctx, { ...round, base }, newest, t0), ctx);
}

/** A stop or an error after the lock leaves the source locked on purpose; say so and how to go on. */
async function stillLocked(p: Promise<CutoverReport>, ctx: Context): Promise<CutoverReport> {
  try {
    return await p;
  } catch (e) {
    ctx.io.say('warn', 'the source stays locked (no new pods): fix what is reported and run `calico-migrate cutover` again, or end the freeze with `calico-migrate unlock --datastore etcd`');
    throw e;
  }
}

interface CatchUp {
  plan_id: string;
  path: string;
  /** What the delta under the lock starts from, trimmed to what it reads (see trimmed). */
  state: DesiredState;
  /** The objects the catch-up wrote: the verify reads them back. */
  written: Map<string, ObjectRef>;
  writes: number;
  seconds: number;
  apply: NonNullable<CutoverReport['catch_up']>['apply'];
}

/**
 * The catch-up's state without what the delta does not read again: its changes and dry-run
 * answers, and of the target's objects all but the tiers and pools the checks look at. At
 * 100,000 objects that is most of the memory held while the catch-up applies.
 */
function trimmed(state: DesiredState): DesiredState {
  const live = state.target.live.filter((o) => o.kind === 'Tier' || o.kind === 'IPPool');
  return { ...state, changes: [], dryRun: null, selected: [], target: { ...state.target, live, index: new Map(), ipam: [] } };
}

function writtenBy(plan: Plan): Map<string, ObjectRef> {
  const out = new Map<string, ObjectRef>();
  for (const c of plan.resource_changes) if (c.step === null && writes(c)) out.set(c.address, { apiVersion: c.api_version, kind: c.kind, namespace: c.namespace, name: c.name });
  return out;
}

const stamp = (ctx: Pick<Context, 'now'>) => ctx.now().toISOString().replace(/[:.]/g, '-');

function emptyReport(precopy: MigrationRun | null): CutoverReport {
  return {
    precopy: precopy && { plan_id: precopy.plan_id, source_revision: precopy.source_revision },
    catch_up: null,
    delta_plan: null,
    delta: null,
    stopped: null,
    reasons: [],
    apply: null,
    verify: null,
    freeze_seconds: 0,
    phases: { plan: 0, apply: 0, verify: 0 },
    next: [],
  };
}

/**
 * The catch-up round, before the lock: plan against a full read of both sides, gate, apply as a
 * pre-copy. A stop here leaves the source running and nothing written past what is reported.
 */
async function catchUp(opts: CutoverOptions, ctx: Context, newest: MigrationRun | null): Promise<CatchUp | CutoverReport> {
  const t0 = ctx.monotonic();
  ensureStateDir(opts.stateDir);
  const out = path.join(opts.stateDir, `catchup-${stamp(ctx)}.plan.json`);
  const output = openPlanOutput(out);
  let made: Awaited<ReturnType<typeof makePlan>> | null = null;
  try {
    made = await makePlan(
      {
        conversion: opts.conversion,
        include: [],
        exclude: [],
        prune: false,
        serverDryRun: true,
        parallelism: opts.planParallelism,
        stateDir: opts.stateDir,
        keepState: true,
        acceptInvalid: opts.acceptInvalid,
      },
      ctx,
      (line) => output.write(line),
    );
    savePlan({ plan: made.plan, output, stateDir: opts.stateDir }, ctx);
  } finally {
    output.abort();
  }
  const { planId, total, writeCount, kept, refused } = judgeCatchUp(made, opts.failOn, out);
  made = null; // The plan's changes are on disk; the apply reads them from there.
  ctx.io.say('info', `Catch-up plan ${shortId(planId)}: ${writeCount} write(s) while the source runs`);
  const report = emptyReport(newest);
  report.catch_up = { path: out, plan_id: planId, writes: writeCount, seconds: 0, apply: null };
  const stop = (why: CutoverStop, reasons: string[], next: string[]): CutoverReport => {
    report.stopped = why;
    report.reasons = reasons;
    report.catch_up!.seconds = (ctx.monotonic() - t0) / 1000;
    report.next = [...next, 'the source was not locked: nothing stopped the cluster'];
    return report;
  };
  if (refused) return stop(refused.why, refused.reasons, refused.next);
  if (writeCount) {
    // A plan made seconds ago: per-object GETs when it writes few of many objects, else one list.
    const applied = await runApply(
      {
        planPath: out,
        stateDir: opts.stateDir,
        expectPlanId: planId,
        lock: false,
        autoApprove: true,
        precopy: true,
        parallelism: opts.applyParallelism,
        guardWritesOnly: writeCount * 10 < total,
      },
      ctx,
    );
    const r = applied.result;
    report.catch_up.apply = { status: r.status, counts: r.counts, journal_path: r.journal_path, reverse_path: r.reverse_path, seconds: r.seconds };
    if (r.status !== 'complete') return stop('apply-stopped', [r.failed ? `${r.failed.address}: ${r.failed.message}` : `apply ${r.status}`], [applied.resumeCommand]);
  }
  return { plan_id: planId, path: out, ...kept, writes: writeCount, seconds: (ctx.monotonic() - t0) / 1000, apply: report.catch_up.apply };
}

/** What the catch-up round keeps of its plan (not the plan: it is on disk, and large), and why it must stop, if it must. */
function judgeCatchUp(made: Awaited<ReturnType<typeof makePlan>>, failOn: readonly string[], out: string) {
  const { plan } = made;
  if (!made.state) throw new Error('makePlan did not keep the desired state');
  const why = refusal(plan, failOn);
  const next = {
    'checks-failed': ['fix what the checks report, then run `calico-migrate cutover` again'],
    'gate-refused': [`calico-migrate apply ${out} --precopy --expect-plan-id ${plan.plan_id}   # once approved, then cutover again`],
  };
  const refused = why && { ...why, next: next[why.why] };
  return {
    planId: plan.plan_id,
    total: plan.resource_changes.length,
    writeCount: plan.resource_changes.filter(writes).length,
    kept: { state: trimmed(made.state), written: writtenBy(plan) },
    refused,
  };
}

/** Under the lock, after a catch-up: the delta since it, gates, apply, the read-back verify. */
async function deltaUnderLock(opts: CutoverOptions, ctx: Context, round: CatchUp & { base: DeltaBase }, newest: MigrationRun | null, t0: number): Promise<CutoverReport> {
  const elapsed = () => (ctx.monotonic() - t0) / 1000;
  const source = await ctx.openSource();
  const target = await ctx.openTarget();
  const out = opts.out ?? path.join(opts.stateDir, `delta-${stamp(ctx)}.plan.json`);
  const delta = await planLockedDelta(round.base, { conversion: opts.conversion, parallelism: opts.planParallelism, acceptInvalid: opts.acceptInvalid }, { source, target }, ctx);
  const output = openPlanOutput(out);
  let plan: Plan;
  try {
    plan = writePlan(delta.body, (line) => output.write(line));
    savePlan({ plan, output, stateDir: opts.stateDir }, ctx);
  } finally {
    output.abort();
  }
  const tPlan = elapsed();
  const report = emptyReport(newest);
  report.catch_up = { path: round.path, plan_id: round.plan_id, writes: round.writes, seconds: round.seconds, apply: round.apply };
  report.delta_plan = { path: out, plan_id: plan.plan_id, create: plan.summary.create, update: plan.summary.update, delete: plan.summary.delete, extra: plan.summary.extra };
  report.delta = { source: delta.source, touched: delta.touched };
  report.phases.plan = tPlan;
  const stop = stopUnderLock(report, out, plan.plan_id, elapsed);
  const refused = refusedUnderLock(plan, opts.failOn, stop);
  if (refused) return refused;

  const deltaWrites = plan.resource_changes.filter(writes);
  if (deltaWrites.length) {
    const applied = await runApply(
      { planPath: out, stateDir: opts.stateDir, expectPlanId: plan.plan_id, lock: false, autoApprove: true, parallelism: opts.applyParallelism, guardWritesOnly: true },
      ctx,
    );
    const r = applied.result;
    report.apply = { status: r.status, counts: r.counts, journal_path: r.journal_path, reverse_path: r.reverse_path, seconds: r.seconds };
    if (r.status !== 'complete') {
      return stop(
        'apply-stopped',
        [r.failed ? `${r.failed.address}: ${r.failed.message}` : `apply ${r.status}`],
        [applied.resumeCommand, 'calico-migrate rollback --all   # back to the target as it was before the pre-copy'],
      );
    }
  }
  const tApply = elapsed();
  report.phases.apply = tApply - tPlan;

  const written = new Map([...round.written, ...writtenBy(plan)]);
  const v = await verifyWritten(
    { desired: delta.desired, conversion: delta.conversion, written, sourceRevision: delta.sourceRevision, owned: round.base.owned, parallelism: opts.planParallelism },
    { source, target },
    ctx,
  );
  writeRecord(opts.stateDir, 'verified.json', {
    at: ctx.now().toISOString(),
    ok: v.ok,
    source_digest: plan.source.digest,
    target_cluster_uid: plan.target.cluster_uid,
    differences: v.differences.length,
    scope: `cut-over: ${v.compared} object(s) written since the catch-up's full read, read back`,
  });
  report.verify = { ok: v.ok, compared: v.compared, differences: v.differences.length };
  report.phases.verify = elapsed() - tApply;
  if (!v.ok) {
    return stop(
      'verify-failed',
      v.differences.slice(0, 10).map((d) => `${d.object}: ${d.kind}${d.paths.length ? ` (${d.paths.slice(0, 3).join(', ')})` : ''}`),
      ['calico-migrate verify   # every difference', 'calico-migrate cutover   # again: the source is still locked, the next delta is what differs'],
    );
  }
  report.freeze_seconds = elapsed();
  report.next = ['roll calico-node and kube-controllers to the Kubernetes datastore', 'calico-migrate unlock --datastore kubernetes   # runs the full verify, then the point of no return'];
  ctx.io.say('info', `Delta ${shortId(plan.plan_id)} applied and verified; freeze window so far ${report.freeze_seconds.toFixed(1)} s.`);
  return report;
}

async function underLock(opts: CutoverOptions, ctx: Context, newest: MigrationRun | null, t0: number): Promise<CutoverReport> {
  const elapsed = () => (ctx.monotonic() - t0) / 1000;
  ensureStateDir(opts.stateDir);
  const out = opts.out ?? path.join(opts.stateDir, `delta-${stamp(ctx)}.plan.json`);

  const output = openPlanOutput(out);
  let plan: Plan;
  try {
    plan = (
      await makePlan(
        { conversion: opts.conversion, include: [], exclude: [], prune: false, serverDryRun: true, parallelism: opts.planParallelism, stateDir: opts.stateDir, acceptInvalid: opts.acceptInvalid },
        ctx,
        (line) => output.write(line),
      )
    ).plan;
    savePlan({ plan, output, stateDir: opts.stateDir }, ctx);
  } finally {
    output.abort();
  }
  const tPlan = elapsed();
  const report = emptyReport(newest);
  report.delta_plan = { path: out, plan_id: plan.plan_id, create: plan.summary.create, update: plan.summary.update, delete: plan.summary.delete, extra: plan.summary.extra };
  report.phases.plan = tPlan;
  const stop = stopUnderLock(report, out, plan.plan_id, elapsed);
  const refused = refusedUnderLock(plan, opts.failOn, stop);
  if (refused) return refused;

  const applied = await runApply(
    { planPath: out, stateDir: opts.stateDir, expectPlanId: plan.plan_id, lock: false, autoApprove: true, parallelism: opts.applyParallelism, guardWritesOnly: true },
    ctx,
  );
  const r = applied.result;
  report.apply = { status: r.status, counts: r.counts, journal_path: r.journal_path, reverse_path: r.reverse_path, seconds: r.seconds };
  const tApply = elapsed();
  report.phases.apply = tApply - tPlan;
  if (r.status !== 'complete') {
    const s = stop('apply-stopped', [r.failed ? `${r.failed.address}: ${r.failed.message}` : `apply ${r.status}`]);
    s.next = [applied.resumeCommand, `calico-migrate rollback --all   # back to the target as it was before the pre-copy`];
    return s;
  }

  const v = await verifyMigration({ conversion: opts.conversion, parallelism: opts.planParallelism, stateDir: opts.stateDir }, ctx);
  report.verify = { ok: v.ok, compared: v.compared, differences: v.differences.length };
  report.phases.verify = elapsed() - tApply;
  if (!v.ok) {
    const s = stop(
      'verify-failed',
      v.differences.slice(0, 10).map((d) => `${d.object}: ${d.kind}${d.paths.length ? ` (${d.paths.slice(0, 3).join(', ')})` : ''}`),
    );
    s.next = ['calico-migrate verify   # every difference', 'calico-migrate cutover   # again: the source is still locked, the next delta is what differs'];
    return s;
  }
  report.freeze_seconds = elapsed();
  report.next = ['roll calico-node and kube-controllers to the Kubernetes datastore', 'calico-migrate unlock --datastore kubernetes   # the point of no return'];
  ctx.io.say('info', `Delta ${shortId(plan.plan_id)} applied and verified; freeze window so far ${report.freeze_seconds.toFixed(1)} s.`);
  return report;
}

type Stop = (why: CutoverStop, reasons: string[], next?: string[]) => CutoverReport;

/** A stop under the lock leaves the source locked: the delta can be approved and applied as it is, or the freeze ended. */
function stopUnderLock(report: CutoverReport, out: string, planId: string, elapsed: () => number): Stop {
  return (why, reasons, next) => {
    report.stopped = why;
    report.reasons = reasons;
    report.freeze_seconds = elapsed();
    report.next = next ?? [`calico-migrate apply ${out} --expect-plan-id ${planId}   # once approved`, 'calico-migrate unlock --datastore etcd   # or end the freeze without migrating'];
    return report;
  };
}

/** Why a plan must not be applied: a failed check, or a --fail-on gate it matches. */
function refusal(plan: Plan, failOn: readonly string[]): { why: 'checks-failed' | 'gate-refused'; reasons: string[] } | null {
  const failed = plan.checks.filter((c) => c.status === 'fail');
  if (failed.length) return { why: 'checks-failed', reasons: failed.map((c) => `${c.id}: ${c.message}`) };
  const gates = evaluateGates(plan, failOn);
  return gates.length ? { why: 'gate-refused', reasons: gates } : null;
}

/** The checks and the --fail-on gates, before any write under the lock. */
function refusedUnderLock(plan: Plan, failOn: readonly string[], stop: Stop): CutoverReport | null {
  const r = refusal(plan, failOn);
  return r && stop(r.why, r.reasons);
}
