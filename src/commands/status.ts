import { Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { sourceFlags, targetFlags } from '../cli/flags.js';
import type { Io } from '../io.js';
import type { Context } from '../workflow/context.js';
import { describeLock } from '../workflow/lock.js';
import { DEFAULT_STATE_DIR } from '../workflow/state-dir.js';
import { migrationStatus, type StatusReport } from '../workflow/status.js';
import type { FactSource } from '../workflow/status-facts.js';
import type { ClusterRun } from '../model/status-record.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show where the migration stands: lock states, apply lease, last apply, phase.';
  static override description = `Phases: not started, planned, applying, partial, pre-copied, applied, rolled back, verified, unlocked. A datastore that is not configured or not reachable is reported, not fatal.\n\nWorks from any machine: apply, pre-copy, cutover and verify record their runs in the target (ConfigMap kube-system/calico-migrate-status), and the state directory adds its journals; each fact says where it came from, and where the two disagree that is said.\n\n${EXIT_CODES_HELP}`;
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
  const from = (f: FactSource | null) => (f ? ` (${sourceName(f, r)})` : '');
  const by = (who: string | undefined) => (who ? ` by ${who}` : '');
  if (r.last_apply)
    io.out(
      `  last apply: ${r.last_apply.mode} plan ${r.last_apply.plan_id} ${r.last_apply.status} at ${r.last_apply.at}${by(r.last_apply.by)}; reverse plan ${r.last_apply.reverse_path}${from(r.from.last_apply)}`,
    );
  else if (r.last_plan) io.out(`  last plan: ${r.last_plan.path} (${r.last_plan.plan_id}, ${r.last_plan.changes} change(s))`);
  if (r.precopy) io.out(`  pre-copied at source revision ${r.precopy.source_revision ?? '?'} (plan ${r.precopy.plan_id}, ${r.precopy.at})${from(r.from.precopy)}`);
  if (r.phase === 'pre-copied') io.out('  next: `calico-migrate cutover` (lock the source, apply the delta since the pre-copy, verify)');
  if (r.reverse_plans.length) io.out(`  reverse plans (roll back newest first, or all at once with \`calico-migrate rollback --all\`): ${r.reverse_plans.join(', ')}`);
  if (r.verified) io.out(`  last verify: ${r.verified.ok ? 'passed' : `${r.verified.differences} difference(s)`} at ${r.verified.at}${by(r.verified.by)}${from(r.from.verified)}`);
  renderClusterRecord(r, io);
}

function sourceName(f: FactSource, r: StatusReport): string {
  switch (f) {
    case 'local':
      return 'from the state directory';
    case 'cluster':
      return `from the target's run record ${r.cluster_record.location}`;
    case 'cache':
      return `from the local copy of the target's run record, ${r.cluster_record.cached_at ?? '?'}`;
    default: {
      const never: never = f;
      throw new Error(`unknown fact source ${String(never)}`);
    }
  }
}

function renderClusterRecord(r: StatusReport, io: Io): void {
  const c = r.cluster_record;
  switch (c.state) {
    case 'read':
      io.out(`  runs recorded in the target (${c.location}), newest first:`);
      break;
    case 'absent':
      io.out(`  runs recorded in the target: none (${c.location} does not exist)`);
      break;
    case 'cache':
      io.out(`  runs recorded in the target: unreadable (${c.error}); the local copy of ${c.cached_at ?? '?'}, newest first:`);
      break;
    case 'unavailable':
      io.out(`  runs recorded in the target: unreadable (${c.error})`);
      break;
    default: {
      const never: never = c.state;
      throw new Error(`unknown record state ${String(never)}`);
    }
  }
  for (const run of c.runs) io.out(`    ${describeRun(run)}`);
  for (const s of c.stale) io.out(`  the record may be stale: ${s} (still "running": its process may have died or could not write the record)`);
  for (const d of r.disagreements) io.out(`  disagreement: ${d}`);
}

function describeRun(run: ClusterRun): string {
  const what = `${run.command}${run.plan_id ? ` of plan ${run.plan_id}` : ''}`;
  const counts = run.total !== null ? `, ${run.done ?? 0}/${run.total} write(s)` : '';
  const verify = run.verify ? `, verify ${run.verify.ok ? 'passed' : `found ${run.verify.differences} difference(s)`} (${run.verify.compared} compared)` : '';
  const when = run.finished_at ? `${run.started_at} → ${run.finished_at}` : `started ${run.started_at}, recorded ${run.updated_at}`;
  const journal = run.journal ? `; journal ${run.journal}` : '';
  const why = run.message && run.outcome !== 'complete' ? `; ${run.message}` : '';
  return `${what}: ${run.outcome}${counts}${verify}; ${when} by ${run.by}${journal}${why}`;
}
