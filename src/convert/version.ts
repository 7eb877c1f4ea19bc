/**
 * Calico versions decide the naming and metadata layout of the written CRs (reference §3.2, §3.6).
 * The target normally runs the same Calico version as the source, so the source
 * ClusterInformation `calicoVersion` is the default; `ConvertOptions.calicoVersion` overrides it.
 */

export interface CalicoVersion {
  major: number;
  minor: number;
  patch: number;
  /** Normalised text, always with a leading `v` (e.g. `v3.31.2`). */
  text: string;
}

/**
 * Used when neither the options nor the source say which version to follow: the newest release the
 * reference describes. Its policy names equal those of v3.30/v3.31 (the bare v3 name).
 */
export const DEFAULT_NAMING_VERSION = 'v3.32.1';

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?$/;

export function parseCalicoVersion(s: string): CalicoVersion | null {
  if (typeof s !== 'string') return null;
  const m = VERSION_RE.exec(s.trim());
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  const trimmed = s.trim();
  return { major, minor, patch, text: trimmed.startsWith('v') ? trimmed : `v${trimmed}` };
}

export function atLeast(v: CalicoVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** ≥ v3.29: only "our" labels/annotations on the CR, everything else in `projectcalico.org/metadata`. */
export function usesMetadataAnnotationLayout(v: CalicoVersion): boolean {
  return atLeast(v, 3, 29);
}

/** ≥ v3.30: tiered policy CRs are named by their v3 name, which is also kept in the metadata annotation. */
export function usesBarePolicyNames(v: CalicoVersion): boolean {
  return atLeast(v, 3, 30);
}

/** ≥ v3.32: policy names in non-default tiers no longer need the `<tier>.` prefix. */
export function allowsUnprefixedTierPolicies(v: CalicoVersion): boolean {
  return atLeast(v, 3, 32);
}
