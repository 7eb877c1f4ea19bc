/**
 * oclif's `command_not_found` hook: a command line that names no command (`pln`, or `plan out.json`,
 * which oclif reads as the command `plan:out.json`) is a usage error, exit 64 (USAGE), shown as any
 * other error is (one line, a next step, the error document under --json). Without the hook oclif
 * exits 2, which for this tool means "the plan has changes".
 */
import { Errors, type Hook } from '@oclif/core';
import { commandNotFoundError } from '../cli/usage.js';
import { TerminalIo } from '../cli/terminal-io.js';

const hook: Hook<'command_not_found'> = async function ({ id, argv, config }) {
  const args = argv ?? [];
  const io = new TerminalIo({ json: args.includes('--json'), debug: args.includes('--debug') });
  const err = commandNotFoundError(id, config.commandIDs, config.bin);
  io.error(err);
  // Shown already: oclif only ends the process with the code.
  throw new Errors.ExitError(err.exitCode);
};

export default hook;
