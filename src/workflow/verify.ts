/**
 * `verify`: read both sides now, run the desired-state pipeline, and compare with the target
 * object by object. Passes only when the target holds exactly what the source says (Calico's own
 * protected tiers and derived data aside), including the ClusterInformation identity. Records the
 * result in the state dir (`verified.json`), which `unlock --datastore kubernetes` relies on, and
 * in the target's run record (cluster-record.ts), which `status` reads from any machine.
 */
import { isRecord } from '../convert/json.js';
import type { ConversionSettings, KubeObject, SourceClusterInfo } from '../model/types.js';
import { displayName } from '../plan/address.js';
import type { ResourceChange } from '../plan/types.js';
import type { Context } from './context.js';
import { desiredState } from './desired-state.js';
import { writeRecord } from './state-dir.js';
import { RunRecorder } from './cluster-record.js';

export interface VerifyOptions {
  conversion: ConversionSettings;
  parallelism: number;
  /** Where `verified.json` is written. */
  stateDir: string;
}

export interface Difference {
  address: string;
  object: string;
  kind: 'missing' | 'different' | 'extra' | 'identity';
  paths: string[];
}

export interface VerifyResult {
  ok: boolean;
  compared: number;
  differences: Difference[];
  source_digest: string;
  target_cluster_uid: string;
}

export async function verifyMigration(opts: VerifyOptions, ctx: Context): Promise<VerifyResult> {
  await ctx.openSource(); // A source that is not configured is a USAGE error before anything is recorded.
  const target = await ctx.openTarget();
  const recorder = await RunRecorder.start(target, ctx, opts.stateDir, { command: 'verify', plan_id: null });
  const result = await compare(opts, ctx).catch(async (e: unknown) => {
    await recorder.finish({ outcome: 'failed', message: (e as Error).message });
    throw e;
  });
  await recorder.finish({ outcome: 'complete', verify: { ok: result.ok, compared: result.compared, differences: result.differences.length, source_digest: result.source_digest } });
  return result;
}

async function compare(opts: VerifyOptions, ctx: Context): Promise<VerifyResult> {
  const source = await ctx.openSource();
  const target = await ctx.openTarget();
  // A field the CRD defaults is not a difference: updates are compared with what the server would store.
  const state = await desiredState({ conversion: opts.conversion, prune: false, dryRun: 'updates', parallelism: opts.parallelism }, { source, target }, ctx);
  const differences: Difference[] = state.changes.filter((c) => c.change.action !== 'no-op').map(toDifference);
  const identity = identityDifference(state.target.liveClusterInfo, state.conversion.clusterInfo);
  if (identity) differences.push(identity);
  const result: VerifyResult = {
    ok: differences.length === 0,
    compared: state.desired.length,
    differences,
    source_digest: state.source.digest,
    target_cluster_uid: state.target.clusterUid,
  };
  writeRecord(opts.stateDir, 'verified.json', {
    at: ctx.now().toISOString(),
    ok: result.ok,
    source_digest: result.source_digest,
    target_cluster_uid: result.target_cluster_uid,
    differences: result.differences.length,
  });
  return result;
}

/** The target must carry the source's clusterGUID and calicoVersion (the identity step's work). */
export function identityDifference(live: KubeObject | null, src: SourceClusterInfo | null): Difference | null {
  if (!src) return null;
  const spec = live && isRecord(live.spec) ? live.spec : {};
  const guid = spec.clusterGUID;
  const version = spec.calicoVersion;
  if (guid === src.clusterGUID && version === src.calicoVersion) return null;
  const shown = (v: unknown) => (v === undefined || v === null ? 'unset' : String(v));
  return {
    address: 'crd.projectcalico.org/v1/ClusterInformation/default',
    object: 'ClusterInformation default',
    kind: 'identity',
    paths: [
      ...(guid !== src.clusterGUID ? [`spec.clusterGUID: target ${shown(guid)}, source ${src.clusterGUID}`] : []),
      ...(version !== src.calicoVersion ? [`spec.calicoVersion: target ${shown(version)}, source ${src.calicoVersion}`] : []),
    ],
  };
}

export function toDifference(c: ResourceChange): Difference {
  const a = c.change.action;
  return {
    address: c.address,
    object: displayName(c),
    kind: a === 'create' ? 'missing' : a === 'update' ? 'different' : 'extra',
    paths: c.change.changed_paths,
  };
}
