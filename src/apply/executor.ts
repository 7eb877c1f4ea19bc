/**
 * applyPlan: executes a plan's writes against the target, safely.
 *
 *  1. Validate the plan is executable (throws PLAN_INVALID), take the exclusive apply Lease
 *     (throws LEASE_HELD) and keep renewing it; open the journal (new, or `resume`: continue it
 *     and settle the writes a crash left open by reading their objects).
 *  2. Run the steps of order.ts one after the other; inside a step up to `parallelism` writes are
 *     in flight, and the pool is kept full (runStep):
 *       a. intents are appended to the journal and made durable with ONE fdatasync per group,
 *          which also covers the results buffered since the last commit (group commit, see
 *          journal.ts); up to a pool's worth is journaled ahead, so a freed slot is refilled
 *          at once;
 *       b. a write is sent only once its intent is durable. The journal is then the record its
 *          reverse is derived from (reverse-plan.ts, reverse-from-journal.ts): the forward plan plus the
 *          journal give the reverse plan at any moment, so nothing is rewritten while apply runs.
 *  3. On the first failure no new write starts, in-flight writes finish and are recorded, and the
 *     result is `partial` with the failing address and message. A lost lease stops it the same way.
 *  4. The journal gets its `end` line, the reverse plan is written once, streamed, from the plan
 *     and the journal, and the lease is released (on success and on failure). A run that never
 *     gets there (killed) leaves no reverse plan rather than an out-of-date one; `calico-migrate
 *     rollback` writes it from the journal.
 *
 * It never prints, and never throws for a per-object failure; it throws MigrateError only for
 * setup problems (invalid plan, lease held, unusable journal).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MigrateError } from '../errors.js';
import { PhaseProgress } from '../progress.js';
import { displayName } from '../plan/address.js';
import { calicoOwners, withOwnerUids } from '../plan/owner-references.js';
import { bodiesNameChange, createdBodyText } from '../util/plan-file-reader.js';
import type { Plan, ResourceChange } from '../plan/types.js';
import { isNode } from './content.js';
import { sendChange, type Outcome } from './handlers.js';
import { JournalWriter, readJournal, type JournalAction } from './journal.js';
import { acquireLease, LEASE_NAME, LEASE_NAMESPACE, type LeaseHandle } from './lease.js';
import { actionOf, chainKey, executionSteps, isWrite, type Step } from './order.js';
import { effectivePreconditions, emptyJournalState, journalState, recordResult, resolveOpenEntries, type JournalState } from './resume.js';
import { journalOutcomes } from './reverse-from-journal.js';
import { ReversePlanWriter } from './reverse-plan.js';
import type { ApplyCounts, ApplyDeps, ApplyFailure, ApplyOptions, ApplyResult, FailureReason, StopSignal } from './types.js';

/** Measured on a 2-core box (apply vs a minimal keep-alive client, 20,000 objects): the client saturates at 32 and apply is closest to it there (85%); 64 only adds contention. */
export const DEFAULT_PARALLELISM = 32;
const LEASE_ADDRESS = `coordination.k8s.io/v1/Lease/${LEASE_NAMESPACE}/${LEASE_NAME}`;

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Default artefact paths next to the plan: `<plan>.journal.jsonl` and `<plan>.reverse.json`. */
export function defaultApplyPaths(planPath: string): { journalPath: string; reversePath: string } {
  const stem = planPath.replace(/\.json$/, '');
  return { journalPath: `${stem}.journal.jsonl`, reversePath: `${stem}.reverse.json` };
}

/**
 * Everything about a plan that would make executing it unsafe or impossible.
 * @throws MigrateError PLAN_INVALID
 */
