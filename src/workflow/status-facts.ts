/**
 * What `status` says about the last apply, verify and pre-copy when it has two witnesses: the
 * local state directory (journals and records of the runs made from here) and the target's run
 * record (every run, from any machine). Each fact is taken from the newer witness and says which
 * one that was; when both have it and they differ, that is said too.
 */
import { isApplyLike, isStale, type ClusterRun } from '../model/status-record.js';
import type { LastApplyRecord } from './status.js';
import type { VerifiedRecord } from './state-dir.js';

/** Where a fact came from: the state directory, the target's record, or the state directory's copy of it (target unreadable). */
export type FactSource = 'local' | 'cluster' | 'cache';

export interface PrecopyFact {
  plan_id: string;
  source_revision: number | null;
  at: string;
}

export interface Facts {
  lastApply: LastApplyRecord | null;
  verified: VerifiedRecord | null;
  precopy: PrecopyFact | null;
}

export interface ClusterFacts extends Facts {
  /** An apply-like run that is running and whose record is fresh. */
  running: ClusterRun | null;
  /** Runs that say they are running but whose record has not been rewritten for a while. */
  stale: ClusterRun[];
}

const endOf = (r: ClusterRun) => r.finished_at ?? r.updated_at;

/** The facts the target's runs give (`runs` oldest first, as stored). */
export function clusterFacts(runs: readonly ClusterRun[], now: Date, targetClusterUid: string): ClusterFacts {
  const newestFirst = [...runs].reverse();
  const stale = newestFirst.filter((r) => isStale(r, now));
  const applies = newestFirst.filter(isApplyLike);
  const running = applies.find((r) => r.outcome === 'running' && !isStale(r, now)) ?? null;
  const last = applies.find((r) => r.outcome !== 'running' || isStale(r, now)) ?? null;
  const lastApply: LastApplyRecord | null = last
    ? {
        plan_id: last.plan_id ?? '',
        mode: last.command === 'rollback' ? 'reverse' : 'migrate',
        plan_path: last.plan_path ?? '',
        journal: last.journal ?? '',
        reverse_path: last.reverse_path ?? '',
        status: last.outcome === 'complete' ? 'complete' : 'partial',
        at: endOf(last),
        by: last.by,
      }
    : null;
  const v = newestFirst.find((r) => r.verify !== null && r.outcome !== 'running');
  const verified: VerifiedRecord | null =
    v && v.verify ? { at: endOf(v), ok: v.verify.ok, source_digest: v.verify.source_digest ?? '', target_cluster_uid: targetClusterUid, differences: v.verify.differences, by: v.by } : null;
  const p = newestFirst.find((r) => r.command === 'pre-copy' && r.outcome === 'complete');
  const precopy = p ? { plan_id: p.plan_id ?? '', source_revision: p.source_revision, at: p.started_at } : null;
  return { lastApply, verified, precopy, running, stale };
}

export interface Reconciled extends Facts {
  from: { last_apply: FactSource | null; verified: FactSource | null; precopy: FactSource | null };
  disagreements: string[];
}

/** Seconds two witnesses' times of the same verify may differ by (each records its own clock reading at the end). */
const SAME_TIME_MS = 60_000;

/**
 * Each fact from the newer witness (the local one on a tie: it has the journal). `clusterRuns` is
 * null when the target's record could not be read at all.
 */
export function reconcile(local: Facts, cluster: ClusterFacts | null, clusterFrom: 'cluster' | 'cache', clusterRuns: readonly ClusterRun[] | null): Reconciled {
  const disagreements: string[] = [];
  const pick = <T extends { at: string }>(l: T | null, c: T | null): [T | null, FactSource | null] => {
    if (l && c) return c.at > l.at ? [c, clusterFrom] : [l, 'local'];
    if (l) return [l, 'local'];
    if (c) return [c, clusterFrom];
    return [null, null];
  };
  const [lastApply, lastApplyFrom] = pick(local.lastApply, cluster?.lastApply ?? null);
  const [verified, verifiedFrom] = pick(local.verified, cluster?.verified ?? null);
  const [precopy, precopyFrom] = pick(local.precopy, cluster?.precopy ?? null);
  const where = clusterFrom === 'cluster' ? "the target's run record" : "the local copy of the target's run record";

  const la = local.lastApply;
  const ca = cluster?.lastApply ?? null;
  if (la && ca && (la.plan_id !== ca.plan_id || la.status !== ca.status)) {
    disagreements.push(
      `last apply: the state directory says plan ${la.plan_id} ${la.status} at ${la.at}; ${where} says plan ${ca.plan_id} ${ca.status} at ${ca.at}${ca.by ? ` (by ${ca.by})` : ''}; the newer is shown`,
    );
  }
  if (la && clusterRuns && !clusterRuns.some((r) => r.plan_id === la.plan_id && isApplyLike(r))) {
    disagreements.push(`${where} has no run of plan ${la.plan_id}, which the state directory applied at ${la.at}: the record could not be written then, or was deleted`);
  }
  const lv = local.verified;
  const cv = cluster?.verified ?? null;
  if (lv && cv && (lv.ok !== cv.ok || Math.abs(Date.parse(lv.at) - Date.parse(cv.at)) > SAME_TIME_MS)) {
    disagreements.push(
      `last verify: the state directory says ${lv.ok ? 'passed' : `${lv.differences} difference(s)`} at ${lv.at}; ${where} says ${cv.ok ? 'passed' : `${cv.differences} difference(s)`} at ${cv.at}; the newer is shown`,
    );
  }
  return { lastApply, verified, precopy, from: { last_apply: lastApplyFrom, verified: verifiedFrom, precopy: precopyFrom }, disagreements };
}
