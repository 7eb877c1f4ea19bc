/**
 * What a journal says was done, and settling the writes a crash left open.
 *
 * Per address the latest intent decides: with an `ok` result the write is done and is never sent
 * again; with an `error` result it was not applied and runs again; with no result (open) the
 * process stopped between sending it and recording the answer, and `resolveOpenEntries` reads the
 * object to find out (see handlers.ts `resolveWrite`): in the planned state → adopted (recorded as
 * done, with the uid/resourceVersion read); untouched → runs again; changed by someone else → stale.
 *
 * The chain rule: a multi-step object (the ClusterInformation's `lock` and `identity` steps) is written
 * more than once in one apply. A later step's resourceVersion precondition is the one the previous
 * step's write returned (recorded in the journal result), not the plan-time value.
 */
import type { ResourceChange } from '../plan/types.js';
import { resolveWrite, type Preconditions } from './handlers.js';
import type { JournalAction, JournalContents, JournalHeader, JournalWriter } from './journal.js';
import { chainKey } from './order.js';
import type { ApplyFailure, TargetWriter } from './types.js';

export interface EntryState {
  address: string;
  action: JournalAction;
  seq: number;
  status: 'ok' | 'error' | 'open';
  uid: string | null;
  resource_version: string | null;
  message: string | null;
}

export interface ChainLink {
  uid: string | null;
  resourceVersion: string | null;
}

export interface JournalState {
  header: JournalHeader | null;
  /** The latest write per address. */
  byAddress: Map<string, EntryState>;
  /** Base address → identity returned by the last successful write of a chained object. */
  chain: Map<string, ChainLink>;
}

export function emptyJournalState(): JournalState {
  return { header: null, byAddress: new Map(), chain: new Map() };
}

/**
 * The state a journal records. `chainOf` names the chain of a journaled address (the plan's
 * `chainKey` of the change at that address); status readers without the plan pass none and get
 * no chain.
 */
export function journalState(contents: JournalContents, chainOf: (address: string) => string | null = () => null): JournalState {
  const state = emptyJournalState();
  state.header = contents.header;
  for (const e of contents.entries) {
    if (e.type === 'intent') {
      state.byAddress.set(e.address, { address: e.address, action: e.action, seq: e.seq, status: 'open', uid: null, resource_version: null, message: null });
    } else if (e.type === 'result') {
      recordResult(state, e.seq, e.address, e.status, e.uid, e.resource_version, e.message, chainOf(e.address));
    }
  }
  return state;
}

/** Apply a result to the state (the executor uses this for live results too). */
export function recordResult(
  state: JournalState,
  seq: number,
  address: string,
  status: 'ok' | 'error',
  uid: string | null,
  resourceVersion: string | null,
  message: string | null,
  chain: string | null,
): void {
  const cur = state.byAddress.get(address);
  // A result for an older intent than the latest one for the address changes nothing.
  if (!cur || cur.seq !== seq) return;
  cur.status = status;
  cur.uid = uid;
  cur.resource_version = resourceVersion;
  cur.message = message;
  if (status === 'ok' && chain !== null) {
    // A delete ends the chain; writes that return a version carry it forward.
    state.chain.set(chain, cur.action === 'delete' ? { uid: null, resourceVersion: null } : { uid, resourceVersion });
  }
}

/** The preconditions for a change: the plan's, except a chained step takes the previous step's result. */
export function effectivePreconditions(change: ResourceChange, chain: ReadonlyMap<string, ChainLink>): Preconditions {
  const planned: Preconditions = { uid: change.target.uid, resourceVersion: change.target.resource_version };
  const key = chainKey(change);
  if (key === null) return planned;
  const link = chain.get(key);
  if (!link || !link.resourceVersion) return planned;
  return { uid: link.uid ?? planned.uid, resourceVersion: link.resourceVersion };
}

export interface OpenEntryReport {
  adopted: string[];
  /** Not applied: they run again. */
  rerun: string[];
  failures: ApplyFailure[];
}

/**
 * Settle every open intent of the plan by reading its object. Results for the old seqs are
 * buffered in the journal (the caller commits). Reads only; sends no write.
 */
export async function resolveOpenEntries(
  changes: ReadonlyMap<string, ResourceChange>,
  state: JournalState,
  target: TargetWriter,
  journal: JournalWriter,
  parallelism: number,
): Promise<OpenEntryReport> {
  const report: OpenEntryReport = { adopted: [], rerun: [], failures: [] };
  const open = [...state.byAddress.values()].filter((e) => e.status === 'open');
  // Chained steps are resolved in seq order so each sees the previous step's outcome.
  open.sort((a, b) => a.seq - b.seq);
  const queue = [...open];
  const worker = async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      const change = changes.get(e.address);
      if (!change) {
        report.failures.push({ address: e.address, action: e.action, reason: 'ERROR', message: `the journal has a write to ${e.address}, which is not in the plan` });
        continue;
      }
      const pre = effectivePreconditions(change, state.chain);
      const r = await resolveWrite(target, change, pre);
      switch (r.state) {
        case 'applied': {
          const uid = r.object ? ((r.object.metadata.uid as string | undefined) ?? null) : pre.uid;
          const rv = r.object ? ((r.object.metadata.resourceVersion as string | undefined) ?? null) : null;
          const message = 'adopted on resume: the object is in the planned state';
          journal.result(e.seq, e.address, e.action, { status: 'ok', uid, resource_version: e.action === 'delete' ? null : rv, message });
          recordResult(state, e.seq, e.address, 'ok', uid, e.action === 'delete' ? null : rv, message, chainKey(change));
          report.adopted.push(e.address);
          break;
        }
        case 'not-applied': {
          const message = 'not applied (found unchanged on resume); sent again';
          journal.result(e.seq, e.address, e.action, { status: 'error', message });
          recordResult(state, e.seq, e.address, 'error', null, null, message, chainKey(change));
          report.rerun.push(e.address);
          break;
        }
        case 'stale': {
          const message = `${e.address}: ${r.message}; the plan is stale, make a new plan`;
          journal.result(e.seq, e.address, e.action, { status: 'error', message });
          recordResult(state, e.seq, e.address, 'error', null, null, message, chainKey(change));
          report.failures.push({ address: e.address, action: e.action, reason: 'STALE', message });
          break;
        }
        case 'unknown':
          report.failures.push({ address: e.address, action: e.action, reason: 'UNKNOWN', message: `${e.address}: ${r.message}` });
          break;
      }
    }
  };
  // Chained entries must not race each other; they are never open at the same time in practice
  // (their steps are in different waves), so plain parallel workers are fine.
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallelism, open.length)) }, worker));
  return report;
}
