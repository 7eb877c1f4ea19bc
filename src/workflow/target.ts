/**
 * Reading the target: which API group backs Calico there, whether the identity may read it, and
 * everything Calico it holds. Over the TargetReader port only; the CLI opens the real one.
 */
import { crdPlural, crdsEstablished, isEstablished } from '../checks/crds.js';
import { describePermission, readPermissions, type Permission } from '../checks/rbac.js';
import { MigrateError } from '../errors.js';
import { ALL_CRD_KINDS, CLUSTER_INFORMATION, CRD_API_VERSION, CRD_GROUP } from '../model/kinds.js';
import type { KubeObject } from '../model/types.js';
import type { Check } from '../plan/types.js';
import type { ObjectRef, TargetReader } from '../ports/target.js';
import { addressOf } from '../plan/address.js';
import { liveAddress } from '../plan/diff.js';
import { liveEntry, type LiveEntry } from '../plan/live-index.js';
import { normalizeLiveNode } from '../plan/normalize.js';
import { mapLimit } from '../util/concurrency.js';
import { PhaseProgress, type ProgressClock } from '../progress.js';

/** Everything Calico the target holds, read once and shared by the desired-state pipeline and apply's guards. */
export interface TargetState {
  server: string;
  clusterUid: string;
  apiGroup: string;
  /** The crd.projectcalico.org CRDs as stored (for the schema check). */
  crds: KubeObject[];
  crdCheck: Check;
  /**
   * Every object of an established Calico kind but the ClusterInformation, by address, as an
   * entry: identity and content digest, never the body (the diff fetches the few it describes).
   */
  index: Map<string, LiveEntry>;
  /** Whole, the live objects of the kinds the checks read (WHOLE_KINDS): a handful in any cluster. */
  live: KubeObject[];
  /** The live IPAMHandles and IPAMBlocks reduced to what the IPAM check reads (checks/ipam.ts). */
  ipam: KubeObject[];
  liveClusterInfo: KubeObject | null;
  nodes: KubeObject[];
  namespaces: string[];
}

/**
 * Calico's discovery.go picks projectcalico.org/v3 only when that group is served and
 * crd.projectcalico.org is not. The tool writes the v1 layout only, so a v3-only cluster is refused
 * rather than given data its Calico would not read.
 */
export async function backingApiGroup(target: Pick<TargetReader, 'server' | 'apiGroups'>): Promise<string> {
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

/** One SelfSubjectAccessReview per permission, at most 8 at a time. */
export async function accessResults(target: Pick<TargetReader, 'canI'>, perms: readonly Permission[]): Promise<Array<{ perm: Permission; allowed: boolean }>> {
  return mapLimit([...perms], 8, async (perm) => ({ perm, allowed: (await target.canI(perm)).allowed }));
}

/** Reading needs these permissions; name every missing one at once rather than failing on the first list. */
export async function assertCanRead(target: Pick<TargetReader, 'canI' | 'userName'>): Promise<void> {
  const results = await accessResults(target, readPermissions());
  const denied = results.filter((r) => !r.allowed).map((r) => describePermission(r.perm));
  if (denied.length) {
    throw new MigrateError('TARGET_INVALID', `identity ${target.userName} cannot read the target: missing ${denied.length} permission(s): ${denied.join(', ')}`, {
      hint: 'bind the identity to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml',
      details: { missing: denied },
    });
  }
}

/**
 * Everything Calico in the target: every established Calico kind, Nodes, namespaces. A caller
 * that already checked read access and read the cluster uid passes it as `known`.
 */
export async function readTarget(target: TargetReader, parallelism: number, known?: { clusterUid: string }, progress?: ProgressClock): Promise<TargetState> {
  if (!known) await assertCanRead(target);
  const clusterUid = known?.clusterUid ?? (await target.clusterUid());
  const apiGroup = await backingApiGroup(target);
  const crds = await target.calicoCrds();
  const crdCheck = crdsEstablished(crds);
  const kinds = establishedKinds(crds);
  // Counted in kinds (Nodes and namespaces the last one): what each holds is known only once listed.
  const tracker = progress ? PhaseProgress.start(progress, 'read-target', 'kinds', kinds.length + 1) : null;
  // Each page is reduced as it arrives, so the bodies of a full target are never held at once;
  // the kinds are kept apart and joined in their order, so the result does not depend on timing.
  const perKind = await mapLimit(kinds, Math.min(parallelism, 8), async (k) => {
    const part = { entries: [] as Array<[string, LiveEntry]>, whole: [] as KubeObject[], ipam: [] as KubeObject[], clusterInfo: null as KubeObject | null };
    await target.scanKind(k.kind, (items) => {
      for (const o of items) {
        if (o.kind === CLUSTER_INFORMATION.kind) {
          if (o.metadata.name === 'default') part.clusterInfo = o;
          continue;
        }
        part.entries.push([liveAddress(o), liveEntry(o)]);
        if (WHOLE_KINDS.has(o.kind)) part.whole.push(o);
        const facts = ipamFacts(o);
        if (facts) part.ipam.push(facts);
      }
    });
    tracker?.tick();
    return part;
  });
  const index = new Map(perKind.flatMap((p) => p.entries));
  const live = perKind.flatMap((p) => p.whole);
  const ipam = perKind.flatMap((p) => p.ipam);
  const liveClusterInfo = perKind.find((p) => p.clusterInfo)?.clusterInfo ?? null;
  const [nodes, namespaces] = await Promise.all([target.listNodes(), target.listNamespaces()]);
  tracker?.end(kinds.length + 1);
  return { server: target.server, clusterUid, apiGroup, crds, crdCheck, index, live, ipam, liveClusterInfo, nodes, namespaces };
}

/** The kinds kept whole: tiers (tiers-exist, implied tiers), pools (IPAM) and BGP filters (Calico's validator). */
export const WHOLE_KINDS: ReadonlySet<string> = new Set(['Tier', 'IPPool', 'BGPFilter']);

/** A live IPAMHandle or IPAMBlock as the IPAM check reads it: its handleID, or its cidr and affinity. */
function ipamFacts(o: KubeObject): KubeObject | null {
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  const base = { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name } };
  if (o.kind === 'IPAMHandle') return { ...base, spec: { handleID: spec.handleID } };
  if (o.kind === 'IPAMBlock') return { ...base, spec: { cidr: spec.cidr, affinity: spec.affinity } };
  return null;
}

