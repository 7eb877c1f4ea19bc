/**
 * A digest of the source as far as staleness is concerned. Felix status keys (heartbeats with
 * TTLs) and the ClusterInformation (whose mod_revision moves when the source is locked) are left
 * out, so locking after a preview plan or a live Felix does not make a plan stale.
 */
import { createHash } from 'node:crypto';
import { CLUSTER_INFO_KEY } from '../model/keys.js';
import type { SourceSnapshot } from '../model/types.js';

/** The volatile keys as prefixes (the ClusterInformation key is the only key with its prefix). */
export const VOLATILE_PREFIXES: readonly string[] = ['/calico/felix/', CLUSTER_INFO_KEY];

export function isVolatileKey(key: string): boolean {
  return key.startsWith('/calico/felix/') || key === CLUSTER_INFO_KEY;
}

/** For a live etcd, (key, mod_revision) identifies content; an export file has no revisions, so its values are hashed. */
export function sourceDigest(snapshot: Pick<SourceSnapshot, 'origin' | 'kvs'>): string {
  const h = createHash('sha256');
  for (const kv of snapshot.kvs) {
    if (isVolatileKey(kv.key)) continue;
    h.update(kv.key);
    h.update('\t');
    h.update(snapshot.origin === 'etcd' ? String(kv.modRevision) : createHash('sha256').update(kv.value).digest('hex'));
    h.update('\n');
  }
  return `sha256:${h.digest('hex')}`;
}

/**
 * The revision of the Calico data: the newest mod_revision among the keys read (null for an export
 * file). Not the revision the read was pinned to: etcd revisions are global, so in an etcd shared
 * with Kubernetes they move with every Kubernetes write, and the same Calico data would give a
 * different plan each time. A key deleted later is caught by the digest, a key written later by
 * having a larger mod_revision.
 */
export function dataRevision(snapshot: Pick<SourceSnapshot, 'origin' | 'kvs'>): number | null {
  if (snapshot.origin !== 'etcd') return null;
  let max = 0;
  for (const kv of snapshot.kvs) if (!isVolatileKey(kv.key) && kv.modRevision > max) max = kv.modRevision;
  return max;
}

/** What a plan records of its source: enough for the staleness guards, none of the values. */
export interface SourceSummary {
  origin: SourceSnapshot['origin'];
  endpoints: string[];
  clusterId: string | null;
  /** dataRevision of the snapshot. */
  revision: number | null;
  /** sourceDigest of the snapshot. */
  digest: string;
  keys: number;
  /** The etcd revision the snapshot was read at (null for an export file): what changes are asked since. */
  readRevision: number | null;
}

export function summarizeSource(snapshot: SourceSnapshot): SourceSummary {
  return {
    origin: snapshot.origin,
    endpoints: [...snapshot.endpoints],
    clusterId: snapshot.clusterId,
    revision: dataRevision(snapshot),
    digest: sourceDigest(snapshot),
    keys: snapshot.kvs.length,
    readRevision: snapshot.origin === 'etcd' ? snapshot.revision : null,
  };
}
