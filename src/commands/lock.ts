import { Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { sourceFlags, targetFlags } from '../cli/flags.js';
import { EXIT_CODES } from '../errors.js';
import type { Context } from '../workflow/context.js';
import { lockDatastore, type Datastore, type LockResult } from '../workflow/lock.js';

export default class Lock extends BaseCommand<typeof Lock> {
  static override summary = 'Lock a datastore (ClusterInformation datastoreReady=false), recording who and when.';
  static override description = `Locking the source (etcd) is the migration freeze: while it is locked Calico's CNI refuses new pods ("Calico is currently not ready to process requests") and Felix restarts and waits. Lock right before plan and apply; the source stays locked after apply on purpose, so a rollback has an unchanged source to return to. A compare-and-swap write; locking a locked datastore changes nothing. It asks for confirmation first; without a terminal it refuses (exit ${EXIT_CODES.ABORTED}, nothing locked) unless --auto-approve.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379',
    '<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379 --auto-approve   # in a script',
    '<%= config.bin %> <%= command.id %> --datastore kubernetes --kubeconfig ~/.kube/target',
  ];
  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    datastore: Flags.string({ summary: 'Which datastore to lock.', options: ['etcd', 'kubernetes'], default: 'etcd' }),
    'auto-approve': Flags.boolean({ summary: 'Do not ask before locking (required without a terminal).' }),
  };

  protected async execute({ flags }: CommandInput<typeof Lock>, ctx: Context): Promise<CommandResult<LockResult>> {
    // The workflow says what it locked (said under --json too, the warning on stderr).
    return { data: await lockDatastore(flags.datastore as Datastore, ctx, { autoApprove: !!flags['auto-approve'] }), exitCode: 'OK' };
  }
}
