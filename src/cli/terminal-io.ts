/**
 * The Io host for a terminal or a pipeline: narration on stderr, primary output on stdout; under
 * --json, stdout carries only the events (one JSON line each) and the command's one final document.
 */
import { createInterface } from 'node:readline/promises';
import type { MigrateError } from '../errors.js';
import type { Io, Level, MigrateEvent } from '../io.js';
import { ProgressPresenter } from './progress-presenter.js';

export interface TerminalIoOptions {
  json: boolean;
  debug: boolean;
  /** Streams are injectable so tests can record them. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export class TerminalIo implements Io {
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Only a person at a terminal gets the redrawn progress line; pipelines read the events. */
  private readonly progress: ProgressPresenter | null;

  constructor(private readonly opts: TerminalIoOptions) {
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.stdin = opts.stdin ?? process.stdin;
    this.progress =
      !opts.json && this.stderr.isTTY
        ? new ProgressPresenter({
            update: (line) => this.stderr.write(`\r\x1b[K${line}`),
            end: () => this.stderr.write('\n'),
          })
        : null;
  }

  get json(): boolean {
    return this.opts.json;
  }

  say(level: Level, message: string): void {
    if (level === 'debug' && !this.opts.debug) return;
    if (this.opts.json) {
      // Narration stays on stderr even under --json so stdout is pure JSON.
      if (level === 'warn' || level === 'error') this.stderr.write(`${level}: ${message}\n`);
      return;
    }
    this.progress?.end();
    const prefix = level === 'warn' ? 'Warning: ' : level === 'error' ? 'Error: ' : '';
    this.stderr.write(`${prefix}${message}\n`);
  }

  event(event: MigrateEvent): void {
    if (this.opts.json) this.stdout.write(JSON.stringify(event) + '\n');
    else this.progress?.onEvent(event);
  }

  /** The command's primary output (rendered plan, report) goes to stdout; under --json the final document takes its place. */
  out(text: string): void {
    if (this.opts.json) return;
    this.progress?.end();
    this.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** The one `--json` document of a command (its result or its error); written by the base command only. */
  document(value: unknown): void {
    this.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /**
   * The one way an error is shown, by the base command and by the hooks that run before any
   * command (an unknown command): under --json its error document, else the message and its next step.
   */
  error(err: MigrateError, stack?: string): void {
    if (this.opts.json) this.document(err.toJSON());
    else {
      this.say('error', err.message);
      if (err.hint) this.say('info', `Next step: ${err.hint}`);
    }
    if (stack) this.trace(stack);
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
