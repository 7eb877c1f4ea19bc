/**
 * Whether the Calico data changed after a revision, asked of etcd without reading every key
 * (SourcePort.changesSince): what apply's staleness guard and the cut-over use first, before the
 * full keys-only read that names each change.
 */
import { VOLATILE_PREFIXES } from '../plan/source-digest.js';
import type { SourceChanges, SourcePort } from '../ports/source.js';

/** The non-volatile changes after `revision`; null when etcd cannot tell cheaply (compacted, or an export file). */
export async function dataChangesSince(source: Pick<SourcePort, 'changesSince'>, revision: number | null): Promise<SourceChanges | null> {
  if (revision === null) return null;
  return source.changesSince(revision, VOLATILE_PREFIXES);
}

/** True only when etcd says for certain that nothing but volatile keys changed after `revision`. */
export async function unchangedSince(source: Pick<SourcePort, 'changesSince'>, revision: number | null): Promise<boolean> {
  const ch = await dataChangesSince(source, revision);
  return !!ch && ch.written.length === 0 && ch.deleted === 0;
}
