/**
 * The tiers Calico creates itself in every datastore it initialises (clientv3 EnsureInitialized),
 * with the order and default action it gives them. Listed once: the planner never deletes them
 * and the converter supplies any the source and target both lack.
 */
export interface ProtectedTier {
  name: string;
  order: number;
  defaultAction: 'Deny' | 'Pass';
}

export const PROTECTED_TIERS: readonly ProtectedTier[] = [
  { name: 'default', order: 1000000, defaultAction: 'Deny' },
  { name: 'kube-admin', order: 1000, defaultAction: 'Pass' },
  { name: 'kube-baseline', order: 10000000, defaultAction: 'Pass' },
];

const NAMES = new Set(PROTECTED_TIERS.map((t) => t.name));

export function isProtectedTierName(name: string): boolean {
  return NAMES.has(name);
}
