/**
 * The one base class for commands, and the one exit path. `run()` parses the command line,
 * resolves the settings and builds the Context (once per command), calls the command's
 * `execute`, and then either prints the returned data as the one `--json` document or lets the
 * command render text, and sets the exit code. Every failure leaves through `catch` with a
 * documented exit code and no stack trace (unless --debug); under --json as the `error` line.
 */
import v8 from 'node:v8';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { EXIT_CODES, exitCodeOf, MigrateError, type ExitName } from '../errors.js';
import type { Io } from '../io.js';
import type { ConversionSettings } from '../model/types.js';
import type { Context } from '../workflow/context.js';
import { createContext, type ClosableContext } from './composition.js';
import { resolveSettings, type SettingsFlags } from './settings.js';
import { TerminalIo, type TerminalIoOptions } from './terminal-io.js';
import { isParseError, usageErrorFromParse } from './usage.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export interface CommandInput<T extends typeof Command> {
  flags: BaseFlags<T>;
  args: BaseArgs<T>;
  /** How to convert (node map already read), resolved from the flags with the datastore settings. */
  conversion: ConversionSettings;
}

/** What the composition root gives a command: its Context and the conversion settings. */
export interface Composed {
  ctx: ClosableContext;
  conversion: ConversionSettings;
}

/** What a command hands back: its data and its exit, never printed by the command itself. */
export interface CommandResult<D = unknown> {
  /** The `data` of the `--json` result line. */
  data: D;
  exitCode: ExitName | number;
  /**
   * The text a person sees instead (output via `io.out`, notes via `io.say`); not called under
   * --json. `color`: whether stdout takes ANSI colours (a terminal, no NO_COLOR or --no-color).
   */
  render?: (io: Io, style: { color: boolean }) => void;
}

/**
 * How far V8 may let the heap grow past its live size between full collections. `bounded` (50%)
 * for the commands that hold a whole source or target at once (plan, verify, export, cutover):
 * V8's default, up to 4x when allocation is fast, put a 300,000-object plan at 1.1-1.3 GB for
 * ~450 MB of live objects; bounded it peaks near 800-900 MB. `default` for apply, whose writes are
 * the throughput that counts and whose extra collections compete with the API server for the two
 * cores: in one benchmark run with it bounded, apply and rollback at 300,000 objects fell ~20%
 * further behind the minimal client than before (no difference at 30,000).
 */
export type HeapGrowth = 'bounded' | 'default';

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static heapGrowth: HeapGrowth = 'bounded';
  /**
   * Whether SIGINT/SIGTERM ask the command to stop cleanly (Context.signal) instead of ending the
   * process: for apply, which settles its writes in flight, ends its journal, writes the reverse
   * plan and releases the lease. A second signal exits at once; the journal, which records every
   * write before it is sent, keeps that resumable. Other commands write their files atomically,
   * so the default (the process ends) loses nothing.
   */
  static settlesOnSignal = false;

  static override baseFlags = {
    debug: Flags.boolean({ summary: 'Show stack traces and debug narration.', helpGroup: 'GLOBAL' }),
    'no-color': Flags.boolean({ summary: 'No ANSI colours (as NO_COLOR=1); colours are used only on a terminal.', helpGroup: 'GLOBAL' }),
  };

  protected io?: TerminalIo;

  /** The command proper: one workflow call, its data and exit code. */
  protected abstract execute(input: CommandInput<T>, ctx: Context): Promise<CommandResult>;

  /** The terminal host; a seam so unit tests can record the streams. */
  protected makeTerminalIo(opts: TerminalIoOptions): TerminalIo {
    return new TerminalIo(opts);
  }

  /**
   * Flags become settings once, here, and the composition root wires them into the Context; a
   * seam so unit tests can run a command over fakes.
   */
  protected compose(io: Io, flags: BaseFlags<T>): Composed {
    const settings = resolveSettings(flags as SettingsFlags);
    const parallelism = (flags as { parallelism?: unknown }).parallelism;
    const ctx = createContext(io, this.config.version, settings, { maxSockets: typeof parallelism === 'number' ? parallelism : undefined });
    return { ctx, conversion: settings.conversion };
  }

  /** Returns nothing, so oclif does not print a second JSON document. */
  override async run(): Promise<void> {
    // Read by V8 at every full collection, so setting it here (after start-up) takes effect.
    if ((this.ctor as unknown as { heapGrowth: HeapGrowth }).heapGrowth === 'bounded') v8.setFlagsFromString('--heap-growing-percent=50');
    const { flags, args } = (await this.parse(this.ctor)) as unknown as CommandInput<T>;
    const io = this.makeTerminalIo({ json: this.jsonEnabled(), debug: !!flags.debug, noColor: !!(flags as { 'no-color'?: boolean })['no-color'] });
    this.io = io;
    let result: CommandResult;
    const { ctx, conversion } = this.compose(io, flags);
    const stop = (this.ctor as unknown as { settlesOnSignal: boolean }).settlesOnSignal ? this.stopOnSignals(io) : null;
    if (stop) ctx.signal = stop.signal;
    try {
      result = await this.execute({ flags, args, conversion }, ctx);
    } finally {
      stop?.dispose();
      ctx.close();
      io.finish();
    }
    const code = exitCodeOf(result.exitCode);
    this.show(io, result.data, code, result.render);
    this.exitWith(code);
  }

  /** SIGINT/SIGTERM abort the returned signal once; a second one ends the process with its exit code. */
  private stopOnSignals(io: Io): { signal: AbortSignal; dispose: () => void } {
    const controller = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => {
      const code = sig === 'SIGTERM' ? EXIT_CODES.TERMINATED : EXIT_CODES.INTERRUPTED;
      if (controller.signal.aborted) {
        io.say('error', `${sig} again: exiting now. Every write sent is in the journal: \`calico-migrate status\` names the resume and rollback commands.`);
        process.exit(code);
      }
      io.say('warn', `${sig}: stopping; the writes in flight are settled and recorded (${sig} again exits at once, still resumable).`);
      controller.abort(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return {
      signal: controller.signal,
      dispose: () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      },
    };
  }

  /** The output path for results: the `result` line under --json, else the text. */
  private show(io: TerminalIo, document: unknown, exitCode: number, render: CommandResult['render']): void {
    if (io.json) io.document(document, exitCode);
    else render?.(io, { color: io.color });
  }

  /** Success returns normally; any other code leaves through oclif's ExitError, which sets the process exit code. */
  private exitWith(code: number): void {
    if (code !== EXIT_CODES.OK) throw new Errors.ExitError(code);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    if (err instanceof Errors.ExitError) throw err;
    // A parse error arrives before run() made its Io, so the flags are read off argv.
    const io = this.io ?? this.makeTerminalIo({ json: this.jsonEnabled(), debug: this.argv.includes('--debug'), noColor: this.argv.includes('--no-color') });
    const me = this.toMigrateError(err);
    io.error(me, err.stack);
    this.exitWith(me.exitCode);
  }

  private toMigrateError(err: Error): MigrateError {
    if (err instanceof MigrateError) return err;
    if (isParseError(err)) return usageErrorFromParse(err, { bin: this.config.bin, id: this.id, flags: [...Object.keys({ ...this.ctor.baseFlags, ...this.ctor.flags }), 'json'] });
    return new MigrateError('ERROR', err.message || String(err), { hint: 'this is unexpected; re-run with --debug and report the output' });
  }
}

export { EXIT_CODES };
