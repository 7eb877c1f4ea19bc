import { Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { sourceFlags, targetFlags } from '../cli/flags.js';
import type { Context } from '../workflow/context.js';
import { describeLock, lockDatastore, type Datastore, type LockResult } from '../workflow/lock.js';

export default class Lock extends BaseCommand<typeof Lock> {
  static override summary = 'Lock a datastore (ClusterInformation datastoreReady=false), recording who and when.';
  static override description = `Locking the source (etcd) is the migration freeze: while it is locked Calico's CNI refuses new pods ("Calico is currently not ready to process requests") and Felix restarts and waits. Lock right before plan and apply; the source stays locked after apply on purpose, so a rollback has an unchanged source to return to. A compare-and-swap write; locking a locked datastore changes nothing.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379', '<%= config.bin %> <%= command.id %> --datastore kubernetes --kubeconfig ~/.kube/target'];
  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    datastore: Flags.string({ summary: 'Which datastore to lock.', options: ['etcd', 'kubernetes'], default: 'etcd' }),
  };

  protected async execute({ flags }: CommandInput<typeof Lock>, ctx: Context): Promise<CommandResult<LockResult>> {
    const datastore = flags.datastore as Datastore;
    const result = await lockDatastore(datastore, ctx);
    // Narration, not rendering: said under --json too (the warning on stderr), as it always was.
    ctx.io.say('info', `${result.changed ? 'Locked' : 'Already locked'}: ${describeLock(result)}`);
    if (datastore === 'etcd' && result.changed) ctx.io.say('warn', 'new pods cannot start on this cluster until it is unlocked or migrated (Calico CNI refuses them while the datastore is locked)');
    return { data: result, exitCode: 'OK' };
  }
}
