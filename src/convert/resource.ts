/**
 * One stored v3 resource -> one `crd.projectcalico.org/v1` desired object: read the envelope,
 * apply the read-side conversions (policy names), the per-kind export/defaulting steps and node
 * renames, then build the CR (`spec` verbatim, metadata per §3.2). `status` is never carried: it is
 * runtime state the owning controller rewrites, and CRDs with a status subresource ignore it on create.
 */
import { CRD_API_VERSION, type KindInfo } from '../model/kinds.js';
import type { DesiredObject, SourceKV } from '../model/types.js';
import { objectAddress, type DiagnosticSink } from './diagnostics.js';
import { readEnvelope } from './envelope.js';
import { applyCreateDefaults } from './create-defaults.js';
import { convertIptablesFields } from './felix.js';
import { defaultAndValidateIPPool, type PoolRef } from './ippool.js';
import { pointer } from './json.js';
import { dns1123LabelError, dns1123SubdomainError } from './k8s-names.js';
import { buildCrMetadata, readStringMap } from './metadata.js';
import { defaultPolicy, readPolicyName, tierOf, writePolicyName } from './policy.js';
import { renamePerNodeConfig, renameSpecNode, selectorNodeMentions, type NodeMap } from './rename.js';
import { usesMetadataAnnotationLayout, type CalicoVersion } from './version.js';

export interface ResourceContext {
  diag: DiagnosticSink;
  nodeMap: NodeMap;
  /** etcd node names whose Kubernetes name differs. */
  renamedNodes: ReadonlySet<string>;
  version: CalicoVersion;
  /** Collects IPPools for the overlap check that needs all of them. */
  pools: PoolRef[];
  /** The earliest creationTimestamp seen (RFC 3339 in UTC compares as text): when the datastore existed by. */
  earliestCreation: string | null;
}

export interface ResourceKey {
  info: KindInfo;
  namespace: string | null;
  name: string;
}

function warnSelector(selector: unknown, path: string, key: string, address: string, ctx: ResourceContext): void {
  if (typeof selector !== 'string') return;
  const hits = selectorNodeMentions(selector, ctx.renamedNodes);
  if (hits.length === 0) return;
  ctx.diag.warn({
    code: 'selector-mentions-node',
    key,
    object: address,
    path,
    message: `selector mentions etcd node name(s) ${hits.join(', ')}, which are renamed to ${hits.map((h) => ctx.nodeMap.get(h)).join(', ')} in Kubernetes`,
    hint: 'Selectors are migrated unchanged; update them after migration if they match on node names.',
  });
}

