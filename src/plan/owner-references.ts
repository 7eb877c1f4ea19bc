/**
 * ownerReferences that resolve in the target.
 *
 * Calico keeps a v3 object's ownerReferences in its `projectcalico.org/metadata` annotation, a
 * Calico owner's uid there being the owner CR's own uid (its converter bit-reverses the v3 uid on
 * write and again on read). A migrated owner gets a new uid in the target, so the uid converted
 * from the source names no object. The rule:
 *
 * - the owner exists in the target: the reference takes its live uid (at plan time);
 * - the owner is created by this plan: apply writes the reference with the uid the owner got
 *   (from the journal, so also on --resume and for the reverse plan's re-creates), and the
 *   dependent is written in a later wave than its owner (`WAVES.owned` + depth - 1);
 * - the owner is neither migrated nor in the target: the reference is dropped (it could never
 *   resolve) and the plan says so.
 *
 * References to non-Calico owners (core or other API groups) are kept as they are: those objects
 * live in the same Kubernetes cluster and keep their uids.
 */
import { goJson, isRecord, type JsonRecord } from '../convert/json.js';
import { METADATA_ANNOTATION } from '../convert/metadata.js';
import { CRD_API_VERSION, WAVES, kindInfo } from '../model/kinds.js';
import type { DesiredObject, KubeObject } from '../model/types.js';
import { addressOf } from './address.js';
import type { LiveEntry } from './live-index.js';
import { MAX_ITEMS } from '../checks/check.js';
import type { Check } from './types.js';

const CALICO_OWNER_API_VERSIONS = new Set(['crd.projectcalico.org/v1', 'projectcalico.org/v3']);
/** The deepest owner chain ordered by waves; deeper links resolve on the next apply. */
export const MAX_OWNER_DEPTH = WAVES.ownedLast - WAVES.owned + 1;

export interface CalicoOwner {
  /** Index in the annotation's ownerReferences. */
  index: number;
  kind: string;
  name: string;
  uid: string;
  /** The owner's namespace: the dependent's for a namespaced kind (Kubernetes allows no other). */
  namespace: string | null;
  /** The owner's plan address in the target. */
  address: string;
}

export type OwnerResolution = 'live' | 'at-apply' | 'dropped';

export interface OwnerRewrite {
  /** The dependent's address. */
  address: string;
  object: string;
  owner: string;
  how: OwnerResolution;
}

