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
import type { Action, ResourceChange } from './types.js';

/** An object as read from the target API server, server-managed fields and all. */
export interface LiveObject {
  object: KubeObject;
}

export interface DiffInput {
  desired: readonly DesiredObject[];
  live: readonly LiveObject[];
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
  const keep = input.filter ?? (() => true);
  const live = new Map<string, KubeObject>();
  for (const { object } of input.live) {
    if (object.kind === CLUSTER_INFORMATION.kind || !keep({ kind: object.kind, namespace: object.metadata.namespace ?? null, name: object.metadata.name })) continue;
    live.set(liveAddress(object), object);
  }

  const changes: ResourceChange[] = [];
  const seen = new Set<string>();
  for (const d of input.desired) {
    if (d.kind === CLUSTER_INFORMATION.kind || !keep(d)) continue;
    const address = desiredAddress(d);
    if (seen.has(address)) throw new Error(`diffObjects: two desired objects have the address ${address}`);
    seen.add(address);
    const current = live.get(address);
    if (current) changes.push(compare(d, address, current, input.dryRunResults?.get(address)));
    else if (d.kind !== 'Node') changes.push(change(d, address, 'create', null, d.body, []));
  }

  for (const [address, object] of live) {
    if (seen.has(address)) continue;
    const gone = removal(address, object, input.prune || isOwned(object, input.owned?.get(address)));
    if (gone) changes.push(gone);
  }
  return sortChanges(changes);
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
  const wanted = isNode ? normalizeLive(d.body) : normalizeLive(dryRun ?? d.body);
  const paths = changedPaths(before, wanted);
  if (paths.length === 0) return change(d, address, 'no-op', null, null, [], current);
  return change(d, address, 'update', before, d.body, paths, current);
}

function isOwned(object: KubeObject, createdUid: string | undefined): boolean {
  return createdUid !== undefined && object.metadata.uid === createdUid;
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
  if (isProtectedTier(kind, name)) return change(base, address, 'no-op', null, null, [], object);
  if (kind === 'Node') {
    const before = normalizeLiveNode(object);
    // A Node without Calico annotations is just a Kubernetes node: not ours, not worth a line.
    if (!before.metadata.annotations) return null;
    return change(base, address, 'extra', before, null, [], object);
  }
  const action: Action = prune && !isNeverPruned(kind, name) ? 'delete' : 'extra';
  return change(base, address, action, normalizeLive(object), null, [], object);
}

function change(d: DesiredObject, address: string, action: Action, before: KubeObject | null, after: KubeObject | null, changedPathList: string[], live?: KubeObject): ResourceChange {
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
    target: identityOf(live),
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
