/**
 * Calico creates its protected tiers in every datastore it initialises (clientv3
 * EnsureInitialized): default (Deny, order 1e6), kube-admin (Pass, 1e3), kube-baseline (Pass, 1e7).
 * Sources written by older Calico versions may not store them; policies in the default tier
 * still need it. When neither the source nor the target has one, the plan creates it, converted
 * by the same code as any source tier (so its form is exactly what Calico would store).
 */
import { convertSnapshot } from '../convert/index.js';
import { sortObjects } from '../convert/order.js';
import type { ConversionResult, ConvertOptions, DesiredObject } from '../model/types.js';

const PROTECTED = [
  { name: 'default', order: 1000000, defaultAction: 'Deny' },
  { name: 'kube-admin', order: 1000, defaultAction: 'Pass' },
  { name: 'kube-baseline', order: 10000000, defaultAction: 'Pass' },
] as const;

/** The conversion's objects plus the implied protected tiers, in conversion order. */
export function withImpliedTiers(result: ConversionResult, liveTierNames: ReadonlySet<string>, options: ConvertOptions): DesiredObject[] {
  return sortObjects([...result.objects, ...impliedTiers(result, liveTierNames, options)]);
}

export function impliedTiers(result: ConversionResult, liveTierNames: ReadonlySet<string>, options: ConvertOptions): DesiredObject[] {
  const have = new Set(result.objects.filter((o) => o.kind === 'Tier').map((o) => o.name));
  const missing = PROTECTED.filter((t) => !have.has(t.name) && !liveTierNames.has(t.name));
  if (missing.length === 0) return [];
  const kvs = missing.map((t) => ({
    key: `/calico/resources/v3/projectcalico.org/tiers/${t.name}`,
    value: JSON.stringify({ kind: 'Tier', apiVersion: 'projectcalico.org/v3', metadata: { name: t.name }, spec: { order: t.order, defaultAction: t.defaultAction } }),
    modRevision: 0,
  }));
  const implied = convertSnapshot({ origin: 'etcd', endpoints: [], clusterId: null, revision: null, kvs }, { calicoVersion: result.namingVersion, crds: options.crds });
  // Not read from the source: no source key, so staleness checks ignore them.
  return implied.objects.map((o) => ({ ...o, sources: [] }));
}
