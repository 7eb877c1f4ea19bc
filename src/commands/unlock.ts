import { Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { conversionFlags, sourceFlags, targetFlags } from '../cli/flags.js';
import { EXIT_CODES, MigrateError } from '../errors.js';
import type { Context } from '../workflow/context.js';
import type { Datastore } from '../workflow/lock.js';
import { DEFAULT_STATE_DIR } from '../workflow/state-dir.js';
import { releaseApplyLease, unlockDatastore } from '../workflow/unlock.js';

export default class Unlock extends BaseCommand<typeof Unlock> {
  static override summary = 'Unlock a datastore, or release a stale apply lease.';
  static override description = `unlock --datastore kubernetes is the point of no return: Calico in Kubernetes-datastore mode starts acting on the migrated data, and from then on the etcd data is history. It refuses unless verify passes (the target holds exactly what the source says), or --force, and then asks for confirmation; without a terminal it refuses (exit ${EXIT_CODES.ABORTED}, nothing unlocked) unless --auto-approve.
unlock --datastore etcd ends a migration freeze without migrating (e.g. after a rollback); it refuses while the target is unlocked, since two live datastores would then both drive the cluster.
unlock --lease releases the apply lease of a crashed apply; only with the matching --holder, or --force.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --datastore kubernetes --etcd-endpoints http://10.0.0.1:2379 --kubeconfig ~/.kube/target',
    '<%= config.bin %> <%= command.id %> --datastore kubernetes --etcd-endpoints http://10.0.0.1:2379 --kubeconfig ~/.kube/target --auto-approve   # in a script',
    '<%= config.bin %> <%= command.id %> --datastore etcd --etcd-endpoints http://10.0.0.1:2379 --kubeconfig ~/.kube/target',
    '<%= config.bin %> <%= command.id %> --lease --holder "ops@host/1234/sha256:…" --kubeconfig ~/.kube/target',
  ];
  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    ...conversionFlags,
    datastore: Flags.string({ summary: 'Which datastore to unlock.', options: ['etcd', 'kubernetes'], exclusive: ['lease'] }),
    lease: Flags.boolean({ summary: 'Release the apply lease instead of a datastore lock.' }),
    holder: Flags.string({ summary: 'With --lease: the holder identity shown by `status` (must match).' }),
    'auto-approve': Flags.boolean({ summary: 'With --datastore kubernetes: do not ask before the point of no return (required without a terminal).' }),
    force: Flags.boolean({ summary: 'Skip the safety check (verify for kubernetes, holder match for --lease, target state for etcd).' }),
    'state-dir': Flags.string({ summary: 'Directory for status records.', default: DEFAULT_STATE_DIR }),
    parallelism: Flags.integer({ summary: 'Concurrent requests while verifying.', default: 16, min: 1, max: 256 }),
  };

  protected async execute({ flags, conversion }: CommandInput<typeof Unlock>, ctx: Context): Promise<CommandResult> {
    if (flags.lease) return { data: await releaseApplyLease({ holder: flags.holder, force: !!flags.force }, ctx), exitCode: 'OK' };
    if (!flags.datastore) throw new MigrateError('USAGE', 'say what to unlock: --datastore etcd|kubernetes, or --lease', { hint: 'see `calico-migrate unlock --help`' });
    const r = await unlockDatastore(
      { datastore: flags.datastore as Datastore, force: !!flags.force, conversion, parallelism: flags.parallelism, stateDir: flags['state-dir'], autoApprove: !!flags['auto-approve'] },
      ctx,
    );
    return { data: r, exitCode: 'OK' };
  }
}
