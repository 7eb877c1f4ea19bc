/**
 * The only way the core talks to a person or a pipeline. Commands supply a terminal host;
 * tests supply a RecordingIo and assert on what was said.
 */
import type { Phase } from './apply/order.js';
import type { FailureReason } from './apply/types.js';

export type Level = 'info' | 'warn' | 'error' | 'debug';

/**
 * Every structured event the core emits, one member per `type`. The names and fields are a
 * contract: under `--json` each event is one JSON line on stdout, so pipelines read them.
 * (Type aliases, not interfaces, so an event is also a plain JSON record.)
 */
export type MigrateEvent = ProgressEvent | ApplyStartEvent | WaveStartEvent | ApplyErroredEvent | ApplyWarningEvent | ApplyCompleteEvent;

/**
 * The long steps of every command, in the order plan runs them; apply, verify, rollback and
 * cutover run some of the same and their own. Each is reported by `progress` events (progress.ts).
 */
export const PROGRESS_PHASES = ['read-source', 'read-target', 'convert', 'checks', 'dry-run', 'write-plan', 'apply', 'reverse-plan', 'read-back'] as const;
export type ProgressPhase = (typeof PROGRESS_PHASES)[number];

/** What a phase counts. */
export const PROGRESS_UNITS = ['keys', 'objects', 'kinds', 'writes', 'changes'] as const;
export type ProgressUnit = (typeof PROGRESS_UNITS)[number];

/**
 * How far one long step is: emitted when it starts, at most a few times a second while it runs
 * (throttled by the core's clock), and once when it ends (`final`).
 */
export type ProgressEvent = {
  type: 'progress';
  phase: ProgressPhase;
  unit: ProgressUnit;
  done: number;
  /** Null when not known before the step ends (keys read from etcd). */
  total: number | null;
  rate_per_s: number;
  /** Seconds left at the current rate; null before anything was done or without a total. */
  eta_s: number | null;
  elapsed_s: number;
  /** The last event of the phase. */
  final: boolean;
  /** apply: the wave being written; null for the other phases. */
  wave: number | null;
};

export type ApplyStartEvent = {
  type: 'apply_start';
  /** Writes in the plan. */
  total: number;
  /** Execution steps (band, phase, wave groups). */
  waves: number;
  /** Writes an earlier run of the journal already did. */
  done: number;
  parallelism: number;
  resumed: boolean;
};

export type WaveStartEvent = {
  type: 'wave_start';
  wave: number;
  phase: Phase;
  /** Writes of this step still to do. */
  count: number;
  /** Writes of this step in the plan. */
  planned: number;
};

export type ApplyErroredEvent = {
  type: 'apply_errored';
  address: string;
  action: string;
  reason: FailureReason;
  message: string;
};

export type ApplyWarningEvent = {
  type: 'apply_warning';
  message: string;
};

export type ApplyCompleteEvent = {
  type: 'apply_complete';
  done: number;
  total: number;
  seconds: number;
};

export type MigrateEventType = MigrateEvent['type'];

export type EventOf<T extends MigrateEventType> = Extract<MigrateEvent, { type: T }>;

export interface Io {
  /** Narration for people (stderr on a terminal host; suppressed under `--json`). */
  say(level: Level, message: string): void;
  /** A structured event (progress, wave start, ...). */
  event(event: MigrateEvent): void;
  /** The command's primary output for people (a rendered plan, a report): stdout on a terminal host, never under `--json`. */
  out(text: string): void;
  /** Ask a yes/no question; hosts without a terminal answer `undefined` (cannot ask). */
  confirm(question: string): Promise<boolean | undefined>;
  /** Whether `confirm` can ask anyone (a terminal is attached and output is not JSON). */
  canConfirm(): boolean;
}

/**
 * An event as a test reads it back: typed by its member, and any other field readable as
 * `unknown`, so assertions can pick fields off a mixed list without narrowing each time.
 */
export type RecordedEvent = MigrateEvent & { readonly [field: string]: unknown };

/** Writes lines to `io.out` in pieces of about 64 KB, so a long rendering is never one string. */
export function outLines(io: Pick<Io, 'out'>, lines: Iterable<string>): void {
  let chunk: string[] = [];
  let size = 0;
  for (const line of lines) {
    chunk.push(line);
    size += line.length + 1;
    if (size >= 65536) {
      io.out(chunk.join('\n') + '\n');
      chunk = [];
      size = 0;
    }
  }
  if (chunk.length) io.out(chunk.join('\n') + '\n');
}

export class RecordingIo implements Io {
  readonly messages: Array<{ level: Level; message: string }> = [];
  readonly events: RecordedEvent[] = [];
  readonly outputs: string[] = [];
  constructor(private readonly answer: boolean | undefined = undefined) {}
  say(level: Level, message: string): void {
    this.messages.push({ level, message });
  }
  event(event: MigrateEvent): void {
    this.events.push(event);
  }
  out(text: string): void {
    this.outputs.push(text);
  }
  /** The recorded events of one type, narrowed to it. */
  eventsOf<T extends MigrateEventType>(type: T): Array<EventOf<T>> {
    return this.events.filter((e): e is RecordedEvent & EventOf<T> => e.type === type);
  }
  async confirm(): Promise<boolean | undefined> {
    return this.answer;
  }
  canConfirm(): boolean {
    return this.answer !== undefined;
  }
}

export const silentIo: Io = {
  say() {},
  event() {},
  out() {},
  async confirm() {
    return undefined;
  },
  canConfirm() {
    return false;
  },
};
