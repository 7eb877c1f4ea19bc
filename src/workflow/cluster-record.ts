/**
 * Writing and reading the run record in the target (model/status-record.ts), so `status` works
 * from any machine. Each write is read-merge-replace guarded by resourceVersion: a writer that
 * lost the race reads the record again and merges its run into what the other wrote, so two
 * writers never drop each other's runs.
 *
 * The record is best-effort by design: a target that refuses it (no permission) or does not
 * answer must not fail or slow the apply that writes it. The first failure is said once as a
 * warning; the run goes on; `status` then says the record may be stale. While a run goes on
 * the record is rewritten at most every RECORD_INTERVAL_MS, in the background.
 */
import path from 'node:path';
import type { Io, MigrateEvent } from '../io.js';
import { isMigrateError } from '../errors.js';
import { RECORD_INTERVAL_MS, STATUS_RECORD_LABEL, parseStatusRecord, serializeStatusRecord, upsertRun, type ClusterRun, type RunCommand, type StatusRecord } from '../model/status-record.js';
import type { StatusRecordPort } from '../ports/target.js';
import type { Context } from './context.js';
import { readRecord, writeRecord } from './state-dir.js';
import { existsSync } from 'node:fs';

/** The local copy of the record as last written or read (in the state directory): shown when the target cannot be read. */
export const RECORD_CACHE = 'cluster-record.json';
/** Guarded writes tried before giving up on one update (each conflict means another writer just succeeded). */
const MAX_ATTEMPTS = 6;
/** How long the end of a run waits for its record before going on without it. */
const FINISH_WAIT_MS = 10_000;

/** Runs this process started: part of a run's id, as one process can start several in a millisecond (cutover: its applies, its verify). */
let runsStarted = 0;

export interface RecordCache {
  read_at: string;
  runs: ClusterRun[];
  /** This host could not write the record for these run ids: the target's copy lacks or trails them. */
  unwritten: string[];
}

export type RecordRead = { ok: true; record: StatusRecord | null } | { ok: false; error: string };

const messageOf = (e: unknown) => (isMigrateError(e) ? e.message : (e as Error).message);

/** The record as the target holds it now (null when there is none). Never throws. */
export async function readClusterRecord(port: StatusRecordPort): Promise<RecordRead> {
  try {
    const stored = await port.readStatusRecord();
    if (!stored) return { ok: true, record: null };
    const record = parseStatusRecord(stored.text);
    if (!record) return { ok: false, error: `${STATUS_RECORD_LABEL} holds no readable run record` };
    return { ok: true, record };
  } catch (e) {
    return { ok: false, error: messageOf(e) };
  }
}

/**
 * Merge `run` into the target's record: read, upsert, replace guarded by the resourceVersion
 * read (create when absent); on a conflict read again and merge again.
 * @returns the record as written
 * @throws what the port throws (no permission, no answer), or an Error after MAX_ATTEMPTS conflicts
 */
export async function writeRun(port: StatusRecordPort, run: ClusterRun): Promise<StatusRecord> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await port.readStatusRecord();
    // An unreadable record is the tool's own object gone bad: start it again rather than never record.
    const next = upsertRun(stored ? parseStatusRecord(stored.text) : null, run);
    const text = serializeStatusRecord(next);
    const w = stored ? await port.replaceStatusRecord(text, stored.resourceVersion) : await port.createStatusRecord(text);
    if (w.ok) return next;
    // conflict: someone else wrote first; gone: deleted in between. Either way read again.
  }
  throw new Error(`${STATUS_RECORD_LABEL} kept changing (${MAX_ATTEMPTS} conflicting writes)`);
}

export interface RunStart {
  command: RunCommand;
  plan_id: string | null;
  total?: number | null;
  plan_path?: string | null;
  journal?: string | null;
  reverse_path?: string | null;
  source_revision?: number | null;
}

/** One run's record: written at the start, at most every RECORD_INTERVAL_MS while it goes on, and at the end. */
export class RunRecorder {
  private run: ClusterRun;
  private inFlight: Promise<void> | null = null;
  private lastWriteMs: number;
  private warned = false;
  private unwritten = false;

  private constructor(
    private readonly port: StatusRecordPort,
    private readonly ctx: Pick<Context, 'io' | 'now' | 'monotonic'>,
    private readonly stateDir: string | null,
    start: RunStart,
    who: string,
  ) {
    const at = ctx.now().toISOString();
    this.run = {
      id: `${who}/${at}/${start.command}/${++runsStarted}`,
      command: start.command,
      plan_id: start.plan_id,
      by: who,
      started_at: at,
      updated_at: at,
      finished_at: null,
      outcome: 'running',
      done: start.total === undefined || start.total === null ? null : 0,
      total: start.total ?? null,
      plan_path: start.plan_path ? path.resolve(start.plan_path) : null,
      journal: start.journal ? path.resolve(start.journal) : null,
      reverse_path: start.reverse_path ? path.resolve(start.reverse_path) : null,
      source_revision: start.source_revision ?? null,
      verify: null,
      message: null,
    };
    this.lastWriteMs = ctx.monotonic();
  }

