/**
 * The source port: what the workflows need of the datastore they migrate from. A live etcd
 * (adapters/etcd) and a calicoctl export file (adapters/export-file) both implement it; an export
 * file can be read but not locked, so its write and header operations refuse with USAGE.
 */
import type { SourceKV, SourceSnapshot } from '../model/types.js';

export interface SourceHeader {
  /** The datastore's current revision. */
  revision: number;
  /** etcd cluster id (decimal string). */
  clusterId: string;
}

export interface SourceValue {
  value: string;
  modRevision: number;
}

/**
 * What changed under /calico/ after a revision, outside the ignored keys, as far as etcd can tell
 * without reading every key: the keys written since (with their values now) and how many keys
 * present then are gone. `deleted` may over-count (a key deleted and written again counts) but
 * never under-counts, so 0 means nothing was deleted.
 */
export interface SourceChanges {
  /** The revision the answer was read at. */
  revision: number;
  written: SourceKV[];
  deleted: number;
}

export interface SourcePort {
  readonly origin: SourceSnapshot['origin'];
  /** Endpoints without credentials (or the export file path): safe to print and record. */
  readonly endpoints: readonly string[];
  /**
   * Every key under /calico/ at one revision; `keysOnly` leaves values empty (for staleness checks).
   * `onKeys`, when given, is told the number of keys read so far after each page.
   */
  readSnapshot(opts?: { keysOnly?: boolean; onKeys?: (read: number) => void }): Promise<SourceSnapshot>;
  header(): Promise<SourceHeader>;
  /**
   * The changes after `revision` (keys under `ignore` prefixes left out), or null when etcd's
   * history no longer reaches back that far (compacted) or the source has none (an export file).
   */
  changesSince(revision: number, ignore: readonly string[]): Promise<SourceChanges | null>;
  get(key: string): Promise<SourceValue | null>;
  /** Writes `value` only if the key's mod_revision is still `expected` (0 = must not exist); false when it lost the race. */
  compareAndSwap(key: string, expected: number, value: string): Promise<boolean>;
  close(): void;
}
