/**
 * The reverse (rollback) plan, written by apply as it goes: an ordinary plan file (mode `reverse`,
 * `reverses` = the forward plan_id, built with writePlan so it validates against the schema)
 * that undoes exactly the writes this apply made, built from the forward plan plus what the
 * journal recorded, never from the forward plan alone.
 *
 *   forward create  → delete, guarded by the uid the create returned
 *   forward update  → update back to the plan's `before`, guarded by the resourceVersion our update returned
 *                     (for a Node: the managed annotations as they were; keys we added are removed)
 *   forward delete  → create from the plan's `before` (create-only)
 *   The ClusterInformation's lock and identity steps follow the same rules: the identity step is undone first,
 *   then the lock step restores the prior object (or deletes it if apply created it), taking its
 *   resourceVersion precondition from the identity undo at run time (the chain rule, resume.ts).
 *
 * A write that was about to be sent (or whose answer was lost) has no uid/resourceVersion yet;
 * its reverse carries none, and the handlers then check the object's content instead: a reverse
 * delete removes the object only if it is exactly what the forward create wrote, a reverse update
 * proceeds only from exactly the forward `after`. So a reverse plan written before a write is
 * always safe to apply, whether or not that write happened.
 *
 * Waves: the reverse apply must undo forward steps in the opposite order. Each forward step that
 * did something gets its own band (order.ts): the last forward step is undone in band 0, the one
 * before in band 1, and so on; the reverse wave is `band * 100 + forward wave`.
 */
import type { PhaseProgress } from '../progress.js';
import { PlanEncoder, RAW_BODY, type RawBody } from '../plan/plan-file.js';
import { createdBodyText } from '../util/plan-file-reader.js';
import { AtomicFile } from '../util/atomic-file.js';
import { changedPaths } from '../plan/paths.js';
import { compareChanges, type Ordered } from '../plan/address.js';
import { summarize } from '../plan/summary.js';
import type { Action, Plan, PlanBody, ResourceChange } from '../plan/types.js';
import { actionOf, executionSteps, WAVE_BAND } from './order.js';

/** Changes encoded between two turns of the event loop (about 20 ms of work each). */
const YIELD_EVERY = 2000;

/** What apply knows about one forward write. */
export interface ForwardOutcome {
  /** `ok`: done, with what the write returned; `pending`: about to be sent or answer not recorded. */
  status: 'ok' | 'pending';
  uid: string | null;
  resourceVersion: string | null;
}

export type OutcomeLookup = (address: string) => ForwardOutcome | undefined;

/** The reverse of one forward change, given its outcome and the reverse wave. */
export function reverseChange(fw: ResourceChange, outcome: ForwardOutcome, wave: number): ResourceChange {
  const known = outcome.status === 'ok';
  const base = {
    address: fw.address,
    wave,
    api_version: fw.api_version,
    kind: fw.kind,
    namespace: fw.namespace,
    name: fw.name,
    step: fw.step,
    source_keys: [],
    dry_run: null,
  };
  const body = fw.change;
  switch (body.action) {
    // The bodies are getters over the forward change: a reverse plan is encoded one change at a
    // time, and a forward plan read from a file (util/plan-file-reader.ts) reads each body back
    // only then, so a rewrite never holds every object at once.
    case 'create': {
      const reverse: ResourceChange = {
        ...base,
        change: {
          action: 'delete',
          get before() {
            return body.after;
          },
          after: null,
          changed_paths: [],
        },
        target: { uid: known ? outcome.uid : null, resource_version: null },
      };
      const text = createdBodyText(fw);
      if (text) {
        const standIn = { apiVersion: fw.api_version, kind: fw.kind, metadata: { name: fw.name, ...(fw.namespace === null ? {} : { namespace: fw.namespace }) } };
        Object.defineProperty(reverse, RAW_BODY, { value: { field: 'before', text, standIn } satisfies RawBody, enumerable: false });
      }
      return reverse;
    }
    case 'update':
      return {
        ...base,
        change: {
          action: 'update',
          get before() {
            return body.after;
          },
          get after() {
            return body.before;
          },
          get changed_paths() {
            return changedPaths(body.after, body.before);
          },
        },
        target: { uid: (known ? outcome.uid : null) ?? fw.target.uid, resource_version: known ? outcome.resourceVersion : null },
      };
    case 'delete':
      return {
        ...base,
        change: {
          action: 'create',
          before: null,
          get after() {
            return body.before;
          },
          changed_paths: [],
        },
        target: { uid: null, resource_version: null },
      };
    case 'no-op':
    case 'extra':
      throw new Error(`reverseChange: ${body.action} is not a write`);
    default: {
      const never: never = body;
      throw new Error(`reverseChange: unknown action ${String((never as { action?: unknown }).action)}`);
    }
  }
}

/** One forward write to undo, in the reverse plan's order (its identity, with the reverse wave). */
interface ReverseEntry extends Ordered {
  forward: ResourceChange;
  outcome: ForwardOutcome;
}

