/**
 * The annotations Calico's KDD node client owns on a Kubernetes Node (libcalico-go
 * `k8s/resources/node.go`, see migrate-reference §1.7). Only these are compared and written.
 * Shared by conversion (which writes them), planning (which compares them) and apply (which
 * removes the ones a Node should no longer have).
 */
export const MANAGED_NODE_ANNOTATIONS: readonly string[] = [
  'projectcalico.org/IPv4Address',
  'projectcalico.org/IPv6Address',
  'projectcalico.org/IPv4IPIPTunnelAddr',
  'projectcalico.org/ASNumber',
  'projectcalico.org/RouteReflectorClusterID',
  'projectcalico.org/IPv4VXLANTunnelAddr',
  'projectcalico.org/VXLANTunnelMACAddr',
  'projectcalico.org/IPv6VXLANTunnelAddr',
  'projectcalico.org/VXLANTunnelMACAddrV6',
  'projectcalico.org/IPv4WireguardInterfaceAddr',
  'projectcalico.org/IPv6WireguardInterfaceAddr',
  'projectcalico.org/WireguardPublicKey',
  'projectcalico.org/WireguardPublicKeyV6',
  'projectcalico.org/Interfaces',
  'projectcalico.org/labels',
  'projectcalico.org/annotations',
];

const managed = new Set(MANAGED_NODE_ANNOTATIONS);

export function isManagedNodeAnnotation(key: string): boolean {
  return managed.has(key);
}

interface AnnotatedObject {
  metadata: { annotations?: unknown };
}

/** Annotations are a string map wherever they are an object at all (the API server enforces it). */
function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The merge patch for a Node change: every annotation of `after` set to its value, and every
 * managed key present in `before` but absent from `after` set to null (removed). Keys that are
 * not Calico's are never removed.
 */
export function nodeAnnotationPatch(before: AnnotatedObject | null, after: AnnotatedObject): Record<string, string | null> {
  const next = isStringMap(after.metadata.annotations) ? after.metadata.annotations : {};
  const patch: Record<string, string | null> = { ...next };
  const prior = before && isStringMap(before.metadata.annotations) ? before.metadata.annotations : {};
  for (const key of Object.keys(prior)) {
    if (isManagedNodeAnnotation(key) && !Object.prototype.hasOwnProperty.call(next, key)) patch[key] = null;
  }
  return patch;
}
