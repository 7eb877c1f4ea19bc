/**
 * `export -o calicoctl`: a file in `calicoctl datastore migrate export` format, which
 * `calicoctl datastore migrate import` and `--from-export` both read. The v3 resources are what
 * Calico's Kubernetes-datastore read path shows for each converted object (so node renames and
 * policy names are already applied, as calicoctl's export applies them); Nodes are the source Nodes
 * under their Kubernetes names; IPAM is written back in etcd form under the renamed keys.
 */
import { CALICOCTL_KIND_ORDER } from '../model/kinds.js';
import { toYamlDocument } from './kubernetes-yaml.js';
import { CLUSTER_INFO_KEY, classifyKey } from '../model/keys.js';
import { kindInfo } from '../model/kinds.js';
import type { ConversionResult, DesiredObject, SourceSnapshot } from '../model/types.js';

const METADATA_ANNOTATION = 'projectcalico.org/metadata';

/** The v3 object Calico's KDD reader returns for a CR (ConvertK8sResourceToCalicoResource). */
export function crToV3(o: DesiredObject): Record<string, unknown> {
  const meta = o.body.metadata;
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  let stored: StoredMetadata = {};
  if (annotations[METADATA_ANNOTATION]) {
    try {
      stored = JSON.parse(annotations[METADATA_ANNOTATION]) as StoredMetadata;
    } catch {
      stored = {};
    }
    delete annotations[METADATA_ANNOTATION];
  }
  const spec = (o.body.spec ?? {}) as Record<string, unknown>;
  let name = stored.name ?? o.name;
  const info = kindInfo(o.kind);
  if (!stored.name && info?.tieredPolicy && (!spec.tier || spec.tier === 'default') && name.startsWith('default.')) name = name.slice('default.'.length);
  const labels = { ...(stored.labels ?? {}), ...(meta.labels ?? {}) };
  const allAnnotations = { ...(stored.annotations ?? {}), ...annotations };
  const metadata: Record<string, unknown> = { name };
  if (o.namespace) metadata.namespace = o.namespace;
  metadata.creationTimestamp = stored.creationTimestamp ?? null;
  if (Object.keys(labels).length) metadata.labels = labels;
  if (Object.keys(allAnnotations).length) metadata.annotations = allAnnotations;
  if (stored.ownerReferences) metadata.ownerReferences = stored.ownerReferences;
  return { apiVersion: 'projectcalico.org/v3', kind: o.kind, metadata, spec };
}

/** The v3 metadata Calico keeps in the projectcalico.org/metadata annotation of a CR. */
interface StoredMetadata {
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences?: unknown[];
}

/** The IPAM CR spec fields the export file carries (strings, numbers and arrays as stored). */
interface IpamSpec {
  cidr: string;
  affinity?: string | null;
  affinityClaimTime?: string;
  allocations?: unknown;
  unallocated?: unknown;
  attributes?: unknown;
  sequenceNumber?: unknown;
  sequenceNumberForAllocation?: unknown;
  deleted?: unknown;
  type?: string;
  node?: string;
  state?: string;
  handleID?: string;
  block?: unknown;
  strictAffinity?: boolean;
  autoAllocateBlocks?: boolean;
  maxBlocksPerHost?: number;
  kubeVirtVMAddressPersistence?: string;
  ipCooldownSeconds?: number;
}

function blockKeyPart(cidr: string): { version: 4 | 6; part: string } {
  return { version: cidr.includes(':') ? 6 : 4, part: cidr.replace('/', '-') };
}

