import { Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { conversionFlags, sourceFlags, targetFlags } from '../cli/flags.js';
import { EXIT_CODES } from '../errors.js';
import type { Io } from '../io.js';
import type { Context } from '../workflow/context.js';
import { DEFAULT_STATE_DIR } from '../workflow/state-dir.js';
import { verifyMigration, type VerifyResult } from '../workflow/verify.js';

export default class Verify extends BaseCommand<typeof Verify> {
  static override summary = 'Check that the target holds exactly what the source says.';
  static override description = `Reads both datastores now, converts the source and compares object by object (fields the CRDs default are not differences). Exit 0 only when there is no difference; ${EXIT_CODES.VERIFY_FAILED} otherwise, listing them.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379 --kubeconfig ~/.kube/target', '<%= config.bin %> <%= command.id %> --json | jq .differences'];
  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    ...conversionFlags,
    'state-dir': Flags.string({ summary: 'Directory for status records.', default: DEFAULT_STATE_DIR }),
    parallelism: Flags.integer({ summary: 'Concurrent requests to the API server.', default: 16, min: 1, max: 256 }),
  };

  protected async execute({ flags, conversion }: CommandInput<typeof Verify>, ctx: Context): Promise<CommandResult<VerifyResult>> {
    const r = await verifyMigration({ conversion, parallelism: flags.parallelism, stateDir: flags['state-dir'] }, ctx);
    return { data: r, exitCode: r.ok ? 'OK' : 'VERIFY_FAILED', render: (io) => renderVerify(r, io) };
  }
}

function renderVerify(r: VerifyResult, io: Io): void {
  if (r.ok) {
    io.out(`Verified: the target holds exactly the ${r.compared} object(s) the source converts to.`);
    return;
  }
  io.out(`Verify found ${r.differences.length} difference(s):`);
  for (const d of r.differences.slice(0, 200)) io.out(`  ${d.kind.padEnd(9)} ${d.object}${d.paths.length ? `: ${d.paths.slice(0, 5).join(', ')}` : ''}`);
  if (r.differences.length > 200) io.out(`  … and ${r.differences.length - 200} more (see --json)`);
}
