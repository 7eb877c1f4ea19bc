/**
 * The one base class for commands: --json and --debug, the terminal Io, and uniform error
 * rendering. Every failure leaves through here with a documented exit code and no stack trace
 * (unless --debug).
 */
import { Command, Errors, Flags, Interfaces } from '@oclif/core';
import { EXIT_CODES, MigrateError } from '../errors.js';
import { TerminalIo } from './terminal-io.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    debug: Flags.boolean({ summary: 'Show stack traces and debug narration.', helpGroup: 'GLOBAL' }),
  };

  protected io!: TerminalIo;
  private jsonMode = false;

  protected makeIo(flags: { json?: boolean; debug?: boolean }): TerminalIo {
    this.jsonMode = !!flags.json;
    this.io = new TerminalIo({ json: !!flags.json, debug: !!flags.debug });
    return this.io;
  }

  /** Exit with a code after a successful run (e.g. 2 = changes under --detailed-exitcode). */
  protected exitWith(code: number): never {
    throw new Errors.ExitError(code);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<any> {
    if (err instanceof Errors.ExitError) throw err;
    const json = this.jsonMode || this.argv.includes('--json');
    const debug = this.argv.includes('--debug');
    let me: MigrateError;
    if (err instanceof MigrateError) {
      me = err;
    } else if (isParseError(err)) {
      me = new MigrateError('USAGE', err.message.replace(/^Error: /, ''), { hint: `see \`${this.config.bin} ${this.id ?? ''} --help\``.replace(/\s+--help/, ' --help') });
    } else {
      me = new MigrateError('ERROR', err.message || String(err), { hint: 'this is unexpected; re-run with --debug and report the output' });
    }
    if (json) {
      process.stdout.write(JSON.stringify(me.toJSON(), null, 2) + '\n');
    } else {
      process.stderr.write(`Error: ${me.message}\n`);
      if (me.hint) process.stderr.write(`Next step: ${me.hint}\n`);
    }
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    throw new Errors.ExitError(me.exitCode);
  }
}

function isParseError(err: Error & { oclif?: { exit?: number } }): boolean {
  const name = err.constructor?.name ?? '';
  return /Flag|Arg|Parse|Invalid|Required|Unexpected|NonExistent/.test(name) || (err as any).parse !== undefined;
}

export { EXIT_CODES };
