/**
 * Normalising live objects so that comparing them with what we would write shows only real
 * differences. Drops what the API server manages (the strip list kubectl, Argo CD and Flux
 * converge on) and keeps what carries meaning: finalizers and ownerReferences stay.
 * Inputs are never mutated; every function returns a fresh copy.
 */
import type { KubeObject } from '../model/types.js';
import { isManagedNodeAnnotation } from '../model/node-annotations.js';

const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The live object as apply would compare it: no server-managed metadata, no `status`, no
 * last-applied annotation, and no empty `labels`/`annotations` maps (the server omits them, so
 * `{}` and absent mean the same).
 */
export function normalizeLive(obj: KubeObject): KubeObject {
  const copy = deepCopy(obj);
  delete copy.status;
  const metadata: unknown = copy.metadata;
  if (isRecord(metadata)) {
    for (const field of SERVER_METADATA) delete metadata[field];
    if (isRecord(metadata.annotations)) delete metadata.annotations[LAST_APPLIED];
  }
  dropEmptyMaps(copy);
  return copy;
}

/** Drop empty `metadata.labels` / `metadata.annotations`; used on both sides of a comparison. */
export function dropEmptyMaps(obj: KubeObject): KubeObject {
  const metadata = obj.metadata;
  if (isRecord(metadata)) {
    for (const field of ['labels', 'annotations'] as const) {
      const map = metadata[field];
      if (isRecord(map) && Object.keys(map).length === 0) delete metadata[field];
    }
  }
  return obj;
}

/**
 * A live v1 Node reduced to the part calico-migrate owns: `{apiVersion, kind, metadata: {name,
 * annotations}}` with only the Calico-managed annotations (absent when there are none). Labels,
 * spec, status and every other annotation belong to Kubernetes and are never compared or written.
 */
export function normalizeLiveNode(obj: KubeObject): KubeObject {
  const annotations: Record<string, string> = {};
  const live: unknown = obj.metadata.annotations;
  if (isRecord(live)) {
    for (const [key, value] of Object.entries(live)) {
      if (isManagedNodeAnnotation(key) && typeof value === 'string') annotations[key] = value;
    }
  }
  const metadata: KubeObject['metadata'] = { name: obj.metadata.name };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata };
}

/** A structural copy of a JSON value. `structuredClone` would also copy non-JSON values silently. */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty, so a `__proto__` key from JSON.parse stays data instead of setting the prototype.
      Object.defineProperty(out, k, { value: deepCopy(v), enumerable: true, writable: true, configurable: true });
    }
    return out as T;
  }
  return value;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
