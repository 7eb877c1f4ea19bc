/**
 * `apply`: execute a saved plan and nothing else. Every guard runs before the first write:
 * the plan file is intact (schema + plan_id) and the one CI approved; it has no failed check; the
 * target is the cluster it was made for; the source is the etcd it was made from, locked, and
 * unchanged since; every target object is as the plan saw it. Then the engine runs it under the
 * exclusive lease with a journal and a reverse plan.
 */
import { applyPlan } from '../apply/executor.js';
import { assertLeaseFree } from '../apply/lease.js';
import type { ApplyResult } from '../apply/types.js';
import { MigrateError, isMigrateError } from '../errors.js';
import { displayName, objectAddress } from '../plan/address.js';
import { renderPlanHeading } from '../plan/render-text.js';
import type { Plan } from '../plan/types.js';
import type { SourcePort } from '../ports/source.js';
import type { TargetPort } from '../ports/target.js';
import { readPlanFile, type FilePlan } from '../util/plan-file-reader.js';
import type { Context } from './context.js';
import { setEtcdLock, readEtcdLock, readKubeLock } from './lock.js';
import { assertCanRead, readStampsOf, readTargetStamps } from './target.js';
import { sameContent } from '../apply/content.js';
import { LIVE_TARGET_FLAG } from '../checks/live-target.js';
import { writes } from '../plan/gates.js';
import { isVolatileKey, sourceDigest } from '../plan/source-digest.js';
import { assertUsableStateDir, ensureStateDir, journalPath, reversePlanPath, writeRecord } from './state-dir.js';
import { readRuns, recordRun } from './migration-runs.js';
import { RunRecorder } from './cluster-record.js';
import type { RunCommand, RunOutcome } from '../model/status-record.js';
import { unchangedSince } from './source-changes.js';
import type { LastApplyRecord } from './status.js';
import path from 'node:path';

export interface ApplyCommandOptions {
  planPath: string;
  stateDir: string;
  expectPlanId?: string;
  lock: boolean;
  autoApprove: boolean;
  resume?: string;
  /** Pre-copy: fill the locked target while the source still runs (no source lock, no staleness guard). */
  precopy?: boolean;
  /**
   * Guard only the objects the plan writes (read one by one), not the ones it leaves alone: for a
   * plan made seconds ago under the lock and verified right after (the cut-over's delta), whose
   * no-ops would otherwise cost a list of every kind inside the freeze.
   */
  guardWritesOnly?: boolean;
  parallelism: number;
  /** Write into a live (unlocked) target: after the point of no return only on purpose. */
  allowLiveTarget?: boolean;
  /** Test hook, see ApplyOptions.failAfter. */
  failAfter?: number;
}

/** The plan file, checked whole and kept on disk: its changes read their bodies back when used (util/plan-file-reader.ts). */
export function loadPlan(file: string): FilePlan {
  return readPlanFile(file, { hint: 'pass the path of a plan file written by `calico-migrate plan` (or a reverse plan written by apply)' });
}

/** Guards on the plan itself. */
export function checkPlanGuards(plan: Plan, file: string, expectPlanId?: string): void {
  if (expectPlanId && expectPlanId !== plan.plan_id) {
    throw new MigrateError('PLAN_INVALID', `plan file ${file} is ${plan.plan_id}, not the approved ${expectPlanId}`, {
      hint: 'apply the plan file that was approved, or approve this one',
    });
  }
  const failed = plan.checks.filter((c) => c.status === 'fail');
  if (failed.length) {
    throw new MigrateError('CHECK_FAILED', `plan ${file} has ${failed.length} failed check(s) (${failed.map((c) => c.id).join(', ')}); it cannot be applied`, {
      hint: 'fix what the checks report (see `calico-migrate show` on the plan), then plan again',
    });
  }
}

/** Whether the source guards apply to this plan (they cannot for a rollback or an export file). */
function sourceGuarded(plan: Plan, ctx: Context): boolean {
  if (plan.mode === 'reverse') return false; // A rollback restores the target; it must not depend on the source.
  if (plan.source.type !== 'etcdv3') {
    ctx.io.say('warn', `plan ${plan.plan_id} was made from a calicoctl export file; the source lock and staleness guards cannot be checked`);
    return false;
  }
  return true;
}

