/** Policy-level rules (`validate(Staged)(Global)NetworkPolicy(Spec)` and their struct tags). */
import { isZero, join, list, present, show, type JsonRecord } from '../access.js';
import { globalPolicyNameError, namespacedPolicyNameError } from '../names.js';
import type { Issue, Rule, Subject } from '../types.js';
import { GLOBAL_POLICY_KINDS, isGlobalPolicy, isStagedDelete, issue, NAMESPACED_POLICY_KINDS, oneOf, POLICY_KINDS, STAGED_KINDS } from './helpers.js';

/** Spec checks that Calico skips for a staged policy whose action is Delete. */
function unlessStagedDelete(f: (s: Subject) => Issue[]): (s: Subject) => Issue[] {
  return (s) => (isStagedDelete(s) ? [] : f(s));
}

function types(spec: JsonRecord): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<unknown>();
  list(spec.types).forEach((t, i) => {
    const p = join(join('spec', 'types'), i);
    if (t !== 'Ingress' && t !== 'Egress') out.push(issue(p, `${show(t)} is not a policy type (Ingress or Egress)`));
    else if (seen.has(t)) out.push(issue(p, `'${t}' type specified more than once`));
    seen.add(t);
  });
  return out;
}

function specGlobal(s: Subject): Issue[] {
  const fields = isGlobalPolicy(s.kind) ? ['selector', 'serviceAccountSelector', 'namespaceSelector'] : ['selector', 'serviceAccountSelector'];
  return fields.flatMap((k): Issue[] => {
    const v = s.spec[k];
    return typeof v === 'string' && v.includes('global()') ? [issue(join('spec', k), 'global() can only be used in an EntityRule namespaceSelector')] : [];
  });
}

function preDnatDoNotTrack(spec: JsonRecord): Issue[] {
  return spec.preDNAT === true && spec.doNotTrack === true ? [issue('spec.preDNAT', 'preDNAT and doNotTrack cannot both be true')] : [];
}

function preDnatEgress(spec: JsonRecord): Issue[] {
  if (spec.preDNAT !== true) return [];
  const out: Issue[] = [];
  if (list(spec.egress).length > 0) out.push(issue('spec.egress', 'a preDNAT policy cannot have egress rules'));
  if (list(spec.types).includes('Egress')) out.push(issue('spec.types', "a preDNAT policy cannot have the 'Egress' type"));
  return out;
}

function applyOnForward(spec: JsonRecord): Issue[] {
  if (spec.applyOnForward === true || (spec.preDNAT !== true && spec.doNotTrack !== true)) return [];
  return [issue('spec.applyOnForward', 'applyOnForward must be true when preDNAT or doNotTrack is true')];
}

function performanceHints(spec: JsonRecord): Issue[] {
  const hints = list(spec.performanceHints);
  const out = hints.flatMap((h, i) => oneOf(h, join(join('spec', 'performanceHints'), i), ['AssumeNeededOnEveryNode']));
  if (new Set(hints).size !== hints.length) out.push(issue('spec.performanceHints', 'a hint is listed more than once'));
  return out;
}

/** A staged Delete keeps only the tier: everything else must be its zero value. */
function stagedDeleteEmpty(s: Subject): Issue[] {
  if (!isStagedDelete(s)) return [];
  const keep = s.kind === 'StagedKubernetesNetworkPolicy' ? ['stagedAction'] : ['stagedAction', 'tier'];
  return Object.entries(s.spec)
    .filter(([k, v]) => !keep.includes(k) && !isZero(v))
    .map(([k]) => issue(join('spec', k), `must be empty when stagedAction is Delete (only ${keep.join(' and ')} may be set)`));
}