  /** Record the start (one read and one write before the run's first write, waited for at most FINISH_WAIT_MS). */
  static async start(port: StatusRecordPort, ctx: Pick<Context, 'io' | 'now' | 'monotonic' | 'who'>, stateDir: string | null, start: RunStart): Promise<RunRecorder> {
    const r = new RunRecorder(port, ctx, stateDir, start, ctx.who);
    await r.bounded();
    return r;
  }

  get current(): ClusterRun {
    return { ...this.run };
  }

  /** Counts from the apply's events; the record is rewritten only when RECORD_INTERVAL_MS has passed, without waiting. */
  progress(done: number, total: number): void {
    this.run = { ...this.run, done, total };
    if (this.inFlight || this.ctx.monotonic() - this.lastWriteMs < RECORD_INTERVAL_MS) return;
    this.inFlight = this.write().finally(() => (this.inFlight = null));
  }

  /** An Io that passes everything on and takes the apply's counts from its events. */
  observe(io: Io): Io {
    const tap = (e: MigrateEvent) => {
      switch (e.type) {
        case 'apply_start':
        case 'apply_complete':
          this.progress(e.done, e.total);
          return;
        case 'progress':
          // Only the writes count for the record; the reverse plan and the other phases do not.
          if (e.phase === 'apply' && e.total !== null) this.progress(e.done, e.total);
          return;
        case 'wave_start':
        case 'apply_errored':
        case 'apply_warning':
          return;
        default: {
          const never: never = e;
          throw new Error(`unknown event ${String((never as { type: unknown }).type)}`);
        }
      }
    };
    return {
      say: (level, message) => io.say(level, message),
      event: (e) => {
        io.event(e);
        tap(e);
      },
      out: (text) => io.out(text),
      confirm: (q) => io.confirm(q),
      canConfirm: () => io.canConfirm(),
    };
  }

  /** Record the end. Waits at most FINISH_WAIT_MS for the target, then goes on (warning once). */
  async finish(end: Partial<Pick<ClusterRun, 'outcome' | 'done' | 'total' | 'verify' | 'message' | 'journal' | 'reverse_path' | 'plan_id'>>): Promise<void> {
    if (this.inFlight) await this.inFlight;
    const at = this.ctx.now().toISOString();
    this.run = { ...this.run, ...end, outcome: end.outcome ?? 'complete', finished_at: at };
    await this.bounded();
  }

  /** Whether a write of this run failed (the warning was said). */
  get failed(): boolean {
    return this.warned;
  }

  /** A write the run waits for, at most FINISH_WAIT_MS: a target that does not answer must not hold the command. */
  private async bounded(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), FINISH_WAIT_MS);
      timer.unref();
    });
    const r = await Promise.race([this.write(), waited]);
    clearTimeout(timer);
    if (r === 'late') this.warnOnce(`no answer within ${FINISH_WAIT_MS / 1000} s`);
  }

  /** Never throws: a failure is a warning (once) and a note in the local cache. */
  private async write(): Promise<void> {
    this.lastWriteMs = this.ctx.monotonic();
    this.run = { ...this.run, updated_at: this.ctx.now().toISOString() };
    const run = { ...this.run };
    try {
      const record = await writeRun(this.port, run);
      this.unwritten = false;
      this.cache(record.runs);
    } catch (e) {
      this.unwritten = true;
      this.cache(null);
      this.warnOnce(messageOf(e));
    }
  }

  private warnOnce(why: string): void {
    if (this.warned) return;
    this.warned = true;
    this.ctx.io.say(
      'warn',
      `could not write the run record ${STATUS_RECORD_LABEL} (${why}); the ${this.run.command} goes on, but \`calico-migrate status\` on another machine may not show this run or show it stale`,
    );
  }

  /** The local copy: the target's runs as just written, or (when that failed) the previous copy with this run added and marked unwritten. */
  private cache(runs: ClusterRun[] | null): void {
    if (!this.stateDir || !existsSync(this.stateDir)) return;
    try {
      const prev = readRecord<RecordCache>(this.stateDir, RECORD_CACHE);
      const unwritten = new Set((prev?.unwritten ?? []).filter((id) => id !== this.run.id));
      if (this.unwritten) unwritten.add(this.run.id);
      const kept = runs ?? upsertRun({ format: 1, runs: prev?.runs ?? [] }, this.run).runs;
      writeRecord(this.stateDir, RECORD_CACHE, { read_at: this.ctx.now().toISOString(), runs: kept, unwritten: [...unwritten] } satisfies RecordCache);
    } catch {
      // The cache is a convenience; the journal and the other records are what resume relies on.
    }
  }
}