/**
 * The source is the etcd the plan read, locked, and unchanged since (only keys that matter).
 * Returns true when it is not locked yet and --lock asks apply to lock it: the caller does that
 * only once the apply is confirmed (a refused or declined apply writes nothing, the lock included).
 */
async function checkSource(plan: Plan, etcd: SourcePort, allowLock: boolean): Promise<boolean> {
  const header = await checkSourceCluster(plan, etcd);
  const lock = await readEtcdLock(etcd);
  if (!lock.locked && !allowLock) {
    throw new MigrateError('NOT_LOCKED', 'the source datastore is not locked; apply needs the migration freeze so nothing changes under it', {
      hint: 'run `calico-migrate lock` (new pods cannot start while locked), or pass --lock to lock it now',
    });
  }
  // Cheap paths: nothing at all was written to etcd since the Calico data's revision, or etcd
  // says (two filtered ranges and counts) that only volatile keys were.
  if (header.revision !== plan.source.revision && !(await unchangedSince(etcd, plan.source.revision))) {
    const now = await etcd.readSnapshot({ keysOnly: true });
    if (sourceDigest(now) !== plan.source.digest) {
      // A key written after the plan's revision has a larger mod_revision; a deleted one is gone.
      const nowKeys = new Set(now.kvs.map((k) => k.key));
      const read = new Set(plan.resource_changes.flatMap((c) => c.source_keys.map((s) => s.key)));
      const changed = [
        ...now.kvs.filter((k) => !isVolatileKey(k.key) && k.modRevision > (plan.source.revision ?? 0)).map((k) => `${k.key} (${read.has(k.key) ? 'modified' : 'added'})`),
        ...[...read].filter((k) => !nowKeys.has(k)).map((k) => `${k} (deleted)`),
      ].sort();
      throw new MigrateError(
        'STALE',
        `the source changed since the plan (revision ${plan.source.revision} → ${now.revision})${changed.length ? `: ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? `, … ${changed.length - 10} more` : ''}` : ''}`,
        {
          hint: 'make a new plan (with the source locked, nothing will change under it again)',
          details: { changed: changed.slice(0, 1000) },
        },
      );
    }
  }
  return !lock.locked;
}

async function checkSourceCluster(plan: Plan, etcd: SourcePort): Promise<Awaited<ReturnType<SourcePort['header']>>> {
  const header = await etcd.header();
  if (plan.source.cluster_id && header.clusterId !== plan.source.cluster_id) {
    throw new MigrateError('WRONG_CLUSTER', `the source etcd (cluster id ${header.clusterId}) is not the one the plan was made from (cluster id ${plan.source.cluster_id})`, {
      hint: 'point --etcd-endpoints at the etcd the plan read, or make a new plan',
    });
  }
  return header;
}

/**
 * apply --precopy: a plan of the running (unlocked) source, applied into a target its own first
 * step locks (datastoreReady=false), so nothing in the target acts on it. The source keeps
 * changing; the cut-over's delta plan picks that up, so there is no staleness guard here.
 */
async function checkPrecopy(plan: Plan, etcd: SourcePort | null, opts: ApplyCommandOptions): Promise<void> {
  if (plan.mode !== 'migrate' || !etcd) {
    throw new MigrateError('USAGE', `--precopy applies a migration plan made from a live etcd; ${opts.planPath} is ${plan.mode === 'reverse' ? 'a reverse plan' : 'made from an export file'}`, {
      hint: 'pre-copy with a plan from `calico-migrate plan` against the running etcd',
    });
  }
  if (opts.lock) throw new MigrateError('USAGE', '--precopy and --lock contradict each other: a pre-copy runs while the source is unlocked', { hint: 'drop --lock; the cut-over locks the source' });
  const lockStep = plan.resource_changes[0];
  const lockAfter = lockStep?.step === 'lock' ? lockStep.change.after : null;
  const locksTarget = lockStep?.step === 'lock' && (lockStep.change.action === 'no-op' || (lockAfter?.spec as { datastoreReady?: unknown } | undefined)?.datastoreReady === false);
  if (!locksTarget) {
    throw new MigrateError('USAGE', `plan ${plan.plan_id} does not lock the target ClusterInformation (datastoreReady=false) first; a pre-copy must never be visible to Calico in the target`, {
      hint: 'make the plan with `calico-migrate plan` (its first step locks the target)',
    });
  }
  await checkSourceCluster(plan, etcd);
  if ((await readEtcdLock(etcd)).locked) {
    throw new MigrateError('USAGE', 'the source is locked: this is the migration freeze, not a pre-copy', {
      hint: 'apply without --precopy (with a plan made while locked), or run `calico-migrate cutover`',
    });
  }
}

