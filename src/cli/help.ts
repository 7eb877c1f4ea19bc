/**
 * oclif's help, with one change: help for a command that does not exist (`help pln`,
 * `pln --help`) is a usage error like any other (exit 64, USAGE, with the nearest command),
 * where oclif's own exits 2, which for this tool means "the plan has changes".
 */
import { Errors, Help } from '@oclif/core';
import { TerminalIo } from './terminal-io.js';
import { commandNotFoundError } from './usage.js';

export default class MigrateHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    try {
      await super.showHelp(argv);
    } catch (e) {
      const missing = e instanceof Error ? /^Command (.+) not found\.$/.exec(e.message) : null;
      if (!missing) throw e;
      const err = commandNotFoundError(missing[1]!, this.config.commandIDs, this.config.bin);
      new TerminalIo({ json: argv.includes('--json'), debug: argv.includes('--debug') }).error(err);
      throw new Errors.ExitError(err.exitCode);
    }
  }
}
