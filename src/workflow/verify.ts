/**
 * `verify`: read both sides now, convert the source, and compare with the target object by object.
 * Passes only when the target holds exactly what the source says (Calico's own protected tiers and
 * derived data aside), including the ClusterInformation identity.
 */
import type { TargetFlags } from '../config/target.js';
import { convertSnapshot } from '../convert/index.js';
import { displayName } from '../plan/address.js';
import { diffObjects } from '../plan/diff.js';
import type { ResourceChange } from '../plan/types.js';
import type { Context } from './context.js';
import { dryRunChanges } from './dry-run.js';
import { withImpliedTiers } from './implied-tiers.js';
import { conversionErrors, liveTierNames, readTarget, sourceInvalidError } from './plan.js';
import { readNodeMap, readSource, type SourceOptions } from './source.js';
import { sourceDigest } from './source-digest.js';
import { openTarget } from './target.js';

export interface VerifyOptions {
  source: SourceOptions;
  target: TargetFlags;
  nodeMapFile?: string;
  calicoVersion?: string;
  skipUnknown: boolean;
  parallelism: number;
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
  const snapshot = await readSource(opts.source, ctx);
  const target = await openTarget(opts.target, { maxSockets: opts.parallelism });
  try {
    const t = await readTarget(target, opts.parallelism);
    const result = convertSnapshot(snapshot, { calicoVersion: opts.calicoVersion, nodeMap: readNodeMap(opts.nodeMapFile), skipUnknown: opts.skipUnknown, crds: t.crds });
    const errors = conversionErrors(result);
    if (errors.length) throw sourceInvalidError(errors, snapshot.endpoints.join(','));
    result.objects = withImpliedTiers(result, liveTierNames(t), { crds: t.crds });
    const live = [...t.live, ...t.nodes].map((object) => ({ object }));
    let changes = diffObjects({ desired: result.objects, live, prune: false });
    const updates = changes.filter((c) => c.change.actions[0] === 'update');
    if (updates.length) {
      // A field the CRD defaults is not a difference: compare with what the server would store.
      const dr = await dryRunChanges(target, updates, opts.parallelism);
      if (dr.results.size) {
        const byAddr = new Map(diffObjects({ desired: result.objects, live, prune: false, dryRunResults: dr.results }).map((c) => [c.address, c]));
        changes = changes.map((c) => byAddr.get(c.address) ?? c);
      }
    }
    const differences: Difference[] = changes.filter((c) => c.change.actions[0] !== 'no-op').map(toDifference);
    const ci = t.liveClusterInfo?.spec as any;
    const src = result.clusterInfo;
    if (src && (ci?.clusterGUID !== src.clusterGUID || ci?.calicoVersion !== src.calicoVersion)) {
      differences.push({
        address: 'crd.projectcalico.org/v1/ClusterInformation/default',
        object: 'ClusterInformation default',
        kind: 'identity',
        paths: [
          ...(ci?.clusterGUID !== src.clusterGUID ? [`spec.clusterGUID: target ${ci?.clusterGUID ?? 'unset'}, source ${src.clusterGUID}`] : []),
          ...(ci?.calicoVersion !== src.calicoVersion ? [`spec.calicoVersion: target ${ci?.calicoVersion ?? 'unset'}, source ${src.calicoVersion}`] : []),
        ],
      });
    }
    return {
      ok: differences.length === 0,
      compared: result.objects.length,
      differences,
      source_digest: sourceDigest(snapshot),
      target_cluster_uid: t.clusterUid,
    };
  } finally {
    target.close();
  }
}

function toDifference(c: ResourceChange): Difference {
  const a = c.change.actions[0];
  return {
    address: c.address,
    object: displayName(c),
    kind: a === 'create' ? 'missing' : a === 'update' ? 'different' : 'extra',
    paths: c.change.changed_paths,
  };
}
