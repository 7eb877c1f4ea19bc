/**
 * Desired (from the source) against live (from the target) → resource changes. Pure: no I/O, no
 * clock, inputs never mutated, output sorted, so the same inputs always give the same plan.
 *
 * Both sides go through the same normalisation before comparing, so server-managed fields never
 * show as changes; `after` IS the desired body (shared, not copied: a plan of 300,000 objects must
 * not hold them twice), because it is what apply writes. Nothing downstream mutates it.
 * The ClusterInformation is not diffed here: it is written in two steps (cluster-information.ts).
 */
import type { DesiredObject, KubeObject } from '../model/types.js';
import type { FilterTarget } from '../model/filters.js';
import { CLUSTER_INFORMATION, UNMIGRATED_CRD_KINDS, kindInfo, waveFor } from '../model/kinds.js';
import { isProtectedTierName } from '../model/protected-tiers.js';
import { addressOf, sortChanges } from './address.js';
import { compareStrings } from './canonical.js';
import { normalizeLive, normalizeLiveNode } from './normalize.js';
import { changeBody } from './change-body.js';
import { changedPaths } from './paths.js';
import { wantedDigest, type LiveEntry } from './live-index.js';
import type { Action, ResourceChange } from './types.js';

/** An object as read from the target API server, server-managed fields and all. */
export interface LiveObject {
  object: KubeObject;
}

export interface DiffInput {
  desired: readonly DesiredObject[];
  /** Whole live objects: every one when there is no `index`, else those fetched (and the Nodes). */
  live: readonly LiveObject[];
  /**
   * Every live Calico object as an entry (live-index.ts), when the target was read without its
   * bodies. A desired object whose digest matches its entry is a no-op; every other live object
   * the diff must describe (an update, delete or extra) must be in `live`: `liveToFetch` names them.
   */
  index?: ReadonlyMap<string, LiveEntry>;
  /** Delete live objects that are not in the source (except those never pruned, see `isNeverPruned`). */
  prune: boolean;
  /** Keep only the objects it accepts, on both sides (`--include` / `--exclude`, see model/filters.ts). */
  filter?: (t: FilterTarget) => boolean;
  /**
   * Optional server dry-run results of writing each desired object, by address. When given, the
   * live object is compared with what the server would store (CRD defaults applied) instead of
   * the desired body, so a defaulted field is not reported as a change on every plan.
   */
  dryRunResults?: ReadonlyMap<string, KubeObject>;
  /**
   * Objects this tool created in the target (a pre-copy and the applies after it), address → the
   * uid the create returned (workflow/migration-runs.ts). One the source no longer has, with that
   * uid still, is deleted even without `prune`: the delta of a cut-over.
   */
  owned?: ReadonlyMap<string, string>;
}

const UNMIGRATED = new Set(UNMIGRATED_CRD_KINDS.map((k) => k.kind));

/** Address of a desired object. */
export function desiredAddress(d: DesiredObject): string {
  return addressOf(d.apiVersion, d.kind, d.namespace, d.name);
}

/** Address of a live object. */
export function liveAddress(obj: KubeObject): string {
  return addressOf(obj.apiVersion, obj.kind, obj.metadata.namespace ?? null, obj.metadata.name);
}

/**
 * Live objects prune must never delete: Nodes (owned by Kubernetes), the ClusterInformation,
 * kinds the tool lists but does not migrate (absence from the source means nothing), and the
 * protected tiers.
 */
export function isNeverPruned(kind: string, name: string): boolean {
  return kind === 'Node' || kind === CLUSTER_INFORMATION.kind || UNMIGRATED.has(kind) || isProtectedTier(kind, name);
}

/** The tiers Calico creates itself in every datastore: never deleted, and not an extra. */
function isProtectedTier(kind: string, name: string): boolean {
  return kind === 'Tier' && isProtectedTierName(name);
}

