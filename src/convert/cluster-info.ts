/**
 * The source ClusterInformation is not migrated as a CR: the plan layer writes the target's own
 * ClusterInformation (locked first, GUID/version last). We only report what the source says.
 */
import type { SourceClusterInfo, SourceKV } from '../model/types.js';
import type { DiagnosticSink } from './diagnostics.js';
import { readEnvelope } from './envelope.js';
import { pointer } from './json.js';

export function readClusterInfo(kv: SourceKV, diag: DiagnosticSink): SourceClusterInfo | null {
  const env = readEnvelope({ key: kv.key, value: kv.value, kind: 'ClusterInformation', namespace: null, name: 'default' }, diag);
  if (!env) return null;
  const s = env.spec;
  const str = (field: string): string | null => {
    const v = s[field];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'string') return v;
    diag.error({
      code: 'invalid-value',
      key: kv.key,
      path: pointer('spec', field),
      message: `spec.${field} must be a string`,
      hint: 'Fix the ClusterInformation in etcd, or pass --calico-version if only calicoVersion is wrong.',
    });
    return null;
  };
  let datastoreReady: boolean | null = null;
  if (typeof s.datastoreReady === 'boolean') datastoreReady = s.datastoreReady;
  else if (s.datastoreReady !== undefined && s.datastoreReady !== null) {
    diag.error({
      code: 'invalid-value',
      key: kv.key,
      path: pointer('spec', 'datastoreReady'),
      message: 'spec.datastoreReady must be a boolean',
      hint: 'Fix the ClusterInformation in etcd (calicoctl datastore migrate lock sets it).',
    });
  }
  return {
    key: kv.key,
    modRevision: kv.modRevision,
    clusterGUID: str('clusterGUID'),
    calicoVersion: str('calicoVersion'),
    clusterType: str('clusterType'),
    datastoreReady,
    creationTimestamp: typeof env.meta.creationTimestamp === 'string' && env.meta.creationTimestamp !== '' ? env.meta.creationTimestamp : null,
  };
}
