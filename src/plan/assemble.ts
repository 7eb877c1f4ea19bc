/**
 * The plan body from plain inputs: the changes in apply order, every check, the summary. Pure (no
 * I/O, no clock): the plan workflow gathers the inputs, including the access review results that
 * need the target, and this decides what the plan says.
 */
import { calicoValidation } from '../checks/calico-validation/index.js';
import { ipamConsistency } from '../checks/ipam.js';
import { liveTargetCheck } from '../checks/live-target.js';
import { namesValid } from '../checks/names.js';
import { rbacCheck, type Permission } from '../checks/rbac.js';
import { namespacesExist, nodesExist, tiersExist } from '../checks/references.js';
import { schemaCheck, type SchemaFindings } from '../checks/schema.js';
import { makeMatcher } from '../model/filters.js';
import type { ConversionResult, ConversionSettings, DesiredObject, KubeObject } from '../model/types.js';
import { sortChanges } from './address.js';
import type { ClusterInformationSteps } from './cluster-information.js';
import type { SourceSummary } from './source-digest.js';
import { ownerReferencesCheck, type OwnerRewrite } from './owner-references.js';
import { summarize } from './summary.js';
import { FORMAT_VERSION, type Check, type PlanBody, type ResourceChange } from './types.js';

export interface PlanInputs {
  toolVersion: string;
  source: Pick<SourceSummary, 'origin' | 'endpoints' | 'clusterId' | 'revision' | 'digest'>;
  conversion: Pick<ConversionResult, 'clusterInfo' | 'skipped' | 'diagnostics'>;
  options: {
    include: readonly string[];
    exclude: readonly string[];
    prune: boolean;
    conversion: ConversionSettings;
    precopy?: PlanBody['options']['precopy'];
    /** --allow-live-target: a live (unlocked) target is a warning, not a failed check. */
    allowLiveTarget?: boolean;
    /** --accept-invalid: objects written although Calico's validator rejects them (a warning, not a failed check). */
    acceptInvalid?: readonly string[];
  };
  /** The desired objects this plan covers (after --include / --exclude). */
  desired: readonly DesiredObject[];
  /** Every converted object, selected or not: where the selection's IPAM references may resolve. Default: `desired`. */
  allDesired?: readonly DesiredObject[];
  /** The object changes (no ClusterInformation steps), with their dry-run status. */
  changes: readonly ResourceChange[];
  clusterInformation: ClusterInformationSteps;
  target: {
    server: string;
    clusterUid: string;
    apiGroup: string;
    crdCheck: Check;
    /** The live objects the checks read whole: tiers, pools, BGP filters (workflow/target.ts). */
    live: readonly KubeObject[];
    /** The live IPAMHandles and IPAMBlocks, reduced to what the IPAM check reads. */
    ipam?: readonly KubeObject[];
    nodes: readonly KubeObject[];
    namespaces: readonly string[];
  };
  schema: SchemaFindings;
  /** The Calico owner references of `desired` and how they are resolved (owner-references.ts). */
  ownerReferences?: readonly OwnerRewrite[];
  /** The server-dry-run check; null when the dry run was skipped (--no-server-dry-run). */
  serverDryRun: Check | null;
  /** Access review of `requiredPermissions(planChanges(...))` for `identity`. */
  rbac: { identity: string; results: ReadonlyArray<{ perm: Permission; allowed: boolean }> };
}

/**
 * Every change of the plan in apply order: the lock step first (datastoreReady=false before any
 * data), the object changes, the identity step last (the target claims the source's identity only
 * once all data is in).
 */
export function planChanges(changes: readonly ResourceChange[], ci: ClusterInformationSteps): ResourceChange[] {
  return [ci.lock, ...sortChanges(changes), ...(ci.identity ? [ci.identity] : [])];
}

