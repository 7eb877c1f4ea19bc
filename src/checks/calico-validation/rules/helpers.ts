/** Building blocks the rule files share. */
import { join, list, present, rec, show, str, type JsonRecord } from '../access.js';
import type { Issue, Subject } from '../types.js';

export function issue(path: string, message: string): Issue {
  return { path, message };
}

/** A string field that must be one of `allowed` (case-sensitive, as Go's regexes are); absent and "" pass. */
export function oneOf(value: unknown, path: string, allowed: readonly string[]): Issue[] {
  if (!present(value) || value === '') return [];
  if (typeof value === 'string' && allowed.includes(value)) return [];
  return [issue(path, `${show(value)} is not one of ${allowed.join(', ')} (the value is case-sensitive)`)];
}

/** A number field in [min, max] when set. */
export function inRange(value: unknown, path: string, min: number, max: number): Issue[] {
  if (!present(value)) return [];
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return [];
  return [issue(path, `${show(value)} must be an integer from ${min} to ${max}`)];
}

/** Every string of a list field, with its path. */
export function strings(v: unknown, path: string): { value: string; path: string }[] {
  return list(v).flatMap((x, i) => (typeof x === 'string' ? [{ value: x, path: join(path, i) }] : []));
}

export const GLOBAL_POLICY_KINDS = ['GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy'] as const;
export const NAMESPACED_POLICY_KINDS = ['NetworkPolicy', 'StagedNetworkPolicy'] as const;
export const POLICY_KINDS = [...GLOBAL_POLICY_KINDS, ...NAMESPACED_POLICY_KINDS] as const;
export const STAGED_KINDS = ['StagedGlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy'] as const;

export function isGlobalPolicy(kind: string): boolean {
  return (GLOBAL_POLICY_KINDS as readonly string[]).includes(kind);
}

/** A staged policy that deletes its enforced counterpart carries no spec to check. */
export function isStagedDelete(s: Subject): boolean {
  return (STAGED_KINDS as readonly string[]).includes(s.kind) && s.spec.stagedAction === 'Delete';
}

export interface RuleAt {
  rule: JsonRecord;
  path: string;
  direction: 'ingress' | 'egress';
}

/** The ingress and egress rules of a Calico policy spec. */
export function policyRules(spec: JsonRecord): readonly RuleAt[] {
  // A dozen rules walk the same policy's rules; they are listed once per spec.
  const known = listed.get(spec);
  if (known) return known;
  const out: RuleAt[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    list(spec[direction]).forEach((r, i) => out.push({ rule: rec(r), path: join(join('spec', direction), i), direction }));
  }
  listed.set(spec, out);
  return out;
}

const listed = new WeakMap<JsonRecord, readonly RuleAt[]>();

export const SIDES = ['source', 'destination'] as const;

/** A spec string at a dotted path (`controllers.node.reconcilerPeriod`) with its finding path. */
export function at(spec: JsonRecord, dotted: string): { value: unknown; path: string } {
  let cur: unknown = spec;
  let path = 'spec';
  for (const k of dotted.split('.')) {
    cur = rec(cur)[k];
    path = join(path, k);
  }
  return { value: cur, path };
}

export function text(v: unknown): string {
  return str(v) ?? '';
}
