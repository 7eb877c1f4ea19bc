/**
 * Where a finished plan goes: the plan file the operator named (`--out`), and the `last-plan.json`
 * record `status` reads. Written here, after makePlan, so the command only renders.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MigrateError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import type { Context } from './context.js';
import { writeRecord, type LastPlanRecord } from './state-dir.js';

export interface SavePlanOptions {
  plan: Plan;
  /** The plan file's bytes, exactly as makePlan rendered them (its plan_id covers them). */
  text: string;
  /** The `--out` path. */
  out: string;
  stateDir: string;
}

/**
 * Writes a file the operator named on the command line, or fails with USAGE naming the flag and
 * the file (the directory is missing, not writable, ...).
 */
export function writeOutputFile(label: string, file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new MigrateError('USAGE', `${label} ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: `pass a ${label} path in a directory you can write to`,
    });
  }
}

export function savePlan(opts: SavePlanOptions, ctx: Pick<Context, 'now'>): LastPlanRecord {
  writeOutputFile('--out', opts.out, opts.text);
  const { plan } = opts;
  const record: LastPlanRecord = {
    path: path.resolve(opts.out),
    plan_id: plan.plan_id,
    mode: plan.mode,
    changes: plan.summary.create + plan.summary.update + plan.summary.delete,
    at: ctx.now().toISOString(),
  };
  writeRecord(opts.stateDir, 'last-plan.json', record);
  return record;
}