/**
 * The forward writes that have an outcome, with reverse waves assigned, in the reverse plan's
 * listing order. Small records only: the reverse changes themselves are made one at a time as
 * they are written (a 300,000-object apply held 650 MB of them at once otherwise).
 */
function reverseEntries(plan: Pick<Plan, 'resource_changes'>, lookup: OutcomeLookup): ReverseEntry[] {
  const steps = executionSteps(plan.resource_changes);
  const touched = steps
    .map((step) =>
      step.changes.flatMap((c) => {
        const o = lookup(c.address);
        return o ? [{ change: c, outcome: o }] : [];
      }),
    )
    .filter((list) => list.length > 0);
  const out: ReverseEntry[] = [];
  touched.forEach((list, i) => {
    const band = touched.length - 1 - i;
    for (const { change, outcome } of list) {
      out.push({ wave: band * WAVE_BAND + (change.wave % WAVE_BAND), kind: change.kind, namespace: change.namespace, name: change.name, address: change.address, forward: change, outcome });
    }
  });
  return out.sort(compareChanges);
}

/** The reverse changes for every forward write that has an outcome, with reverse waves assigned. */
export function reverseChanges(plan: Pick<Plan, 'resource_changes'>, lookup: OutcomeLookup): ResourceChange[] {
  return reverseEntries(plan, lookup).map((e) => reverseChange(e.forward, e.outcome, e.wave));
}

const REVERSED: Record<'create' | 'update' | 'delete', Pick<ResourceChange, 'change'>['change']['action']> = { create: 'delete', update: 'update', delete: 'create' };

/** Everything of the reverse plan but its changes, from the entries alone. */
function reverseFrame(plan: Plan, entries: readonly ReverseEntry[], toolVersion: string): Omit<PlanBody, 'resource_changes'> {
  // The summary reads kind, step and action only: stand-ins, not the changes.
  const standIns = entries.map((e) => ({ kind: e.kind, step: e.forward.step, change: { action: REVERSED[e.forward.change.action as 'create' | 'update' | 'delete'] } }));
  const summary = summarize(standIns as unknown as ResourceChange[], []);
  const total = plan.resource_changes.filter((c) => (['create', 'update', 'delete'] as Action[]).includes(actionOf(c))).length;
  let done = 0;
  let pending = 0;
  for (const e of entries) {
    if (e.outcome.status === 'ok') done++;
    else pending++;
  }
  const warnings = [`Reverse of plan ${plan.plan_id}, written by calico-migrate apply as it ran: ${done} of ${total} forward writes were recorded as done when it was last written.`];
  if (pending > 0) {
    warnings.push(
      `${pending} change(s) undo writes whose answer was not recorded yet; they carry no uid/resourceVersion precondition, so apply checks the object's content instead. Run \`calico-migrate apply --resume\` with the forward journal first to settle them.`,
    );
  }
  return {
    format_version: plan.format_version,
    kind: 'CalicoMigrationPlan',
    mode: 'reverse',
    tool: { name: plan.tool.name, version: toolVersion },
    source: plan.source,
    target: plan.target,
    options: plan.options,
    reverses: plan.plan_id,
    summary,
    skipped: [],
    checks: [],
    warnings,
  };
}

export function reversePlanBody(plan: Plan, lookup: OutcomeLookup, toolVersion: string): PlanBody {
  const entries = reverseEntries(plan, lookup);
  return { ...reverseFrame(plan, entries, toolVersion), resource_changes: entries.map((e) => reverseChange(e.forward, e.outcome, e.wave)) };
}

/** Builds and (re)writes the reverse plan file for one apply run, streamed into an atomic file. */
export class ReversePlanWriter {
  lastPlanId = '';
  writes = 0;

  constructor(
    readonly file: string,
    private readonly plan: Plan,
    private readonly toolVersion: string,
  ) {}

  /**
   * One change at a time into the file, giving the event loop a turn every YIELD_EVERY changes:
   * a rewrite of 300,000 changes takes seconds, and the apply lease must keep being renewed (and
   * answers to writes in flight read) meanwhile. Measured: without the turns, a 300,000-object
   * rollback lost its lease during its first rewrite.
   */
  /** `progress` (optional) is given the number of changes, then counts each one written. */
  async write(lookup: OutcomeLookup, progress?: Pick<PhaseProgress, 'setTotal' | 'tick'>): Promise<string> {
    const out = new AtomicFile(this.file, 'reverse plan');
    try {
      const entries = reverseEntries(this.plan, lookup);
      const frame = reverseFrame(this.plan, entries, this.toolVersion);
      const enc = new PlanEncoder();
      progress?.setTotal(entries.length);
      out.write(enc.header(frame));
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        out.write(enc.change(reverseChange(e.forward, e.outcome, e.wave)));
        progress?.tick();
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      out.write(enc.footer({ changes: entries.length, summary: frame.summary, skipped: frame.skipped, checks: frame.checks, warnings: frame.warnings }));
      out.write(enc.trailer());
      out.commit();
      const planId = enc.planId();
      this.lastPlanId = planId;
      this.writes++;
      return planId;
    } finally {
      out.abort();
    }
  }
}
