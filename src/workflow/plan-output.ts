/**
 * Where a finished plan goes: the plan file the operator named (`--out`), and the `last-plan.json`
 * record `status` reads. The file is opened before the plan is made (a missing directory is
 * reported before any work), filled record by record as the plan is encoded, and appears under
 * its name only when whole (util/atomic-file.ts).
 */
import path from 'node:path';
import type { Plan } from '../plan/types.js';
import { AtomicFile } from '../util/atomic-file.js';
import type { Context } from './context.js';
import { writeRecord, type LastPlanRecord } from './state-dir.js';

/** Opens `--out` for writing. @throws MigrateError USAGE when its directory is missing or not writable */
export function openPlanOutput(out: string): AtomicFile {
  return new AtomicFile(out, '--out');
}

/**
 * Writes a file the operator named on the command line, whole or not at all, or fails with USAGE
 * naming the flag and the file (the directory is missing, not writable, ...).
 */
export function writeOutputFile(label: string, file: string, text: string): void {
  const f = new AtomicFile(file, label);
  f.write(text);
  f.commit();
}

export function savePlan(opts: { plan: Plan; output: AtomicFile; stateDir: string }, ctx: Pick<Context, 'now'>): LastPlanRecord {
  opts.output.commit();
  const { plan } = opts;
  const record: LastPlanRecord = {
    path: path.resolve(opts.output.file),
    plan_id: plan.plan_id,
    mode: plan.mode,
    changes: plan.summary.create + plan.summary.update + plan.summary.delete,
    at: ctx.now().toISOString(),
  };
  writeRecord(opts.stateDir, 'last-plan.json', record);
  return record;
}
