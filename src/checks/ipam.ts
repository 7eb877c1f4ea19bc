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

/** Where references may resolve besides the selection: the whole converted source and the live target. */
export interface IpamReferences {
  /** Every converted object, selected or not (--include/--exclude narrow what is written, not what exists). */
  desired: readonly DesiredObject[];
  /** The target's live IPAM objects (IPAMHandle, IPAMBlock), which stay when the plan does not write them. */
  live: readonly KubeObject[];
}

/** Ordinals of a block of this CIDR (2^(address bits - prefix)), or null when too large to be a block. */
function blockSize(c: Cidr): number | null {
  const bits = (c.version === 4 ? 32 : 128) - c.prefix;
  return bits <= 24 ? 2 ** bits : null;
}

/**
 * Calico's own invariants of one block (libcalico-go ipam/ipam_block.go): one allocation slot per
 * ordinal, each pointing into `attributes`; `unallocated` lists exactly the free ordinals.
 * Broken, the target's IPAM hands out an address twice or never again.
 */
function blockInternals(name: string, spec: Record<string, unknown>, cidr: Cidr, failures: string[]): Map<string, number> {
  const perHandle = new Map<string, number>();
  const size = blockSize(cidr);
  const allocations: unknown[] = Array.isArray(spec.allocations) ? spec.allocations : [];
  const attributes: unknown[] = Array.isArray(spec.attributes) ? spec.attributes : [];
  const unallocated: unknown[] = Array.isArray(spec.unallocated) ? spec.unallocated : [];
  if (size !== null && allocations.length !== size) failures.push(`IPAMBlock ${name}: allocations has ${allocations.length} entries, not the ${size} of a /${cidr.prefix}`);
  const used = new Set<number>();
  for (const [ordinal, a] of allocations.entries()) {
    if (a === null || a === undefined) continue;
    if (!Number.isInteger(a) || (a as number) < 0 || (a as number) >= attributes.length) {
      failures.push(`IPAMBlock ${name}: allocations[${ordinal}] = ${JSON.stringify(a)} is not an index into its ${attributes.length} attributes`);
      continue;
    }
    used.add(ordinal);
    const attr = attributes[a as number];
    const h = attr !== null && typeof attr === 'object' ? (attr as Record<string, unknown>).handle_id : undefined;
    if (typeof h === 'string' && h) perHandle.set(h, (perHandle.get(h) ?? 0) + 1);
  }
  const free = new Set<number>();
  for (const u of unallocated) {
    if (!Number.isInteger(u) || (u as number) < 0 || (u as number) >= (size ?? allocations.length))
      failures.push(`IPAMBlock ${name}: unallocated holds ${JSON.stringify(u)}, not an ordinal of the block`);
    else if (free.has(u as number)) failures.push(`IPAMBlock ${name}: unallocated lists ordinal ${String(u)} twice`);
    else if (used.has(u as number)) failures.push(`IPAMBlock ${name}: ordinal ${String(u)} is both allocated and in unallocated`);
    else free.add(u as number);
  }
  const missing = allocations.length - used.size - free.size;
  if (missing > 0) failures.push(`IPAMBlock ${name}: ${missing} ordinal(s) are neither allocated nor in unallocated`);
  return perHandle;
}

export function ipamConsistency(selected: DesiredObject[], livePools: KubeObject[], refs?: IpamReferences): Check {
  const blocks = selected.filter((d) => d.kind === 'IPAMBlock');
  const handles = selected.filter((d) => d.kind === 'IPAMHandle');
  const affinities = selected.filter((d) => d.kind === 'BlockAffinity');
  const all = refs?.desired ?? selected;
  const poolCidrs = [...all.filter((d) => d.kind === 'IPPool').map((d) => d.body), ...livePools].map((p) => parseCidr(text(specOf(p).cidr))).filter((c): c is Cidr => c !== null);

  // References resolve against everything the source holds and the target keeps, not only the selection.
  const allHandles = [...all.filter((d) => d.kind === 'IPAMHandle').map((d) => d.body), ...(refs?.live ?? []).filter((o) => o.kind === 'IPAMHandle')];
  const allBlocks = [...all.filter((d) => d.kind === 'IPAMBlock').map((d) => d.body), ...(refs?.live ?? []).filter((o) => o.kind === 'IPAMBlock')];
  const handleIds = new Set(allHandles.map((h) => text(specOf(h).handleID)));
  const blockByCidr = new Map<string, KubeObject>();
  for (const b of allBlocks) if (!blockByCidr.has(text(specOf(b).cidr))) blockByCidr.set(text(specOf(b).cidr), b);
  const sourceHandles = new Map(all.filter((d) => d.kind === 'IPAMHandle').map((h) => [text(specOf(h.body).handleID), h]));
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
    if (!c) {
      failures.push(`IPAMBlock ${b.name}: invalid cidr ${String(spec.cidr)}`);
      continue;
    }
    if (!poolCidrs.some((p) => cidrWithin(c, p))) failures.push(`IPAMBlock ${b.name}: ${text(spec.cidr)} lies in no IPPool`);
    // Both ways: each handle the source holds counts exactly the addresses this block gives it.
    for (const [h, n] of blockInternals(b.name, spec, c, failures)) {
      const handle = sourceHandles.get(h);
      const counted = handle ? (specOf(handle.body).block as Record<string, unknown> | undefined)?.[text(spec.cidr)] : undefined;
      if (handle && counted !== n)
        failures.push(`IPAMBlock ${b.name}: ${n} address(es) allocated to handle ${h}, whose IPAMHandle counts ${counted === undefined ? 'none' : String(counted)} in ${text(spec.cidr)}`);
    }
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
    const got = specOf(block).affinity;
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
