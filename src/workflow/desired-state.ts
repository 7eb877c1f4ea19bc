/**
 * The one desired-state pipeline behind plan and verify: read the source and the target, convert,
 * add the implied objects, run the schema check, diff, and (when asked) dry-run the writes on the
 * server and diff again against what it would store. Returns typed results; plan and verify each
 * shape their own answer from them. Writes nothing to either datastore.
 */
import { validateObjects, type SchemaFindings } from '../checks/schema.js';
import { convertSnapshotConsuming } from '../convert/index.js';
import { withImpliedTiers } from '../convert/implied-tiers.js';
import { MigrateError } from '../errors.js';
import { PhaseProgress } from '../progress.js';
import type { FilterTarget } from '../model/filters.js';
import { CLUSTER_INFORMATION } from '../model/kinds.js';
import { CALICO_PREFIX } from '../model/keys.js';
import type { ConversionResult, ConversionSettings, Diagnostic, DesiredObject, SourceSnapshot } from '../model/types.js';
import { CLUSTER_INFORMATION_NAME, clusterInformationChanges, deriveClusterGUID, type ClusterInformationSteps } from '../plan/cluster-information.js';
import { desiredAddress, type LiveObject } from '../plan/diff.js';
import { resolveOwnerReferences, type OwnerRewrite } from '../plan/owner-references.js';
import type { ResourceChange } from '../plan/types.js';
import type { SourcePort } from '../ports/source.js';
import type { TargetReader } from '../ports/target.js';
import { summarizeSource, type SourceSummary } from '../plan/source-digest.js';
import type { Context } from './context.js';
import type { DryRunOutcome, DryRunTarget } from './dry-run.js';
import { serverDiff, type DryRunMode } from './server-diff.js';
import { liveTierNames, readTarget, type TargetState } from './target.js';

export interface DesiredStateOptions {
  conversion: ConversionSettings;
  /** --include / --exclude; applies to the diff and the identity step, never to the lock step. */
  filter?: (t: FilterTarget) => boolean;
  prune: boolean;
  /**
   * `writes` (plan): every create and update, the ClusterInformation steps included, so admission
   * answers at plan time. `updates` (verify): only updates, to learn what the server would store.
   */
  dryRun: DryRunMode;
  parallelism: number;
  /** Objects this tool created in the target (see DiffInput.owned): the delta after a pre-copy. */
  owned?: ReadonlyMap<string, string>;
}

export interface DesiredStatePorts {
  source: Pick<SourcePort, 'origin' | 'endpoints' | 'readSnapshot'>;
  target: TargetReader & DryRunTarget;
}

export interface DesiredState {
  /** The source as a plan records it; the snapshot's values are not kept past conversion. */
  source: SourceSummary;
  /** The conversion as it came out of the converter (without the implied objects). */
  conversion: ConversionResult;
  /** Everything the target should hold: the converted objects plus the implied protected tiers. */
  desired: DesiredObject[];
  /** `desired` narrowed by the filter: what this plan covers. */
  selected: DesiredObject[];
  target: TargetState;
  schema: SchemaFindings;
  /** Object changes (no ClusterInformation), sorted, re-diffed after the dry run, with their dry-run status. */
  changes: ResourceChange[];
  clusterInformation: ClusterInformationSteps;
  /** Null when no dry run was asked for (or, for `updates`, there was no update to try). */
  dryRun: DryRunOutcome | null;
  /** The Calico owner references of the selected objects, and how each was resolved. */
  ownerReferences: OwnerRewrite[];
}

/** The pipeline. @throws MigrateError SOURCE_INVALID when an entry cannot be converted (nothing written). */
export async function desiredState(opts: DesiredStateOptions, ports: DesiredStatePorts, ctx: Pick<Context, 'io' | 'monotonic'>): Promise<DesiredState> {
  const { target } = ports;
  // Both reads at once: each waits mostly on its server, and neither depends on the other.
  ctx.io.say('info', `Reading the target ${target.server}`);
  const [read, t] = await Promise.all([readSnapshot(ports.source, ctx), readTarget(target, opts.parallelism, undefined, ctx)]);
  let snapshot: SourceSnapshot | null = read;
  const source = summarizeSource(snapshot);

  // Taken over: each value is dropped as it is converted, so the data is never held twice.
  const keys = snapshot.kvs.length;
  const converting = PhaseProgress.start(ctx, 'convert', 'keys', keys);
  const conversion = convertSnapshotConsuming(snapshot, opts.conversion);
  converting.end(keys);
  snapshot = null;
  const errors = conversionErrors(conversion);
  if (errors.length) throw sourceInvalidError(errors, source.endpoints.join(','));
  const owners = resolveOwnerReferences(withImpliedTiers(conversion.objects, liveTierNames(t), conversion.namingVersion, conversion.datastoreCreatedAt), t.index.values());
  const desired = owners.desired;
  const { filter } = opts;
  const selected = filter ? desired.filter((d) => filter({ kind: d.kind, namespace: d.namespace, name: d.name })) : desired;
  const selectedAddresses = filter && owners.rewrites.length > 0 ? new Set(selected.map(desiredAddress)) : null;
  const ownerReferences = selectedAddresses ? owners.rewrites.filter((r) => selectedAddresses.has(r.address)) : owners.rewrites;
  const checking = PhaseProgress.start(ctx, 'checks', 'objects', desired.length);
  const schema = validateObjects(t.crds, desired);
  checking.end(desired.length);

  const live: LiveObject[] = [...t.live, ...t.nodes].map((object) => ({ object }));
  const diffed = await serverDiff(
    {
      desired,
      live,
      index: t.index,
      clusterInformation: clusterInformationSteps(conversion, t, filter),
      filter,
      prune: opts.prune,
      owned: opts.owned,
      dryRun: opts.dryRun,
      parallelism: opts.parallelism,
    },
    target,
    ctx,
  );
  const { changes, dryRun } = diffed;
  const clusterInformation = diffed.clusterInformation ?? clusterInformationSteps(conversion, t, filter);
  return { source, conversion, desired, selected, target: t, schema, changes, clusterInformation, dryRun, ownerReferences };
}

