/**
 * The only way the core talks to a person or a pipeline. Commands supply a terminal host;
 * tests supply a RecordingIo and assert on what was said.
 */
export type Level = 'info' | 'warn' | 'error' | 'debug';

export interface IoEvent {
  /** Stable machine name, e.g. `apply_progress`; emitted as JSON lines under `--json`. */
  type: string;
  [field: string]: unknown;
}

export interface Io {
  /** Narration for people (stderr on a terminal host; suppressed under `--json`). */
  say(level: Level, message: string): void;
  /** A structured event (progress, wave start, ...). */
  event(event: IoEvent): void;
  /** Ask a yes/no question; hosts without a terminal answer `undefined` (cannot ask). */
  confirm(question: string): Promise<boolean | undefined>;
  /** Whether `confirm` can ask anyone (a terminal is attached and output is not JSON). */
  canConfirm(): boolean;
}

export class RecordingIo implements Io {
  readonly messages: Array<{ level: Level; message: string }> = [];
  readonly events: IoEvent[] = [];
  constructor(private readonly answer: boolean | undefined = undefined) {}
  say(level: Level, message: string): void {
    this.messages.push({ level, message });
  }
  event(event: IoEvent): void {
    this.events.push(event);
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
  async confirm() {
    return undefined;
  },
  canConfirm() {
    return false;
  },
};
