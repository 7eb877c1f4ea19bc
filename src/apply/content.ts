/**
 * Comparing a live object with a planned one.
 *
 * "Same content" is how apply proves an object is in the state a write of ours would leave it in
 * when the write's own response is unknown (a lost response, a crash between intent and result):
 * only then is the object adopted as ours.
 */
import type { KubeObject } from '../model/types.js';
import { normalizeLive, normalizeLiveNode } from '../plan/normalize.js';
import { alignOwnerUids } from '../plan/owner-references.js';
import { jsonEqual } from '../plan/paths.js';
import type { TargetWriter } from './types.js';

export function isNode(obj: { apiVersion: string; kind: string }): boolean {
  return obj.apiVersion === 'v1' && obj.kind === 'Node';
}

function managedAnnotations(obj: KubeObject): Record<string, string> {
  return normalizeLiveNode(obj).metadata.annotations ?? {};
}

/**
 * Is `live` (as read from the server) the planned `desired`? Nodes compare only the managed
 * annotations. Custom resources compare normalised; when they differ, a server-side dry run of
 * replacing `live` with `desired` tells whether the difference is only server defaulting (CRD
 * `default:` values), in which case they are the same.
 */
export async function sameContent(target: Pick<TargetWriter, 'replace'>, live: KubeObject, desired: KubeObject): Promise<boolean> {
  if (isNode(live)) return jsonEqual(managedAnnotations(live), managedAnnotations(desired));
  const a = normalizeLive(live);
  const b = normalizeLive(alignOwnerUids(desired, live));
  if (jsonEqual(a, b)) return true;
  const rv = live.metadata.resourceVersion;
  if (typeof rv !== 'string') return false;
  try {
    const dry = await target.replace(b, rv, { dryRun: true });
    return dry.ok && jsonEqual(normalizeLive(dry.object), a);
  } catch {
    return false;
  }
}

export function uidOf(obj: KubeObject | null | undefined): string | null {
  const uid = obj?.metadata.uid;
  return typeof uid === 'string' ? uid : null;
}

export function resourceVersionOf(obj: KubeObject | null | undefined): string | null {
  const rv = obj?.metadata.resourceVersion;
  return typeof rv === 'string' ? rv : null;
}
