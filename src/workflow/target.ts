/** Opening the target and deciding which API group backs Calico there. */
import { KubeConnection } from '../adapters/kube/connection.js';
import { KubeTarget } from '../adapters/kube/target.js';
import { resolveKubeConfig, type TargetFlags } from '../config/target.js';
import { MigrateError } from '../errors.js';
import { CRD_API_VERSION, CRD_GROUP } from '../model/kinds.js';

export async function openTarget(flags: TargetFlags, opts: { maxSockets?: number } = {}): Promise<KubeTarget> {
  const kc = resolveKubeConfig(flags);
  return new KubeTarget(await KubeConnection.fromKubeConfig(kc, { maxSockets: opts.maxSockets }));
}

/**
 * Calico's discovery.go picks projectcalico.org/v3 only when that group is served and
 * crd.projectcalico.org is not. The tool writes the v1 layout only, so a v3-only cluster is refused
 * rather than given data its Calico would not read.
 */
export async function backingApiGroup(target: KubeTarget): Promise<string> {
  const groups = await target.apiGroups();
  const v1 = groups.includes(CRD_GROUP);
  const v3 = groups.includes('projectcalico.org');
  if (!v1 && v3) {
    throw new MigrateError('TARGET_INVALID', `target ${target.server} serves Calico's projectcalico.org/v3 API only (a v3-CRD cluster); calico-migrate writes the crd.projectcalico.org/v1 layout`, {
      hint: 'install the Calico v1 CRDs (crd.projectcalico.org) or migrate to a cluster in v1 mode; v3-only targets are not supported',
    });
  }
  if (!v1) {
    throw new MigrateError('TARGET_INVALID', `target ${target.server} has no Calico CRDs (API group ${CRD_GROUP} is not served)`, {
      hint: 'install the Calico v1 CRDs (the crd.projectcalico.org manifests of your Calico release) in the target, then plan again',
    });
  }
  return CRD_API_VERSION;
}
