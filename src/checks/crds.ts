/** Every Calico CRD the migration writes must be installed and Established before anything is written. */
import { ALL_CRD_KINDS, CRD_GROUP } from '../model/kinds.js';
import type { Check } from '../plan/types.js';
import { check } from './check.js';

export function crdsEstablished(crds: any[]): Check {
  const byPlural = new Map(crds.filter((c) => c.spec?.group === CRD_GROUP).map((c) => [c.spec.names.plural as string, c]));
  const failures: string[] = [];
  for (const k of ALL_CRD_KINDS) {
    const crd = byPlural.get(k.plural);
    const name = `${k.plural}.${CRD_GROUP}`;
    if (!crd) failures.push(`${name}: not installed`);
    else if (!crd.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True')) failures.push(`${name}: not Established`);
    else if (!crd.spec.versions?.some((v: any) => v.name === 'v1' && v.served)) failures.push(`${name}: version v1 not served`);
  }
  return check(
    'crds-established',
    failures,
    `all ${ALL_CRD_KINDS.length} ${CRD_GROUP} CRDs are installed and Established`,
    (n) => `${n} Calico CRD(s) missing or not ready; install the Calico v1 CRDs (crd.projectcalico.org) in the target before applying`,
  );
}
