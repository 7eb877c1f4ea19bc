/**
 * One error type for everything the tool reports to a user. Each code has a fixed exit status,
 * so CI can branch on the exit code alone; the table is rendered into the README and `--help`.
 */

/**
 * The exit codes, written once: name, number and meaning (in the words the README and `--help`
 * use). `EXIT_CODES` and `ExitName` are derived from it, so a code cannot be documented with
 * one number and returned with another.
 */
const EXIT_CODE_ROWS = [
  { code: 0, name: 'OK', meaning: 'Success. With --detailed-exitcode: the plan has no changes.' },
  { code: 1, name: 'ERROR', meaning: 'Unexpected error (a bug or an environment problem); the message says what failed.' },
  { code: 2, name: 'CHANGES', meaning: 'plan --detailed-exitcode: the plan has changes to apply.' },
  { code: 3, name: 'CHECK_FAILED', meaning: 'A pre-apply check failed; the plan is written but apply will refuse it.' },
  { code: 4, name: 'GATE_REFUSED', meaning: 'A --fail-on gate matched (e.g. updates or extras in the plan).' },
  { code: 5, name: 'SOURCE_INVALID', meaning: 'The etcd data (or export file) has entries that cannot be converted.' },
  { code: 6, name: 'CONNECTION', meaning: 'etcd or the Kubernetes API could not be reached or refused the credentials.' },
  { code: 7, name: 'PLAN_INVALID', meaning: 'The plan file is malformed, modified, of an unknown format, or not the expected plan_id.' },
  { code: 8, name: 'WRONG_CLUSTER', meaning: 'The plan was made for another source or target cluster.' },
  { code: 9, name: 'NOT_LOCKED', meaning: 'The source datastore is not locked (run `calico-migrate lock`, or pass --lock).' },
  { code: 10, name: 'LEASE_HELD', meaning: 'Another apply holds the apply lease; the message names the holder.' },
  { code: 11, name: 'STALE', meaning: 'The source or target changed since the plan was made; make a new plan.' },
  { code: 12, name: 'PARTIAL', meaning: 'Apply stopped part-way; the output prints the resume and rollback commands.' },
  { code: 13, name: 'ABORTED', meaning: 'Confirmation declined, or needed but not possible (use --auto-approve).' },
  { code: 14, name: 'VERIFY_FAILED', meaning: 'verify found differences between the source and the target, or a guard refused unlock.' },
  { code: 15, name: 'TARGET_INVALID', meaning: 'The target cluster is not usable (missing CRD, v3-only API group, missing permission).' },
  { code: 16, name: 'TARGET_LIVE', meaning: 'The target datastore is live (its ClusterInformation is unlocked): writing to it needs --allow-live-target.' },
  { code: 17, name: 'DRIFT', meaning: 'rollback --against-target found objects others changed since the apply; decide for them with --restore, --skip or --on-drift.' },
  { code: 64, name: 'USAGE', meaning: 'Bad command line: unknown command or flag, extra or missing argument, bad flag value, conflicting options. Never 2.' },
  { code: 130, name: 'INTERRUPTED', meaning: 'Stopped by SIGINT (Ctrl-C): apply settled the writes in flight and prints the resume and rollback commands.' },
  { code: 143, name: 'TERMINATED', meaning: 'Stopped by SIGTERM: as for SIGINT.' },
] as const;

type ExitRow = (typeof EXIT_CODE_ROWS)[number];

export type ExitName = ExitRow['name'];

/** Exit code by name; each value keeps its literal type (`EXIT_CODES.USAGE` is `64`). */
export const EXIT_CODES = Object.freeze(Object.fromEntries(EXIT_CODE_ROWS.map((r) => [r.name, r.code]))) as { readonly [R in ExitRow as R['name']]: R['code'] };

/** What each exit code means, in the words the README and `--help` use. */
export const EXIT_CODE_TABLE: ReadonlyArray<{ code: number; name: ExitName; meaning: string }> = EXIT_CODE_ROWS;

/** The number for an exit name, or the number itself (commands may return either). */
export function exitCodeOf(exit: ExitName | number): number {
  return typeof exit === 'number' ? exit : EXIT_CODES[exit];
}

export interface ErrorOptions {
  /** What the operator should do next; always shown under the message. */
  hint?: string;
  /** JSON-serialisable detail for `--json` consumers (e.g. the list of diagnostics). */
  details?: unknown;
  cause?: unknown;
}

export class MigrateError extends Error {
  readonly exitName: ExitName;
  readonly hint?: string;
  readonly details?: unknown;

  constructor(exitName: ExitName, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrateError';
    this.exitName = exitName;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return EXIT_CODES[this.exitName];
  }

  toJSON(): Record<string, unknown> {
    return {
      error: this.exitName,
      exit_code: this.exitCode,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isMigrateError(e: unknown): e is MigrateError {
  return e instanceof MigrateError;
}
