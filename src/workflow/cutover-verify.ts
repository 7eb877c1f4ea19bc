/**
 * The cut-over's verify, inside the freeze: every object written since the last full comparison
 * (by the catch-up apply and by the delta) is read back and compared with the desired state as
 * `verify` compares (updates dry-run to learn what the server would store), every object deleted
 * is gone, the target carries the source's identity, and the source has not changed since the
 * delta was planned. The objects neither wrote were equal to the desired state on the catch-up's
 * full read of the target; `unlock --datastore kubernetes` runs the full `verify` again before
 * the point of no return.
 */
import { CLUSTER_INFORMATION, CRD_API_VERSION } from '../model/kinds.js';
import type { ConversionResult, DesiredObject } from '../model/types.js';
import { desiredAddress } from '../plan/diff.js';
import { ownerRefsOf, resolveOwnerReferences } from '../plan/owner-references.js';
import type { ObjectRef, TargetPort } from '../ports/target.js';
import type { SourcePort } from '../ports/source.js';
import type { Context } from './context.js';
import { serverDiff } from './server-diff.js';
import { unchangedSince } from './source-changes.js';
import { readObjects } from './target.js';
import { PhaseProgress } from '../progress.js';
import { identityDifference, toDifference, type Difference } from './verify.js';

export interface WrittenVerifyInput {
  desired: readonly DesiredObject[];
  conversion: Pick<ConversionResult, 'clusterInfo'>;
  /** Addresses written (created, updated, deleted) since the last full read, with their refs. */
  written: ReadonlyMap<string, ObjectRef>;
  /** The etcd revision the delta was planned at. */
  sourceRevision: number;
  owned: ReadonlyMap<string, string>;
  parallelism: number;
}

export interface WrittenVerifyResult {
  ok: boolean;
  /** Objects read back. */
  compared: number;
  differences: Difference[];
}

export async function verifyWritten(input: WrittenVerifyInput, ports: { source: SourcePort; target: TargetPort }, ctx: Pick<Context, 'io' | 'monotonic'>): Promise<WrittenVerifyResult> {
  const { written } = input;
  const writtenDesired = input.desired.filter((d) => written.has(desiredAddress(d)));
  const reading = PhaseProgress.start(ctx, 'read-back', 'objects', written.size);
  const [live, owners, liveClusterInfo, sourceSame] = await Promise.all([
    readObjects(ports.target, [...written.values()], input.parallelism, reading),
    // Their Calico owners too: a reference is right when it carries the owner's uid in the target.
    readObjects(ports.target, ownerRefsOf(writtenDesired), input.parallelism),
    ports.target.get({ apiVersion: CRD_API_VERSION, kind: CLUSTER_INFORMATION.kind, namespace: null, name: 'default' }),
    unchangedSince(ports.source, input.sourceRevision),
  ]);
  reading.end(written.size);
  const desired = resolveOwnerReferences(input.desired, [...live, ...owners], new Set(written.keys())).desired.filter((d) => written.has(desiredAddress(d)));
  const diffed = await serverDiff(
    { desired, live: live.map((object) => ({ object })), clusterInformation: null, prune: false, owned: input.owned, dryRun: 'updates', parallelism: input.parallelism },
    ports.target,
    ctx,
  );
  const differences = diffed.changes.filter((c) => c.change.action !== 'no-op').map(toDifference);
  const identity = identityDifference(liveClusterInfo, input.conversion.clusterInfo);
  if (identity) differences.push(identity);
  if (!sourceSame) differences.push({ address: 'etcd', object: 'the source', kind: 'different', paths: [`changed after revision ${input.sourceRevision}, while locked`] });
  return { ok: differences.length === 0, compared: written.size, differences };
}