/** apply --lock: lock the source (after confirmation), then check again that it is the unchanged source the plan read. */
async function lockSource(plan: Plan, etcd: SourcePort, ctx: Context): Promise<void> {
  const lock = await setEtcdLock(etcd, true, ctx);
  ctx.io.say('info', `Locked the source datastore (${lock.lockedBy}).`);
  // Anything written between the first check and the lock shows up now; after it, nothing can change.
  await checkSource(plan, etcd, false);
}

/** Every object the plan writes or relies on is still as the plan saw it; nothing is written otherwise. */
async function checkTarget(plan: Plan, target: TargetPort, opts: ApplyCommandOptions): Promise<void> {
  await assertCanRead(target);
  const uid = await target.clusterUid();
  if (uid !== plan.target.cluster_uid) {
    throw new MigrateError(
      'WRONG_CLUSTER',
      `the target (${target.server}, cluster uid ${uid}) is not the cluster the plan was made for (${plan.target.server}, cluster uid ${plan.target.cluster_uid})`,
      {
        hint: 'check --kubeconfig/--context, or make a plan for this cluster',
      },
    );
  }
  await checkNotLive(plan, target, opts);
  if (opts.resume) return; // Objects an interrupted run wrote have moved on; the journal and per-write preconditions decide.
  const live = opts.guardWritesOnly
    ? await readStampsOf(
        target,
        plan.resource_changes.filter(writes).map((c) => ({ apiVersion: c.api_version, kind: c.kind, namespace: c.namespace, name: c.name })),
        opts.parallelism,
      )
    : await readTargetStamps(target, opts.parallelism);
  const stale: string[] = [];
  const reverse = plan.mode === 'reverse';
  for (const c of plan.resource_changes) {
    if (c.step === 'identity') continue; // Its precondition is the lock step's result.
    if (opts.guardWritesOnly && !writes(c)) continue;
    const obj = live.get(objectAddress(c));
    const action = c.change.action;
    if (action === 'extra') continue;
    if (c.kind === 'Node') {
      // Kubelets bump a Node's resourceVersion every few seconds; what must not have moved is
      // the Calico annotations the plan compared.
      // A Node that left the cluster took the migration's annotations with it: nothing to restore.
      if (!obj) {
        if (!reverse) stale.push(`${displayName(c)} no longer exists`);
      } else if (action !== 'no-op' && obj.nodeAnnotations !== JSON.stringify(c.change.before?.metadata.annotations ?? {})) {
        stale.push(`${displayName(c)}: Calico annotations changed`);
      }
      continue;
    }
    if (action === 'create') {
      // A reverse create undoes a forward delete that may never have landed (an interrupted
      // apply): the object still being exactly what it would restore is no drift.
      if (obj && !(reverse && (await stillAsPlanned(target, c)))) stale.push(`${displayName(c)} now exists`);
    } else if (!obj) {
      // A reverse delete with no uid undoes a create whose answer was never recorded: if the
      // object is absent, that create never landed and there is nothing to undo.
      if (!(reverse && action === 'delete' && !c.target.uid)) stale.push(`${displayName(c)} no longer exists`);
    } else if (c.target.resource_version && obj.resourceVersion !== c.target.resource_version) {
      stale.push(`${displayName(c)} changed (resourceVersion ${c.target.resource_version} → ${obj.resourceVersion})`);
    } else if (c.target.uid && obj.uid !== c.target.uid) {
      // Rollback deletes are guarded by the uid apply got back: a re-created object is not ours.
      stale.push(`${displayName(c)} was replaced by another object (uid ${c.target.uid} → ${obj.uid})`);
    }
  }
  if (stale.length) {
    throw new MigrateError('STALE', `${stale.length} target object(s) changed since the plan: ${stale.slice(0, 10).join('; ')}${stale.length > 10 ? '; …' : ''}`, {
      hint: reverse
        ? 'nothing was written; plan the rollback against the target as it is now, with a decision per drifted object: `calico-migrate rollback --against-target` (with --all for a reverse of several runs)'
        : 'make a new plan; nothing was written',
      details: { stale: stale.slice(0, 1000) },
    });
  }
}