export const POLICY_RULES: readonly Rule[] = [
  {
    id: 'name-global-policy',
    kinds: GLOBAL_POLICY_KINDS,
    description: "(Staged)GlobalNetworkPolicy v3 names are a DNS-1123 label, optionally '<tier>.'-prefixed (one dot at most), 253 characters at most",
    source: 'validator.go validateGlobalNetworkPolicy (globalNetworkPolicyNameRegex)',
    check: (s) => {
      const e = globalPolicyNameError(s.name);
      return e ? [issue('metadata.name', `${show(s.name)} ${e}`)] : [];
    },
  },
  {
    id: 'name-namespaced-policy',
    kinds: NAMESPACED_POLICY_KINDS,
    description: "(Staged)NetworkPolicy v3 names are a DNS-1123 label, optionally '<tier>.'-prefixed (one dot at most), or knp.default.<name>",
    source: 'validator.go validateNetworkPolicy (networkPolicyNameRegex)',
    check: (s) => {
      const e = namespacedPolicyNameError(s.name);
      return e ? [issue('metadata.name', `${show(s.name)} ${e}`)] : [];
    },
  },
  {
    id: 'policy-order',
    kinds: POLICY_KINDS,
    description: 'A policy order, when set, is a number',
    source: 'PolicySpec.Order *float64',
    check: (s) => (present(s.spec.order) && (typeof s.spec.order !== 'number' || !Number.isFinite(s.spec.order)) ? [issue('spec.order', `${show(s.spec.order)} is not a number`)] : []),
  },
  {
    id: 'policy-types',
    kinds: POLICY_KINDS,
    description: 'types holds only Ingress and Egress, each at most once (rules of a type not listed are allowed, as Calico allows them)',
    source: 'validator.go validatePolicyType, validate(Global)NetworkPolicySpec',
    check: unlessStagedDelete((s) => types(s.spec)),
  },
  {
    id: 'policy-global-selector',
    kinds: POLICY_KINDS,
    description: 'global() is not used in the policy selector, serviceAccountSelector or (global policies) namespaceSelector',
    source: 'validator.go validate(Global)NetworkPolicySpec',
    check: unlessStagedDelete(specGlobal),
  },
  {
    id: 'gnp-prednat-donottrack',
    kinds: GLOBAL_POLICY_KINDS,
    description: 'preDNAT and doNotTrack are not both true',
    source: 'validator.go validateGlobalNetworkPolicySpec',
    check: unlessStagedDelete((s) => preDnatDoNotTrack(s.spec)),
  },
  {
    id: 'gnp-prednat-egress',
    kinds: GLOBAL_POLICY_KINDS,
    description: "A preDNAT policy has no egress rules and no 'Egress' type",
    source: 'validator.go validateGlobalNetworkPolicySpec',
    check: unlessStagedDelete((s) => preDnatEgress(s.spec)),
  },
  {
    id: 'gnp-apply-on-forward',
    kinds: GLOBAL_POLICY_KINDS,
    description: 'applyOnForward is true whenever preDNAT or doNotTrack is',
    source: 'validator.go validateGlobalNetworkPolicySpec',
    check: unlessStagedDelete((s) => applyOnForward(s.spec)),
  },
  {
    id: 'policy-performance-hints',
    kinds: POLICY_KINDS,
    description: 'performanceHints are unique and only AssumeNeededOnEveryNode',
    source: 'struct tag validate:"omitempty,unique,dive,oneof=AssumeNeededOnEveryNode"',
    check: (s) => performanceHints(s.spec),
  },
  {
    id: 'staged-action',
    kinds: STAGED_KINDS,
    description: 'stagedAction is Set, Delete, Learn or Ignore',
    source: 'validator.go validateStagedAction',
    check: (s) => oneOf(s.spec.stagedAction, 'spec.stagedAction', ['Set', 'Delete', 'Learn', 'Ignore']),
  },
  {
    id: 'staged-delete-empty',
    kinds: STAGED_KINDS,
    description: 'A staged policy with stagedAction Delete sets nothing else but its tier',
    source: 'validator.go validateStaged(Global|Kubernetes)NetworkPolicy',
    check: stagedDeleteEmpty,
  },
];
