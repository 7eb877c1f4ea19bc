/** Kubernetes object names: DNS-1123 subdomains of at most 253 characters (namespaces: labels of 63). */
import type { DesiredObject } from '../model/types.js';
import type { Check } from '../plan/types.js';
import { check } from './check.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function nameProblem(name: string): string | null {
  if (name.length > 253) return `longer than 253 characters (${name.length})`;
  if (!SUBDOMAIN.test(name)) return 'not a lower-case DNS-1123 subdomain';
  return null;
}

export function namesValid(desired: DesiredObject[]): Check {
  const failures: string[] = [];
  for (const d of desired) {
    const p = nameProblem(d.name);
    if (p) failures.push(`${d.kind} ${d.name}: ${p} (from ${d.sources.map((s) => s.key).join(', ')})`);
    if (d.namespace && (d.namespace.length > 63 || !LABEL.test(d.namespace))) failures.push(`${d.kind} ${d.namespace}/${d.name}: namespace is not a DNS-1123 label`);
  }
  return check('names-valid', failures, 'every object name is a valid Kubernetes name of at most 253 characters', (n) => `${n} object name(s) are not valid Kubernetes names`);
}
