/**
 * IPAM consistency of the data about to be written: a dangling reference here becomes a leaked or
 * double-allocated IP after cut-over, so it is checked before any write.
 */
import type { DesiredObject, KubeObject } from '../model/types.js';
import type { Check } from '../plan/types.js';
import { cidrRange, parseCidr, type Cidr } from '../model/cidr.js';
import { check } from './check.js';

/** Is `inner` inside `outer` (same family, range contained)? */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  if (inner.version !== outer.version) return false;
  const a = cidrRange(inner);
  const b = cidrRange(outer);
  return a.start >= b.start && a.end <= b.end;
}

/** The object's `spec` as a record (empty when absent or not an object), for reading fields of unknown type. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const spec = obj.spec;
  return spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>) : {};
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export function ipamConsistency(desired: DesiredObject[], livePools: KubeObject[]): Check {
  const blocks = desired.filter((d) => d.kind === 'IPAMBlock');
  const handles = desired.filter((d) => d.kind === 'IPAMHandle');
  const affinities = desired.filter((d) => d.kind === 'BlockAffinity');
  const poolCidrs = [...desired.filter((d) => d.kind === 'IPPool').map((d) => d.body), ...livePools].map((p) => parseCidr(text(specOf(p).cidr))).filter((c): c is Cidr => c !== null);

  const handleIds = new Set(handles.map((h) => text(specOf(h.body).handleID)));
  const blockByCidr = new Map(blocks.map((b) => [text(specOf(b.body).cidr), b]));
  const failures: string[] = [];

  for (const b of blocks) {
    const spec = specOf(b.body);
    const attributes: unknown[] = Array.isArray(spec.attributes) ? spec.attributes : [];
    for (const [i, attr] of attributes.entries()) {
      const h = attr !== null && typeof attr === 'object' ? (attr as Record<string, unknown>).handle_id : undefined;
      // Attributes of released addresses may keep no handle; only named handles must exist.
      if (typeof h === 'string' && h && !handleIds.has(h)) failures.push(`IPAMBlock ${b.name}: attributes[${i}] handle ${h} has no IPAMHandle`);
    }
    const c = parseCidr(text(spec.cidr));
    if (!c) failures.push(`IPAMBlock ${b.name}: invalid cidr ${String(spec.cidr)}`);
    else if (!poolCidrs.some((p) => cidrWithin(c, p))) failures.push(`IPAMBlock ${b.name}: ${text(spec.cidr)} lies in no IPPool`);
  }
  for (const h of handles) {
    const block = specOf(h.body).block;
    for (const cidr of block !== null && typeof block === 'object' ? Object.keys(block) : []) {
      if (!blockByCidr.has(cidr)) failures.push(`IPAMHandle ${h.name}: block ${cidr} has no IPAMBlock`);
    }
  }
  for (const a of affinities) {
    const spec = specOf(a.body);
    const block = blockByCidr.get(text(spec.cidr));
    if (!block) {
      failures.push(`BlockAffinity ${a.name}: block ${String(spec.cidr)} has no IPAMBlock`);
      continue;
    }
    const type = text(spec.type) || 'host';
    const want = `${type}:${String(spec.node)}`;
    const got = specOf(block.body).affinity;
    if (got !== want && spec.state === 'confirmed')
      failures.push(`BlockAffinity ${a.name}: block ${text(spec.cidr)} has affinity ${got === undefined || got === null ? 'none' : String(got)}, not ${want}`);
  }
  return check(
    'ipam-consistency',
    failures,
    `IPAM is consistent (${blocks.length} blocks, ${handles.length} handles, ${affinities.length} affinities)`,
    (n) => `${n} IPAM inconsistenc(ies) in the source data; fix them in etcd (calicoctl ipam check) before migrating`,
  );
}