export function convertV3Resource(kv: SourceKV, k: ResourceKey, ctx: ResourceContext): DesiredObject | null {
  const { info } = k;
  const key = kv.key;
  const env = readEnvelope({ key, value: kv.value, kind: info.kind, namespace: k.namespace, name: k.name, checkName: !info.tieredPolicy }, ctx.diag);
  if (!env) return null;
  const { meta } = env;
  const spec = env.spec;
  const created = meta.creationTimestamp;
  if (typeof created === 'string' && created !== '' && (ctx.earliestCreation === null || created < ctx.earliestCreation)) ctx.earliestCreation = created;
  const labels = readStringMap(meta, 'labels', { key, address: key, diag: ctx.diag });
  let annotations = readStringMap(meta, 'annotations', { key, address: key, diag: ctx.diag });

  // 1. The CR name.
  let crName = k.name;
  let annotationName: string | undefined;
  if (info.tieredPolicy) {
    const tier = tierOf(spec);
    const read = readPolicyName(k.name, tier, annotations);
    annotations = read.annotations;
    if (read.annotationProblem) {
      ctx.diag.warn({ code: 'invalid-policy-name-annotation', key, path: pointer('metadata', 'annotations'), message: read.annotationProblem });
    }
    const stored = meta.name;
    if (typeof stored === 'string' && stored !== '' && stored !== k.name && stored !== read.v3Name) {
      ctx.diag.error({
        code: 'name-mismatch',
        key,
        path: pointer('metadata', 'name'),
        message: `value name ${JSON.stringify(stored)} matches neither the key name "${k.name}" nor the v3 name "${read.v3Name}"`,
        hint: 'Inspect the key with etcdctl and fix or delete it.',
      });
      return null;
    }
    const written = writePolicyName(read.v3Name, tier, ctx.version);
    if (!written.ok) {
      ctx.diag.error({ code: 'policy-name-invalid', key, path: pointer('metadata', 'name'), message: written.reason, hint: written.hint });
      return null;
    }
    crName = written.crName;
    if (written.keepNameInAnnotation) annotationName = read.v3Name;
    defaultPolicy(spec, labels);
  } else if (info.kind === 'FelixConfiguration' || info.kind === 'BGPConfiguration') {
    const r = renamePerNodeConfig(k.name, ctx.nodeMap);
    crName = r.name;
    if (!r.known) {
      ctx.diag.warn({
        code: 'orphan-node-config',
        key,
        message: `${info.kind} ${k.name} is for node "${r.node}", which has no Calico Node in etcd; migrated unchanged`,
        hint: 'Delete it from etcd if the node is gone.',
      });
    }
  }
  const address = objectAddress(CRD_API_VERSION, info.kind, k.namespace, crName);

  // 2. Per-kind spec conversions.
  switch (info.kind) {
    case 'IPPool': {
      const cidr = defaultAndValidateIPPool(spec, { key, address, diag: ctx.diag });
      if (cidr) ctx.pools.push({ key, address, name: crName, cidr });
      warnSelector(spec.nodeSelector, pointer('spec', 'nodeSelector'), key, address, ctx);
      break;
    }
    case 'FelixConfiguration': {
      const changed = convertIptablesFields(spec);
      if (changed.length > 0) {
        ctx.diag.info({
          code: 'iptables-action-converted',
          key,
          object: address,
          message: `converted legacy upper-case iptables actions to Title case: ${changed.join(', ')}`,
        });
      }
      break;
    }
    case 'BGPPeer':
      renameSpecNode(spec, ctx.nodeMap);
      warnSelector(spec.nodeSelector, pointer('spec', 'nodeSelector'), key, address, ctx);
      warnSelector(spec.peerSelector, pointer('spec', 'peerSelector'), key, address, ctx);
      break;
    case 'HostEndpoint':
      renameSpecNode(spec, ctx.nodeMap);
      break;
    default:
      break;
  }
  const defaulted = applyCreateDefaults(info.kind, spec);
  if (defaulted.length > 0) {
    ctx.diag.info({
      code: 'create-defaults',
      key,
      object: address,
      message: `set as Calico's client does when calicoctl imports it: ${defaulted.join(', ')}`,
    });
  }

  // 3. Names must be valid Kubernetes object names.
  const nameErr = dns1123SubdomainError(crName);
  if (nameErr) {
    ctx.diag.error({
      code: 'invalid-name',
      key,
      object: address,
      path: pointer('metadata', 'name'),
      message: `${info.kind} name "${crName}" is not a valid Kubernetes object name: it ${nameErr}`,
      hint: 'Recreate the object under a valid name in etcd (and update anything that refers to it), then plan again.',
    });
    return null;
  }
  if (k.namespace !== null) {
    const nsErr = dns1123LabelError(k.namespace);
    if (nsErr) {
      ctx.diag.error({
        code: 'invalid-namespace',
        key,
        object: address,
        path: pointer('metadata', 'namespace'),
        message: `namespace "${k.namespace}" is not a valid Kubernetes namespace: it ${nsErr}`,
        hint: 'Move the object to a valid namespace in etcd or delete it.',
      });
      return null;
    }
  }

  const metadata = buildCrMetadata(
    {
      meta,
      labels,
      annotations,
      crName,
      namespace: k.namespace,
      annotationName,
      annotationLayout: usesMetadataAnnotationLayout(ctx.version),
      keepCreationTimestamp: true,
    },
    { key, address, diag: ctx.diag },
  );
  return {
    apiVersion: CRD_API_VERSION,
    kind: info.kind,
    namespace: k.namespace,
    name: crName,
    body: { apiVersion: CRD_API_VERSION, kind: info.kind, metadata, spec },
    sources: [{ key, mod_revision: kv.modRevision }],
  };
}
