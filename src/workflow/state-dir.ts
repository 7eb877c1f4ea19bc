/**
 * The working directory apply and friends keep their records in (default `.calico-migrate/`):
 * journals, reverse plans, and small pointer files `status` reads. Nothing secret is written here.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MigrateError } from '../errors.js';
import { AtomicFile } from '../util/atomic-file.js';

export const DEFAULT_STATE_DIR = '.calico-migrate';

/**
 * Checked before any work starts: a state directory that cannot be one would otherwise fail only
 * once the plan (or the guards) had run.
 * @throws MigrateError USAGE
 */
export function assertUsableStateDir(dir: string): void {
  let isDir: boolean | null = null;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return; // Absent: created when first written.
  }
  if (!isDir) {
    throw new MigrateError('USAGE', `--state-dir ${dir} exists and is not a directory`, { hint: 'pass a directory (it is created if missing) for journals, reverse plans and records' });
  }
}

export function ensureStateDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function shortId(planId: string): string {
  return planId.replace(/^sha256:/, '').slice(0, 12);
}

export function journalPath(dir: string, planId: string): string {
  return path.join(dir, `journal-${shortId(planId)}.jsonl`);
}

export function reversePlanPath(dir: string, planId: string): string {
  return path.join(dir, `reverse-${shortId(planId)}.json`);
}

/**
 * Writes a small JSON record atomically (temp file + rename), so a crash never leaves half a file.
 * The temp name is the writer's own: two commands recording at once must not rename each other's file.
 */
export function writeRecord(dir: string, name: string, value: unknown): void {
  ensureStateDir(dir);
  const f = new AtomicFile(path.join(dir, name), '--state-dir record');
  f.write(JSON.stringify(value, null, 2) + '\n');
  f.commit();
}

export function readRecord<T>(dir: string, name: string): T | null {
  const file = path.join(dir, name);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** The newest journal in the state dir, if any. */
export function latestJournal(dir: string): string | null {
  if (!existsSync(dir)) return null;
  const journals = readdirSync(dir)
    .filter((f) => /^journal-.*\.jsonl$/.test(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return journals[0] ?? null;
}

export interface LastPlanRecord {
  path: string;
  plan_id: string;
  mode: 'migrate' | 'reverse';
  changes: number;
  at: string;
}

export interface VerifiedRecord {
  at: string;
  ok: boolean;
  source_digest: string;
  target_cluster_uid: string;
  differences: number;
  /** Who ran it (`user@host/pid`), when the fact comes from the target's run record. */
  by?: string;
}
