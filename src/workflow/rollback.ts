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
import { latestJournal, shortId } from './state-dir.js';
import { readRuns, type MigrationRun } from './migration-runs.js';
import { compositeReverseBody, type RunReverse } from '../apply/reverse-composite.js';
import { journalOutcomes } from '../apply/reverse-from-journal.js';
import { reverseChanges } from '../apply/reverse-plan.js';
import { journalState } from '../apply/resume.js';
import { writePlan } from '../plan/plan-file.js';
import { AtomicFile } from '../util/atomic-file.js';
import type { FilePlan } from '../util/plan-file-reader.js';
import type { PlanBody } from '../plan/types.js';
import path from 'node:path';

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

/** The journal to roll back (default: the newest in the state dir), read, and the path of the plan it was written for. */
function openJournal(opts: Pick<RollbackOptions, 'stateDir' | 'journal' | 'planPath'>): { journal: string; contents: ReturnType<typeof readJournal>; planPath: string } {
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
  return { journal, contents, planPath };
}

export async function writeRollbackPlan(opts: RollbackOptions, ctx: Pick<Context, 'toolVersion'> & Partial<Pick<Context, 'io' | 'monotonic'>>): Promise<RollbackReport> {
  const { journal, contents, planPath } = openJournal(opts);
  const out = opts.out ?? contents.header.reverse_path;
  const plan = loadPlan(planPath);
  try {
    const progress = ctx.io && ctx.monotonic ? { io: ctx.io, monotonic: ctx.monotonic } : undefined;
    const r = await writeReverseFromJournal(plan, contents, journal, out, ctx.toolVersion, progress);
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

export interface CompositeRollbackReport {
  reverse_path: string;
  reverse_plan_id: string;
  /** The forward runs it undoes, oldest first. */
  runs: Array<{ kind: MigrationRun['kind']; plan_id: string; journal: string }>;
  changes: number;
}

/**
 * `rollback --all`: one reverse plan for every forward apply recorded into the target of the
 * newest one (a pre-copy, its delta, any resumes): applied, it restores the target as it was
 * before the first of them (apply/reverse-composite.ts). Files only, like `rollback`.
 */
export async function writeCompositeRollback(opts: { stateDir: string; out?: string }, ctx: Pick<Context, 'toolVersion'>): Promise<CompositeRollbackReport> {
  const loaded = loadRecordedRuns(opts.stateDir);
  try {
    const body = compositeReverseBody(loaded.reverses, ctx.toolVersion);
    const out = opts.out ?? path.join(opts.stateDir, `reverse-all-${shortId(loaded.newest.plan_id)}.json`);
    const planId = writePlanFile(body, out);
    return { reverse_path: out, reverse_plan_id: planId, runs: describeRuns(loaded.runs), changes: body.resource_changes.length };
  } finally {
    loaded.close();
  }
}

export function describeRuns(runs: readonly MigrationRun[]): CompositeRollbackReport['runs'] {
  return runs.map((r) => ({ kind: r.kind, plan_id: r.plan_id, journal: r.journal }));
}

/** Writes a plan body to `out` atomically; returns its plan_id. */
export function writePlanFile(body: PlanBody, out: string): string {
  const file = new AtomicFile(out, '--out');
  try {
    const planId = writePlan(body, (line) => file.write(line)).plan_id;
    file.commit();
    return planId;
  } finally {
    file.abort();
  }
}

/** Forward runs with their reverse changes; their plan files stay open (bodies are read lazily) until `close`. */
export interface LoadedRuns {
  runs: MigrationRun[];
  newest: MigrationRun;
  reverses: RunReverse[];
  close(): void;
}

/** Every forward apply recorded in the state dir into the target of the newest one, oldest first. */
export function loadRecordedRuns(stateDir: string): LoadedRuns {
  const all = readRuns(stateDir);
  const newest = all[all.length - 1];
  if (!newest) throw new MigrateError('USAGE', `no apply runs are recorded in ${stateDir}/runs.json`, { hint: 'pass the --state-dir the applies used, or roll back one journal with --journal' });
  const runs = all.filter((r) => r.target_cluster_uid === newest.target_cluster_uid && r.source_cluster_id === newest.source_cluster_id && existsSync(r.journal));
  const plans: FilePlan[] = [];
  const close = () => {
    for (const p of plans) p.close();
  };
  try {
    const reverses: RunReverse[] = runs.map((run) => {
      if (!existsSync(run.plan_path)) {
        throw new MigrateError('USAGE', `plan file ${run.plan_path} of the ${run.kind} run ${run.plan_id} does not exist`, {
          hint: 'restore that plan file (the journal alone does not hold the objects it wrote)',
        });
      }
      const plan = loadPlan(run.plan_path);
      plans.push(plan);
      const contents = readJournal(run.journal);
      if (contents.header.plan_id !== plan.plan_id) {
        throw new MigrateError('PLAN_INVALID', `journal ${run.journal} is for plan ${contents.header.plan_id}, not ${plan.plan_id} (${run.plan_path})`, {
          hint: 'the state directory was edited by hand; roll back each run with --journal and --plan',
        });
      }
      return { plan, changes: reverseChanges(plan, journalOutcomes(journalState(contents))) };
    });
    return { runs, newest, reverses, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** One journal and the plan it was written for, as a run (`rollback --journal`). */
export function loadJournalRun(opts: Pick<RollbackOptions, 'stateDir' | 'journal' | 'planPath'>): { journal: string; plan: FilePlan; reverse: RunReverse; reversePath: string } {
  const { journal, contents, planPath } = openJournal(opts);
  const plan = loadPlan(planPath);
  if (contents.header.plan_id !== plan.plan_id) {
    plan.close();
    throw new MigrateError('PLAN_INVALID', `apply journal ${journal} is for plan ${contents.header.plan_id}, not for ${planPath} (${plan.plan_id})`, {
      hint: 'pass the plan file that journal was written for (--plan)',
    });
  }
  return { journal, plan, reverse: { plan, changes: reverseChanges(plan, journalOutcomes(journalState(contents))) }, reversePath: contents.header.reverse_path };
}
