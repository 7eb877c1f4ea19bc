/**
 * `status`: where the migration stands, from both datastores' locks, the apply lease, and the
 * records apply/verify/unlock leave in the state directory. Each part is best-effort: a side that
 * is not configured or not reachable is reported as such instead of failing the whole command.
 */
import { readLease, type LeaseInfo } from '../apply/lease.js';
import { readJournal } from '../apply/journal.js';
import { journalState } from '../apply/resume.js';
import { isMigrateError } from '../errors.js';
import type { Context } from './context.js';
import { readEtcdLock, readKubeLock, type LockState } from './lock.js';
import { precopies, readRuns } from './migration-runs.js';
import { latestJournal, readRecord, type LastPlanRecord, type VerifiedRecord } from './state-dir.js';
import { existsSync } from 'node:fs';

export type Phase = 'not started' | 'planned' | 'applying' | 'partial' | 'pre-copied' | 'applied' | 'rolled back' | 'verified' | 'unlocked';

export interface LastApplyRecord {
  plan_id: string;
  mode: 'migrate' | 'reverse';
  plan_path: string;
  journal: string;
  reverse_path: string;
  status: 'complete' | 'partial';
  at: string;
}

export interface StatusReport {
  phase: Phase;
  source: LockState | { error: string };
  target: LockState | { error: string };
  /** How the target is reached: context, user, where the kubeconfig came from (files, in-cluster), proxy; null when it could not be opened. */
  target_connection: string | null;
  /** The target ClusterInformation exists and is unlocked: past the point of no return, plan and apply refuse to write to it (checks/live-target.ts). */
  target_live: boolean;
  lease: (Omit<LeaseInfo, 'expiresAt'> & { expiresAt: string | null }) | null | { error: string };
  journal: { path: string; plan_id: string; started_at: string; done: number; failed: number; open: number; ended: string | null } | null;
  last_plan: LastPlanRecord | null;
  last_apply: LastApplyRecord | null;
  verified: VerifiedRecord | null;
  /** The newest pre-copy recorded in the state directory. */
  precopy: { plan_id: string; source_revision: number | null; at: string } | null;
  /** The reverse plans of the recorded runs that exist on disk, newest first: roll back in this order. */
  reverse_plans: string[];
}

const errorOf = (e: unknown) => ({ error: isMigrateError(e) ? e.message : (e as Error).message });

export async function migrationStatus(opts: { stateDir: string }, ctx: Context): Promise<StatusReport> {
  const dir = opts.stateDir;
  let source: StatusReport['source'];
  try {
    source = await readEtcdLock(await ctx.openSource());
  } catch (e) {
    source = errorOf(e);
  }

  let target: StatusReport['target'];
  let lease: StatusReport['lease'] = null;
  let targetConnection: string | null = null;
  try {
    const kube = await ctx.openTarget();
    targetConnection = kube.connection ?? null;
    target = await readKubeLock(kube);
    const l = await readLease(kube, ctx.now);
    lease = l ? { ...l, expiresAt: l.expiresAt?.toISOString() ?? null } : null;
  } catch (e) {
    target = errorOf(e);
    lease = errorOf(e);
  }

  let journal: StatusReport['journal'] = null;
  const jp = latestJournal(dir);
  if (jp) {
    try {
      const contents = readJournal(jp);
      const st = journalState(contents);
      const states = [...st.byAddress.values()];
      const end = [...contents.entries].reverse().find((e) => e.type === 'end');
      journal = {
        path: jp,
        plan_id: contents.header.plan_id,
        started_at: contents.header.started_at,
        done: states.filter((s) => s.status === 'ok').length,
        failed: states.filter((s) => s.status === 'error').length,
        open: states.filter((s) => s.status === 'open').length,
        ended: end && end.type === 'end' ? `${end.status} at ${end.at}` : null,
      };
    } catch (e) {
      ctx.io.say('warn', `cannot read journal ${jp}: ${(e as Error).message}`);
    }
  }
  const lastPlan = readRecord<LastPlanRecord>(dir, 'last-plan.json');
  const lastApply = readRecord<LastApplyRecord>(dir, 'last-apply.json');
  const verified = readRecord<VerifiedRecord>(dir, 'verified.json');
  const runs = readRuns(dir);
  const newest = precopies(runs).pop();
  const precopy = newest ? { plan_id: newest.plan_id, source_revision: newest.source_revision, at: newest.at } : null;
  const reversePlans = runs
    .map((r) => r.reverse_path)
    .filter((p) => existsSync(p))
    .reverse();
  return {
    phase: phaseOf({ source, target, lease, journal, lastPlan, lastApply, verified, precopy }),
    source,
    target,
    target_connection: targetConnection,
    target_live: isLock(target) && target.exists && !target.locked,
    lease,
    journal,
    last_plan: lastPlan,
    last_apply: lastApply,
    verified,
    precopy,
    reverse_plans: reversePlans,
  };
}

function isLock(s: unknown): s is LockState {
  return !!s && typeof s === 'object' && 'locked' in s;
}

export function phaseOf(s: {
  source: StatusReport['source'];
  target: StatusReport['target'];
  lease: StatusReport['lease'];
  journal: StatusReport['journal'];
  lastPlan: LastPlanRecord | null;
  lastApply: LastApplyRecord | null;
  verified: VerifiedRecord | null;
  precopy?: StatusReport['precopy'];
}): Phase {
  const t = s.target;
  const src = s.source;
  if (isLock(t) && t.exists && !t.locked && isLock(src) && t.clusterGUID && t.clusterGUID === src.clusterGUID) return 'unlocked';
  if (s.lease && 'holder' in s.lease && s.lease.holder && !s.lease.expired) return 'applying';
  if (s.journal && !s.journal.ended) return 'partial';
  if (s.lastApply?.status === 'partial') return 'partial';
  if (s.lastApply?.status === 'complete') {
    if (s.lastApply.mode === 'reverse') return 'rolled back';
    if (s.precopy && s.lastApply.plan_id === s.precopy.plan_id) return 'pre-copied';
    if (s.verified?.ok && s.verified.at >= s.lastApply.at) return 'verified';
    return 'applied';
  }
  if (s.lastPlan) return 'planned';
  return 'not started';
}
