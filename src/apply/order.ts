/**
 * The order apply runs a plan's changes in.
 *
 * Rule (one rule for forward and reverse plans):
 *  - A change's `wave` belongs to the band `floor(wave / 100)`. Bands run in ascending order.
 *  - Inside a band, creates and updates run first, wave by wave in ascending order; then deletes,
 *    wave by wave in DESCENDING order (dependents are removed before what they depend on).
 *  - Each (band, phase, wave) group is one step. Steps are barriers: a step starts only when every
 *    write of the previous step has finished. Writes inside a step run in parallel.
 *
 * Forward plans only use band 0 (kinds.ts waves 0-15), so for them the rule is simply "creates and
 * updates ascending, then deletes descending". Reverse plans use one band per forward step, in
 * reverse order (see reverse-plan.ts), which makes the reverse apply undo the forward apply step by
 * step in exactly the opposite order, e.g. ClusterInformation's `lock` step is restored last.
 * `no-op` and `extra` changes are not writes and appear in no step.
 */
import { objectAddress } from '../plan/address.js';
import type { Action, ResourceChange } from '../plan/types.js';

export const WAVE_BAND = 100;

export type Phase = 'apply' | 'delete';

export interface Step {
  band: number;
  phase: Phase;
  wave: number;
  changes: ResourceChange[];
}

const WRITE_ACTIONS: ReadonlySet<Action> = new Set<Action>(['create', 'update', 'delete']);

/** The single action of a change (plans carry exactly one; validated by validateExecutable). */
export function actionOf(change: Pick<ResourceChange, 'change'>): Action {
  return change.change.action;
}

export function isWrite(change: Pick<ResourceChange, 'change'>): boolean {
  return WRITE_ACTIONS.has(actionOf(change));
}

export function phaseOf(change: Pick<ResourceChange, 'change'>): Phase {
  return actionOf(change) === 'delete' ? 'delete' : 'apply';
}

export function bandOf(wave: number): number {
  return Math.floor(wave / WAVE_BAND);
}

/** Sort key: negative when `a` runs in an earlier step than `b`, 0 for the same step. */
export function compareStepKeys(a: Pick<Step, 'band' | 'phase' | 'wave'>, b: Pick<Step, 'band' | 'phase' | 'wave'>): number {
  if (a.band !== b.band) return a.band - b.band;
  if (a.phase !== b.phase) return a.phase === 'apply' ? -1 : 1;
  return a.phase === 'apply' ? a.wave - b.wave : b.wave - a.wave;
}

/** The plan's writes grouped into steps, in execution order. Changes keep the plan's order inside a step. */
export function executionSteps(changes: readonly ResourceChange[]): Step[] {
  const byKey = new Map<string, Step>();
  for (const c of changes) {
    if (!isWrite(c)) continue;
    const phase = phaseOf(c);
    const key = `${phase}:${c.wave}`;
    let step = byKey.get(key);
    if (!step) {
      step = { band: bandOf(c.wave), phase, wave: c.wave, changes: [] };
      byKey.set(key, step);
    }
    step.changes.push(c);
  }
  return [...byKey.values()].sort(compareStepKeys);
}

/**
 * The steps of a multi-step object (ClusterInformation `lock`, `identity`) form a chain: each
 * takes the previous step's result as its precondition. Their key is the object's address; a
 * change that is not a step has none.
 */
export function chainKey(change: Pick<ResourceChange, 'step' | 'api_version' | 'kind' | 'namespace' | 'name'>): string | null {
  return change.step === null ? null : objectAddress(change);
}
