/**
 * The Io host for a terminal or a pipeline: narration on stderr, primary output on stdout,
 * progress as redrawn lines (a terminal) or a plain line every ~10 s (a log). Under --json, stdout
 * is JSON Lines from the first line to the last (docs/json-output.md, schemas/events.schema.json):
 * every line one object with `ts`, `level` and `type`; narration as `log` lines, events as they
 * are, and the command's `result` (or its `error`) last.
 */
import { createInterface } from 'node:readline/promises';
import { performance } from 'node:perf_hooks';
import type { MigrateError } from '../errors.js';
import type { Io, Level, MigrateEvent } from '../io.js';
import { colorEnabled, paint } from './color.js';
import { ProgressPresenter } from './progress-presenter.js';

/** Not a terminal: milliseconds between a running phase's progress lines (default 10 s); for tests and slow CI. */
export const PROGRESS_INTERVAL_ENV = 'CALICO_MIGRATE_PROGRESS_INTERVAL_MS';

export interface TerminalIoOptions {
  json: boolean;
  debug: boolean;
  /** The global --no-color flag. */
  noColor?: boolean;
  /** The environment colour and the progress interval are read from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The clock of the JSON lines' `ts` (default the wall clock). */
  now?: () => Date;
  /** The clock the plain progress lines are spaced by (default performance.now). */
  monotonic?: () => number;
  /** Streams are injectable so tests can record them. */
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** The level a JSON line of an event carries. */
function eventLevel(e: MigrateEvent): Level {
  return e.type === 'apply_errored' ? 'error' : e.type === 'apply_warning' ? 'warn' : 'info';
}

export class TerminalIo implements Io {
  private readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  private readonly now: () => Date;
  /** People get progress lines; pipelines (--json) read the events. */
  private readonly progress: ProgressPresenter | null;
  /** Whether the rendering on stdout (a plan) may be coloured. */
  readonly color: boolean;
  private readonly red: (s: string) => string;
  private readonly yellow: (s: string) => string;

  constructor(private readonly opts: TerminalIoOptions) {
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.stdin = opts.stdin ?? process.stdin;
    this.now = opts.now ?? (() => new Date());
    const env = opts.env ?? process.env;
    const noColorFlag = !!opts.noColor;
    this.color = !opts.json && colorEnabled({ isTTY: this.stdout.isTTY, env, noColorFlag });
    const stderrColor = !opts.json && colorEnabled({ isTTY: this.stderr.isTTY, env, noColorFlag });
    this.red = paint(stderrColor, '31');
    this.yellow = paint(stderrColor, '33');
    const interval = Number(env[PROGRESS_INTERVAL_ENV]);
    this.progress = opts.json
      ? null
      : new ProgressPresenter({
          tty: !!this.stderr.isTTY,
          write: (text) => this.stderr.write(text),
          monotonic: opts.monotonic ?? (() => performance.now()),
          plainIntervalMs: Number.isFinite(interval) && interval >= 0 ? interval : undefined,
        });
  }

  get json(): boolean {
    return this.opts.json;
  }

  say(level: Level, message: string): void {
    if (level === 'debug' && !this.opts.debug) return;
    if (this.opts.json) {
      this.line(level, 'log', { message });
      return;
    }
    this.progress?.end();
    const text = level === 'warn' ? this.yellow(`Warning: ${message}`) : level === 'error' ? this.red(`Error: ${message}`) : message;
    this.stderr.write(`${text}\n`);
  }

  event(event: MigrateEvent): void {
    if (this.opts.json) this.line(eventLevel(event), event.type, event);
    else this.progress?.onEvent(event);
  }

  /** The command's primary output (rendered plan, report) goes to stdout; under --json the result line takes its place. */
  out(text: string): void {
    if (this.opts.json) return;
    this.progress?.end();
    this.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** The command's result, the last line under --json; written by the base command only. */
  document(value: unknown, exitCode: number): void {
    this.line(exitCode === 0 ? 'info' : 'warn', 'result', { exit_code: exitCode, data: value });
  }

  /**
   * The one way an error is shown, by the base command and by the hooks that run before any
   * command (an unknown command): under --json its `error` line, else the message and its next step.
   */
  error(err: MigrateError, stack?: string): void {
    if (this.opts.json) this.line('error', 'error', err.toJSON());
    else {
      this.say('error', err.message);
      if (err.hint) this.say('info', `Next step: ${err.hint}`);
    }
    if (stack) this.trace(stack);
  }

  /** One JSON line: `ts`, `level` and `type` first, then the fields (an event's own `type` is the same). */
  private line(level: Level, type: string, fields: object): void {
    this.stdout.write(JSON.stringify({ ts: this.now().toISOString(), level, type, ...fields }) + '\n');
  }

  /** A stack trace for --debug: stderr in every mode, since it is for whoever debugs, not for a pipeline. */
  trace(stack: string): void {
    if (this.opts.debug) this.stderr.write(stack + '\n');
  }

  /** Ends a progress line still on screen, so what follows (an error, the shell prompt) starts on its own line. */
  finish(): void {
    this.progress?.end();
  }

  canConfirm(): boolean {
    return !this.opts.json && !!this.stdin.isTTY;
  }

  async confirm(question: string): Promise<boolean | undefined> {
    if (!this.canConfirm()) return undefined;
    this.progress?.end();
    const rl = createInterface({ input: this.stdin, output: this.stderr });
    try {
      const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
      return answer.trim() === 'yes';
    } finally {
      rl.close();
    }
  }
}
