/**
 * The reverse plan of what a journal says apply wrote. The journal (intents made durable before
 * each write, results as they came back) and the forward plan are all a rollback needs, so apply
 * appends to the journal and writes the reverse plan once at its end; after a run that never got
 * there (killed, power lost), this writes it from the journal as the crash left it. Open intents
 * (sent, or about to be, with no answer recorded) get unguarded, content-checked reverses
 * (reverse-plan.ts), which are safe whether or not their write landed.
 */
import { MigrateError } from '../errors.js';
import { PhaseProgress, type ProgressClock } from '../progress.js';
import type { Plan } from '../plan/types.js';
import type { JournalContents } from './journal.js';
import { journalState, type JournalState } from './resume.js';
import { ReversePlanWriter, type OutcomeLookup } from './reverse-plan.js';

/** What the journal says about each forward write: done (with what it returned), open, or nothing. */
export function journalOutcomes(state: JournalState): OutcomeLookup {
  return (address) => {
    const e = state.byAddress.get(address);
    if (e?.status === 'ok') return { status: 'ok', uid: e.uid, resourceVersion: e.resource_version };
    if (e?.status === 'open') return { status: 'pending', uid: null, resourceVersion: null };
    return undefined;
  };
}

export interface ReverseWritten {
  plan_id: string;
  /** Writes the reverse plan undoes, and how many of them are open (no answer recorded). */
  changes: number;
  unsettled: number;
  /** Whether the journal has its `end` line (a run that finished, completely or not). */
  ended: boolean;
}

/**
 * Writes the reverse plan of `contents` (a journal of `plan`) to `file`, atomically.
 * @throws MigrateError PLAN_INVALID when the journal is for another plan
 */
export async function writeReverseFromJournal(plan: Plan, contents: JournalContents, journalFile: string, file: string, toolVersion: string, progress?: ProgressClock): Promise<ReverseWritten> {
  if (contents.header.plan_id !== plan.plan_id) {
    throw new MigrateError('PLAN_INVALID', `apply journal ${journalFile} is for plan ${contents.header.plan_id}, not for this plan (${plan.plan_id})`, {
      hint: 'pass the plan file that journal was written for (--plan)',
    });
  }
  // Chains (resume.ts) set preconditions for resumed writes; the reverse reads only each write's outcome.
  const state = journalState(contents);
  let changes = 0;
  let unsettled = 0;
  for (const c of plan.resource_changes) {
    const e = state.byAddress.get(c.address);
    if (e?.status === 'ok') changes++;
    else if (e?.status === 'open') {
      changes++;
      unsettled++;
    }
  }
  const writer = new ReversePlanWriter(file, plan, toolVersion);
  const writing = progress ? PhaseProgress.start(progress, 'reverse-plan', 'changes', null) : undefined;
  const planId = await writer.write(journalOutcomes(state), writing);
  writing?.end();
  return { plan_id: planId, changes, unsettled, ended: contents.entries.some((e) => e.type === 'end') };
}