/**
 * The point of no return, checked again at apply time (the target may have been unlocked since
 * the plan): a plan that writes anything into a live target is refused unless the operator says
 * so. A rollback is no exception: once Calico runs from the target, the reverse plan would
 * delete what it runs on.
 */
async function checkNotLive(plan: Plan, target: TargetPort, opts: ApplyCommandOptions): Promise<void> {
  if (opts.allowLiveTarget || plan.summary.create + plan.summary.update + plan.summary.delete === 0) return;
  const lock = await readKubeLock(target);
  if (!lock.exists || lock.locked) return;
  throw new MigrateError(
    'TARGET_LIVE',
    `the target ${target.server} is live: its ClusterInformation default is unlocked (datastoreReady ${lock.datastoreReady ?? 'absent'}), so Calico may run from it; nothing was written`,
    {
      hint: `if Calico must go back to etcd, lock the target first (\`calico-migrate lock --datastore kubernetes\`) and plan again; ${LIVE_TARGET_FLAG} writes into the live target anyway`,
    },
  );
}

/** A reverse create whose object exists: is it exactly what the create would restore (so the handler adopts it)? */
async function stillAsPlanned(target: TargetPort, c: Plan['resource_changes'][number]): Promise<boolean> {
  if (c.change.action !== 'create') return false;
  const live = await target.get({ apiVersion: c.api_version, kind: c.kind, namespace: c.namespace, name: c.name });
  return !!live && (await sameContent(target, live, c.change.after));
}

export interface ApplyOutcome {
  plan: Plan;
  precopy: boolean;
  result: ApplyResult;
  resumeCommand: string;
  rollbackCommand: string;
}

function runCommand(plan: Plan, opts: ApplyCommandOptions): RunCommand {
  if (plan.mode === 'reverse') return 'rollback';
  return opts.precopy ? 'pre-copy' : 'apply';
}

function runOutcome(result: ApplyResult): RunOutcome {
  if (result.status === 'complete') return 'complete';
  return result.interrupted ? 'interrupted' : 'partial';
}

export async function runApply(opts: ApplyCommandOptions, ctx: Context): Promise<ApplyOutcome> {
  assertUsableStateDir(opts.stateDir);
  const plan = loadPlan(opts.planPath);
  try {
    return await applyLoaded(plan, opts, ctx);
  } finally {
    plan.close();
  }
}

