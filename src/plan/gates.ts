/**
 * `--fail-on` gates and the `--detailed-exitcode` result: how CI decides about a plan without
 * parsing it. Gates read the changes themselves, not the summary, so they cannot disagree.
 */
import { EXIT_CODES, MigrateError } from '../errors.js';
import { displayName } from './address.js';
import { isClusterInformationStep, isDestructive } from './summary.js';
import type { Action, Plan, ResourceChange } from './types.js';

export const FAIL_ON_VALUES = ['create', 'update', 'delete', 'extra', 'warning', 'destructive'] as const;
export type FailOn = (typeof FAIL_ON_VALUES)[number];

/** How many offending objects a reason names before saying "and N more". */
const NAMED = 5;

/**
 * Why the plan fails the given gates, one reason per gate that matched; empty means it passes.
 * @throws MigrateError USAGE for a value not in FAIL_ON_VALUES.
 */
export function evaluateGates(plan: Plan, failOn: readonly string[]): string[] {
  const reasons: string[] = [];
  for (const gate of [...new Set(failOn)]) {
    if (!isFailOn(gate)) {
      throw new MigrateError('USAGE', `unknown --fail-on value "${gate}"`, { hint: `Use one or more of: ${FAIL_ON_VALUES.join(', ')}.` });
    }
    const reason = evaluate(plan, gate);
    if (reason) reasons.push(`--fail-on ${gate}: ${reason}`);
  }
  return reasons;
}

/** Like evaluateGates, but throws GATE_REFUSED when any gate matched. */
export function enforceGates(plan: Plan, failOn: readonly string[]): void {
  const reasons = evaluateGates(plan, failOn);
  if (reasons.length === 0) return;
  throw new MigrateError('GATE_REFUSED', `plan ${plan.plan_id} refused by ${reasons.length === 1 ? 'a gate' : `${reasons.length} gates`}:\n  ${reasons.join('\n  ')}`, {
    hint: 'Review the plan; drop the matching --fail-on value to accept it.',
    details: { reasons },
  });
}

export function isFailOn(value: string): value is FailOn {
  return (FAIL_ON_VALUES as readonly string[]).includes(value);
}

/**
 * The `plan --detailed-exitcode` status: CHECK_FAILED (3) when any check failed, else CHANGES (2)
 * when apply would write anything (create, update or delete; extras without prune write nothing),
 * else OK (0).
 */
export function detailedExitCode(plan: Plan): 0 | 2 | 3 {
  if (plan.checks.some((c) => c.status === 'fail')) return EXIT_CODES.CHECK_FAILED;
  if (plan.resource_changes.some(writes)) return EXIT_CODES.CHANGES;
  return EXIT_CODES.OK;
}

/** True when applying this change writes to the target. */
export function writes(change: ResourceChange): boolean {
  const a = change.change.action;
  return a === 'create' || a === 'update' || a === 'delete';
}

function evaluate(plan: Plan, gate: FailOn): string | null {
  const changes = plan.resource_changes;
  switch (gate) {
    case 'create':
      return describe(withAction(changes, 'create'), (n) => `the plan creates ${n}`);
    case 'update':
      return describe(
        withAction(changes, 'update').filter((c) => !isClusterInformationStep(c)),
        (n) => `the plan updates ${n}`,
      );
    case 'delete':
      return describe(withAction(changes, 'delete'), (n) => `the plan deletes ${n}`);
    case 'extra':
      return describe(withAction(changes, 'extra'), (n) => `the target has ${n} that the source does not`);
    case 'destructive':
      return describe(changes.filter(isDestructive), (n) => `the plan overwrites or deletes ${n}`);
    case 'warning': {
      const warned = plan.checks.filter((c) => c.status === 'warn').map((c) => c.id);
      const n = plan.warnings.length + warned.length;
      if (n === 0) return null;
      const checks = warned.length > 0 ? ` (checks: ${warned.join(', ')})` : '';
      return `the plan has ${n} warning${n === 1 ? '' : 's'}${checks}`;
    }
  }
}

function withAction(changes: readonly ResourceChange[], action: Action): ResourceChange[] {
  return changes.filter((c) => c.change.action === action);
}

function describe(hits: ResourceChange[], sentence: (objects: string) => string): string | null {
  if (hits.length === 0) return null;
  const names = hits.slice(0, NAMED).map(displayName).join(', ');
  const more = hits.length > NAMED ? `, and ${hits.length - NAMED} more` : '';
  return `${sentence(`${hits.length} object${hits.length === 1 ? '' : 's'}`)}: ${names}${more}`;
}
