/**
 * The cut-over's delta under the lock, from the catch-up round made seconds before it: only what
 * changed in between is read from the target, dry-run and written.
 *
 * The catch-up plan compared every object with a full read of the target and its apply wrote the
 * differences, so every object that did not change since is as desired. What changed is asked of
 * etcd by revision (SourcePort.changesSince): when nothing but the lock itself was written, the
 * catch-up's conversion stands; otherwise the source is read and converted again (one read) and
 * compared object by object with the catch-up's. Either way the target is asked only about the
 * objects that differ (one GET each), never listed.
 */
import { isDeepStrictEqual } from 'node:util';
import { requiredPermissions } from '../checks/rbac.js';
import { validateObjects } from '../checks/schema.js';
import { convertSnapshotConsuming } from '../convert/index.js';
import { readClusterInfo } from '../convert/cluster-info.js';
import { DiagnosticSink } from '../convert/diagnostics.js';
import { withImpliedTiers } from '../convert/implied-tiers.js';
import { CLUSTER_INFO_KEY } from '../model/keys.js';
import { CLUSTER_INFORMATION, CRD_API_VERSION } from '../model/kinds.js';
import type { ConversionResult, ConversionSettings, DesiredObject, KubeObject } from '../model/types.js';
import { assemblePlan, planChanges } from '../plan/assemble.js';
import { desiredAddress } from '../plan/diff.js';
import { ownerRefsOf, resolveOwnerReferences } from '../plan/owner-references.js';
import { summarizeSource, type SourceSummary } from '../plan/source-digest.js';
import type { PlanBody } from '../plan/types.js';
import type { ObjectRef, TargetPort } from '../ports/target.js';
import type { SourcePort } from '../ports/source.js';
import type { Context } from './context.js';
import { clusterInformationSteps, conversionErrors, readSnapshot, sourceInvalidError, type DesiredState } from './desired-state.js';
import type { DryRunOutcome } from './dry-run.js';
import { serverDiff } from './server-diff.js';
import { dataChangesSince } from './source-changes.js';
import { accessResults, liveTierNames, readObjects } from './target.js';

export interface DeltaBase {
  /** The catch-up plan's desired state, read at `state.source.readRevision`. */
  state: DesiredState;
  /** Objects this tool created, after the catch-up apply. */
  owned: ReadonlyMap<string, string>;
  precopy: PlanBody['options']['precopy'];
}

export interface LockedDelta {
  body: PlanBody;
  /** The desired state now: the catch-up's, or the source converted again. */
  desired: DesiredObject[];
  conversion: Pick<ConversionResult, 'clusterInfo'>;
  /** How the source was known: nothing but volatile keys changed (`unchanged`), or read again. */
  source: 'unchanged' | 'read again';
  sourceRevision: number;
  /** Addresses compared with the target (the objects that changed since the catch-up). */
  touched: number;
  dryRun: DryRunOutcome | null;
}

export interface DeltaOptions {
  conversion: ConversionSettings;
  parallelism: number;
  acceptInvalid?: string[];
}

