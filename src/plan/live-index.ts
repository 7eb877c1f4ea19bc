/**
 * The target's side of a diff without its bodies: each live object as its address, identity and a
 * digest of the form the diff compares (normalize.ts). A plan against a target that already holds
 * 300,000 objects keeps these entries (about 0.3 KB each, against 1-5 KB for a parsed object) and
 * fetches whole objects only for the changes it writes out: updates, deletes and extras.
 * Pure: hashing is the only work done here.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../model/types.js';
import { canonicalJson } from './canonical.js';
import { normalizeLive } from './normalize.js';

export interface LiveEntry {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  uid: string | null;
  resourceVersion: string | null;
  /** sha-256 (base64) of the canonical JSON of the normalised object: equal digests, no changed path. */
  digest: string;
}

/** The entry of a live object of a Calico kind (not a Node, whose comparison keeps only Calico's annotations). */
export function liveEntry(object: KubeObject): LiveEntry {
  const { uid, resourceVersion, namespace } = object.metadata;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: namespace ?? null,
    name: object.metadata.name,
    uid: typeof uid === 'string' ? uid : null,
    resourceVersion: typeof resourceVersion === 'string' ? resourceVersion : null,
    digest: digestOfNormalized(normalizeLive(object)),
  };
}

// Bodies are never mutated once made (diff.ts), so each one's digest is computed once: the diff
// runs before and after the dry run, and each pass asks for a body's digest twice.
const memo = new WeakMap<object, string>();

/**
 * The digest an object would have in the target if it were stored as it is: compared with a live
 * entry's, it says whether the diff would report any changed path (canonical JSON orders keys, so
 * the same value always gives the same text; arrays keep their order, as changedPaths compares them).
 */
export function wantedDigest(body: KubeObject): string {
  let d = memo.get(body);
  if (d === undefined) {
    d = digestOfNormalized(normalizeLive(body));
    memo.set(body, d);
  }
  return d;
}

function digestOfNormalized(normalized: KubeObject): string {
  return createHash('sha256').update(canonicalJson(normalized), 'utf8').digest('base64');
}
