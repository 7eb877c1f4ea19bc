/**
 * Name formats: the validator's resource-name regexes (stricter than Kubernetes' for tiers and
 * tiered policies), its `name` tag for references, and Kubernetes' IANA port names.
 */
export { labelValueError, qualifiedNameError } from '../../convert/k8s-names.js';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;

const NAME = new RegExp(`^${SUBDOMAIN}$`);
const TIER_NAME = new RegExp(`^${LABEL}$`);
const GLOBAL_POLICY_NAME = new RegExp(`^(${LABEL}\\.)?${LABEL}$`);
const POLICY_NAME = new RegExp(`^((${LABEL})(\\.${LABEL})?|((?:knp|ossg)\\.default\\.(${SUBDOMAIN})))$`);

/** The validator's `name` tag (a DNS-1123 subdomain, no length limit of its own). */
export function isName(s: string): boolean {
  return NAME.test(s);
}

export function tierNameError(s: string): string | null {
  if (s.length > 63) return `is longer than 63 characters (${s.length}); a tier name must fit in a label`;
  return TIER_NAME.test(s) ? null : "must be lower-case alphanumerics or '-' with no dots (tier names appear inside policy names)";
}

export function globalPolicyNameError(s: string): string | null {
  if (s.length > 253) return `is longer than 253 characters (${s.length})`;
  return GLOBAL_POLICY_NAME.test(s) ? null : "must be a DNS-1123 label, optionally prefixed by '<tier>.' (at most one dot)";
}

export function namespacedPolicyNameError(s: string): string | null {
  if (s.length > 253) return `is longer than 253 characters (${s.length})`;
  return POLICY_NAME.test(s) ? null : "must be a DNS-1123 label, optionally prefixed by '<tier>.' (at most one dot), or knp.default.<name>";
}

const PORT_NAME_CHARS = /^[-a-z0-9]+$/;

/** Kubernetes `IsValidPortName` (IANA_SVC_NAME): null when valid. */
export function portNameError(s: string): string | null {
  if (s.length === 0) return 'must not be empty';
  if (s.length > 15) return 'must be no more than 15 characters';
  if (!PORT_NAME_CHARS.test(s)) return 'must contain only lower-case alphanumerics and hyphens';
  if (!/[a-z]/.test(s)) return 'must contain at least one letter';
  if (s.includes('--')) return 'must not contain consecutive hyphens';
  if (s.startsWith('-') || s.endsWith('-')) return 'must not begin or end with a hyphen';
  return null;
}
