import { Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { targetFlags } from '../cli/flags.js';
import { EXIT_CODES } from '../errors.js';
import { writeRollbackAgainstTarget, type AgainstTargetReport } from '../workflow/rollback-against-target.js';
import type { Io } from '../io.js';
import { describeDrift } from '../apply/rebase-reverse.js';
import type { Context } from '../workflow/context.js';
import { writeCompositeRollback, writeRollbackPlan, type CompositeRollbackReport, type RollbackReport } from '../workflow/rollback.js';
import { DEFAULT_STATE_DIR } from '../workflow/state-dir.js';

export default class Rollback extends BaseCommand<typeof Rollback> {
  static override summary = 'Write the reverse plan of an apply from its journal (after an apply that was killed, or whose reverse plan is gone).';
  static override description = `apply writes its reverse plan when it stops; a run that was killed leaves only its journal, which records every write before it is sent. This reads the journal and the plan it was written for (files only, nothing is sent) and writes the reverse plan: review it with \`show\`, run it with \`apply\`, which checks the target first. Writes whose answer the journal lacks are undone only if the object is exactly what that write would have left.\n\nWith --against-target it also reads the target (nothing is written to it) and plans the reverse against each object as it is now: objects already as before the apply are left out, and objects others changed, deleted or re-created since the apply are drift. Drift is listed and needs a decision per object, --restore (back to the pre-apply state, overwriting the change) or --skip (left as it is), or --on-drift for all; undecided drift exits ${EXIT_CODES.DRIFT} and writes nothing.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --journal .calico-migrate/journal-0123abcd4567.jsonl --out rollback.plan.json',
    '<%= config.bin %> <%= command.id %> --against-target --skip NetworkSet/prod/* --on-drift restore',
  ];
  static override flags = {
    journal: Flags.string({ summary: 'The apply journal (default: the newest in --state-dir).' }),
    plan: Flags.string({ summary: 'The plan file the journal was written for (default: the path its header records).' }),
    out: Flags.string({ summary: 'Where to write the reverse plan (default: the path the journal header records).' }),
    'state-dir': Flags.string({ summary: 'Directory apply keeps its journals in.', default: DEFAULT_STATE_DIR }),
    all: Flags.boolean({
      summary: 'One reverse plan for every apply recorded into the target (a pre-copy, its delta, resumes): applied, it restores the target as it was before the first.',
      exclusive: ['journal', 'plan'],
    }),
    'against-target': Flags.boolean({ summary: 'Read the target and plan the reverse against it as it is now, reporting drift (objects changed by others since the apply).' }),
    restore: Flags.string({
      summary: 'With --against-target: drifted objects to restore to their pre-apply state (KIND, KIND/NAME, KIND/NAMESPACE/NAME, globs; repeatable).',
      multiple: true,
      dependsOn: ['against-target'],
    }),
    skip: Flags.string({ summary: 'With --against-target: drifted objects to leave as they are (patterns as --restore; repeatable).', multiple: true, dependsOn: ['against-target'] }),
    'on-drift': Flags.string({ summary: 'With --against-target: the decision for drifted objects no --restore/--skip names.', options: ['restore', 'skip'], dependsOn: ['against-target'] }),
    parallelism: Flags.integer({ summary: 'With --against-target: concurrent reads from the API server.', default: 16, min: 1, max: 256 }),
    ...targetFlags,
  };

  protected async execute(
    { flags }: CommandInput<typeof Rollback>,
    ctx: Context,
  ): Promise<CommandResult<(RollbackReport | CompositeRollbackReport | AgainstTargetReport) & { apply_command: string }>> {
    if (flags['against-target']) {
      const r = await writeRollbackAgainstTarget(
        {
          stateDir: flags['state-dir'],
          journal: flags.journal,
          planPath: flags.plan,
          all: flags.all,
          out: flags.out,
          restore: flags.restore ?? [],
          skip: flags.skip ?? [],
          onDrift: flags['on-drift'] as 'restore' | 'skip' | undefined,
          parallelism: flags.parallelism,
        },
        ctx,
      );
      const command = `calico-migrate apply ${r.reverse_path}`;
      return { data: { ...r, apply_command: command }, exitCode: 'OK', render: (io) => renderAgainstTarget(r, command, io) };
    }
    if (flags.all) {
      const all = await writeCompositeRollback({ stateDir: flags['state-dir'], out: flags.out }, ctx);
      const command = `calico-migrate apply ${all.reverse_path}`;
      return {
        data: { ...all, apply_command: command },
        exitCode: 'OK',
        render: (io) => {
          io.out(
            `Reverse plan: ${all.reverse_path} (${all.reverse_plan_id}), ${all.changes} change(s) undoing ${all.runs.length} run(s): ${all.runs.map((r) => `${r.kind} ${r.plan_id}`).join(', ')}.`,
          );
          io.out(`  review:    calico-migrate show ${all.reverse_path}`);
          io.out(`  roll back: ${command}`);
        },
      };
    }
    const r = await writeRollbackPlan({ stateDir: flags['state-dir'], journal: flags.journal, planPath: flags.plan, out: flags.out }, ctx);
    const applyCommand = `calico-migrate apply ${r.reverse_path}`;
    return { data: { ...r, apply_command: applyCommand }, exitCode: 'OK', render: (io) => renderRollback(r, applyCommand, io) };
  }
}

function renderRollback(r: RollbackReport, applyCommand: string, io: Io): void {
  io.out(`Reverse plan: ${r.reverse_path} (${r.reverse_plan_id}), undoing ${r.changes} write(s) of plan ${r.plan_id} recorded in ${r.journal}.`);
  if (r.unsettled) io.out(`  ${r.unsettled} of them have no recorded answer: each is undone only if the object is exactly what that write would have left.`);
  if (!r.journal_ended) io.say('warn', 'the journal has no end line: that apply was interrupted, or is still running (see `calico-migrate status`); a running apply is not covered past this point');
  io.out(`  review:    calico-migrate show ${r.reverse_path}`);
  io.out(`  roll back: ${applyCommand}`);
}

function renderAgainstTarget(r: AgainstTargetReport, applyCommand: string, io: Io): void {
  io.out(
    `Reverse plan: ${r.reverse_path} (${r.reverse_plan_id}), ${r.changes} change(s) against the target as it is now, undoing ${r.runs.length} run(s): ${r.runs.map((x) => `${x.kind} ${x.plan_id}`).join(', ')}.`,
  );
  io.out(`  ${r.already_restored} object(s) already as before the apply; ${r.drift.length} drifted since it${r.drift.length ? ':' : '.'}`);
  for (const d of r.drift.slice(0, 50)) io.out(`    ${d.decision === 'restore' ? 'restore' : 'skip   '} ${describeDrift(d)}`);
  if (r.drift.length > 50) io.out(`    … ${r.drift.length - 50} more (see --json)`);
  io.out(`  review:    calico-migrate show ${r.reverse_path}`);
  io.out(`  roll back: ${applyCommand}`);
}
