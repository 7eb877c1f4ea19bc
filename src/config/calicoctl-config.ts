/**
 * calicoctl's `CalicoAPIConfig` file, read for --source-config (must be etcdv3) and
 * --target-config (must be kubernetes). Each file configures one side only.
 */
import YAML from 'yaml';
import { MigrateError } from '../errors.js';
import { readUserFile } from '../util/user-file.js';

export interface CalicoApiConfigSpec {
  datastoreType?: string;
  etcdEndpoints?: string;
  etcdDiscoverySrv?: string;
  etcdUsername?: string;
  etcdPassword?: string;
  etcdKeyFile?: string;
  etcdCertFile?: string;
  etcdCACertFile?: string;
  etcdKey?: string;
  etcdCert?: string;
  etcdCACert?: string;
  kubeconfig?: string;
  k8sAPIEndpoint?: string;
  k8sKeyFile?: string;
  k8sCertFile?: string;
  k8sCAFile?: string;
  k8sAPIToken?: string;
  k8sInsecureSkipTLSVerify?: boolean;
}

export function readCalicoApiConfig(file: string, want: 'etcdv3' | 'kubernetes', flag: string): CalicoApiConfigSpec {
  const hint = 'pass a CalicoAPIConfig YAML file (the format of /etc/calico/calicoctl.cfg)';
  const text = readUserFile({ label: flag, path: file, hint });
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new MigrateError('USAGE', `${flag} ${file}: cannot read a calicoctl config (${(e as Error).message})`, { hint });
  }
  const top = doc as { kind?: unknown; spec?: unknown } | null;
  if (!top || typeof top !== 'object' || top.kind !== 'CalicoAPIConfig' || typeof top.spec !== 'object' || top.spec === null) {
    throw new MigrateError('USAGE', `${flag} ${file}: not a calicoctl config (expected kind: CalicoAPIConfig with a spec)`, { hint });
  }
  const spec = top.spec as CalicoApiConfigSpec;
  const type = spec.datastoreType ?? 'etcdv3';
  if (type !== want) {
    const side = want === 'etcdv3' ? 'source' : 'target';
    throw new MigrateError('USAGE', `${flag} ${file}: spec.datastoreType is "${type}", but the ${side} datastore type must be ${want}`, {
      hint: `the source is always etcdv3 and the target always kubernetes; use separate files for --source-config and --target-config`,
    });
  }
  return spec;
}
