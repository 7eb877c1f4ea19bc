/**
 * What a reviewer must read in a plan, and what may be folded into one line per kind. Shared by
 * the text and Markdown renderings so a 20,000-object plan is short in both, and so the Markdown
 * cap never cuts what must be reviewed.
 *
 * Must read: every update (a diff of what the target holds now), delete and extra, every Node
 * update that overwrites or removes an annotation the target already had, and any change whose
 * server dry-run failed. Foldable: creates (nothing is lost by writing a new object) and Node
 * updates that only add annotations the Node did not have: every migration has one per node,
 * thousands in a large cluster, and none of them replaces anything.
 */
import type { KubeObject } from '../model/types.js';
import type { ResourceChange } from './types.js';

/**
 * Foldable changes of one kind are listed one by one up to this many, then as one line. 20 keeps
 * the kinds people write by hand (pools, BGP, Felix configuration, most policy sets) listed in
 * full, while the kinds Calico generates per node, block, pod or address (IPAM blocks, handles,
 * affinities, Nodes) fold: their names tell a reviewer nothing, and there are thousands.
 */
export const LIST_LIMIT = 20;
/** How many names a folded line quotes. */
export const FOLDED_NAMES = 3;

export type Review = 'review' | 'foldable' | 'unchanged';

export function reviewOf(change: ResourceChange): Review {
  if (change.dry_run?.status === 'error') return 'review';
  const action = change.change.action;
  switch (action) {
    case 'no-op':
      return 'unchanged';
    case 'create':
      return 'foldable';
    case 'update':
      return change.kind === 'Node' && overwrittenAnnotations(change).length === 0 ? 'foldable' : 'review';
    case 'delete':
    case 'extra':
      return 'review';
    default: {
      const never: never = action;
      throw new Error(`reviewOf: unknown action ${String(never)}`);
    }
  }
}

/**
 * The annotations a Node update replaces or removes: keys the target's Node has (only Calico's
 * are in `before`, see normalizeLiveNode) whose value the update changes or drops. Empty for any
 * other change.
 */
export function overwrittenAnnotations(change: ResourceChange): string[] {
  if (change.kind !== 'Node' || change.change.action !== 'update') return [];
  const before = annotations(change.change.before);
  const after = annotations(change.change.after);
  return Object.keys(before)
    .filter((k) => after[k] !== before[k])
    .sort();
}

function annotations(obj: KubeObject): Record<string, unknown> {
  const a = obj.metadata.annotations;
  return typeof a === 'object' && a !== null && !Array.isArray(a) ? a : {};
}

/** The fold a foldable change belongs to: its creates of one kind, or the plain Node updates. */
export function foldKey(change: ResourceChange): string {
  return change.change.action === 'update' ? `update ${change.kind}` : `create ${change.kind}`;
}

export interface Fold {
  key: string;
  /** `IPAMHandle creates`, `Node annotation updates that overwrite nothing` */
  label: string;
  count: number;
  /** The first few names, in listing order. */
  first: string[];
}

/**
 * One pass over the changes: the folds that hold more than `limit` changes, by key. Memory is one
 * entry per kind (with a few names), whatever the plan's size.
 */
export function foldsOf(changes: Iterable<ResourceChange>, limit: number = LIST_LIMIT): Map<string, Fold> {
  const all = new Map<string, Fold>();
  for (const change of changes) {
    if (reviewOf(change) !== 'foldable') continue;
    const key = foldKey(change);
    let fold = all.get(key);
    if (!fold) all.set(key, (fold = { key, label: foldLabel(change), count: 0, first: [] }));
    fold.count++;
    if (fold.first.length < FOLDED_NAMES) fold.first.push(change.namespace ? `${change.namespace}/${change.name}` : change.name);
  }
  for (const [key, fold] of all) if (fold.count <= limit) all.delete(key);
  return all;
}

function foldLabel(change: ResourceChange): string {
  return change.change.action === 'update' ? `${change.kind} annotation updates that overwrite nothing` : `${change.kind} creates`;
}

/** `19,840`: thousands separated the same way on every machine (no locale). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