/** BGPFilters a BGPPeer may name: those migrated and those the target already has. */
function bgpFilterNames(desired: readonly DesiredObject[], live: readonly KubeObject[]): Set<string> {
  return new Set([...desired.filter((d) => d.kind === 'BGPFilter').map((d) => d.name), ...live.filter((o) => o.kind === 'BGPFilter').map((o) => o.metadata.name)]);
}

export const DRY_RUN_SKIPPED: Check = {
  id: 'server-dry-run',
  status: 'warn',
  message: 'server-side dry run skipped (--no-server-dry-run); admission webhooks and CEL rules will first speak at apply time',
  items: [],
};

export function assemblePlan(inputs: PlanInputs): PlanBody {
  const { conversion, target: t, options } = inputs;
  const changes = planChanges(inputs.changes, inputs.clusterInformation);
  const desired = [...inputs.desired];
  const liveTiers = new Set(t.live.filter((o) => o.kind === 'Tier').map((o) => o.metadata.name));
  const locked = conversion.clusterInfo?.datastoreReady === false;
  const checks: Check[] = [
    t.crdCheck,
    schemaCheck(inputs.schema),
    namesValid(desired),
    nodesExist(desired, new Set(t.nodes.map((n) => n.metadata.name))),
    namespacesExist(desired, new Set(t.namespaces)),
    tiersExist(desired, liveTiers),
    ownerReferencesCheck(inputs.ownerReferences ?? []),
    calicoValidation(desired, { bgpFilterNames: bgpFilterNames(inputs.allDesired ?? desired, t.live) }, makeMatcher(options.acceptInvalid ?? [], '--accept-invalid')),
    ipamConsistency(
      desired,
      t.live.filter((o) => o.kind === 'IPPool'),
      { desired: inputs.allDesired ?? desired, live: [...(t.ipam ?? []), ...t.live.filter((o) => o.kind === 'IPAMHandle' || o.kind === 'IPAMBlock')] },
    ),
    rbacCheck([...inputs.rbac.results], inputs.rbac.identity),
    locked
      ? { id: 'source-locked', status: 'pass', message: 'the source datastore is locked (datastoreReady=false)', items: [] }
      : { id: 'source-locked', status: 'warn', message: 'the source datastore is NOT locked: this plan is a preview; apply requires the lock (run `calico-migrate lock`, or apply --lock)', items: [] },
    liveTargetCheck(inputs.clusterInformation.lock, !!options.allowLiveTarget),
    inputs.serverDryRun ?? DRY_RUN_SKIPPED,
  ];
  // Conversion warnings first, then the schema check's (unusable CRDs, pruned fields), as read.
  const warnings = [...conversion.diagnostics.filter((d) => d.severity === 'warning'), ...inputs.schema.warnings].map((d) => `${d.key ?? d.object ?? ''}: ${d.message}`);

  return {
    format_version: FORMAT_VERSION,
    kind: 'CalicoMigrationPlan',
    mode: 'migrate',
    tool: { name: 'calico-migrate', version: inputs.toolVersion },
    source: {
      type: inputs.source.origin === 'etcd' ? 'etcdv3' : 'calicoctl-export',
      endpoints: [...inputs.source.endpoints],
      cluster_id: inputs.source.clusterId,
      revision: inputs.source.revision,
      digest: inputs.source.digest,
      locked,
      cluster_guid: conversion.clusterInfo?.clusterGUID ?? null,
      calico_version: conversion.clusterInfo?.calicoVersion ?? null,
    },
    target: { type: 'kubernetes', server: t.server, cluster_uid: t.clusterUid, api_group: t.apiGroup },
    options: {
      include: [...options.include],
      exclude: [...options.exclude],
      prune: options.prune,
      calico_version: options.conversion.calicoVersion ?? null,
      node_map: options.conversion.nodeMap ?? {},
      skip_unknown: options.conversion.skipUnknown,
      precopy: options.precopy ?? null,
    },
    reverses: null,
    summary: summarize(changes, checks),
    resource_changes: changes,
    skipped: conversion.skipped.map((s) => ({ key: s.key, category: s.category, reason: s.reason })),
    checks,
    warnings,
  };
}
