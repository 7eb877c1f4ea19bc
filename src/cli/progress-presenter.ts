/**
 * Progress for people, from the core's `progress` events (the core only emits them; this is the
 * one place they become text). On a terminal: one line per running phase, redrawn in place
 * (`phase: done/total (rate/s, ETA Ns)`), left on screen when the phase ends. Without one (a CI
 * log): a plain line per phase at most every `plainIntervalMs` of the injected clock, and one when
 * it ends, so a log shows what a long step is doing without a line per event.
 */
import type { MigrateEvent, ProgressEvent, ProgressPhase } from '../io.js';

/** Not a terminal: how often a running phase may print a line. */
export const DEFAULT_PLAIN_INTERVAL_MS = 10000;

export interface ProgressPresenterOptions {
  /** A terminal: lines are redrawn in place. */
  tty: boolean;
  write: (text: string) => void;
  /** Monotonic milliseconds: the plain lines' interval is measured on it. */
  monotonic: () => number;
  plainIntervalMs?: number;
}

export const PHASE_LABEL: Record<ProgressPhase, string> = {
  'read-source': 'reading the source',
  'read-target': 'reading the target',
  convert: 'converting',
  checks: 'checking',
  'dry-run': 'server dry run',
  'write-plan': 'writing the plan',
  apply: 'applying',
  'reverse-plan': 'writing the reverse plan',
  'read-back': 'reading back',
};

/** `phase: done/total unit (rate/s, ETA Ns)` while it runs; `phase: done/total unit in Ns (rate/s)` at its end. */
export function progressText(e: ProgressEvent): string {
  const count = e.total === null ? `${e.done} ${e.unit}` : `${e.done}/${e.total} ${e.unit}`;
  const wave = e.wave === null ? '' : `, wave ${e.wave}`;
  const rate = `${e.rate_per_s.toFixed(0)}/s`;
  if (e.final) return `${PHASE_LABEL[e.phase]}: ${count} in ${e.elapsed_s.toFixed(1)}s (${rate})`;
  const eta = e.eta_s === null ? '' : `, ETA ${e.eta_s.toFixed(0)}s`;
  return `${PHASE_LABEL[e.phase]}: ${count} (${rate}${eta}${wave})`;
}

export class ProgressPresenter {
  /** Terminal: the running phases' lines, in the order they started. */
  private readonly running = new Map<ProgressPhase, string>();
  /** Terminal: a line is on screen and not yet ended, so other output must start on a fresh line. */
  private drawn = false;
  /** Not a terminal: when each running phase last printed (or started). */
  private readonly printedAt = new Map<ProgressPhase, number>();
  private readonly plainIntervalMs: number;

  constructor(private readonly opts: ProgressPresenterOptions) {
    this.plainIntervalMs = opts.plainIntervalMs ?? DEFAULT_PLAIN_INTERVAL_MS;
  }

  onEvent(e: MigrateEvent): void {
    switch (e.type) {
      case 'progress':
        if (this.opts.tty) this.redraw(e);
        else this.plain(e);
        return;
      // The rest is reported by the command from the result (counts, the failure, warnings).
      case 'apply_start':
      case 'wave_start':
      case 'apply_errored':
      case 'apply_warning':
      case 'apply_complete':
        return;
      default: {
        const never: never = e;
        throw new Error(`unhandled event ${JSON.stringify(never)}`);
      }
    }
  }

  /** Leaves the lines on screen; called before other output and when the command ends. */
  end(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.opts.write('\n');
  }

  private redraw(e: ProgressEvent): void {
    const text = progressText(e);
    if (e.final) {
      this.running.delete(e.phase);
      this.opts.write(`${this.drawn ? '\r\x1b[K' : ''}${text}\n`);
      this.drawn = false;
      if (this.running.size === 0) return;
    } else this.running.set(e.phase, text);
    this.opts.write(`${this.drawn ? '\r\x1b[K' : ''}${[...this.running.values()].join('; ')}`);
    this.drawn = true;
  }

  private plain(e: ProgressEvent): void {
    const now = this.opts.monotonic();
    if (e.final) {
      this.printedAt.delete(e.phase);
      this.opts.write(`${progressText(e)}\n`);
      return;
    }
    const last = this.printedAt.get(e.phase);
    // A phase's first event only starts its interval: a step shorter than that prints one line, its last.
    if (last === undefined) this.printedAt.set(e.phase, now);
    else if (now - last >= this.plainIntervalMs) {
      this.printedAt.set(e.phase, now);
      this.opts.write(`${progressText(e)}\n`);
    }
  }
}
