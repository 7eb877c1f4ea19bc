/**
 * Progress of one long step, as `progress` events: one when it starts, then at most one per
 * `intervalMs` of the injected clock while it runs, and one when it ends. Counting is a field
 * increment and a clock comparison, so it can sit on a path that runs per write (apply runs at
 * several hundred writes per second and its CPU per write is benchmarked): nothing is allocated
 * unless an event is due.
 */
import type { Io, ProgressPhase, ProgressUnit } from './io.js';

/** Events per second a phase may emit at most: enough for a redrawn line, few enough to cost nothing. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 250;

export interface ProgressClock {
  io: Pick<Io, 'event'>;
  /** Monotonic milliseconds. */
  monotonic: () => number;
}

export class PhaseProgress {
  private done = 0;
  /** Units done before this run started (a resumed apply): counted in `done`, not in the rate. */
  private base = 0;
  private readonly startedMs: number;
  private lastMs: number;
  private ended = false;
  /** apply: the wave being written. */
  wave: number | null = null;

  constructor(
    private readonly ctx: ProgressClock,
    readonly phase: ProgressPhase,
    private readonly unit: ProgressUnit,
    private total: number | null,
    private readonly intervalMs: number = DEFAULT_PROGRESS_INTERVAL_MS,
  ) {
    this.startedMs = ctx.monotonic();
    this.lastMs = this.startedMs;
    this.emit(this.startedMs, false);
  }

  /** Starts a phase and emits its first event. */
  static start(ctx: ProgressClock, phase: ProgressPhase, unit: ProgressUnit, total: number | null, intervalMs?: number): PhaseProgress {
    return new PhaseProgress(ctx, phase, unit, total, intervalMs);
  }

  /** `n` more units done; an event only when the interval has passed. */
  tick(n = 1): void {
    this.done += n;
    this.due();
  }

  /** The count so far, as the caller keeps it; an event only when the interval has passed. */
  update(done: number): void {
    this.done = done;
    this.due();
  }

  /** Units already done when the phase started (not counted in the rate). */
  already(done: number): void {
    this.base = done;
    this.done = Math.max(this.done, done);
  }

  setTotal(total: number | null): void {
    this.total = total;
  }

  /** An event now, whatever the interval (a wave boundary). */
  report(): void {
    if (!this.ended) this.emit(this.ctx.monotonic(), false);
  }

  /** The phase's last event; `done` (and the total, when it was not known) as given. Once only. */
  end(done?: number): void {
    if (this.ended) return;
    if (done !== undefined) this.done = done;
    if (this.total === null) this.total = this.done;
    this.emit(this.ctx.monotonic(), true);
    this.ended = true;
  }

  private due(): void {
    if (this.ended) return;
    const now = this.ctx.monotonic();
    if (now - this.lastMs >= this.intervalMs) this.emit(now, false);
  }

  private emit(now: number, final: boolean): void {
    this.lastMs = now;
    const seconds = (now - this.startedMs) / 1000;
    const rate = seconds > 0 ? (this.done - this.base) / seconds : 0;
    const total = this.total;
    this.ctx.io.event({
      type: 'progress',
      phase: this.phase,
      unit: this.unit,
      done: this.done,
      total,
      rate_per_s: round(rate),
      eta_s: total !== null && rate > 0 ? round(Math.max(0, total - this.done) / rate) : final ? 0 : null,
      elapsed_s: round(seconds),
      final,
      wave: this.wave,
    });
  }
}

/** Runs `work` as one phase whose count is known only at the end (a read, a conversion). */
export async function phase<T>(ctx: ProgressClock, name: ProgressPhase, unit: ProgressUnit, total: number | null, work: (p: PhaseProgress) => Promise<T> | T, count?: (t: T) => number): Promise<T> {
  const p = PhaseProgress.start(ctx, name, unit, total);
  const result = await work(p);
  p.end(count ? count(result) : undefined);
  return result;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
