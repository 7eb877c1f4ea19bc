import { Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { sourceFlags, targetFlags } from '../cli/flags.js';
import type { Io } from '../io.js';
import type { Context } from '../workflow/context.js';
import { describeLock } from '../workflow/lock.js';
import { DEFAULT_STATE_DIR } from '../workflow/state-dir.js';
import { migrationStatus, type StatusReport } from '../workflow/status.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show where the migration stands: lock states, apply lease, last apply, phase.';
  static override description = `Phases: not started, planned, applying, partial, pre-copied, applied, rolled back, verified, unlocked. A datastore that is not configured or not reachable is reported, not fatal.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379 --kubeconfig ~/.kube/target', '<%= config.bin %> <%= command.id %> --json'];
  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    'state-dir': Flags.string({ summary: 'Directory apply and verify keep their records in.', default: DEFAULT_STATE_DIR }),
  };

  protected async execute({ flags }: CommandInput<typeof Status>, ctx: Context): Promise<CommandResult<StatusReport>> {
    const r = await migrationStatus({ stateDir: flags['state-dir'] }, ctx);
    return { data: r, exitCode: 'OK', render: (io) => renderStatus(r, io) };
  }
}

function renderStatus(r: StatusReport, io: Io): void {
  const side = (s: StatusReport['source']) => ('error' in s ? `unavailable (${s.error})` : describeLock(s));
  io.out(`Phase: ${r.phase}`);
  io.out(`  ${'error' in r.source ? `source (etcd): ${side(r.source)}` : side(r.source)}`);
  io.out(`  ${'error' in r.target ? `target (Kubernetes): ${side(r.target)}` : side(r.target)}`);
  if (r.target_connection) io.out(`  target connection: ${r.target_connection}`);
  if (r.target_live)
    io.out(
      '  the target is LIVE (its ClusterInformation is unlocked, Calico may run from it): plan and apply refuse to write to it without --allow-live-target; to go back to etcd, lock it first (`calico-migrate lock --datastore kubernetes`)',
    );
  if (r.lease && 'error' in r.lease) io.out('  apply lease: unknown (target unavailable)');
  else if (r.lease) io.out(`  apply lease: held by ${r.lease.holder} (renewed ${r.lease.renewTime}, ${r.lease.expired ? 'EXPIRED' : `expires ${r.lease.expiresAt}`})`);
  else io.out('  apply lease: free');
  if (r.journal) io.out(`  last journal: ${r.journal.path}: ${r.journal.done} done, ${r.journal.failed} failed, ${r.journal.open} open; ${r.journal.ended ?? 'not finished'}`);
  if (r.journal && r.phase === 'partial') {
    // After any stop (killed, a signal, a failure) both ways on are named: the plan is the one the
    // last apply recorded when it is this journal's, and the rollback is written from the journal.
    const plan = r.last_apply && r.last_apply.journal === r.journal.path ? r.last_apply.plan_path : '<plan>';
    io.out(
      `  next: resume with \`calico-migrate apply ${plan} --resume ${r.journal.path}\`, or roll back: \`calico-migrate rollback --journal ${r.journal.path}\`, then apply the reverse plan it writes`,
    );
  }
  if (r.last_apply) io.out(`  last apply: ${r.last_apply.mode} plan ${r.last_apply.plan_id} ${r.last_apply.status} at ${r.last_apply.at}; reverse plan ${r.last_apply.reverse_path}`);
  else if (r.last_plan) io.out(`  last plan: ${r.last_plan.path} (${r.last_plan.plan_id}, ${r.last_plan.changes} change(s))`);
  if (r.precopy) io.out(`  pre-copied at source revision ${r.precopy.source_revision ?? '?'} (plan ${r.precopy.plan_id}, ${r.precopy.at})`);
  if (r.phase === 'pre-copied') io.out('  next: `calico-migrate cutover` (lock the source, apply the delta since the pre-copy, verify)');
  if (r.reverse_plans.length) io.out(`  reverse plans (roll back newest first, or all at once with \`calico-migrate rollback --all\`): ${r.reverse_plans.join(', ')}`);
  if (r.verified) io.out(`  last verify: ${r.verified.ok ? 'passed' : `${r.verified.differences} difference(s)`} at ${r.verified.at}`);
}
