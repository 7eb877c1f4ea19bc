/**
 * `status`: where the migration stands, from both datastores' locks, the apply lease, the run
 * record in the target (cluster-record.ts: every run, from any machine) and the records
 * apply/verify/unlock leave in the state directory (journals, and a copy of the target's record).
 * Each fact says which of these it came from (status-facts.ts). Each part is best-effort: a side
 * that is not configured or not reachable is reported as such instead of failing the whole command.
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
import { STATUS_RECORD_LABEL, type ClusterRun } from '../model/status-record.js';
import { RECORD_CACHE, readClusterRecord, type RecordCache } from './cluster-record.js';
import { clusterFacts, reconcile, type ClusterFacts, type FactSource } from './status-facts.js';

/** Runs of the target's record listed by status, newest first. */
const RUNS_SHOWN = 10;

export type Phase = 'not started' | 'planned' | 'applying' | 'partial' | 'pre-copied' | 'applied' | 'rolled back' | 'verified' | 'unlocked';

export interface LastApplyRecord {
  plan_id: string;
  mode: 'migrate' | 'reverse';
  plan_path: string;
  journal: string;
  reverse_path: string;
  status: 'complete' | 'partial';
  at: string;
  /** Who ran it (`user@host/pid`), when the fact comes from the target's run record. */
  by?: string;
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
  /** Where last_apply, verified and precopy came from: the state directory, the target's run record, or the local copy of that record. */
  from: { last_apply: FactSource | null; verified: FactSource | null; precopy: FactSource | null };
  /** The target's run record (ConfigMap kube-system/calico-migrate-status). */
  cluster_record: {
    location: string;
    /** read: from the target; absent: the target has none; cache: the target could not be read, the state directory's copy is shown; unavailable: neither. */
    state: 'read' | 'absent' | 'cache' | 'unavailable';
    error: string | null;
    /** When the local copy was written (state cache only). */
    cached_at: string | null;
    /** The newest runs, newest first. */
    runs: ClusterRun[];
    /** Runs that say they are running but whose record has not been rewritten for a while: their process may have died or could not write. */
    stale: string[];
    /** Runs of this state directory that could not be written to the target. */
    unwritten: string[];
  };
  /** Where the state directory and the target's record say different things. */
  disagreements: string[];
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
  let record: Awaited<ReturnType<typeof readClusterRecord>> = { ok: false, error: 'the target is unavailable' };
  let clusterUid = '';
  try {
    const kube = await ctx.openTarget();
    targetConnection = kube.connection ?? null;
    target = await readKubeLock(kube);
    const l = await readLease(kube, ctx.now);
    lease = l ? { ...l, expiresAt: l.expiresAt?.toISOString() ?? null } : null;
    record = await readClusterRecord(kube);
    clusterUid = await kube.clusterUid().catch(() => '');
  } catch (e) {
    target = errorOf(e);
    lease = errorOf(e);
    record = { ok: false, error: errorOf(e).error };
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
  const runs = readRuns(dir);
  const newest = precopies(runs).pop();
  const local = {
    lastApply: readRecord<LastApplyRecord>(dir, 'last-apply.json'),
    verified: readRecord<VerifiedRecord>(dir, 'verified.json'),
    precopy: newest ? { plan_id: newest.plan_id, source_revision: newest.source_revision, at: newest.at } : null,
  };
  const cache = readRecord<RecordCache>(dir, RECORD_CACHE);
  const clusterRuns = record.ok ? (record.record?.runs ?? []) : (cache?.runs ?? null);
  const clusterFrom = record.ok ? 'cluster' : 'cache';
  const facts: ClusterFacts | null = clusterRuns ? clusterFacts(clusterRuns, ctx.now(), clusterUid) : null;
  const chosen = reconcile(local, facts, clusterFrom, clusterRuns);
  const { lastApply, verified, precopy } = chosen;
  const disagreements = [...chosen.disagreements];
  if (!record.ok)
    disagreements.push(
      `the target's run record ${STATUS_RECORD_LABEL} could not be read (${record.error})${cache ? `; its local copy of ${cache.read_at} is shown` : ''}: runs from other machines may be missing`,
    );
  const unwritten = record.ok && cache ? cache.unwritten.filter((id) => !clusterRuns?.some((r) => r.id === id)) : (cache?.unwritten ?? []);
  if (unwritten.length) disagreements.push(`${unwritten.length} run(s) of this state directory could not be written to ${STATUS_RECORD_LABEL}; the target's record may be stale`);
  const reversePlans = runs
    .map((r) => r.reverse_path)
    .filter((p) => existsSync(p))
    .reverse();
  const clusterRecord: StatusReport['cluster_record'] = {
    location: STATUS_RECORD_LABEL,
    state: record.ok ? (record.record ? 'read' : 'absent') : cache ? 'cache' : 'unavailable',
    error: record.ok ? null : record.error,
    cached_at: record.ok ? null : (cache?.read_at ?? null),
    runs: [...(clusterRuns ?? [])].reverse().slice(0, RUNS_SHOWN),
    stale: (facts?.stale ?? []).map((r) => `${r.command}${r.plan_id ? ` of plan ${r.plan_id}` : ''} by ${r.by}, started ${r.started_at}, last recorded ${r.updated_at}`),
    unwritten,
  };
  // The lease is the authority on a running apply; the record speaks only when the lease cannot be read.
  const runningElsewhere = facts?.running && lease && 'error' in lease ? facts.running : null;
  return {
    phase: phaseOf({ source, target, lease, journal, lastPlan, lastApply, verified, precopy, running: !!runningElsewhere }),
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
    from: chosen.from,
    cluster_record: clusterRecord,
    disagreements,
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
  /** The target's record has a fresh running apply (the lease may be unreadable). */
  running?: boolean;
}): Phase {
  const t = s.target;
  const src = s.source;
  if (isLock(t) && t.exists && !t.locked && isLock(src) && t.clusterGUID && t.clusterGUID === src.clusterGUID) return 'unlocked';
  if (s.lease && 'holder' in s.lease && s.lease.holder && !s.lease.expired) return 'applying';
  if (s.running) return 'applying';
  if (s.journal && !s.journal.ended) return 'partial';
  if (s.lastApply?.status === 'partial') return 'partial';
  if (s.lastApply?.status === 'complete') {
    if (s.lastApply.mode === 'reverse') return 'rolled back';
    // A cut-over with nothing left to write applies no plan of its own: the pre-copy stays the last
    // apply, and what tells them apart is the locked source verified after it.
    const cutOver = isLock(src) && src.locked && !!s.verified?.ok && s.verified.at >= s.lastApply.at;
    if (s.precopy && s.lastApply.plan_id === s.precopy.plan_id && !cutOver) return 'pre-copied';
    if (s.verified?.ok && s.verified.at >= s.lastApply.at) return 'verified';
    return 'applied';
  }
  if (s.lastPlan) return 'planned';
  return 'not started';
}
