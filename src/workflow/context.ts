/**
 * What a workflow is given: the datastores it acts on, and the ambient state (output, clock,
 * identity), all injected. The CLI builds the real one (cli/composition.ts) from settings
 * resolved once at the command edge; unit tests build one over in-memory fakes.
 */
import type { Io } from '../io.js';
import type { SourcePort } from '../ports/source.js';
import type { TargetPort } from '../ports/target.js';

export interface Context {
  io: Io;
  /** Wall clock, for records, locks and leases. */
  now: () => Date;
  /** Monotonic milliseconds, for durations and rates. */
  monotonic: () => number;
  toolVersion: string;
  /** `user@host/pid`, recorded in locks, leases and journals. */
  who: string;
  /**
   * The source, opened on first use and then shared for the rest of the command. Throws the
   * settings error (e.g. USAGE: no etcd endpoints) when the command line did not configure one.
   */
  openSource(): Promise<SourcePort>;
  /** The target, likewise opened once per command. */
  openTarget(): Promise<TargetPort>;
  /**
   * Aborted (reason 'SIGINT' or 'SIGTERM') when the operator asks the command to stop; only the
   * commands that settle their writes first (apply) are given one.
   */
  signal?: AbortSignal;
  /** Whether a lease holder (`user@host/pid/…`) is a process of this host that no longer runs; absent: never assumed. */
  holderGone?: (holder: string) => boolean;
}
