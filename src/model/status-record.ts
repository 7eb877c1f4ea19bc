/**
 * The run record the tool keeps in the target: ConfigMap `kube-system/calico-migrate-status`,
 * key `runs.json`. It holds what `status` needs to say what happened to this cluster from any
 * machine (an empty directory elsewhere included): per run of apply, rollback (a reverse plan
 * applied), pre-copy, cutover and verify, its plan_id, times, outcome, counts, where its journal
 * is and verify's result. The local state directory keeps the journals; this record only points
 * at them.
 *
 * A ConfigMap rather than annotations on the apply Lease: the Lease is deleted when an apply
 * ends (and must stay a plain lease for `kubectl get lease`), annotations are capped at 256 KiB in
 * total, and the record needs its own permission so an identity without it can still apply.
 * Bounded: the newest MAX_RUNS runs, each field capped, far under a ConfigMap's 1 MiB.
 */
import { LEASE_NAMESPACE } from './apply-lease.js';

export const STATUS_RECORD_NAMESPACE = LEASE_NAMESPACE;
export const STATUS_RECORD_NAME = 'calico-migrate-status';
export const STATUS_RECORD_KEY = 'runs.json';
export const STATUS_RECORD_LABEL = `${STATUS_RECORD_NAMESPACE}/${STATUS_RECORD_NAME}`;
export const STATUS_RECORD_FORMAT = 1;
/** Runs kept, newest by start time: a migration is a handful of runs; 50 keeps every retry of one. */
export const MAX_RUNS = 50;
/** Longest string field kept (paths, messages): 50 runs stay well under 1 MiB whatever they hold. */
export const MAX_FIELD = 1024;
/** A running run's record is rewritten at most this often (never per write: apply writes hundreds of objects a second). */
export const RECORD_INTERVAL_MS = 30_000;
/** A `running` record not rewritten for this long may be stale: its process died or could not write it. */
export const STALE_AFTER_MS = 4 * RECORD_INTERVAL_MS;

export type RunCommand = 'apply' | 'rollback' | 'pre-copy' | 'cutover' | 'verify';
export type RunOutcome = 'running' | 'complete' | 'partial' | 'interrupted' | 'failed';

export interface VerifySummary {
  ok: boolean;
  compared: number;
  differences: number;
  /** The digest of the source data compared (a full verify); null for a cut-over's read-back. */
  source_digest?: string | null;
}

export interface ClusterRun {
  /** Unique per run: who started it and when. */
  id: string;
  command: RunCommand;
  plan_id: string | null;
  /** `user@host/pid` of the process that ran it. */
  by: string;
  started_at: string;
  /** When this record was last written (start, every RECORD_INTERVAL_MS, end). */
  updated_at: string;
  finished_at: string | null;
  outcome: RunOutcome;
  /** Writes done and planned (apply-like runs); null when not counted. */
  done: number | null;
  total: number | null;
  /** The plan file, the journal and the reverse plan on the host in `by` (absolute paths). */
  plan_path: string | null;
  journal: string | null;
  reverse_path: string | null;
  /** The Calico data revision the plan read (a pre-copy's delta is computed since it). */
  source_revision: number | null;
  verify: VerifySummary | null;
  /** Why it failed or stopped, in one line. */
  message: string | null;
}

export interface StatusRecord {
  format: number;
  runs: ClusterRun[];
}

const RUN_COMMANDS: readonly RunCommand[] = ['apply', 'rollback', 'pre-copy', 'cutover', 'verify'];
const RUN_OUTCOMES: readonly RunOutcome[] = ['running', 'complete', 'partial', 'interrupted', 'failed'];

const cap = (s: string | null): string | null => (s === null ? null : s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD - 1)}…` : s);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function runOf(v: unknown): ClusterRun | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  const command = RUN_COMMANDS.find((c) => c === r.command);
  const outcome = RUN_OUTCOMES.find((o) => o === r.outcome);
  const id = str(r.id);
  const startedAt = str(r.started_at);
  if (!command || !outcome || !id || !startedAt) return null;
  const ver = r.verify && typeof r.verify === 'object' ? (r.verify as Record<string, unknown>) : null;
  return {
    id,
    command,
    plan_id: str(r.plan_id),
    by: str(r.by) ?? '',
    started_at: startedAt,
    updated_at: str(r.updated_at) ?? startedAt,
    finished_at: str(r.finished_at),
    outcome,
    done: num(r.done),
    total: num(r.total),
    plan_path: str(r.plan_path),
    journal: str(r.journal),
    reverse_path: str(r.reverse_path),
    source_revision: num(r.source_revision),
    verify: ver && typeof ver.ok === 'boolean' ? { ok: ver.ok, compared: num(ver.compared) ?? 0, differences: num(ver.differences) ?? 0, source_digest: str(ver.source_digest) } : null,
    message: str(r.message),
  };
}

/**
 * The record from the ConfigMap's text. Runs this version does not understand are dropped, not
 * fatal: a newer tool may add fields, and a hand-edited entry must not hide the others.
 * @returns null when the text is not a record at all
 */
export function parseStatusRecord(text: string): StatusRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || !Array.isArray((v as { runs?: unknown }).runs)) return null;
  const runs = (v as { runs: unknown[] }).runs
    .map(runOf)
    .filter((r): r is ClusterRun => r !== null)
    .sort(byStart);
  return { format: num((v as { format?: unknown }).format) ?? STATUS_RECORD_FORMAT, runs };
}

export function serializeStatusRecord(record: StatusRecord): string {
  return JSON.stringify({ format: STATUS_RECORD_FORMAT, runs: record.runs }, null, 1) + '\n';
}

const byStart = (a: ClusterRun, b: ClusterRun) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** `record` with `run` in place of the run of the same id (or added), the newest MAX_RUNS kept, oldest first. */
export function upsertRun(record: StatusRecord | null, run: ClusterRun, maxRuns = MAX_RUNS): StatusRecord {
  const capped: ClusterRun = { ...run, by: cap(run.by) ?? '', plan_path: cap(run.plan_path), journal: cap(run.journal), reverse_path: cap(run.reverse_path), message: cap(run.message) };
  const others = (record?.runs ?? []).filter((r) => r.id !== run.id);
  const runs = [...others, capped].sort(byStart);
  return { format: STATUS_RECORD_FORMAT, runs: runs.slice(Math.max(0, runs.length - maxRuns)) };
}

/** A run that says it is running but whose record has not been rewritten for STALE_AFTER_MS. */
export function isStale(run: ClusterRun, now: Date): boolean {
  if (run.outcome !== 'running') return false;
  const at = Date.parse(run.updated_at);
  return !Number.isFinite(at) || now.getTime() - at > STALE_AFTER_MS;
}

/** Applies of plans (forward, reverse, pre-copy): the runs that change the target's data. */
export function isApplyLike(run: ClusterRun): boolean {
  switch (run.command) {
    case 'apply':
    case 'rollback':
    case 'pre-copy':
      return true;
    case 'cutover':
    case 'verify':
      return false;
    default: {
      const never: never = run.command;
      throw new Error(`unknown run command ${String(never)}`);
    }
  }
}