/**
 * One change per object on either side, sorted by `compareChanges`:
 * - desired, no live → create (except Nodes, which cannot be created: see `missingNodes`);
 * - both, equal after normalisation → no-op (before/after null); else update with the sorted
 *   `changed_paths`, `before` = normalised live and `after` = the desired body;
 * - live, no desired → delete when `prune` and the object may be pruned, else extra. Protected
 *   tiers are a no-op, and a Node is listed only when it carries Calico annotations.
 * `target` carries the live uid/resourceVersion: the preconditions for update and delete.
 * @throws Error for a kind not in kinds.ts or two desired objects with the same address (bugs).
 */
export function diffObjects(input: DiffInput): ResourceChange[] {
  const live = liveSide(input);
  const changes: ResourceChange[] = [];
  const seen = new Set<string>();
  for (const d of selectedDesired(input)) {
    const address = desiredAddress(d);
    if (seen.has(address)) throw new Error(`diffObjects: two desired objects have the address ${address}`);
    seen.add(address);
    const current = live.get(address);
    if (current?.object) changes.push(compare(d, address, current.object, input.dryRunResults?.get(address)));
    else if (current?.entry) {
      if (wantedDigest(wanted(d, input.dryRunResults?.get(address))) !== current.entry.digest) throw notFetched(address);
      changes.push(change(d, address, 'no-op', null, null, [], entryIdentity(current.entry)));
    } else if (d.kind !== 'Node') changes.push(change(d, address, 'create', null, d.body, []));
  }

  for (const [address, { object, entry }] of live) {
    if (seen.has(address)) continue;
    if (!object) {
      // A protected tier needs no body: it is a no-op whatever it holds.
      if (entry && isProtectedTier(entry.kind, entry.name)) changes.push(change(entryBase(entry), address, 'no-op', null, null, [], entryIdentity(entry)));
      else throw notFetched(address);
      continue;
    }
    const gone = removal(address, object, input.prune || isOwned(object.metadata.uid, input.owned?.get(address)));
    if (gone) changes.push(gone);
  }
  return sortChanges(changes);
}

/**
 * The live objects `diffObjects` needs whole although `index` has them only as entries: those a
 * desired object differs from (by digest), and those the source no longer has (a delete or an
 * extra lists the object as it is). Empty without an index.
 */
export function liveToFetch(input: DiffInput): LiveEntry[] {
  if (!input.index) return [];
  const live = liveSide(input);
  const out: LiveEntry[] = [];
  const seen = new Set<string>();
  for (const d of selectedDesired(input)) {
    const address = desiredAddress(d);
    seen.add(address);
    const current = live.get(address);
    if (current && !current.object && current.entry && wantedDigest(wanted(d, input.dryRunResults?.get(address))) !== current.entry.digest) out.push(current.entry);
  }
  for (const [address, { object, entry }] of live) {
    if (!seen.has(address) && !object && entry && !isProtectedTier(entry.kind, entry.name)) out.push(entry);
  }
  return out;
}

/** Every live object the filter keeps, by address: whole, or only its entry (or both). */
function liveSide(input: DiffInput): Map<string, { object: KubeObject | null; entry: LiveEntry | null }> {
  const keep = input.filter ?? (() => true);
  const live = new Map<string, { object: KubeObject | null; entry: LiveEntry | null }>();
  for (const { object } of input.live) {
    if (object.kind === CLUSTER_INFORMATION.kind || !keep({ kind: object.kind, namespace: object.metadata.namespace ?? null, name: object.metadata.name })) continue;
    live.set(liveAddress(object), { object, entry: null });
  }
  for (const [address, entry] of input.index ?? []) {
    if (entry.kind === CLUSTER_INFORMATION.kind || !keep(entry)) continue;
    const known = live.get(address);
    if (known) known.entry = entry;
    else live.set(address, { object: null, entry });
  }
  return live;
}

function selectedDesired(input: DiffInput): DesiredObject[] {
  const keep = input.filter ?? (() => true);
  return input.desired.filter((d) => d.kind !== CLUSTER_INFORMATION.kind && keep(d));
}

/** What the live object is compared with: what the server would store (the dry run's answer) or the desired body. */
function wanted(d: DesiredObject, dryRun: KubeObject | undefined): KubeObject {
  return d.kind === 'Node' ? d.body : (dryRun ?? d.body);
}

