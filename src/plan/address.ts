/**
 * Resource addresses and the order changes are listed and applied in.
 */
import { compareStrings } from './canonical.js';
import type { ResourceChange } from './types.js';

/** `<apiVersion>/<Kind>/[<namespace>/]<name>`, e.g. `crd.projectcalico.org/v1/NetworkPolicy/prod/allow-web`, `v1/Node/node-1`. */
export function addressOf(apiVersion: string, kind: string, namespace: string | null | undefined, name: string): string {
  return namespace ? `${apiVersion}/${kind}/${namespace}/${name}` : `${apiVersion}/${kind}/${name}`;
}

/** The address of the object a change writes: the same for every step of a multi-step object. */
export function objectAddress(change: Pick<ResourceChange, 'api_version' | 'kind' | 'namespace' | 'name'>): string {
  return addressOf(change.api_version, change.kind, change.namespace, change.name);
}

/** How a change is named to people: `NetworkPolicy prod/allow-web`, `ClusterInformation default (lock)`. */
export function displayName(change: Pick<ResourceChange, 'step' | 'kind' | 'namespace' | 'name'>): string {
  const step = change.step;
  const name = change.namespace ? `${change.namespace}/${change.name}` : change.name;
  return `${change.kind} ${name}${step ? ` (${step})` : ''}`;
}

/** What the listing order reads of a change. */
export type Ordered = Pick<ResourceChange, 'wave' | 'kind' | 'namespace' | 'name' | 'address'>;

/**
 * Listing order: wave, kind, namespace (cluster-scoped first), name, then address. Plain code-unit
 * comparison so the order, and with it plan_id, never depends on the machine's locale. Apply runs
 * creates and updates in this order and deletes in descending wave order.
 */
export function compareChanges(a: Ordered, b: Ordered): number {
  return a.wave - b.wave || compareStrings(a.kind, b.kind) || compareNamespaces(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.address, b.address);
}

/** A sorted copy. */
export function sortChanges(changes: readonly ResourceChange[]): ResourceChange[] {
  return [...changes].sort(compareChanges);
}

function compareNamespaces(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return compareStrings(a, b);
}
