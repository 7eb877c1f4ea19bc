/**
 * `/calico/ipam/v2/<host|virtual>/<host>/ipv<4|6>/block/<cidr>` (model.BlockAffinity) -> BlockAffinity CR
 * (libcalico-go blockAffinityClientV1.toCRD + EnsureBlockAffinityLabels, reference §3.4).
 *
 * Virtual affinities are migrated too (calicoctl only reads `/host/`), and only host affinities
 * are renamed: a virtual "host" names an owner such as a load balancer, not a node.
 * The three selector labels are always written: they are harmless to readers before v3.31 and are
 * what v3.31+ lists by.
 */
import type { DiagnosticSink } from './diagnostics.js';
import { isRecord, pointer, type JsonRecord } from './json.js';
import { blockAffinityName, hostnameHashLabel } from './names.js';
import type { NodeMap } from './rename.js';

export const AFFINITY_LABELS = {
  hostnameHash: 'projectcalico.org/hostname-hash',
  affinityType: 'projectcalico.org/affinity-type',
  ipVersion: 'projectcalico.org/ip-version',
} as const;

const HINT = 'Inspect the key with etcdctl; remove it if it is garbage (the block keeps its own affinity), then plan again.';

export interface AffinityInput {
  affinityType: 'host' | 'virtual';
  host: string;
  ipVersion: 4 | 6;
  cidr: string;
  cidrName: string;
}

export interface AffinityContext {
  key: string;
  diag: DiagnosticSink;
  nodeMap: NodeMap;
}

export interface AffinityOutput {
  name: string;
  host: string;
  labels: Record<string, string>;
  spec: JsonRecord;
}

/**
 * `value` is the parsed etcd value; an empty stored value means `{}` (legacy data).
 * Returns null when the value is unusable (reported).
 */
export function convertAffinity(k: AffinityInput, value: unknown, ctx: AffinityContext): AffinityOutput | null {
  const v: JsonRecord = isRecord(value) ? value : {};
  if (!isRecord(value)) {
    ctx.diag.error({
      code: 'invalid-value',
      key: ctx.key,
      message: 'block affinity value must be a JSON object',
      hint: HINT,
    });
    return null;
  }
  const host = k.affinityType === 'host' ? (ctx.nodeMap.get(k.host) ?? k.host) : k.host;
  let state = '';
  if (typeof v.state === 'string') state = v.state;
  else if (v.state !== undefined && v.state !== null) {
    ctx.diag.error({ code: 'invalid-value', key: ctx.key, path: pointer('state'), message: 'state must be a string', hint: HINT });
  }
  let deleted = false;
  if (typeof v.deleted === 'boolean') deleted = v.deleted;
  else if (v.deleted !== undefined && v.deleted !== null) {
    ctx.diag.error({ code: 'invalid-value', key: ctx.key, path: pointer('deleted'), message: 'deleted must be a boolean', hint: HINT });
  }
  const labels = {
    [AFFINITY_LABELS.affinityType]: k.affinityType,
    [AFFINITY_LABELS.hostnameHash]: hostnameHashLabel(host),
    [AFFINITY_LABELS.ipVersion]: String(k.ipVersion),
  };
  // Field order of internalapi.BlockAffinitySpec; `deleted` is a string for old readers.
  const spec: JsonRecord = { state, node: host, type: k.affinityType, cidr: k.cidr, deleted: deleted ? 'true' : 'false' };
  return { name: blockAffinityName(host, k.cidrName), host, labels, spec };
}
