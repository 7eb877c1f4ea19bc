/**
 * Kubernetes object-metadata rules (apimachinery `validation.IsDNS1123Subdomain` etc.). Checked at
 * conversion time so a bad name is reported against its etcd key before anything is written,
 * instead of surfacing as a 422 half-way through apply.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Total size limit of all annotations on one object (apimachinery TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Returns null when valid, else the reason. */
export function dns1123SubdomainError(s: string): string | null {
  if (s.length === 0) return 'must not be empty';
  if (s.length > 253) return `must be no more than 253 characters (has ${s.length})`;
  if (!DNS1123_SUBDOMAIN.test(s)) {
    return "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (RFC 1123 subdomain)";
  }
  return null;
}

export function dns1123LabelError(s: string): string | null {
  if (s.length === 0) return 'must not be empty';
  if (s.length > 63) return `must be no more than 63 characters (has ${s.length})`;
  if (!DNS1123_LABEL.test(s)) {
    return "must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (RFC 1123 label)";
  }
  return null;
}

/** Label and annotation keys: `[prefix/]name`. */
export function qualifiedNameError(key: string): string | null {
  const parts = key.split('/');
  if (parts.length > 2) return "a qualified name must be '[prefix/]name' with at most one '/'";
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  if (parts.length === 2) {
    const prefixErr = dns1123SubdomainError(parts[0] ?? '');
    if (prefixErr) return `prefix ${prefixErr}`;
  }
  if (name.length === 0) return 'name part must not be empty';
  if (name.length > 63) return `name part must be no more than 63 characters (has ${name.length})`;
  if (!QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return null;
}

export function labelValueError(v: string): string | null {
  if (v.length > 63) return `must be no more than 63 characters (has ${v.length})`;
  if (!LABEL_VALUE.test(v)) {
    return "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return null;
}

export function annotationsSize(a: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(a)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}