async function applyLoaded(plan: Plan, given: ApplyCommandOptions, ctx: Context): Promise<ApplyOutcome> {
  // A resumed pre-copy is still a pre-copy, whether or not --precopy is repeated.
  const resumed = given.resume ? readRuns(given.stateDir).find((r) => r.journal === path.resolve(given.resume ?? '')) : undefined;
  const opts: ApplyCommandOptions = { ...given, precopy: given.precopy || resumed?.kind === 'precopy' };
  checkPlanGuards(plan, opts.planPath, opts.expectPlanId);
  if (!opts.resume && !opts.autoApprove && !ctx.io.canConfirm()) {
    throw new MigrateError('ABORTED', 'apply needs confirmation and there is no terminal to ask on; nothing was written', {
      hint: 'review the plan (calico-migrate show PLAN) and pass --auto-approve',
    });
  }
  if (!opts.precopy && !plan.source.locked && plan.mode === 'migrate' && plan.source.type === 'etcdv3') {
    ctx.io.say('warn', 'this plan was made while the source was unlocked (a preview); it applies only if nothing changed since');
  }
  const target = await ctx.openTarget();
  await assertLeaseFree(target, ctx.now, ctx.holderGone);
  await checkTarget(plan, target, opts);
  const etcd = sourceGuarded(plan, ctx) ? await ctx.openSource() : null;
  if (opts.precopy) await checkPrecopy(plan, etcd, opts);
  const mustLock = etcd && !opts.precopy ? await checkSource(plan, etcd, opts.lock) : false;

  const count = plan.summary.create + plan.summary.update + plan.summary.delete;
  if (!opts.resume && !opts.autoApprove) {
    ctx.io.say('info', renderPlanHeading(plan));
    const verb = opts.precopy ? 'Pre-copy' : mustLock ? 'Lock the source datastore and apply' : 'Apply';
    const answer = await ctx.io.confirm(`${verb} ${count} change(s) of plan ${plan.plan_id} to ${target.server}?`);
    if (!answer) throw new MigrateError('ABORTED', 'apply cancelled; nothing was written', { hint: 'run apply again and answer yes to proceed' });
  }
  if (mustLock && etcd) await lockSource(plan, etcd, ctx);

  ensureStateDir(opts.stateDir);
  const journal = opts.resume ?? journalPath(opts.stateDir, plan.plan_id);
  const reversePath = opts.resume ? undefined : reversePlanPath(opts.stateDir, plan.plan_id);
  if (ctx.signal?.aborted) {
    const sig = ctx.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    throw new MigrateError(sig === 'SIGTERM' ? 'TERMINATED' : 'INTERRUPTED', `${sig} before the first write: nothing was written${mustLock ? ' (the source was locked)' : ''}`, {
      hint: `run the same apply again when ready${mustLock ? ', or unlock the source with `calico-migrate unlock --datastore etcd`' : ''}`,
    });
  }
  // Before the first write: a later delta plan must know what this run creates, even if it is killed.
  if (plan.mode === 'migrate') {
    recordRun(opts.stateDir, {
      kind: opts.precopy ? 'precopy' : 'apply',
      plan_id: plan.plan_id,
      plan_path: path.resolve(opts.planPath),
      journal: path.resolve(journal),
      reverse_path: path.resolve(reversePath ?? reversePlanPath(opts.stateDir, plan.plan_id)),
      source_revision: plan.source.revision,
      source_cluster_id: plan.source.cluster_id,
      target_cluster_uid: plan.target.cluster_uid,
      at: ctx.now().toISOString(),
    });
  }
  // In the target too, so `status` from any machine sees this run (best-effort: see cluster-record.ts).
  const recorder = await RunRecorder.start(target, ctx, opts.stateDir, {
    command: runCommand(plan, opts),
    plan_id: plan.plan_id,
    total: count,
    plan_path: opts.planPath,
    journal,
    reverse_path: reversePath ?? reversePlanPath(opts.stateDir, plan.plan_id),
    source_revision: plan.mode === 'migrate' ? plan.source.revision : null,
  });
  const result = await applyPlan(
    plan,
    { target, io: recorder.observe(ctx.io), lease: target, clock: ctx.now, monotonic: ctx.monotonic },
    {
      planPath: opts.planPath,
      journalPath: journal,
      reversePath,
      holder: `${ctx.who}/${plan.plan_id}`,
      resume: !!opts.resume,
      parallelism: opts.parallelism,
      toolVersion: ctx.toolVersion,
      failAfter: opts.failAfter,
      signal: ctx.signal,
      lease: { holderGone: ctx.holderGone },
    },
  ).catch(async (e: unknown) => {
    await recorder.finish({ outcome: 'failed', message: isMigrateError(e) ? e.message : (e as Error).message });
    throw e;
  });
  await recorder.finish({
    outcome: runOutcome(result),
    done: result.counts.done,
    total: result.counts.total,
    journal: path.resolve(result.journal_path),
    reverse_path: path.resolve(result.reverse_path),
    message: result.failed ? `${result.failed.address}: ${result.failed.message}` : null,
  });
  const record: LastApplyRecord = {
    plan_id: plan.plan_id,
    mode: plan.mode,
    plan_path: opts.planPath,
    journal: result.journal_path,
    reverse_path: result.reverse_path,
    status: result.status,
    at: ctx.now().toISOString(),
  };
  writeRecord(opts.stateDir, 'last-apply.json', record);
  return {
    plan,
    precopy: !!opts.precopy,
    result,
    resumeCommand: `calico-migrate apply ${opts.planPath} --resume ${result.journal_path}${opts.precopy ? ' --precopy' : ''} --auto-approve`,
    rollbackCommand: `calico-migrate apply ${result.reverse_path}`,
  };
}
