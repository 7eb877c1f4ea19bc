/** Tier rules (`validateTier` and the v3.32 tier CRD's CEL rules). */
import { present, show } from '../access.js';
import { tierNameError } from '../names.js';
import { PROTECTED_TIERS } from '../../../model/protected-tiers.js';
import type { Rule } from '../types.js';
import { issue, oneOf } from './helpers.js';

export const TIER_RULES: readonly Rule[] = [
  {
    id: 'name-tier',
    kinds: ['Tier'],
    description: 'Tier names are DNS-1123 labels (no dots, 63 characters at most): they appear inside policy names and labels',
    source: 'validator.go validateTier (tierNameRegex)',
    check: (s) => {
      const e = tierNameError(s.name);
      return e ? [issue('metadata.name', `${show(s.name)} ${e}`)] : [];
    },
  },
  {
    id: 'tier-order',
    kinds: ['Tier'],
    description: 'A tier order, when set, is a number',
    source: 'TierSpec.Order *float64',
    check: (s) => (present(s.spec.order) && (typeof s.spec.order !== 'number' || !Number.isFinite(s.spec.order)) ? [issue('spec.order', `${show(s.spec.order)} is not a number`)] : []),
  },
  {
    id: 'tier-protected-order',
    kinds: ['Tier'],
    description: 'The default, kube-admin and kube-baseline tiers have their fixed orders (1000000, 1000, 10000000)',
    source: 'validator.go validateTier',
    check: (s) => {
      const t = PROTECTED_TIERS.find((p) => p.name === s.name);
      if (!t || s.spec.order === t.order) return [];
      return [issue('spec.order', `the ${t.name} tier's order must be ${t.order}, not ${show(s.spec.order ?? null)}`)];
    },
  },
  {
    id: 'tier-default-action',
    kinds: ['Tier'],
    description: 'A tier defaultAction is Deny or Pass',
    source: 'TierSpec DefaultAction enum (Pass;Deny)',
    check: (s) => oneOf(s.spec.defaultAction, 'spec.defaultAction', ['Deny', 'Pass']),
  },
  {
    id: 'tier-protected-default-action',
    kinds: ['Tier'],
    description: 'The default tier denies by default and kube-admin/kube-baseline pass (an unset defaultAction means Deny)',
    source: 'tiers CRD x-kubernetes-validations',
    check: (s) => {
      const t = PROTECTED_TIERS.find((p) => p.name === s.name);
      const action = s.spec.defaultAction ?? 'Deny';
      if (!t || action === t.defaultAction) return [];
      return [issue('spec.defaultAction', `the ${t.name} tier must have default action ${t.defaultAction}, not ${show(action)}`)];
    },
  },
];
