/** Every Calico CRD the migration writes must be installed and Established before anything is written. */
import { ALL_CRD_KINDS, CRD_GROUP } from '../model/kinds.js';
import type { Check } from '../plan/types.js';
import { check } from './check.js';

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(record) : [];
}

/** `spec.group` and `spec.names.plural` of a CRD object, or null when it has none. */
export function crdPlural(crd: unknown): { group: string; plural: string } | null {
  const spec = record(record(crd).spec);
  const plural = record(spec.names).plural;
  return typeof spec.group === 'string' && typeof plural === 'string' ? { group: spec.group, plural } : null;
}

/** Has the API server accepted the CRD (condition Established=True)? */
export function isEstablished(crd: unknown): boolean {
  return list(record(record(crd).status).conditions).some((c) => c.type === 'Established' && c.status === 'True');
}

function servesV1(crd: unknown): boolean {
  return list(record(record(crd).spec).versions).some((v) => v.name === 'v1' && v.served === true);
}

export function crdsEstablished(crds: readonly unknown[]): Check {
  const byPlural = new Map<string, unknown>();
  for (const c of crds) {
    const id = crdPlural(c);
    if (id?.group === CRD_GROUP) byPlural.set(id.plural, c);
  }
  const failures: string[] = [];
  for (const k of ALL_CRD_KINDS) {
    const crd = byPlural.get(k.plural);
    const name = `${k.plural}.${CRD_GROUP}`;
    if (!crd) failures.push(`${name}: not installed`);
    else if (!isEstablished(crd)) failures.push(`${name}: not Established`);
    else if (!servesV1(crd)) failures.push(`${name}: version v1 not served`);
  }
  return check(
    'crds-established',
    failures,
    `all ${ALL_CRD_KINDS.length} ${CRD_GROUP} CRDs are installed and Established`,
    (n) => `${n} Calico CRD(s) missing or not ready; install the Calico v1 CRDs (crd.projectcalico.org) in the target before applying`,
  );
}
