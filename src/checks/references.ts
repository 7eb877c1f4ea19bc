/** Checks that every object the plan writes has what it refers to: Nodes, namespaces, tiers. */
import type { DesiredObject } from '../model/types.js';
import type { Check } from '../plan/types.js';
import { check } from './check.js';

export function nodesExist(desired: DesiredObject[], liveNodeNames: Set<string>): Check {
  const missing = desired.filter((d) => d.kind === 'Node' && !liveNodeNames.has(d.name));
  return check(
    'nodes-exist',
    missing.map((d) => `Node ${d.name} (from ${d.sources.map((s) => s.key).join(', ')})`),
    'every mapped Kubernetes Node exists',
    (n) => `${n} Calico node(s) map to Kubernetes Nodes that do not exist; create or rename them, or fix --node-map (the tool never creates Nodes)`,
  );
}

export function namespacesExist(desired: DesiredObject[], liveNamespaces: Set<string>): Check {
  const missing = new Map<string, number>();
  for (const d of desired) if (d.namespace && !liveNamespaces.has(d.namespace)) missing.set(d.namespace, (missing.get(d.namespace) ?? 0) + 1);
  return check(
    'namespaces-exist',
    [...missing].sort().map(([ns, n]) => `namespace ${ns} (${n} object(s))`),
    'every namespace of a namespaced object exists',
    (n) => `${n} namespace(s) used by Calico objects do not exist in the target; create them first (the API server refuses objects in missing namespaces)`,
  );
}

export function tiersExist(desired: DesiredObject[], liveTierNames: Set<string>): Check {
  const tiers = new Set([...liveTierNames, ...desired.filter((d) => d.kind === 'Tier').map((d) => d.name)]);
  const failures: string[] = [];
  for (const d of desired) {
    const spec = d.body.spec;
    const tier = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>).tier : undefined;
    if (typeof tier === 'string' && tier && !tiers.has(tier)) failures.push(`${d.kind} ${d.namespace ? d.namespace + '/' : ''}${d.name}: tier ${tier}`);
  }
  return check('tiers-exist', failures, "every policy's tier exists or is created by this plan", (n) => `${n} polic(ies) name a tier that neither exists nor is migrated`);
}
