/**
 * calicoctl's `CalicoAPIConfig` file, read for --source-config (must be etcdv3) and
 * --target-config (must be kubernetes). Each file configures one side only.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { MigrateError } from '../errors.js';

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
  let doc: any;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MigrateError('USAGE', `${flag} ${file}: cannot read a calicoctl config (${(e as Error).message})`, {
      hint: 'pass a CalicoAPIConfig YAML file (the format of /etc/calico/calicoctl.cfg)',
    });
  }
  if (!doc || typeof doc !== 'object' || doc.kind !== 'CalicoAPIConfig' || typeof doc.spec !== 'object' || doc.spec === null) {
    throw new MigrateError('USAGE', `${flag} ${file}: not a calicoctl config (expected kind: CalicoAPIConfig with a spec)`, {
      hint: 'pass a CalicoAPIConfig YAML file (the format of /etc/calico/calicoctl.cfg)',
    });
  }
  const spec = doc.spec as CalicoApiConfigSpec;
  const type = spec.datastoreType ?? 'etcdv3';
  if (type !== want) {
    const side = want === 'etcdv3' ? 'source' : 'target';
    throw new MigrateError('USAGE', `${flag} ${file}: spec.datastoreType is "${type}", but the ${side} datastore type must be ${want}`, {
      hint: `the source is always etcdv3 and the target always kubernetes; use separate files for --source-config and --target-config`,
    });
  }
  return spec;
}
