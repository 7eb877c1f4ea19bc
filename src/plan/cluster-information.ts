/**
 * The target ClusterInformation `default`, written in two steps around everything else:
 *
 * - the lock step (first wave): make sure the object exists with `datastoreReady: false`, so Calico
 *   components pointed at the target wait instead of acting on half-written data. The target's
 *   own GUID, version and type are kept; a missing object is created like Calico's
 *   EnsureInitialized would (clusterType `kdd`), with a GUID the caller supplies.
 * - the identity step (last wave): copy `clusterGUID` and `calicoVersion` from the source, as
 *   `calicoctl datastore import` does, still locked. Only once all data is in does the target
 *   claim the source's identity. clusterType is not copied: it describes the target datastore.
 *
 * The identity step is planned against the state the lock step leaves (its `before` is the lock
 * step's `after`). When the lock step writes, apply takes the identity step's precondition from
 * the lock step's result rather than from `target.resource_version`.
 */
import { goJson } from '../convert/json.js';
import { METADATA_ANNOTATION } from '../convert/metadata.js';
import { CLUSTER_INFORMATION, CRD_API_VERSION, WAVES } from '../model/kinds.js';
import type { KubeObject, SourceClusterInfo, SourceRef } from '../model/types.js';
import { addressOf } from './address.js';
import { sha256Hex } from './canonical.js';
import { identityOf } from './diff.js';
import { deepCopy, isRecord, normalizeLive } from './normalize.js';
import { changedPaths } from './paths.js';
import { changeBody } from './change-body.js';
import type { Action, ResourceChange, Step } from './types.js';

export const CLUSTER_INFORMATION_NAME = 'default';
const BASE_ADDRESS = addressOf(CRD_API_VERSION, CLUSTER_INFORMATION.kind, null, CLUSTER_INFORMATION_NAME);
export const LOCK_ADDRESS = `${BASE_ADDRESS}#lock`;
export const IDENTITY_ADDRESS = `${BASE_ADDRESS}#identity`;

export interface ClusterInformationInput {
  /** The source ClusterInformation, or null when the source has none. */
  source: Pick<SourceClusterInfo, 'key' | 'modRevision' | 'clusterGUID' | 'calicoVersion'> | null;
  /** The target's live ClusterInformation `default` (raw from the server), or null when absent. */
  live: KubeObject | null;
  /**
   * The GUID to create a missing target ClusterInformation with. Passed in, not random, so the
   * same inputs give the same plan; see `deriveClusterGUID`.
   */
  newClusterGUID: string;
  /**
   * The creationTimestamp a missing target ClusterInformation gets in its `projectcalico.org/metadata`
   * annotation, as Calico's client writes one: the source datastore's (`datastoreCreatedAt`), not
   * the clock, so the same inputs give the same plan.
   */
  createdAt?: string | null;
}

/**
 * The two steps as a plan holds them: `identity` is null when --include/--exclude leave the
 * ClusterInformation out. The lock step is never filtered out: a partial apply still writes into
 * a locked target.
 */
export interface ClusterInformationSteps {
  lock: ResourceChange;
  identity: ResourceChange | null;
}

/**
 * A GUID in Calico's form (32 lower-case hex digits, a UUID without dashes), derived from the
 * given parts, e.g. the target cluster uid and the source digest. Deterministic on purpose.
 */
export function deriveClusterGUID(...parts: string[]): string {
  return sha256Hex(parts.join('\n')).slice(0, 32);
}

/** The two changes, `#lock` then `#identity`. Each is a no-op when the target already matches. */
export function clusterInformationChanges(input: ClusterInformationInput): [ResourceChange, ResourceChange] {
  const live = input.live ? normalizeLive(input.live) : null;
  const base: KubeObject = live ?? {
    apiVersion: CRD_API_VERSION,
    kind: CLUSTER_INFORMATION.kind,
    metadata: { name: CLUSTER_INFORMATION_NAME, annotations: { [METADATA_ANNOTATION]: goJson({ creationTimestamp: input.createdAt ?? null }) } },
  };
  const baseSpec = isRecord(base.spec) ? base.spec : {};

  const lockSpec: Record<string, unknown> = {
    ...baseSpec,
    clusterGUID: nonEmpty(baseSpec.clusterGUID) ?? input.newClusterGUID,
    clusterType: nonEmpty(baseSpec.clusterType) ?? 'kdd',
    datastoreReady: false,
  };
  const locked: KubeObject = deepCopy({ ...base, spec: lockSpec });

  const identitySpec: Record<string, unknown> = { ...lockSpec, datastoreReady: false };
  const guid = nonEmpty(input.source?.clusterGUID);
  const version = nonEmpty(input.source?.calicoVersion);
  if (guid) identitySpec.clusterGUID = guid;
  if (version) identitySpec.calicoVersion = version;
  const identified: KubeObject = deepCopy({ ...locked, spec: identitySpec });

  const lockAction: Action = live === null ? 'create' : changedPaths(live, locked).length === 0 ? 'no-op' : 'update';
  const identityPaths = changedPaths(locked, identified);
  const sources: SourceRef[] = input.source ? [{ key: input.source.key, mod_revision: input.source.modRevision }] : [];
  const target = identityOf(input.live);

  return [
    step(LOCK_ADDRESS, 'lock', WAVES.clusterLock, lockAction, live, locked, live ? changedPaths(live, locked) : [], [], target),
    step(IDENTITY_ADDRESS, 'identity', WAVES.clusterIdentity, identityPaths.length === 0 ? 'no-op' : 'update', locked, identified, identityPaths, sources, target),
  ];
}

function step(
  address: string,
  stepName: Step,
  wave: number,
  action: Action,
  before: KubeObject | null,
  after: KubeObject,
  paths: string[],
  sources: SourceRef[],
  target: ResourceChange['target'],
): ResourceChange {
  const noop = action === 'no-op';
  return {
    address,
    wave,
    api_version: CRD_API_VERSION,
    kind: CLUSTER_INFORMATION.kind,
    namespace: null,
    name: CLUSTER_INFORMATION_NAME,
    step: stepName,
    change: changeBody(action, noop ? null : before, noop ? null : after, noop ? [] : paths),
    source_keys: sources,
    target,
    dry_run: null,
  };
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
