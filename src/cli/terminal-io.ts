/** The Io host for a terminal or a pipeline: narration on stderr, JSON events on stdout under --json. */
import { createInterface } from 'node:readline/promises';
import type { Io, IoEvent, Level } from '../io.js';

export interface TerminalIoOptions {
  json: boolean;
  debug: boolean;
  /** Streams are injectable so tests can record them. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export class TerminalIo implements Io {
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;
  private readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };

  constructor(private readonly opts: TerminalIoOptions) {
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.stdin = opts.stdin ?? process.stdin;
  }

  get isTty(): boolean {
    return !!(this.stderr as NodeJS.WriteStream).isTTY;
  }

  say(level: Level, message: string): void {
    if (level === 'debug' && !this.opts.debug) return;
    if (this.opts.json) {
      // Narration stays on stderr even under --json so stdout is pure JSON.
      if (level === 'warn' || level === 'error') this.stderr.write(`${level}: ${message}\n`);
      return;
    }
    const prefix = level === 'warn' ? 'Warning: ' : level === 'error' ? 'Error: ' : '';
    this.stderr.write(`${prefix}${message}\n`);
  }

  event(event: IoEvent): void {
    if (this.opts.json) this.stdout.write(JSON.stringify(event) + '\n');
  }

  /** Writes a progress line in place on a terminal; no-op otherwise (events carry progress for pipelines). */
  progress(line: string): void {
    if (!this.opts.json && this.isTty) this.stderr.write(`\r\x1b[K${line}`);
  }

  endProgress(): void {
    if (!this.opts.json && this.isTty) this.stderr.write('\n');
  }

  canConfirm(): boolean {
    return !this.opts.json && !!this.stdin.isTTY;
  }

  async confirm(question: string): Promise<boolean | undefined> {
    if (!this.canConfirm()) return undefined;
    const rl = createInterface({ input: this.stdin, output: this.stderr });
    try {
      const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
      return answer.trim() === 'yes';
    } finally {
      rl.close();
    }
  }

  /** The command's primary output (rendered plan, report) goes to stdout. */
  out(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
}
