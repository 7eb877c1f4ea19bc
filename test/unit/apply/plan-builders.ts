/**
 * Hand-built plans for the apply engine tests (unit and integration), made with the real
 * plan-file API (serializePlan), so they are valid plan files.
 */
import { CRD_API_VERSION, waveFor, WAVES } from '../../../src/model/kinds.js';
import type { KubeObject } from '../../../src/model/types.js';
import { addressOf, sortChanges } from '../../../src/plan/address.js';
import { IDENTITY_ADDRESS, LOCK_ADDRESS } from '../../../src/plan/cluster-information.js';
import { normalizeLive, normalizeLiveNode } from '../../../src/plan/normalize.js';
import { changedPaths } from '../../../src/plan/paths.js';
import { serializePlan } from '../../../src/plan/plan-file.js';
import { summarize } from '../../../src/plan/summary.js';
import { FORMAT_VERSION, type Plan, type PlanBody, type ResourceChange, type Step } from '../../../src/plan/types.js';

export function cr(kind: string, name: string, spec: Record<string, unknown>, namespace?: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: CRD_API_VERSION, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...extra }, spec };
}

function base(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, address?: string, wave?: number, step: Step | null = null) {
  const ns = obj.metadata.namespace ?? null;
  return {
    step,
    address: address ?? addressOf(obj.apiVersion, obj.kind, ns, obj.metadata.name),
    wave: wave ?? waveFor(obj.kind, obj.metadata.name),
    api_version: obj.apiVersion,
    kind: obj.kind,
    namespace: ns,
    name: obj.metadata.name,
    source_keys: [],
    dry_run: null,
  };
}

export function createChange(after: KubeObject, opts: { address?: string; wave?: number; step?: Step } = {}): ResourceChange {
  return {
    ...base(after, opts.address, opts.wave, opts.step),
    change: { action: 'create', before: null, after, changed_paths: [] },
    target: { uid: null, resource_version: null },
  };
}

/** `live` is the object as read from the server (with uid/resourceVersion). */
export function updateChange(live: KubeObject, after: KubeObject, opts: { address?: string; wave?: number; resourceVersion?: string | null } = {}): ResourceChange {
  const before = normalizeLive(live);
  return {
    ...base(after, opts.address, opts.wave),
    change: { action: 'update', before, after, changed_paths: changedPaths(before, after) },
    target: { uid: (live.metadata.uid as string) ?? null, resource_version: opts.resourceVersion !== undefined ? opts.resourceVersion : ((live.metadata.resourceVersion as string) ?? null) },
  };
}

export function deleteChange(live: KubeObject): ResourceChange {
  return {
    ...base(live),
    change: { action: 'delete', before: normalizeLive(live), after: null, changed_paths: [] },
    target: { uid: live.metadata.uid as string, resource_version: live.metadata.resourceVersion as string },
  };
}

/** A Node annotation change: `live` as read; `annotations` the managed annotations wanted. */
export function nodeChange(live: KubeObject, annotations: Record<string, string>): ResourceChange {
  const before = normalizeLiveNode(live);
  const after: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: live.metadata.name, annotations } };
  return {
    ...base(after),
    change: { action: 'update', before, after, changed_paths: changedPaths(before, after) },
    target: { uid: live.metadata.uid as string, resource_version: live.metadata.resourceVersion as string },
  };
}

/** The two ClusterInformation steps for a target that has none: create locked, then set identity. */
export function clusterInformationCreate(guid = '0123456789abcdef0123456789abcdef', sourceGuid = 'fedcba9876543210fedcba9876543210'): ResourceChange[] {
  const locked = cr('ClusterInformation', 'default', { clusterGUID: guid, clusterType: 'kdd', datastoreReady: false });
  const identified = cr('ClusterInformation', 'default', { clusterGUID: sourceGuid, clusterType: 'kdd', datastoreReady: false, calicoVersion: 'v3.31.2' });
  return [
    createChange(locked, { address: LOCK_ADDRESS, wave: WAVES.clusterLock, step: 'lock' }),
    {
      ...base(identified, IDENTITY_ADDRESS, WAVES.clusterIdentity, 'identity'),
      change: { action: 'update', before: locked, after: identified, changed_paths: changedPaths(locked, identified) },
      target: { uid: null, resource_version: null },
    },
  ];
}

/** The two ClusterInformation steps for a target that has one (`live`, read from the server). */
export function clusterInformationUpdate(live: KubeObject, sourceGuid = 'fedcba9876543210fedcba9876543210'): ResourceChange[] {
  const before = normalizeLive(live);
  const spec = (before.spec ?? {}) as Record<string, unknown>;
  const locked: KubeObject = { ...before, spec: { ...spec, datastoreReady: false } };
  const identified: KubeObject = { ...locked, spec: { ...spec, datastoreReady: false, clusterGUID: sourceGuid, calicoVersion: 'v3.31.2' } };
  const target = { uid: live.metadata.uid as string, resource_version: live.metadata.resourceVersion as string };
  return [
    {
      ...base(locked, LOCK_ADDRESS, WAVES.clusterLock, 'lock'),
      change: { action: 'update', before, after: locked, changed_paths: changedPaths(before, locked) },
      target,
    },
    {
      ...base(identified, IDENTITY_ADDRESS, WAVES.clusterIdentity, 'identity'),
      change: { action: 'update', before: locked, after: identified, changed_paths: changedPaths(locked, identified) },
      target,
    },
  ];
}

export function planBody(changes: ResourceChange[], overrides: Partial<PlanBody> = {}): PlanBody {
  const sorted = sortChanges(changes);
  return {
    format_version: FORMAT_VERSION,
    kind: 'CalicoMigrationPlan',
    mode: 'migrate',
    tool: { name: 'calico-migrate', version: '0.1.0' },
    source: {
      type: 'etcdv3',
      endpoints: ['http://127.0.0.1:2379'],
      cluster_id: '1',
      revision: 42,
      digest: 'sha256:' + '0'.repeat(64),
      locked: true,
      cluster_guid: 'fedcba9876543210fedcba9876543210',
      calico_version: 'v3.31.2',
    },
    target: { type: 'kubernetes', server: 'https://127.0.0.1:6443', cluster_uid: 'test-cluster-uid', api_group: 'crd.projectcalico.org/v1' },
    options: { include: [], exclude: [], prune: true, calico_version: null, node_map: {}, skip_unknown: false, precopy: null },
    reverses: null,
    summary: summarize(sorted, []),
    resource_changes: sorted,
    skipped: [],
    checks: [],
    warnings: [],
    ...overrides,
  };
}

export function buildPlan(changes: ResourceChange[], overrides: Partial<PlanBody> = {}): Plan {
  return serializePlan(planBody(changes, overrides)).plan;
}
