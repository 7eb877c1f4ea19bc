/**
 * Apply progress for a person at a terminal: one line, redrawn in place, from the engine's
 * events. The engine only emits events; this is the one place they become text, so the
 * command does not have to intercept them.
 */
import type { ApplyProgressEvent, MigrateEvent } from '../io.js';

/** Where the line goes: redrawn in place by `update`, finished (left on screen) by `end`. */
export interface ProgressLine {
  update(text: string): void;
  end(): void;
}

export function progressText(e: ApplyProgressEvent): string {
  return `applying: ${e.done}/${e.total} (${e.rate_per_s.toFixed(0)}/s, ETA ${(e.eta_s ?? 0).toFixed(0)}s, wave ${e.wave})`;
}

export class ProgressPresenter {
  /** A line is on screen and not yet ended, so other output must start on a fresh line. */
  private drawn = false;

  constructor(private readonly line: ProgressLine) {}

  onEvent(e: MigrateEvent): void {
    switch (e.type) {
      case 'apply_progress':
        this.line.update(progressText(e));
        this.drawn = true;
        return;
      case 'apply_complete':
        this.end();
        return;
      // The rest is reported by the command from the result (counts, the failure, warnings).
      case 'apply_start':
      case 'wave_start':
      case 'apply_errored':
      case 'apply_warning':
        return;
      default: {
        const never: never = e;
        throw new Error(`unhandled event ${JSON.stringify(never)}`);
      }
    }
  }

  /** Leaves the last line on screen; called before other output and when the command ends. */
  end(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.line.end();
  }
}