export function validateExecutable(plan: Plan): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of plan.resource_changes) {
    const name = c.address;
    if (seen.has(c.address)) problems.push(`${name}: appears twice`);
    seen.add(c.address);
    if (!isWrite(c)) continue;
    // `after` for a create or update and `before` for an update or delete are required by the
    // schema (and the type); what is left to check is what the schema cannot say.
    const action = actionOf(c);
    const node = isNode({ apiVersion: c.api_version, kind: c.kind });
    if (action === 'create' && node) problems.push(`${name}: apply never creates a Node`);
    if (action === 'delete' && node) problems.push(`${name}: apply never deletes a Node`);
    // A plan file's reader checked this as it read each line: reading every body back here cost
    // as much CPU as parsing the whole plan again.
    if (bodiesNameChange(c) === true) continue;
    const { before, after } = c.change;
    for (const [which, obj] of [
      ['before', before],
      ['after', after],
    ] as const) {
      if (!obj) continue;
      const ns = obj.metadata.namespace ?? null;
      if (obj.apiVersion !== c.api_version || obj.kind !== c.kind || obj.metadata.name !== c.name || ns !== c.namespace) {
        problems.push(`${name}: its \`${which}\` object is ${obj.apiVersion} ${obj.kind} ${ns ? ns + '/' : ''}${obj.metadata.name}`);
      }
    }
  }
  // Two steps of one object must not run concurrently (the chain rule needs them in order).
  for (const step of executionSteps(plan.resource_changes)) {
    const bases = new Map<string, string>();
    for (const c of step.changes) {
      const b = chainKey(c);
      if (b === null) continue;
      if (bases.has(b)) problems.push(`${c.address} and ${bases.get(b)} write the same object in the same wave`);
      bases.set(b, c.address);
    }
  }
  if (problems.length > 0) {
    throw new MigrateError('PLAN_INVALID', `plan ${plan.plan_id} cannot be executed: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, {
      hint: 'Make a new plan with `calico-migrate plan --out <file>`.',
      details: { problems },
    });
  }
}

/**
 * Execute `plan`. See the module comment.
 * @throws MigrateError PLAN_INVALID (plan not executable, journal for another plan or damaged),
 *   LEASE_HELD (another apply runs), USAGE (journal exists / missing paths)
 */
export async function applyPlan(plan: Plan, deps: ApplyDeps, options: ApplyOptions): Promise<ApplyResult> {
  const clock = deps.clock ?? (() => new Date());
  const parallelism = options.parallelism ?? DEFAULT_PARALLELISM;
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new MigrateError('USAGE', `parallelism must be a whole number of at least 1, not ${parallelism}`);
  }
  validateExecutable(plan);

  if (!options.resume && !options.reversePath) throw new MigrateError('USAGE', 'applyPlan needs a reverse plan path for a new apply');
  if (!options.resume && options.reversePath && existsSync(options.reversePath)) {
    // It can only be the rollback of an earlier apply of this plan: never replace it.
    throw new MigrateError('USAGE', `reverse plan ${options.reversePath} already exists; it is the rollback of an earlier apply of this plan`, {
      hint: 'keep it (move it elsewhere) or apply it first; a new apply writes its own reverse plan there',
    });
  }

  const takeOver: string[] = [];
  const lease = deps.lease
    ? await acquireLease(deps.lease, options.holder, {
        clock,
        durationSeconds: options.lease?.durationSeconds,
        renewIntervalMs: options.lease?.renewIntervalMs,
        holderGone: options.lease?.holderGone,
        onTakeOver: (previous) => {
          const message = `took over the apply lease of ${previous}: that process no longer runs on this host, so its apply had stopped`;
          takeOver.push(message);
          deps.io.event({ type: 'apply_warning', message });
        },
      })
    : null;
  let result: ApplyResult | undefined;
  try {
    lease?.startRenewal();
    // The journal to resume is read under the lease, so no other apply can still be appending to it.
    const contents = options.resume ? readJournal(options.journalPath) : null;
    if (contents && contents.header.plan_id !== plan.plan_id) {
      throw new MigrateError('PLAN_INVALID', `apply journal ${options.journalPath} is for plan ${contents.header.plan_id}, not for this plan (${plan.plan_id})`, {
        hint: 'resume with the plan file that journal was written for',
      });
    }
    const reversePath = options.reversePath ?? contents!.header.reverse_path;
    const run = new ApplyRun(plan, deps, options, { clock, parallelism, reversePath, lease });
    const chains = new Map(plan.resource_changes.map((c) => [c.address, chainKey(c)]));
    result = await run.execute(contents ? journalState(contents, (address) => chains.get(address) ?? null) : null, contents);
    result.warnings.unshift(...takeOver);
    return result;
  } finally {
    if (lease) {
      lease.stopRenewal();
      try {
        await lease.release();
      } catch (e) {
        const message = `could not release the apply lease: ${(e as Error).message}`;
        deps.io.event({ type: 'apply_warning', message });
        if (result) {
          result.warnings.push(message);
          result.lease_released = false;
        }
      }
    }
  }
}

interface RunSettings {
  clock: () => Date;
  parallelism: number;
  reversePath: string;
  lease: LeaseHandle | null;
}

class ApplyRun {
  private readonly mono: () => number;
  private readonly toolVersion: string;
  private state: JournalState = emptyJournalState();
  private journal!: JournalWriter;
  private readonly reverse: ReversePlanWriter;
  private readonly failures: ApplyFailure[] = [];
  private stopping = false;
  private interrupted: StopSignal | null = null;
  private sent = 0;
  private readonly writes: ResourceChange[];
  private readonly counts: ApplyCounts;
  private readonly warnings: string[] = [];
  private startedMs = 0;
  private writesThisRun = 0;
  /** Set once the run starts; every recorded result updates it (throttled there, a clock read per write). */
  private tracker: PhaseProgress | null = null;
  private done = 0;

  constructor(
    private readonly plan: Plan,
    private readonly deps: ApplyDeps,
    private readonly options: ApplyOptions,
    private readonly s: RunSettings,
  ) {
    this.mono = deps.monotonic ?? (() => performance.now());
    this.toolVersion = options.toolVersion ?? packageVersion();
    this.reverse = new ReversePlanWriter(s.reversePath, plan, this.toolVersion);
    this.writes = plan.resource_changes.filter(isWrite);
    this.counts = { total: this.writes.length, done: 0, created: 0, updated: 0, deleted: 0, adopted: 0, skipped: 0, failed: 0, not_started: 0 };
  }

  private fail(address: string, action: string, reason: FailureReason, message: string): void {
    this.failures.push({ address, action, reason, message });
    this.stopping = true;
    this.deps.io.event({ type: 'apply_errored', address, action, reason, message });
  }

  /** True when no new write may start (a failure, a stop signal, or the lease is not reliably held). */
  private mustStop(): boolean {
    const signal = this.options.signal;
    if (signal?.aborted && !this.interrupted) {
      this.interrupted = signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
      this.stopping = true;
      this.deps.io.event({ type: 'apply_warning', message: `${this.interrupted}: no new write starts; the writes in flight are settled and recorded in the journal` });
    }
    if (this.stopping) return true;
    const lease = this.s.lease;
    if (lease && !lease.isValid()) {
      try {
        lease.assertValid();
      } catch (e) {
        this.fail(LEASE_ADDRESS, 'renew', 'LEASE_LOST', (e as Error).message);
      }
      return true;
    }
    return false;
  }

  async execute(resumed: JournalState | null, contents: Parameters<typeof JournalWriter.reopen>[1] | null): Promise<ApplyResult> {
    const { clock } = this.s;
    const header = {
      plan_id: this.plan.plan_id,
      plan_path: this.options.planPath,
      reverse_path: this.s.reversePath,
      started_at: clock().toISOString(),
      tool_version: this.toolVersion,
      holder: this.options.holder,
    };
    if (resumed && contents) {
      this.state = resumed;
      this.journal = await JournalWriter.reopen(this.options.journalPath, contents, header, clock);
    } else {
      this.journal = await JournalWriter.create(this.options.journalPath, header, clock);
    }
    // The previous run's reverse plan does not cover what this run is about to write: remove it
    // rather than leave an incomplete rollback on disk (the end of this run, or `rollback`, writes it).
    if (resumed) rmSync(this.s.reversePath, { force: true });
    this.s.lease?.onLost((e) => {
      if (!this.failures.some((f) => f.reason === 'LEASE_LOST')) this.fail(LEASE_ADDRESS, 'renew', 'LEASE_LOST', e.message);
    });

    const byAddress = new Map(this.writes.map((c) => [c.address, c]));
    for (const c of this.writes) if (this.state.byAddress.get(c.address)?.status === 'ok') this.counts.skipped++;
    this.recount();

    this.startedMs = this.mono();
    const steps = executionSteps(this.plan.resource_changes);
    try {
      this.deps.io.event({
        type: 'apply_start',
        total: this.counts.total,
        waves: steps.length,
        done: this.doneCount(),
        parallelism: this.s.parallelism,
        resumed: !!resumed,
      });
      this.tracker = PhaseProgress.start({ io: this.deps.io, monotonic: this.mono }, 'apply', 'writes', this.counts.total, this.options.progressIntervalMs);
      this.tracker.already(this.doneCount());
      if (resumed) {
        // Settle what the previous run left open before anything new is sent.
        const report = await resolveOpenEntries(byAddress, this.state, this.deps.target, this.journal, this.s.parallelism);
        this.counts.adopted += report.adopted.length;
        this.recount();
        await this.journal.commit();
        for (const f of report.failures) this.fail(f.address, f.action, f.reason, f.message);
      }
      for (let k = 0; k < steps.length; k++) {
        if (this.mustStop()) break;
        await this.runStep(steps[k]!);
      }
    } catch (e) {
      // Our own file failed (the journal). Nothing further is sent.
      this.fail(this.options.journalPath, 'journal', 'ERROR', `apply stopped: could not write its journal: ${(e as Error).message}`);
    }

    const done = this.doneCount();
    this.tracker?.end(done);
    const complete = this.failures.length === 0 && done === this.counts.total;
    const signalExit = this.interrupted === 'SIGTERM' ? 'TERMINATED' : 'INTERRUPTED';
    try {
      this.journal.end(complete ? 'complete' : 'partial');
      await this.journal.close();
    } catch (e) {
      this.warnings.push(`could not finish the journal ${this.options.journalPath}: ${(e as Error).message}`);
    }
    try {
      const progress = PhaseProgress.start({ io: this.deps.io, monotonic: this.mono }, 'reverse-plan', 'changes', null, this.options.progressIntervalMs);
      await this.reverse.write(journalOutcomes(this.state), progress);
      progress.end();
    } catch (e) {
      this.warnings.push(
        `could not write the reverse plan ${this.s.reversePath}: ${(e as Error).message}; \`calico-migrate rollback --journal ${this.options.journalPath}\` writes it from the journal`,
      );
    }
    const seconds = (this.mono() - this.startedMs) / 1000;
    const rate = seconds > 0 ? this.writesThisRun / seconds : 0;
    this.counts.done = done;
    this.counts.failed = new Set(this.failures.filter((f) => byAddress.has(f.address)).map((f) => f.address)).size;
    const failedAddresses = new Set(this.failures.map((f) => f.address));
    this.counts.not_started = this.writes.filter((c) => this.state.byAddress.get(c.address)?.status !== 'ok' && !failedAddresses.has(c.address)).length;
    if (complete) this.deps.io.event({ type: 'apply_complete', done, total: this.counts.total, seconds: round(seconds) });

    const stale = this.failures.some((f) => f.reason === 'STALE');
    return {
      status: complete ? 'complete' : 'partial',
      plan_id: this.plan.plan_id,
      journal_path: this.options.journalPath,
      reverse_path: this.s.reversePath,
      reverse_plan_id: this.reverse.lastPlanId,
      counts: { ...this.counts },
      failed: this.failures[0] ?? null,
      failures: [...this.failures],
      exit: complete ? 'OK' : this.interrupted ? signalExit : stale ? 'STALE' : 'PARTIAL',
      interrupted: complete ? null : this.interrupted,
      seconds: round(seconds),
      rate_per_s: round(rate),
      warnings: this.warnings,
      lease_released: true,
    };
  }

  /** Writes done; counted once from the journal state, then kept by `record` (progress asks often). */
  private doneCount(): number {
    return this.done;
  }

  private recount(): void {
    this.done = 0;
    for (const c of this.writes) if (this.state.byAddress.get(c.address)?.status === 'ok') this.done++;
  }

  /**
   * One step as a pipeline that keeps `parallelism` writes in flight. Intents are journaled ahead
   * of the pool, so a slot that frees is refilled at once with a write whose intent is already
   * durable instead of waiting for the next fsync. A commit starts when the journaled-ahead queue
   * is down to half and carries at least that half (group commit): one fdatasync per
   * `parallelism / 2` writes or so, which matters twice on a disk etcd shares, where every fsync
   * of ours queues behind (and delays) etcd's own.
   *
   * `ahead` is `parallelism - 1`: at most one pool's worth of intents is open beyond the writes
   * in flight (what a resume after a crash reads back and, found unchanged, sends), and a pool of
   * one journals nothing ahead (one write at a time, strictly). Journaled-ahead writes that are
   * never sent because apply stopped get a `not sent` result.
   */
  private async runStep(step: Step): Promise<void> {
    const todo = step.changes.filter((c) => this.state.byAddress.get(c.address)?.status !== 'ok');
    if (this.tracker) this.tracker.wave = step.wave;
    this.deps.io.event({ type: 'wave_start', wave: step.wave, phase: step.phase, count: todo.length, planned: step.changes.length });
    if (todo.length === 0) return;
    const { parallelism } = this.s;
    const ahead = parallelism - 1;
    const running = new Set<Promise<void>>();
    const ready: Array<{ change: ResourceChange; seq: number }> = [];
    let committing: Promise<void> | null = null;
    let next = 0;
    // Woken by every finished write and every landed commit.
    let wake: () => void = () => undefined;
    const woken = () => new Promise<void>((resolve) => (wake = resolve));
    try {
      for (;;) {
        if (this.mustStop()) break;
        while (running.size < parallelism && ready.length > 0) {
          const { change, seq } = ready.shift()!;
          const p: Promise<void> = this.write(change, seq).finally(() => {
            running.delete(p);
            wake();
          });
          running.add(p);
        }
        const room = parallelism + ahead - running.size - ready.length;
        if (!committing && next < todo.length && room > 0 && ready.length <= ahead / 2) {
          const batch = todo.slice(next, next + room).map((change) => ({ change, seq: this.intent(change) }));
          next += batch.length;
          committing = this.journal.commit().then(() => {
            ready.push(...batch);
            committing = null;
            wake();
          });
        }
        if (running.size === 0 && ready.length === 0 && !committing) break;
        const wait = woken();
        // A commit failure (our own file) rejects here and stops the run; see execute().
        await (committing ? Promise.race([wait, committing]) : wait);
      }
    } finally {
      await Promise.allSettled([...running]);
      if (committing) await committing.catch(() => undefined);
      // Their intents are durable but they were never sent: say so, so resume does not have to find out.
      for (const { change, seq } of ready) this.record(change, seq, { status: 'error', reason: 'ERROR', message: 'not sent: apply stopped' }, false);
      // Results of the last writes of the step; the next step's first commit would carry them
      // too, but a step boundary is a natural durability point.
      await this.journal.commit();
    }
    this.tracker?.report();
  }

  private intent(c: ResourceChange): number {
    const action = actionOf(c) as JournalAction;
    const seq = this.journal.intent(c.address, action);
    this.state.byAddress.set(c.address, { address: c.address, action, seq, status: 'open', uid: null, resource_version: null, message: null });
    return seq;
  }

  private async write(change: ResourceChange, seq: number): Promise<void> {
    let outcome: Outcome;
    const failAfter = this.options.failAfter;
    if (failAfter !== undefined && this.sent >= failAfter) {
      outcome = { status: 'error', reason: 'INJECTED', message: `${displayName(change)}: injected failure (failAfter=${failAfter}); not sent` };
    } else {
      this.sent++;
      const pre = effectivePreconditions(change, this.state.chain);
      try {
        // Inside the try: reading the body back refuses a plan file modified since it was checked.
        const createdText = ownerlessCreateText(change);
        const sent = createdText ? change : this.withOwnerUids(change);
        outcome = await sendChange(this.deps.target, sent, pre, { restoring: this.plan.mode === 'reverse', createdText });
      } catch (e) {
        outcome = { status: 'unknown', reason: 'UNKNOWN', message: `${displayName(change)}: ${(e as Error).message}` };
      }
      this.writesThisRun++;
    }
    this.record(change, seq, outcome, true);
  }

  /**
   * The change with its Calico owner references pointing at the uids their owners got from this
   * plan's own writes (journaled, so a resume knows them too); owners the plan does not write kept
   * the uid the plan resolved. The dependent's wave comes after its owner's, so the owner's write
   * has a result.
   */
  private withOwnerUids(change: ResourceChange): ResourceChange {
    const body = change.change;
    if ((body.action !== 'create' && body.action !== 'update') || isNode(body.after)) return change;
    const owners = calicoOwners(body.after);
    if (owners.length === 0) return change;
    const uids = new Map<number, string>();
    for (const o of owners) {
      const entry = this.state.byAddress.get(o.address);
      // Not written by this plan, or (past the deepest owned wave) in the same step: the planned uid stands.
      if (entry?.status !== 'ok' || !entry.uid) continue;
      uids.set(o.index, entry.uid);
    }
    const after = withOwnerUids(body.after, uids);
    return after === body.after ? change : { ...change, change: { ...body, after } };
  }

  private record(change: ResourceChange, seq: number, outcome: Outcome, report: boolean): void {
    const action = actionOf(change) as 'create' | 'update' | 'delete';
    const address = change.address;
    if (outcome.status === 'ok') {
      const rv = outcome.resourceVersion;
      this.journal.result(seq, address, action, { status: 'ok', uid: outcome.uid, resource_version: rv, message: outcome.message });
      recordResult(this.state, seq, address, 'ok', outcome.uid, rv, outcome.message, chainKey(change));
      this.done++;
      this.counts[outcome.how]++;
    } else if (outcome.status === 'error') {
      this.journal.result(seq, address, action, { status: 'error', message: outcome.message });
      recordResult(this.state, seq, address, 'error', null, null, outcome.message, chainKey(change));
      if (report) this.fail(address, action, outcome.reason, outcome.message);
    } else {
      // Unknown: no result line; the intent stays open and its reverse stays unguarded.
      if (report) this.fail(address, action, outcome.reason, outcome.message);
    }
    this.tracker?.update(this.done);
  }
}

/**
 * A create's `after` as the plan file's canonical text, when no owner reference in it needs a uid
 * rewritten (the text does not even name one): it is sent as it is, neither parsed nor
 * re-serialised. Undefined otherwise (an in-memory plan, or owners to resolve), and the object is sent.
 */
function ownerlessCreateText(change: ResourceChange): string | undefined {
  const text = createdBodyText(change)?.();
  return text === undefined || text.includes('ownerReferences') ? undefined : text;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
