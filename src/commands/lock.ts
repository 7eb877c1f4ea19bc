import { Flags } from '@oclif/core';
import { EtcdSource } from '../adapters/etcd/source.js';
import { BaseCommand } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { sourceFlags, targetFlags } from '../cli/flags.js';
import { resolveSourceSettings } from '../config/source.js';
import { defaultContext } from '../workflow/context.js';
import { describeLock, setEtcdLock, setKubeLock, type LockResult } from '../workflow/lock.js';
import { openTarget } from '../workflow/target.js';

export default class Lock extends BaseCommand<typeof Lock> {
  static override summary = 'Lock a datastore (ClusterInformation datastoreReady=false), recording who and when.';
  static override description = `Locking the source (etcd) is the migration freeze: while it is locked Calico's CNI refuses new pods ("Calico is currently not ready to process requests") and Felix restarts and waits. Lock right before plan and apply; the source stays locked after apply on purpose, so a rollback has an unchanged source to return to. A compare-and-swap write; locking a locked datastore changes nothing.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379', '<%= config.bin %> <%= command.id %> --datastore kubernetes --kubeconfig ~/.kube/target'];
  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    datastore: Flags.string({ summary: 'Which datastore to lock.', options: ['etcd', 'kubernetes'], default: 'etcd' }),
  };

  async run(): Promise<LockResult> {
    const { flags } = await this.parse(Lock);
    const io = this.makeIo(flags);
    const ctx = defaultContext(io, this.config.version);
    let result: LockResult;
    if (flags.datastore === 'etcd') {
      const etcd = EtcdSource.connect(resolveSourceSettings(flags));
      try {
        result = await setEtcdLock(etcd, true, ctx);
      } finally {
        etcd.close();
      }
    } else {
      const target = await openTarget(flags);
      try {
        result = await setKubeLock(target, true, ctx);
      } finally {
        target.close();
      }
    }
    io.say('info', `${result.changed ? 'Locked' : 'Already locked'}: ${describeLock(result)}`);
    if (flags.datastore === 'etcd' && result.changed) io.say('warn', 'new pods cannot start on this cluster until it is unlocked or migrated (Calico CNI refuses them while the datastore is locked)');
    return result;
  }
}