function annotationOf(body: KubeObject): JsonRecord | null {
  const text = body.metadata.annotations?.[METADATA_ANNOTATION];
  // Cheap test first: apply asks this of every write.
  if (typeof text !== 'string' || !text.includes('"ownerReferences"')) return null;
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

/** The Calico owners named in `body`'s metadata annotation (owners of kinds the tool migrates). */
export function calicoOwners(body: KubeObject): CalicoOwner[] {
  const ann = annotationOf(body);
  const refs = ann?.ownerReferences;
  if (!Array.isArray(refs)) return [];
  const out: CalicoOwner[] = [];
  refs.forEach((ref, index) => {
    if (!isRecord(ref) || typeof ref.apiVersion !== 'string' || !CALICO_OWNER_API_VERSIONS.has(ref.apiVersion)) return;
    if (typeof ref.kind !== 'string' || typeof ref.name !== 'string' || typeof ref.uid !== 'string') return;
    const info = kindInfo(ref.kind);
    if (!info) return;
    const namespace = info.namespaced ? (body.metadata.namespace ?? null) : null;
    out.push({ index, kind: ref.kind, name: ref.name, uid: ref.uid, namespace, address: addressOf(CRD_API_VERSION, ref.kind, namespace, ref.name) });
  });
  return out;
}

/**
 * `body` with its Calico owner references' uids set by `uidFor` (index -> uid), and the indexes in
 * `drop` removed. The same object when nothing changes.
 */
export function withOwnerUids(body: KubeObject, uidFor: ReadonlyMap<number, string>, drop: ReadonlySet<number> = new Set()): KubeObject {
  const ann = annotationOf(body);
  const refs = ann?.ownerReferences;
  if (!ann || !Array.isArray(refs)) return body;
  let changed = false;
  const next: unknown[] = [];
  refs.forEach((ref, i) => {
    if (drop.has(i)) {
      changed = true;
      return;
    }
    const uid = uidFor.get(i);
    if (uid !== undefined && isRecord(ref) && ref.uid !== uid) {
      next.push({ ...ref, uid });
      changed = true;
    } else next.push(ref);
  });
  if (!changed) return body;
  const rest: JsonRecord = { ...ann };
  if (next.length > 0) rest.ownerReferences = next;
  else delete rest.ownerReferences;
  return { ...body, metadata: { ...body.metadata, annotations: { ...body.metadata.annotations, [METADATA_ANNOTATION]: goJson(rest) } } };
}

/**
 * `desired` as it must be in the target: references to live owners carry their uids, references
 * to owners nobody migrates are dropped, and dependents of owners this plan creates are moved to
 * the owned waves. With what was done to each reference, for the plan's check. `only`: resolve
 * just these addresses (the rest of `desired` is where owners may be found).
 */
export function resolveOwnerReferences(desired: readonly DesiredObject[], live: Iterable<KubeObject | LiveEntry>, only?: ReadonlySet<string>): { desired: DesiredObject[]; rewrites: OwnerRewrite[] } {
  const inScope = (d: DesiredObject) => !only || only.has(addressOf(d.apiVersion, d.kind, d.namespace, d.name));
  const owned = desired.flatMap((d) => {
    const owners = d.apiVersion === CRD_API_VERSION && inScope(d) ? calicoOwners(d.body) : [];
    return owners.length > 0 ? [{ d, owners }] : [];
  });
  if (owned.length === 0) return { desired: [...desired], rewrites: [] };
  const liveUid = new Map<string, string>();
  for (const o of live) {
    // An index entry (live-index.ts) or a whole object.
    const [namespace, name, uid] = 'metadata' in o ? [o.metadata.namespace ?? null, o.metadata.name, o.metadata.uid] : [o.namespace, o.name, o.uid];
    if (typeof uid === 'string') liveUid.set(addressOf(o.apiVersion, o.kind, namespace, name), uid);
  }
  const byAddress = new Map(desired.map((d) => [addressOf(d.apiVersion, d.kind, d.namespace, d.name), d]));
  const rewrites: OwnerRewrite[] = [];
  const pendingOwners = new Map<DesiredObject, string[]>();
  const replaced = new Map<DesiredObject, DesiredObject>();
  for (const { d, owners } of owned) {
    const uids = new Map<number, string>();
    const drop = new Set<number>();
    const pending: string[] = [];
    for (const o of owners) {
      const uid = liveUid.get(o.address);
      const how: OwnerResolution = uid !== undefined ? 'live' : byAddress.has(o.address) ? 'at-apply' : 'dropped';
      if (how === 'live' && uid !== undefined) uids.set(o.index, uid);
      if (how === 'dropped') drop.add(o.index);
      if (how === 'at-apply') pending.push(o.address);
      rewrites.push({ address: addressOf(d.apiVersion, d.kind, d.namespace, d.name), object: display(d.kind, d.namespace, d.name), owner: display(o.kind, o.namespace, o.name), how });
    }
    if (pending.length > 0) pendingOwners.set(d, pending);
    const body = withOwnerUids(d.body, uids, drop);
    if (body !== d.body) replaced.set(d, { ...d, body });
  }
  const depth = ownerDepths(pendingOwners, byAddress);
  const out = desired.map((d) => {
    const r = replaced.get(d) ?? d;
    const n = depth.get(d);
    return n ? { ...r, wave: WAVES.owned + Math.min(n, MAX_OWNER_DEPTH) - 1 } : r;
  });
  return { desired: out, rewrites };
}

/** How many owners created by the plan lie above each dependent (1 = its owner is not itself owned). */
function ownerDepths(pending: ReadonlyMap<DesiredObject, string[]>, byAddress: ReadonlyMap<string, DesiredObject>): Map<DesiredObject, number> {
  const depth = new Map<DesiredObject, number>();
  const visit = (d: DesiredObject, seen: Set<DesiredObject>): number => {
    const known = depth.get(d);
    if (known !== undefined) return known;
    const owners = pending.get(d);
    if (!owners || seen.has(d)) return 0;
    seen.add(d);
    let n = 0;
    for (const a of owners) {
      const owner = byAddress.get(a);
      n = Math.max(n, owner ? visit(owner, seen) : 0);
    }
    depth.set(d, n + 1);
    return n + 1;
  };
  for (const d of pending.keys()) visit(d, new Set());
  return depth;
}

function display(kind: string, namespace: string | null, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

const HOW: Record<OwnerResolution, string> = {
  live: 'uid of the owner in the target',
  'at-apply': 'uid the owner gets when apply creates it (the dependent is written after it)',
  dropped: 'dropped: the owner is neither migrated nor in the target, so the reference could never resolve',
};

/** The plan check `owner-references`: every reference rewritten, and how; a warning when one is dropped. */
export function ownerReferencesCheck(rewrites: readonly OwnerRewrite[]): Check {
  const items = rewrites.slice(0, MAX_ITEMS).map((r) => `${r.object} -> ${r.owner}: ${HOW[r.how]}`);
  if (rewrites.length > MAX_ITEMS) items.push(`… and ${rewrites.length - MAX_ITEMS} more`);
  const dropped = rewrites.filter((r) => r.how === 'dropped').length;
  if (rewrites.length === 0) return { id: 'owner-references', status: 'pass', message: 'no object has a Calico owner reference', items: [] };
  if (dropped > 0) {
    return { id: 'owner-references', status: 'warn', message: `${rewrites.length} Calico owner reference(s) rewritten to target uids; ${dropped} dropped because their owner is not migrated`, items };
  }
  return { id: 'owner-references', status: 'pass', message: `${rewrites.length} Calico owner reference(s) rewritten to the owners' uids in the target`, items };
}

/**
 * `desired` with the uids of its Calico owner references taken from `live` where both name the
 * same owner: whether an object is in the planned state does not depend on which uid its owner
 * got, which apply decides only as it writes.
 */
export function alignOwnerUids(desired: KubeObject, live: KubeObject): KubeObject {
  const want = calicoOwners(desired);
  if (want.length === 0) return desired;
  const have = new Map(calicoOwners(live).map((o) => [o.address, o.uid]));
  const uids = new Map<number, string>();
  for (const o of want) {
    const uid = have.get(o.address);
    if (uid !== undefined) uids.set(o.index, uid);
  }
  return withOwnerUids(desired, uids);
}

/** The Calico owners of these objects, as refs to read from the target. */
export function ownerRefsOf(objects: readonly DesiredObject[]): Array<{ apiVersion: string; kind: string; namespace: string | null; name: string }> {
  return objects.flatMap((d) => calicoOwners(d.body).map((o) => ({ apiVersion: CRD_API_VERSION, kind: o.kind, namespace: o.namespace, name: o.name })));
}
