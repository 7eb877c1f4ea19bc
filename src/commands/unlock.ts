import { Flags } from '@oclif/core';
import { EtcdSource } from '../adapters/etcd/source.js';
import { BaseCommand } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { conversionFlags, sourceFlags, targetFlags } from '../cli/flags.js';
import { resolveSourceSettings } from '../config/source.js';
import { MigrateError } from '../errors.js';
import { releaseLease } from '../apply/lease.js';
import { defaultContext } from '../workflow/context.js';
import { describeLock, readKubeLock, setEtcdLock, setKubeLock } from '../workflow/lock.js';
import { DEFAULT_STATE_DIR, writeRecord } from '../workflow/state-dir.js';
import { openTarget } from '../workflow/target.js';
import { verifyMigration } from '../workflow/verify.js';

export default class Unlock extends BaseCommand<typeof Unlock> {
  static override summary = 'Unlock a datastore, or release a stale apply lease.';
  static override description = `unlock --datastore kubernetes is the point of no return: Calico in Kubernetes-datastore mode starts acting on the migrated data, and from then on the etcd data is history. It refuses unless verify passes (the target holds exactly what the source says), or --force.
unlock --datastore etcd ends a migration freeze without migrating (e.g. after a rollback); it refuses while the target is unlocked, since two live datastores would then both drive the cluster.
unlock --lease releases the apply lease of a crashed apply; only with the matching --holder, or --force.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --datastore kubernetes --etcd-endpoints http://10.0.0.1:2379 --kubeconfig ~/.kube/target',
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
    force: Flags.boolean({ summary: 'Skip the safety check (verify for kubernetes, holder match for --lease, target state for etcd).' }),
    'state-dir': Flags.string({ summary: 'Directory for status records.', default: DEFAULT_STATE_DIR }),
    parallelism: Flags.integer({ summary: 'Concurrent requests while verifying.', default: 16, min: 1, max: 256 }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Unlock);
    const io = this.makeIo(flags);
    const ctx = defaultContext(io, this.config.version);
    if (flags.lease) {
      const target = await openTarget(flags);
      try {
        const r = await releaseLease(target, { expectedHolder: flags.holder, force: flags.force }, ctx.now);
        io.say('info', r.released ? `Released the apply lease held by ${r.lease?.holder}.` : 'No apply lease is held.');
        return r;
      } finally {
        target.close();
      }
    }
    if (!flags.datastore) throw new MigrateError('USAGE', 'say what to unlock: --datastore etcd|kubernetes, or --lease', { hint: 'see `calico-migrate unlock --help`' });

    if (flags.datastore === 'kubernetes') {
      if (!flags.force) {
        io.say('info', 'Verifying the target against the source before the point of no return…');
        const v = await verifyMigration({ source: flags, target: flags, nodeMapFile: flags['node-map'], calicoVersion: flags['calico-version'], skipUnknown: flags['skip-unknown'], parallelism: flags.parallelism }, ctx);
        writeRecord(flags['state-dir'], 'verified.json', { at: ctx.now().toISOString(), ok: v.ok, source_digest: v.source_digest, target_cluster_uid: v.target_cluster_uid, differences: v.differences.length });
        if (!v.ok) {
          throw new MigrateError('VERIFY_FAILED', `refusing to unlock the target: verify found ${v.differences.length} difference(s) between source and target (first: ${v.differences[0].object} ${v.differences[0].kind})`, {
            hint: 'run `calico-migrate verify` to see them, plan and apply again; --force unlocks anyway',
            details: v.differences.slice(0, 100),
          });
        }
      }
      const target = await openTarget(flags);
      try {
        const r = await setKubeLock(target, false, ctx);
        io.say('info', `${r.changed ? 'Unlocked' : 'Already unlocked'}: ${describeLock(r)}`);
        io.say('warn', 'Calico now runs from the Kubernetes datastore. Keep the etcd source locked: it is the frozen copy, not a second live datastore.');
        writeRecord(flags['state-dir'], 'unlocked.json', { at: ctx.now().toISOString(), by: ctx.who, forced: flags.force });
        return r;
      } finally {
        target.close();
      }
    }

    if (!flags.force) {
      const target = await openTarget(flags);
      try {
        const k = await readKubeLock(target);
        if (k.exists && !k.locked) {
          throw new MigrateError('VERIFY_FAILED', 'refusing to unlock the source: the target datastore is unlocked, so Calico may already run from it; two unlocked datastores would both drive the cluster', {
            hint: 'lock the target first (calico-migrate lock --datastore kubernetes), or pass --force',
          });
        }
      } finally {
        target.close();
      }
    }
    const etcd = EtcdSource.connect(resolveSourceSettings(flags));
    try {
      const r = await setEtcdLock(etcd, false, ctx);
      io.say('info', `${r.changed ? 'Unlocked' : 'Already unlocked'}: ${describeLock(r)}`);
      return r;
    } finally {
      etcd.close();
    }
  }
}
