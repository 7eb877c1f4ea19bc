/**
 * `rollback`: the reverse plan of an apply, written from its journal. Apply writes it itself when
 * it stops (complete, failed, or on a lost connection); this is the way back after a run that
 * never got there (killed, the machine lost) or whose reverse plan was lost. It reads files only;
 * applying the result goes through every guard of `apply`.
 */
import { existsSync } from 'node:fs';
import { readJournal } from '../apply/journal.js';
import { writeReverseFromJournal } from '../apply/reverse-from-journal.js';
import { MigrateError } from '../errors.js';
import type { Context } from './context.js';
import { loadPlan } from './apply.js';
import { latestJournal } from './state-dir.js';

export interface RollbackOptions {
  stateDir: string;
  /** Default: the newest journal in the state dir. */
  journal?: string;
  /** Default: the plan path the journal's header records. */
  planPath?: string;
  /** Default: the reverse plan path the journal's header records. */
  out?: string;
}

export interface RollbackReport {
  journal: string;
  plan_path: string;
  plan_id: string;
  reverse_path: string;
  reverse_plan_id: string;
  /** Forward writes it undoes, and how many of them had no answer recorded (content-checked). */
  changes: number;
  unsettled: number;
  /** Whether the journal has its end line; without one the apply was interrupted (or is still running). */
  journal_ended: boolean;
}

export async function writeRollbackPlan(opts: RollbackOptions, ctx: Pick<Context, 'toolVersion'>): Promise<RollbackReport> {
  const journal = opts.journal ?? latestJournal(opts.stateDir);
  if (!journal) {
    throw new MigrateError('USAGE', `no apply journal in ${opts.stateDir}`, { hint: 'pass the journal of the apply to roll back with --journal (or its --state-dir)' });
  }
  if (!existsSync(journal)) throw new MigrateError('USAGE', `apply journal ${journal} does not exist`, { hint: 'pass the journal apply wrote (see `calico-migrate status`)' });
  const contents = readJournal(journal);
  const planPath = opts.planPath ?? contents.header.plan_path;
  if (!existsSync(planPath)) {
    throw new MigrateError('USAGE', `plan file ${planPath}, which journal ${journal} was written for, does not exist`, {
      hint: `pass that plan (${contents.header.plan_id}) with --plan`,
    });
  }
  const out = opts.out ?? contents.header.reverse_path;
  const plan = loadPlan(planPath);
  try {
    const r = await writeReverseFromJournal(plan, contents, journal, out, ctx.toolVersion);
    return {
      journal,
      plan_path: planPath,
      plan_id: plan.plan_id,
      reverse_path: out,
      reverse_plan_id: r.plan_id,
      changes: r.changes,
      unsettled: r.unsettled,
      journal_ended: r.ended,
    };
  } finally {
    plan.close();
  }
}