export async function planLockedDelta(
  base: DeltaBase,
  opts: DeltaOptions,
  ports: { source: SourcePort; target: TargetPort },
  ctx: Pick<Context, 'io' | 'monotonic' | 'toolVersion'>,
): Promise<LockedDelta> {
  const { source, target } = ports;
  const from = base.state;
  const changes = await dataChangesSince(source, from.source.readRevision);
  let summary: SourceSummary;
  let conversion: ConversionResult;
  let desired: DesiredObject[];
  let touched: Set<string>;
  let how: LockedDelta['source'];
  if (changes && changes.written.length === 0 && changes.deleted === 0) {
    how = 'unchanged';
    ctx.io.say('info', 'Nothing in the source changed between the catch-up and the lock');
    // Only the ClusterInformation (the lock) moved: the digest and data revision leave it out.
    summary = { ...from.source, readRevision: changes.revision };
    conversion = { ...from.conversion, clusterInfo: await currentClusterInfo(source) };
    desired = from.desired;
    touched = new Set();
  } else {
    how = 'read again';
    ctx.io.say(
      'info',
      changes
        ? `${changes.written.length} key(s) written and ${changes.deleted} deleted between the catch-up and the lock: reading the source again`
        : 'etcd no longer has the history since the catch-up: reading the source again',
    );
    let snapshot = await readSnapshot(source, ctx);
    summary = summarizeSource(snapshot);
    conversion = convertSnapshotConsuming(snapshot, opts.conversion);
    snapshot = { ...snapshot, kvs: [] };
    const errors = conversionErrors(conversion);
    if (errors.length) throw sourceInvalidError(errors, summary.endpoints.join(','));
    desired = withImpliedTiers(conversion.objects, liveTierNames(from.target), conversion.namingVersion, conversion.datastoreCreatedAt);
    touched = changedAddresses(from.desired, desired, sameContext(from.conversion, conversion));
  }

  const before = new Map(from.desired.map((d) => [desiredAddress(d), d]));
  const changed = desired.filter((d) => touched.has(desiredAddress(d)));
  const changedByAddress = new Map(changed.map((d) => [desiredAddress(d), d]));
  const refs = [...touched].map((a) => refOf(changedByAddress.get(a) ?? before.get(a)));
  const [live, owners, liveClusterInfo, namespaces] = await Promise.all([
    readObjects(target, refs, opts.parallelism),
    // Their owners too, wherever they are: a reference takes the owner's uid in the target.
    readObjects(target, ownerRefsOf(changed), opts.parallelism),
    target.get({ apiVersion: CRD_API_VERSION, kind: CLUSTER_INFORMATION.kind, namespace: null, name: 'default' }),
    target.listNamespaces(),
  ]);
  const resolved = resolveOwnerReferences(desired, [...live, ...owners], touched);
  const now = resolved.desired.filter((d) => touched.has(desiredAddress(d)));
  const t = from.target;
  const diffed = await serverDiff(
    {
      desired: now,
      live: live.map((object) => ({ object })),
      clusterInformation: clusterInformationSteps(conversion, { liveClusterInfo, clusterUid: t.clusterUid }, undefined),
      prune: false,
      owned: base.owned,
      dryRun: 'writes',
      parallelism: opts.parallelism,
    },
    target,
    ctx,
  );
  const ci = diffed.clusterInformation ?? clusterInformationSteps(conversion, { liveClusterInfo, clusterUid: t.clusterUid }, undefined);
  const perms = requiredPermissions(planChanges(diffed.changes, ci));
  const body = assemblePlan({
    toolVersion: ctx.toolVersion,
    source: summary,
    conversion,
    options: { include: [], exclude: [], prune: false, conversion: opts.conversion, precopy: base.precopy, acceptInvalid: opts.acceptInvalid },
    desired,
    changes: diffed.changes,
    clusterInformation: ci,
    target: { server: t.server, clusterUid: t.clusterUid, apiGroup: t.apiGroup, crdCheck: t.crdCheck, live: t.live, nodes: nodesNow(t.nodes, refs, live), namespaces },
    // The catch-up checked every other object against the same CRDs.
    schema: validateObjects(t.crds, now),
    ownerReferences: resolved.rewrites,
    serverDryRun: diffed.dryRun?.check ?? null,
    rbac: { identity: target.userName, results: await accessResults(target, perms) },
  });
  return { body, desired, conversion, source: how, sourceRevision: summary.readRevision ?? 0, touched: touched.size, dryRun: diffed.dryRun };
}

async function currentClusterInfo(source: SourcePort): Promise<ConversionResult['clusterInfo']> {
  const v = await source.get(CLUSTER_INFO_KEY);
  return v ? readClusterInfo({ key: CLUSTER_INFO_KEY, value: v.value, modRevision: v.modRevision }, new DiagnosticSink()) : null;
}

/**
 * A converted object is a function of its source keys' values and of the context every object
 * shares (the node map, the naming version; the settings are the same in one process). With the
 * same context, an object whose keys kept their mod_revisions is the same object.
 */
function sameContext(a: Pick<ConversionResult, 'nodeMap' | 'namingVersion'>, b: Pick<ConversionResult, 'nodeMap' | 'namingVersion'>): boolean {
  return a.namingVersion === b.namingVersion && isDeepStrictEqual(a.nodeMap, b.nodeMap);
}

function sameSources(a: DesiredObject['sources'], b: DesiredObject['sources']): boolean {
  return a.length === b.length && a.every((s, i) => s.key === b[i]?.key && s.mod_revision === b[i]?.mod_revision);
}

/** Addresses added, removed or whose body differs between two desired states. */
export function changedAddresses(before: readonly DesiredObject[], after: readonly DesiredObject[], sameCtx: boolean): Set<string> {
  const old = new Map(before.map((d) => [desiredAddress(d), d]));
  const out = new Set<string>();
  for (const d of after) {
    const a = desiredAddress(d);
    const p = old.get(a);
    old.delete(a);
    if (!p) out.add(a);
    else if (sameCtx && sameSources(p.sources, d.sources)) continue;
    else if (!isDeepStrictEqual(p.body, d.body)) out.add(a);
  }
  for (const a of old.keys()) out.add(a);
  return out;
}

function refOf(d: DesiredObject | undefined): ObjectRef {
  if (!d) throw new Error('changedAddresses returned an address neither side has');
  return { apiVersion: d.apiVersion, kind: d.kind, namespace: d.namespace, name: d.name };
}

/** The Kubernetes Nodes as the catch-up listed them, corrected by the GETs of the Nodes that changed. */
function nodesNow(listed: readonly KubeObject[], refs: readonly ObjectRef[], live: readonly KubeObject[]): KubeObject[] {
  const asked = new Set(refs.filter((r) => r.kind === 'Node').map((r) => r.name));
  const found = live.filter((o) => o.kind === 'Node');
  return [...listed.filter((n) => !asked.has(n.metadata.name)), ...found];
}
