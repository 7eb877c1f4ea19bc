import { Args, Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { sourceFlags, targetFlags } from '../cli/flags.js';
import type { Io } from '../io.js';
import { DEFAULT_PARALLELISM } from '../apply/executor.js';
import { runApply, type ApplyOutcome } from '../workflow/apply.js';
import type { Context } from '../workflow/context.js';
import { DEFAULT_STATE_DIR } from '../workflow/state-dir.js';

export default class Apply extends BaseCommand<typeof Apply> {
  static override heapGrowth = 'default' as const;
  static override settlesOnSignal = true;
  static override summary = 'Execute a saved plan, and nothing else, under guards; journal every write, and write the reverse plan when it stops.';
  static override description = `Before the first write: the plan file must be intact and (with --expect-plan-id) the approved one, have no failed check, be for this target cluster and this source etcd, the source must be locked (or --lock) and unchanged, and every target object as the plan saw it. Then the exclusive apply lease is taken and the plan runs in dependency waves, in parallel inside a wave. Every write is journaled before it is sent, and when apply stops it writes the reverse plan (an ordinary plan file) from the journal, so any apply can be resumed (--resume JOURNAL) or rolled back (apply REVERSE-PLAN); after a run that was killed, \`calico-migrate rollback\` writes the reverse plan from the journal. The source stays locked afterwards on purpose.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> migration.plan.json --expect-plan-id sha256:… --auto-approve',
    '<%= config.bin %> <%= command.id %> migration.plan.json --resume .calico-migrate/journal-0123abcd4567.jsonl --auto-approve',
    '<%= config.bin %> <%= command.id %> .calico-migrate/reverse-0123abcd4567.json   # roll back',
  ];
  static override args = { plan: Args.string({ description: 'Plan file (from `plan`, or a reverse plan written by apply).', required: true }) };
  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    'expect-plan-id': Flags.string({ summary: 'Refuse unless the plan file is exactly this plan_id (what CI approved).' }),
    lock: Flags.boolean({ summary: 'Lock the source datastore first if it is not locked.' }),
    'auto-approve': Flags.boolean({ summary: 'Do not ask for confirmation (required without a terminal).' }),
    resume: Flags.string({ summary: 'Continue an interrupted apply from its journal.' }),
    precopy: Flags.boolean({
      summary: 'Pre-copy: apply a plan of the running (unlocked) source into the target, whose ClusterInformation the plan locks first; the cut-over then applies only the delta.',
    }),
    'allow-live-target': Flags.boolean({
      summary: 'Write into a target whose ClusterInformation is unlocked (Calico may run from it): after the point of no return, only if you mean it.',
    }),
    parallelism: Flags.integer({ summary: 'Concurrent writes inside a wave.', default: DEFAULT_PARALLELISM, min: 1, max: 256 }),
    'state-dir': Flags.string({ summary: 'Directory for the journal and the reverse plan.', default: DEFAULT_STATE_DIR }),
    'fail-after': Flags.integer({ summary: 'Testing only: fail after this many writes, to rehearse resume and rollback.', hidden: true }),
  };

  protected async execute({ args, flags }: CommandInput<typeof Apply>, ctx: Context): Promise<CommandResult> {
    const outcome = await runApply(
      {
        planPath: args.plan,
        stateDir: flags['state-dir'],
        expectPlanId: flags['expect-plan-id'],
        lock: !!flags.lock,
        autoApprove: !!flags['auto-approve'],
        resume: flags.resume,
        precopy: !!flags.precopy,
        allowLiveTarget: !!flags['allow-live-target'],
        parallelism: flags.parallelism,
        failAfter: flags['fail-after'],
      },
      ctx,
    );
    const r = outcome.result;
    return {
      data: { ...r, resume_command: outcome.resumeCommand, rollback_command: outcome.rollbackCommand },
      exitCode: r.exit,
      render: (io) => renderApply(outcome, io),
    };
  }
}

function renderApply(outcome: ApplyOutcome, io: Io): void {
  const r = outcome.result;
  const c = r.counts;
  if (r.status === 'complete') {
    io.out(
      `Apply complete: ${c.created} created, ${c.updated} updated, ${c.deleted} deleted${c.adopted ? `, ${c.adopted} adopted` : ''}${c.skipped ? `, ${c.skipped} already done` : ''} in ${r.seconds.toFixed(1)}s (${r.rate_per_s.toFixed(0)} objects/s).`,
    );
    io.out(`Reverse plan: ${r.reverse_path}  (roll back with: ${outcome.rollbackCommand})`);
    if (outcome.precopy)
      io.out(
        `Pre-copied at source revision ${outcome.plan.source.revision ?? '?'}; the target stays locked and the source keeps running. Next: \`calico-migrate cutover\` (lock, delta plan, apply, verify).`,
      );
    else if (outcome.plan.mode === 'migrate')
      io.out('The source stays locked (the migration freeze). Next: roll calico-node to the Kubernetes datastore, `calico-migrate verify`, then `calico-migrate unlock --datastore kubernetes`.');
  } else {
    const why = r.interrupted ? `interrupted by ${r.interrupted}` : r.exit === 'STALE' ? 'stale' : 'partial';
    io.out(`Apply stopped (${why}): ${c.done}/${c.total} done, ${c.failed} failed, ${c.not_started} not started.`);
    if (r.failed) io.out(`  failed: ${r.failed.address}: ${r.failed.reason}: ${r.failed.message}`);
    io.out(`  resume:   ${outcome.resumeCommand}`);
    io.out(`  rollback: ${outcome.rollbackCommand}`);
    const lease = r.lease_released ? 'the apply lease was released' : 'the apply lease could not be released (see the warning); it lapses by itself within 30 s';
    io.out(`  ${outcome.precopy ? 'The target stays locked' : 'The source stays locked'}; ${lease}.`);
  }
  for (const w of r.warnings) io.say('warn', w);
}