/**
 * The whole live objects a diff against `t` needs, one GET each (read-back of the changes it
 * writes out), and the index without those that are gone since it was listed.
 */
export async function fetchLive(target: Pick<TargetReader, 'get' | 'resourceVersionNow'>, index: Map<string, LiveEntry>, entries: readonly LiveEntry[], parallelism: number): Promise<KubeObject[]> {
  const found = await readObjects(target, entries, parallelism);
  const present = new Set(found.map(liveAddress));
  for (const e of entries) {
    const address = addressOf(e.apiVersion, e.kind, e.namespace, e.name);
    if (!present.has(address)) index.delete(address);
  }
  return found;
}

/** What apply's guard compares of a live object: its identity and, for a Node, its Calico annotations (canonical JSON). */
export interface LiveStamp {
  uid: string | null;
  resourceVersion: string | null;
  nodeAnnotations: string | null;
}

/**
 * The stamp of every Calico object, Node and the ClusterInformation in the target, by address.
 * Each page is reduced as it arrives: a rollback of 300,000 objects must not hold them all.
 */
export async function readTargetStamps(target: TargetReader, parallelism: number): Promise<Map<string, LiveStamp>> {
  await backingApiGroup(target);
  const out = new Map<string, LiveStamp>();
  const add = (list: KubeObject[]) => {
    for (const o of list) out.set(liveAddress(o), stampOf(o));
  };
  await mapLimit(establishedKinds(await target.calicoCrds()), Math.min(parallelism, 8), (k) => target.scanKind(k.kind, add));
  add(await target.listNodes());
  return out;
}

/**
 * The objects that exist, one GET each, as of now: not older than the server's resourceVersion
 * read first, so the watch cache can answer (about 3x cheaper than a read from etcd), with the
 * apiVersion and kind a list would give.
 */
export async function readObjects(
  target: Pick<TargetReader, 'get' | 'resourceVersionNow'>,
  refs: readonly ObjectRef[],
  parallelism: number,
  progress?: Pick<PhaseProgress, 'tick'>,
): Promise<KubeObject[]> {
  if (!refs.length) return [];
  const notOlderThan = await target.resourceVersionNow();
  const found = await mapLimit([...refs], parallelism, async (ref) => {
    const o = await target.get(ref, { notOlderThan });
    progress?.tick();
    if (o?.metadata && 'managedFields' in o.metadata) delete o.metadata.managedFields;
    return o ? { ...o, apiVersion: ref.apiVersion, kind: ref.kind } : null;
  });
  return found.filter((o): o is KubeObject => o !== null);
}

/**
 * The stamps of just these objects, one GET each: for a plan that writes a few objects of a large
 * target (a cut-over's delta), cheaper than listing every kind. Absent objects have no entry.
 */
export async function readStampsOf(target: Pick<TargetReader, 'get' | 'resourceVersionNow'>, refs: readonly ObjectRef[], parallelism: number): Promise<Map<string, LiveStamp>> {
  return new Map((await readObjects(target, refs, parallelism)).map((o) => [liveAddress(o), stampOf(o)]));
}

function stampOf(o: KubeObject): LiveStamp {
  return {
    uid: typeof o.metadata.uid === 'string' ? o.metadata.uid : null,
    resourceVersion: typeof o.metadata.resourceVersion === 'string' ? o.metadata.resourceVersion : null,
    nodeAnnotations: o.kind === 'Node' ? JSON.stringify(normalizeLiveNode(o).metadata.annotations ?? {}) : null,
  };
}

/** The Calico kinds whose CRD the target serves (Established); the others cannot be listed. */
function establishedKinds(crds: readonly KubeObject[]): typeof ALL_CRD_KINDS {
  const established = new Set(crds.filter(isEstablished).flatMap((c) => crdPlural(c)?.plural ?? []));
  return ALL_CRD_KINDS.filter((k) => established.has(k.plural));
}

export function liveTierNames(t: Pick<TargetState, 'live'>): Set<string> {
  return new Set(t.live.filter((o) => o.kind === 'Tier').map((o) => o.metadata.name));
}
