/**
 * The apply engine: executes a saved plan's writes with a write-ahead journal, a reverse plan
 * written as it goes, waves with bounded parallelism, resume, and the exclusive apply Lease.
 *
 * The CLI calls `applyPlan(plan, deps, options)`; `unlock --lease` calls `readLease` /
 * `releaseLease`.
 */
export { applyPlan, defaultApplyPaths, validateExecutable, DEFAULT_PARALLELISM } from './executor.js';
export type { ApplyCounts, ApplyDeps, ApplyFailure, ApplyOptions, ApplyResult, FailureReason, LeaseTarget, TargetWriter } from './types.js';
export {
  acquireLease,
  readLease,
  releaseLease,
  LeaseHandle,
  LEASE_NAME,
  LEASE_NAMESPACE,
  LEASE_DURATION_SECONDS,
  LEASE_RENEW_INTERVAL_MS,
  type LeaseInfo,
  type LeaseOptions,
} from './lease.js';
export { readJournal, parseJournal, type JournalEntry, type JournalContents } from './journal.js';
export { journalState, type JournalState } from './resume.js';
export { reversePlanBody, reverseChanges } from './reverse-plan.js';
export { executionSteps, WAVE_BAND } from './order.js';