function notFetched(address: string): Error {
  return new Error(`diffObjects: the live ${address} is needed whole and was not fetched (see liveToFetch)`);
}

function entryIdentity(e: LiveEntry): ResourceChange['target'] {
  return { uid: e.uid, resource_version: e.resourceVersion };
}

function entryBase(e: LiveEntry): DesiredObject {
  return { apiVersion: e.apiVersion, kind: e.kind, namespace: e.namespace, name: e.name, body: { apiVersion: e.apiVersion, kind: e.kind, metadata: { name: e.name } }, sources: [] };
}

/**
 * Names of desired Nodes that the target does not have, sorted. Kubernetes Nodes cannot be
 * created by apply, so these produce no change; the planner reports them as a check.
 */
export function missingNodes(desired: readonly DesiredObject[], live: readonly LiveObject[]): string[] {
  const present = new Set(live.filter((l) => l.object.kind === 'Node').map((l) => l.object.metadata.name));
  return desired
    .filter((d) => d.kind === 'Node' && !present.has(d.name))
    .map((d) => d.name)
    .sort(compareStrings);
}

function compare(d: DesiredObject, address: string, current: KubeObject, dryRun: KubeObject | undefined): ResourceChange {
  const isNode = d.kind === 'Node';
  const before = isNode ? normalizeLiveNode(current) : normalizeLive(current);
  const paths = changedPaths(before, normalizeLive(wanted(d, dryRun)));
  if (paths.length === 0) return change(d, address, 'no-op', null, null, [], identityOf(current));
  return change(d, address, 'update', before, d.body, paths, identityOf(current));
}

function isOwned(uid: unknown, createdUid: string | undefined): boolean {
  return createdUid !== undefined && uid === createdUid;
}

function removal(address: string, object: KubeObject, prune: boolean): ResourceChange | null {
  const { kind } = object;
  const name = object.metadata.name;
  const base = {
    apiVersion: object.apiVersion,
    kind,
    namespace: object.metadata.namespace ?? null,
    name,
    body: object,
    sources: [],
  };
  const target = identityOf(object);
  if (isProtectedTier(kind, name)) return change(base, address, 'no-op', null, null, [], target);
  if (kind === 'Node') {
    const before = normalizeLiveNode(object);
    // A Node without Calico annotations is just a Kubernetes node: not ours, not worth a line.
    if (!before.metadata.annotations) return null;
    return change(base, address, 'extra', before, null, [], target);
  }
  const action: Action = prune && !isNeverPruned(kind, name) ? 'delete' : 'extra';
  return change(base, address, action, normalizeLive(object), null, [], target);
}

function change(
  d: DesiredObject,
  address: string,
  action: Action,
  before: KubeObject | null,
  after: KubeObject | null,
  changedPathList: string[],
  target: ResourceChange['target'] = NO_TARGET,
): ResourceChange {
  return {
    address,
    wave: d.wave ?? waveOf(d.kind, d.name, address),
    api_version: d.apiVersion,
    kind: d.kind,
    namespace: d.namespace,
    name: d.name,
    step: null,
    change: changeBody(action, before, after, changedPathList),
    // Shared with the desired object (never mutated): a change is ~0.5 KB, 300,000 of them are held.
    source_keys: d.sources,
    target,
    dry_run: null,
  };
}

function waveOf(kind: string, name: string, address: string): number {
  if (kind !== 'Node' && !kindInfo(kind)) throw new Error(`diffObjects: unknown kind ${kind} at ${address}`);
  return waveFor(kind, name);
}

const NO_TARGET: ResourceChange['target'] = Object.freeze({ uid: null, resource_version: null });

/** uid and resourceVersion of the live object; null for both when there is none (one shared value). */
export function identityOf(live: KubeObject | null | undefined): ResourceChange['target'] {
  if (!live) return NO_TARGET;
  const uid = live.metadata.uid;
  const rv = live.metadata.resourceVersion;
  return { uid: typeof uid === 'string' ? uid : null, resource_version: typeof rv === 'string' ? rv : null };
}
