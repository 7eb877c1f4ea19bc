/**
 * IPAM consistency of the data about to be written: a dangling reference here becomes a leaked or
 * double-allocated IP after cut-over, so it is checked before any write.
 */
import type { DesiredObject, KubeObject } from '../model/types.js';
import type { Check } from '../plan/types.js';
import { cidrRange, parseCidr, type Cidr } from '../convert/cidr.js';
import { check } from './check.js';

/** Is `inner` inside `outer` (same family, range contained)? */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  if (inner.version !== outer.version) return false;
  const a = cidrRange(inner);
  const b = cidrRange(outer);
  return a.start >= b.start && a.end <= b.end;
}

export function ipamConsistency(desired: DesiredObject[], livePools: KubeObject[]): Check {
  const blocks = desired.filter((d) => d.kind === 'IPAMBlock');
  const handles = desired.filter((d) => d.kind === 'IPAMHandle');
  const affinities = desired.filter((d) => d.kind === 'BlockAffinity');
  const poolCidrs = [...desired.filter((d) => d.kind === 'IPPool').map((d) => d.body), ...livePools]
    .map((p) => parseCidr(String((p.spec as any)?.cidr ?? '')))
    .filter((c): c is Cidr => c !== null);

  const handleIds = new Set(handles.map((h) => String((h.body.spec as any)?.handleID ?? '')));
  const blockByCidr = new Map(blocks.map((b) => [String((b.body.spec as any)?.cidr ?? ''), b]));
  const failures: string[] = [];

  for (const b of blocks) {
    const spec = b.body.spec as any;
    for (const [i, attr] of (spec?.attributes ?? []).entries()) {
      const h = attr?.handle_id;
      // Attributes of released addresses may keep no handle; only named handles must exist.
      if (typeof h === 'string' && h && !handleIds.has(h)) failures.push(`IPAMBlock ${b.name}: attributes[${i}] handle ${h} has no IPAMHandle`);
    }
    const c = parseCidr(String(spec?.cidr ?? ''));
    if (!c) failures.push(`IPAMBlock ${b.name}: invalid cidr ${spec?.cidr}`);
    else if (!poolCidrs.some((p) => cidrWithin(c, p))) failures.push(`IPAMBlock ${b.name}: ${spec.cidr} lies in no IPPool`);
  }
  for (const h of handles) {
    for (const cidr of Object.keys(((h.body.spec as any)?.block ?? {}) as Record<string, number>)) {
      if (!blockByCidr.has(cidr)) failures.push(`IPAMHandle ${h.name}: block ${cidr} has no IPAMBlock`);
    }
  }
  for (const a of affinities) {
    const spec = a.body.spec as any;
    const block = blockByCidr.get(String(spec?.cidr ?? ''));
    if (!block) {
      failures.push(`BlockAffinity ${a.name}: block ${spec?.cidr} has no IPAMBlock`);
      continue;
    }
    const type = spec?.type || 'host';
    const want = `${type}:${spec?.node}`;
    const got = (block.body.spec as any)?.affinity;
    if (got !== want && spec?.state === 'confirmed') failures.push(`BlockAffinity ${a.name}: block ${spec.cidr} has affinity ${got ?? 'none'}, not ${want}`);
  }
  return check(
    'ipam-consistency',
    failures,
    `IPAM is consistent (${blocks.length} blocks, ${handles.length} handles, ${affinities.length} affinities)`,
    (n) => `${n} IPAM inconsistenc(ies) in the source data; fix them in etcd (calicoctl ipam check) before migrating`,
  );
}
