/**
 * IPAM keys (`/calico/ipam/v2/...`) -> IPAMBlock, BlockAffinity, IPAMHandle and IPAMConfig CRs.
 * IPAM objects bypass clientv3, so their metadata annotation always has a null creationTimestamp.
 */
import { CRD_API_VERSION } from '../model/kinds.js';
import type { DesiredObject, SourceKV } from '../model/types.js';
import { objectAddress, type DiagnosticSink } from './diagnostics.js';
import { parseObjectValue } from './envelope.js';
import { convertAffinity, type AffinityInput } from './ipam-affinity.js';
import { convertBlockSpec } from './ipam-block.js';
import { ipamConfigSpec, type IpamConfigValues } from './ipam-config.js';
import { convertHandle } from './ipam-handle.js';
import { pointer, type JsonRecord } from './json.js';
import { dns1123SubdomainError } from './k8s-names.js';
import { buildCrMetadata } from './metadata.js';
import type { NodeMap } from './rename.js';
import type { StringPool } from './string-pool.js';
import { usesMetadataAnnotationLayout, type CalicoVersion } from './version.js';

export interface IpamConvertContext {
  diag: DiagnosticSink;
  nodeMap: NodeMap;
  version: CalicoVersion;
  strings: StringPool;
}

function ipamObject(kv: SourceKV, kind: string, name: string, labels: Record<string, string>, spec: JsonRecord, ctx: IpamConvertContext): DesiredObject | null {
  const address = objectAddress(CRD_API_VERSION, kind, null, name);
  const nameErr = dns1123SubdomainError(name);
  if (nameErr) {
    ctx.diag.error({
      code: 'invalid-name',
      key: kv.key,
      object: address,
      path: pointer('metadata', 'name'),
      message: `${kind} name "${name}" derived from this key is not a valid Kubernetes object name: it ${nameErr}`,
      hint: 'The IPAM entry cannot be stored in the Kubernetes datastore; release or repair it (calicoctl ipam check / release) before migrating.',
    });
    return null;
  }
  const metadata = buildCrMetadata(
    {
      meta: {},
      labels,
      annotations: {},
      crName: name,
      namespace: null,
      annotationLayout: usesMetadataAnnotationLayout(ctx.version),
      keepCreationTimestamp: false,
    },
    { key: kv.key, address, diag: ctx.diag },
  );
  // Every IPAM object carries the same metadata annotation ({"creationTimestamp":null}).
  if (metadata.annotations) ctx.strings.internValues(metadata.annotations);
  return {
    apiVersion: CRD_API_VERSION,
    kind,
    namespace: null,
    name,
    body: { apiVersion: CRD_API_VERSION, kind, metadata, spec },
    sources: [{ key: kv.key, mod_revision: kv.modRevision }],
  };
}

export function convertBlockKV(kv: SourceKV, cidr: string, cidrName: string, ctx: IpamConvertContext): DesiredObject | null {
  const value = parseObjectValue(kv.key, kv.value, ctx.diag, 'IPAM block');
  if (!value) return null;
  const address = objectAddress(CRD_API_VERSION, 'IPAMBlock', null, cidrName);
  const spec = convertBlockSpec(value, cidr, { key: kv.key, address, diag: ctx.diag, nodeMap: ctx.nodeMap, strings: ctx.strings });
  return spec ? ipamObject(kv, 'IPAMBlock', cidrName, {}, spec, ctx) : null;
}

export function convertAffinityKV(kv: SourceKV, k: AffinityInput, ctx: IpamConvertContext): DesiredObject | null {
  // Legacy affinities may have an empty value, which Calico reads as {}.
  const value = kv.value.trim() === '' ? {} : parseObjectValue(kv.key, kv.value, ctx.diag, 'block affinity');
  if (!value) return null;
  const out = convertAffinity(k, value, { key: kv.key, diag: ctx.diag, nodeMap: ctx.nodeMap });
  if (out) ctx.strings.internValues(out.spec);
  return out ? ipamObject(kv, 'BlockAffinity', out.name, out.labels, out.spec, ctx) : null;
}

export function convertHandleKV(kv: SourceKV, handleId: string, ctx: IpamConvertContext): DesiredObject | null {
  const value = parseObjectValue(kv.key, kv.value, ctx.diag, 'IPAM handle');
  if (!value) return null;
  const out = convertHandle(handleId, value, { key: kv.key, diag: ctx.diag, nodeMap: ctx.nodeMap, strings: ctx.strings });
  return out ? ipamObject(kv, 'IPAMHandle', out.name, {}, out.spec, ctx) : null;
}

export function convertConfigKV(kv: SourceKV, config: IpamConfigValues, ctx: IpamConvertContext): DesiredObject | null {
  return ipamObject(kv, 'IPAMConfig', 'default', {}, ipamConfigSpec(config), ctx);
}