/** Reads the source snapshot, saying what is read and how long it took. */
export async function readSnapshot(source: Pick<SourcePort, 'origin' | 'endpoints' | 'readSnapshot'>, ctx: Pick<Context, 'io' | 'monotonic'>): Promise<SourceSnapshot> {
  if (source.origin === 'export-file') ctx.io.say('info', `Reading calicoctl export file ${source.endpoints.join(',')}`);
  const t0 = ctx.monotonic();
  const reading = PhaseProgress.start(ctx, 'read-source', 'keys', null);
  const snap = await source.readSnapshot({ onKeys: (n) => reading.update(n) });
  reading.end(snap.kvs.length);
  if (source.origin === 'etcd') ctx.io.say('debug', `read ${snap.kvs.length} keys at revision ${snap.revision} in ${Math.round(ctx.monotonic() - t0)} ms`);
  if (snap.kvs.length === 0) throw emptySourceError(source);
  return snap;
}

/**
 * A source without a single Calico key is a wrong endpoint or prefix, not a datastore to migrate:
 * read as one, plan would offer to leave the target as it is (every object "extra") and verify
 * would compare against nothing. Every command that reads the whole source (plan, verify,
 * cutover, export) refuses it, before anything is written.
 */
export function emptySourceError(source: Pick<SourcePort, 'origin' | 'endpoints'>): MigrateError {
  const where = source.endpoints.join(',');
  if (source.origin === 'export-file') {
    return new MigrateError('SOURCE_INVALID', `the export file ${where} holds no Calico data (no key under ${CALICO_PREFIX}); nothing was written`, {
      hint: 'check --from-export names the file `calicoctl datastore migrate export` wrote',
    });
  }
  return new MigrateError('SOURCE_INVALID', `etcd at ${where} has no keys under ${CALICO_PREFIX}: it is not a Calico datastore, or not this one; nothing was written`, {
    hint: `check --etcd-endpoints (and ETCD_ENDPOINTS) name the etcd Calico uses: \`etcdctl get ${CALICO_PREFIX} --prefix --keys-only --limit 1\` lists a key there`,
  });
}

/** The ClusterInformation steps: lock always, identity only when the filter keeps the ClusterInformation. */
export function clusterInformationSteps(
  conversion: Pick<ConversionResult, 'clusterInfo' | 'datastoreCreatedAt'>,
  t: Pick<TargetState, 'liveClusterInfo' | 'clusterUid'>,
  filter: DesiredStateOptions['filter'],
): ClusterInformationSteps {
  const [lock, identity] = clusterInformationChanges({
    source: conversion.clusterInfo,
    live: t.liveClusterInfo,
    newClusterGUID: deriveClusterGUID(t.clusterUid, conversion.clusterInfo?.clusterGUID ?? ''),
    createdAt: conversion.datastoreCreatedAt,
  });
  const keepIdentity = !filter || filter({ kind: CLUSTER_INFORMATION.kind, namespace: null, name: CLUSTER_INFORMATION_NAME });
  return { lock, identity: keepIdentity ? identity : null };
}

export function conversionErrors(result: Pick<ConversionResult, 'diagnostics'>): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error');
}

/** SOURCE_INVALID naming the first 20 offending keys (all of them in `details`). */
export function sourceInvalidError(errors: readonly Diagnostic[], origin: string): MigrateError {
  const shown = errors.slice(0, 20).map((d) => `  - ${d.key ?? d.object ?? ''}${d.path ? ` ${d.path}` : ''}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  if (errors.length > 20) shown.push(`  … and ${errors.length - 20} more (see --json)`);
  return new MigrateError('SOURCE_INVALID', `${errors.length} source entr${errors.length === 1 ? 'y' : 'ies'} in ${origin} cannot be converted:\n${shown.join('\n')}`, {
    hint: 'fix or remove these keys in etcd (or pass --skip-unknown for unknown keys), then plan again; nothing was written',
    details: errors,
  });
}
