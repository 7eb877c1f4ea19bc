/**
 * The source port: what the workflows need of the datastore they migrate from. A live etcd
 * (adapters/etcd) and a calicoctl export file (adapters/export-file) both implement it; an export
 * file can be read but not locked, so its write and header operations refuse with USAGE.
 */
import type { SourceSnapshot } from '../model/types.js';

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

export interface SourcePort {
  readonly origin: SourceSnapshot['origin'];
  /** Endpoints without credentials (or the export file path): safe to print and record. */
  readonly endpoints: readonly string[];
  /** Every key under /calico/ at one revision; `keysOnly` leaves values empty (for staleness checks). */
  readSnapshot(opts?: { keysOnly?: boolean }): Promise<SourceSnapshot>;
  header(): Promise<SourceHeader>;
  get(key: string): Promise<SourceValue | null>;
  /** Writes `value` only if the key's mod_revision is still `expected` (0 = must not exist); false when it lost the race. */
  compareAndSwap(key: string, expected: number, value: string): Promise<boolean>;
  close(): void;
}