function ipamEntries(objects: readonly DesiredObject[]) {
  const blocks: unknown[] = [];
  const affinities: unknown[] = [];
  const handles: unknown[] = [];
  let config: unknown;
  for (const o of objects) {
    const spec = (o.body.spec ?? {}) as IpamSpec;
    if (o.kind === 'IPAMBlock') {
      const { version, part } = blockKeyPart(spec.cidr);
      const value: Record<string, unknown> = { cidr: spec.cidr, affinity: spec.affinity ?? null };
      if (spec.affinityClaimTime !== undefined) value.affinity_claim_time = spec.affinityClaimTime;
      Object.assign(value, {
        allocations: spec.allocations,
        unallocated: spec.unallocated,
        attributes: spec.attributes,
        sequenceNumber: spec.sequenceNumber,
        ...(spec.sequenceNumberForAllocation ? { sequenceNumberForAllocation: spec.sequenceNumberForAllocation } : {}),
        deleted: spec.deleted,
      });
      blocks.push({ Key: `/calico/ipam/v2/assignment/ipv${version}/block/${part}`, Value: value, TTL: 0 });
    } else if (o.kind === 'BlockAffinity') {
      const { version, part } = blockKeyPart(spec.cidr);
      affinities.push({ Key: `/calico/ipam/v2/${spec.type || 'host'}/${spec.node}/ipv${version}/block/${part}`, Value: { state: spec.state, deleted: spec.deleted === 'true' }, TTL: 0 });
    } else if (o.kind === 'IPAMHandle') {
      handles.push({ Key: `/calico/ipam/v2/handle/${spec.handleID}`, Value: { block: spec.block, deleted: spec.deleted }, TTL: 0 });
    } else if (o.kind === 'IPAMConfig') {
      const value: Record<string, unknown> = {};
      if (spec.strictAffinity) value.strict_affinity = true;
      if (spec.autoAllocateBlocks) value.auto_allocate_blocks = true;
      if (spec.maxBlocksPerHost) value.maxBlocksPerHost = spec.maxBlocksPerHost;
      if (spec.kubeVirtVMAddressPersistence) value.kubeVirtVMAddressPersistence = spec.kubeVirtVMAddressPersistence;
      if (spec.ipCooldownSeconds) value.ipCooldownSeconds = spec.ipCooldownSeconds;
      config = { Key: '/calico/ipam/v2/config', Value: value, TTL: 0 };
    }
  }
  return {
    ...(affinities.length ? { block_affinities: affinities } : {}),
    ...(blocks.length ? { blocks } : {}),
    ...(handles.length ? { handles } : {}),
    ...(config ? { config } : {}),
  };
}

/**
 * The node is written under its Kubernetes name, so its effective (last) `k8s` orchRef must name it
 * too: a node mapped by --node-map (no k8s orchRef, or an overridden one) would otherwise be
 * unmappable when the file is read back (`--from-export`, `calicoctl datastore migrate import`).
 */
function withK8sOrchRef(spec: unknown, k8sName: string): Record<string, unknown> {
  const s: Record<string, unknown> = spec && typeof spec === 'object' && !Array.isArray(spec) ? { ...(spec as Record<string, unknown>) } : {};
  const refs: unknown[] = Array.isArray(s.orchRefs) ? [...s.orchRefs] : [];
  const last = refs.findLastIndex((r) => !!r && typeof r === 'object' && (r as Record<string, unknown>).orchestrator === 'k8s');
  if (last === -1) refs.push({ nodeName: k8sName, orchestrator: 'k8s' });
  else if ((refs[last] as Record<string, unknown>).nodeName !== k8sName) refs[last] = { ...(refs[last] as Record<string, unknown>), nodeName: k8sName };
  s.orchRefs = refs;
  return s;
}

function sourceNodes(snapshot: SourceSnapshot, result: ConversionResult): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const kv of snapshot.kvs) {
    const c = classifyKey(kv.key);
    if (c.type !== 'node') continue;
    const k8sName = result.nodeMap[c.name];
    if (!k8sName || !result.objects.some((o) => o.kind === 'Node' && o.name === k8sName)) continue;
    const value = JSON.parse(kv.value) as { metadata?: Record<string, unknown>; spec?: unknown };
    // The target gives every object its own uid and resourceVersion; the source's mean nothing there.
    const { uid: _uid, resourceVersion: _rv, ...metadata } = value.metadata ?? {};
    out.push({ ...value, metadata: { ...metadata, name: k8sName }, spec: withK8sOrchRef(value.spec, k8sName) });
  }
  const nameOf = (o: Record<string, unknown>) => String((o.metadata as { name?: unknown }).name);
  return out.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : 1));
}

export function renderCalicoctlExport(snapshot: SourceSnapshot, result: ConversionResult): string {
  const byKind = new Map<string, Record<string, unknown>[]>();
  for (const o of result.objects) {
    if (!kindInfo(o.kind) || o.kind.startsWith('IPAM') || o.kind === 'BlockAffinity') continue;
    byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), crToV3(o)]);
  }
  byKind.set('Node', sourceNodes(snapshot, result));
  let text = '';
  for (const kind of CALICOCTL_KIND_ORDER) {
    text += toYamlDocument({ apiVersion: 'projectcalico.org/v3', kind: `${kind}List`, items: byKind.get(kind) ?? [], metadata: {} }) + '---\n';
  }
  const ci = snapshot.kvs.find((kv) => kv.key === CLUSTER_INFO_KEY);
  text += '===\n' + (ci ? JSON.stringify(JSON.parse(ci.value), null, 2) + '\n' : '');
  text += '===\n' + JSON.stringify(ipamEntries(result.objects), null, 2) + '\n';
  return text;
}
