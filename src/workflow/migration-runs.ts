/**
 * The forward applies made into a target, recorded in the state directory (`runs.json`) before
 * their first write: what a later plan needs to know which target objects this tool created.
 *
 * A pre-copy (`apply --precopy`) fills the target while the source still runs; the cut-over's
 * delta plan must then delete what the pre-copy created and the source no longer has, and only
 * that: an object that was in the target before the migration stays an `extra`. Ownership is
 * read from the journals of these runs: an object is ours when one of them created it and it
 * still has the uid the create returned (a re-created object is someone else's).
 */
import { existsSync } from 'node:fs';
import { readJournal } from '../apply/journal.js';
import { journalState } from '../apply/resume.js';
import { readRecord, writeRecord } from './state-dir.js';

export const RUNS_RECORD = 'runs.json';

export interface MigrationRun {
  kind: 'precopy' | 'apply';
  plan_id: string;
  plan_path: string;
  journal: string;
  reverse_path: string;
  /** The Calico data revision the plan read (etcd); what a delta is computed since. */
  source_revision: number | null;
  source_cluster_id: string | null;
  target_cluster_uid: string;
  at: string;
}

interface RunsFile {
  runs: MigrationRun[];
}

export function readRuns(stateDir: string): MigrationRun[] {
  return readRecord<RunsFile>(stateDir, RUNS_RECORD)?.runs ?? [];
}

/** Records a run once (a resume of the same journal is the same run). */
export function recordRun(stateDir: string, run: MigrationRun): void {
  const runs = readRuns(stateDir);
  if (runs.some((r) => r.journal === run.journal)) return;
  writeRecord(stateDir, RUNS_RECORD, { runs: [...runs, run] } satisfies RunsFile);
}

/** The runs into one target from one source, oldest first. */
export function runsFor(stateDir: string, target: { clusterUid: string }, source: { clusterId: string | null }): MigrationRun[] {
  return readRuns(stateDir).filter((r) => r.target_cluster_uid === target.clusterUid && (r.source_cluster_id ?? null) === (source.clusterId ?? null));
}

/** The pre-copies among them (the delta is computed since the newest). */
export function precopies(runs: readonly MigrationRun[]): MigrationRun[] {
  return runs.filter((r) => r.kind === 'precopy');
}

/**
 * Address → uid of every object these runs created and did not delete again. A create whose
 * answer was never recorded (a killed run) is not counted: resume that run first.
 */
export function ownedObjects(runs: readonly MigrationRun[]): Map<string, string> {
  const owned = new Map<string, string>();
  for (const run of runs) {
    if (!existsSync(run.journal)) continue;
    for (const s of journalState(readJournal(run.journal)).byAddress.values()) {
      if (s.status !== 'ok') continue;
      if (s.action === 'create' && s.uid) owned.set(s.address, s.uid);
      else if (s.action === 'delete') owned.delete(s.address);
    }
  }
  return owned;
}
