/**
 * The apply engine's contracts: what it needs from the target, what the CLI passes in, and the
 * result it returns. The engine never prints; it reports through `Io.event` and its result.
 */
import type { Io } from '../io.js';
import type { LeasePort, ObjectRef, TargetWriter, WriteOutcome } from '../ports/target.js';

/** What apply writes and reads through (an in-memory fake implements it in unit tests). */
export type { TargetWriter } from '../ports/target.js';

/** A target that can send a create as JSON text (KubeTarget): see KubeTarget.createText. */
export interface TextCreator {
  createText(ref: ObjectRef, json: string): Promise<WriteOutcome>;
}

export function canCreateText(target: TargetWriter): target is TargetWriter & TextCreator {
  return typeof (target as Partial<TextCreator>).createText === 'function';
}

export interface ApplyDeps {
  target: TargetWriter;
  io: Io;
  /**
   * Where the exclusive apply Lease lives (normally the same target). `null` runs without the
   * lease: only for unit tests of the engine against an in-memory target.
   */
  lease: LeasePort | null;
  /** Wall clock for journal timestamps and lease times. Default: `new Date()`. */
  clock?: () => Date;
  /** Monotonic milliseconds for rates and durations. Default: `performance.now()`. */
  monotonic?: () => number;
}

export interface ApplyOptions {
  /** The plan file path, recorded in the journal header (informational). */
  planPath: string;
  /**
   * The journal to write (a new file; refused if it exists), or with `resume` the journal of the
   * run to continue.
   */
  journalPath: string;
  /** Where the reverse plan is written. Required for a new run; on resume defaults to the journal header's path. */
  reversePath?: string;
  /** `user@host/pid/plan_id`: the lease holderIdentity and the journal header's holder. */
  holder: string;
  /** Continue the run recorded in `journalPath`. */
  resume?: boolean;
  /** Concurrent writes inside a wave. Default DEFAULT_PARALLELISM (32, executor.ts says why). */
  parallelism?: number;
  /** calico-migrate version, for the journal header and the reverse plan. Default: package.json. */
  toolVersion?: string;
  /** Minimum interval between `progress` events of the apply phase. Default 250 ms (DEFAULT_PROGRESS_INTERVAL_MS). */
  progressIntervalMs?: number;
  lease?: { durationSeconds?: number; renewIntervalMs?: number; holderGone?: (holder: string) => boolean };
  /** Test hook: after this many writes have been sent in this run, the next write fails without being sent. */
  failAfter?: number;
  /**
   * Aborted (reason 'SIGINT' or 'SIGTERM') when the operator asks apply to stop: no new write
   * starts, the ones in flight are settled and recorded, the run ends as an interrupted partial.
   */
  signal?: AbortSignal;
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Why a write failed. */
export type FailureReason =
  /** The object changed since the plan (409 Conflict / AlreadyExists, precondition failed, gone). */
  | 'STALE'
  /** The server refused the write (validation, admission, permission). */
  | 'REJECTED'
  /** The write may or may not have happened (connection lost, could not read back); `--resume` resolves it. */
  | 'UNKNOWN'
  /** The apply lease was lost; no new writes were started. */
  | 'LEASE_LOST'
  /** The `failAfter` test hook. */
  | 'INJECTED'
  | 'ERROR';

export interface ApplyFailure {
  address: string;
  action: string;
  reason: FailureReason;
  message: string;
}

export interface ApplyCounts {
  /** Writes in the plan (creates + updates + deletes). */
  total: number;
  /** Writes done, including ones done by an earlier run of this journal. */
  done: number;
  created: number;
  updated: number;
  deleted: number;
  /** Found already in the planned state (a resumed write that had landed, a lost response) and recorded as done. */
  adopted: number;
  /** Done by an earlier run of this journal and skipped. */
  skipped: number;
  failed: number;
  /** Not attempted because apply stopped. */
  not_started: number;
}

export interface ApplyResult {
  status: 'complete' | 'partial';
  plan_id: string;
  journal_path: string;
  reverse_path: string;
  /** The reverse plan's plan_id as last written. */
  reverse_plan_id: string;
  counts: ApplyCounts;
  /** The first failure (the reason apply stopped); null when complete. */
  failed: ApplyFailure | null;
  /** Every failure of this run (in-flight writes of the failing batch may fail too). */
  failures: ApplyFailure[];
  /** The exit the CLI should use: OK, STALE (re-plan), PARTIAL (resume or roll back), or the signal's (resume or roll back). */
  exit: 'OK' | 'STALE' | 'PARTIAL' | 'INTERRUPTED' | 'TERMINATED';
  /** The signal that stopped the run, or null. */
  interrupted: StopSignal | null;
  seconds: number;
  rate_per_s: number;
  /** Problems that did not stop apply (e.g. the lease could not be released). */
  warnings: string[];
  /** False when the lease could not be released (it then lapses by itself); true otherwise. */
  lease_released: boolean;
}
