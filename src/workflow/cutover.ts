/**
 * `cutover`: the migration freeze as one guarded step, after a pre-copy. Lock the source, plan
 * the delta since the pre-copy (writing the plan file next to the others), stop before any write
 * when a check fails or the delta breaks a `--fail-on` policy, apply it, verify, and report the
 * freeze window measured from the lock to the passing verify.
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
import { setEtcdLock } from './lock.js';
import { precopies, runsFor, type MigrationRun } from './migration-runs.js';
import { makePlan } from './plan.js';
import { openPlanOutput, savePlan } from './plan-output.js';
import { ensureStateDir, shortId } from './state-dir.js';
import { verifyMigration, type VerifyResult } from './verify.js';

export interface CutoverOptions {
  conversion: ConversionSettings;
  stateDir: string;
  /** Where the delta plan goes; default `<state-dir>/delta-<time>.plan.json`. */
  out?: string;
  failOn: readonly string[];
  autoApprove: boolean;
  planParallelism: number;
  applyParallelism: number;
}

export type CutoverStop = 'checks-failed' | 'gate-refused' | 'apply-stopped' | 'verify-failed';

export interface CutoverReport {
  /** Null when no pre-copy was recorded for this target (a cold cut-over). */
  precopy: { plan_id: string; source_revision: number | null } | null;
  delta_plan: { path: string; plan_id: string; create: number; update: number; delete: number; extra: number };
  stopped: CutoverStop | null;
  reasons: string[];
  apply: Pick<ApplyResult, 'status' | 'counts' | 'journal_path' | 'reverse_path' | 'seconds'> | null;
  verify: (Pick<VerifyResult, 'ok' | 'compared'> & { differences: number }) | null;
  /** From the source lock to the end of the passing verify (or to the stop). */
  freeze_seconds: number;
  phases: { plan: number; apply: number; verify: number };
  next: string[];
}

export async function runCutover(opts: CutoverOptions, ctx: Context): Promise<CutoverReport> {
  const source = await ctx.openSource();
  const target = await ctx.openTarget();
  if (source.origin !== 'etcd') throw new MigrateError('USAGE', 'cutover locks a live etcd source; an export file cannot be locked', { hint: 'pass --etcd-endpoints' });
  const newest = precopies(runsFor(opts.stateDir, { clusterUid: await target.clusterUid() }, { clusterId: (await source.header()).clusterId })).pop() ?? null;
  if (!newest) ctx.io.say('warn', 'no pre-copy is recorded for this target in the state directory: this is a cold cut-over, and the freeze lasts a whole plan and apply');
  if (!opts.autoApprove) {
    if (!ctx.io.canConfirm()) {
      throw new MigrateError('ABORTED', 'cutover locks the source (no new pod can start until it ends) and needs confirmation; there is no terminal to ask on. Nothing was written', {
        hint: 'pass --auto-approve',
      });
    }
    const ok = await ctx.io.confirm(`Lock the source datastore (new pods cannot start until the cut-over ends) and apply the delta to ${target.server}?`);
    if (!ok) throw new MigrateError('ABORTED', 'cutover cancelled; nothing was written', { hint: 'run it again and answer yes' });
  }

  const t0 = ctx.monotonic();
  const lock = await setEtcdLock(source, true, ctx);
  ctx.io.say('info', `${lock.changed ? 'Locked' : 'Already locked'} the source datastore: the freeze starts now.`);
  try {
    return await underLock(opts, ctx, newest, t0);
  } catch (e) {
    ctx.io.say('warn', 'the source stays locked (no new pods): fix what is reported and run `calico-migrate cutover` again, or end the freeze with `calico-migrate unlock --datastore etcd`');
    throw e;
  }
}

async function underLock(opts: CutoverOptions, ctx: Context, newest: MigrationRun | null, t0: number): Promise<CutoverReport> {
  const elapsed = () => (ctx.monotonic() - t0) / 1000;
  ensureStateDir(opts.stateDir);
  const out = opts.out ?? path.join(opts.stateDir, `delta-${ctx.now().toISOString().replace(/[:.]/g, '-')}.plan.json`);

  const output = openPlanOutput(out);
  let plan: Plan;
  try {
    plan = (
      await makePlan({ conversion: opts.conversion, include: [], exclude: [], prune: false, serverDryRun: true, parallelism: opts.planParallelism, stateDir: opts.stateDir }, ctx, (line) =>
        output.write(line),
      )
    ).plan;
    savePlan({ plan, output, stateDir: opts.stateDir }, ctx);
  } finally {
    output.abort();
  }
  const tPlan = elapsed();
  const report: CutoverReport = {
    precopy: newest && { plan_id: newest.plan_id, source_revision: newest.source_revision },
    delta_plan: { path: out, plan_id: plan.plan_id, create: plan.summary.create, update: plan.summary.update, delete: plan.summary.delete, extra: plan.summary.extra },
    stopped: null,
    reasons: [],
    apply: null,
    verify: null,
    freeze_seconds: 0,
    phases: { plan: tPlan, apply: 0, verify: 0 },
    next: [],
  };
  const stop = (why: CutoverStop, reasons: string[]): CutoverReport => {
    report.stopped = why;
    report.reasons = reasons;
    report.freeze_seconds = elapsed();
    report.next = [`calico-migrate apply ${out} --expect-plan-id ${plan.plan_id}   # once approved`, 'calico-migrate unlock --datastore etcd   # or end the freeze without migrating'];
    return report;
  };

  const failed = plan.checks.filter((c) => c.status === 'fail');
  if (failed.length)
    return stop(
      'checks-failed',
      failed.map((c) => `${c.id}: ${c.message}`),
    );
  const gates = evaluateGates(plan, opts.failOn);
  if (gates.length) return stop('gate-refused', gates);

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
