import { Flags } from '@oclif/core';
import { DEFAULT_PARALLELISM } from '../apply/executor.js';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { conversionFlags, sourceFlags, targetFlags } from '../cli/flags.js';
import { EXIT_CODES, type ExitName } from '../errors.js';
import type { Io } from '../io.js';
import { FAIL_ON_VALUES } from '../plan/gates.js';
import type { Context } from '../workflow/context.js';
import { runCutover, type CutoverReport, type CutoverStop } from '../workflow/cutover.js';
import { DEFAULT_STATE_DIR } from '../workflow/state-dir.js';

const EXIT_OF: Record<CutoverStop, ExitName> = {
  'checks-failed': 'CHECK_FAILED',
  'gate-refused': 'GATE_REFUSED',
  'apply-stopped': 'PARTIAL',
  'verify-failed': 'VERIFY_FAILED',
};

export default class Cutover extends BaseCommand<typeof Cutover> {
  static override summary = 'After a pre-copy: catch up while the source runs, then lock it, plan what changed since, check, apply and verify it, as one guarded step; report the freeze window.';
  static override description = `The migration freeze (no new pod can start while the source is locked) lasts only as long as the changes made in the seconds before it. First a catch-up round while the source runs: the delta since the pre-copy (\`apply PLAN --precopy\`) is planned against a full read of both sides, gated and applied as another pre-copy. Then the source is locked and only what changed since the catch-up is planned (asked of etcd by revision; only those objects are read from the target), applied, and every object written since the catch-up's full read is read back. Both plans are written next to the others. Before any write the cut-over stops when a check fails or a plan matches a --fail-on policy (exit ${EXIT_CODES.CHECK_FAILED} or ${EXIT_CODES.GATE_REFUSED}): before the lock the source keeps running; under it the source stays locked so the delta can be approved and applied as it is, or the freeze ended with \`unlock --datastore etcd\`. A source already locked gets no catch-up: the delta is planned under the lock from a full read. The freeze window is measured from the lock to the passing verify.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> --node-map node-map.json --fail-on destructive --auto-approve', '<%= config.bin %> <%= command.id %> --json | jq .freeze_seconds'];
  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    ...conversionFlags,
    out: Flags.string({ summary: 'Where to write the delta plan made under the lock (default: the state directory).' }),
    'state-dir': Flags.string({ summary: 'Directory for plans, journals, reverse plans and records.', default: DEFAULT_STATE_DIR }),
    'fail-on': Flags.string({
      summary: `Stop before writing (exit ${EXIT_CODES.GATE_REFUSED}) when the catch-up or the delta has any of: ${FAIL_ON_VALUES.join(', ')} (comma-separated).`,
      multiple: true,
      delimiter: ',',
      options: [...FAIL_ON_VALUES],
    }),
    'auto-approve': Flags.boolean({ summary: 'Do not ask before locking the source (required without a terminal).' }),
    parallelism: Flags.integer({ summary: 'Concurrent requests of the plan and verify.', default: 16, min: 1, max: 256 }),
    'accept-invalid': Flags.string({
      summary: "Migrate objects matching KIND[/NAMESPACE][/NAME] (globs; repeatable) as they are, although Calico's validator rejects them.",
      multiple: true,
    }),
    'apply-parallelism': Flags.integer({ summary: 'Concurrent writes of the apply.', default: DEFAULT_PARALLELISM, min: 1, max: 256 }),
  };

  protected async execute({ flags, conversion }: CommandInput<typeof Cutover>, ctx: Context): Promise<CommandResult<CutoverReport>> {
    const r = await runCutover(
      {
        conversion,
        stateDir: flags['state-dir'],
        out: flags.out,
        failOn: flags['fail-on'] ?? [],
        autoApprove: !!flags['auto-approve'],
        planParallelism: flags.parallelism,
        applyParallelism: flags['apply-parallelism'],
        acceptInvalid: flags['accept-invalid'] ?? [],
      },
      ctx,
    );
    return { data: r, exitCode: r.stopped ? EXIT_OF[r.stopped] : 'OK', render: (io) => renderCutover(r, io) };
  }
}

function renderCutover(r: CutoverReport, io: Io): void {
  const c = r.catch_up;
  if (c) {
    const a = c.apply;
    io.out(
      `Catch-up (the source running): plan ${c.path} (${c.plan_id}), ${c.writes} write(s)${a ? `: ${a.counts.created} created, ${a.counts.updated} updated, ${a.counts.deleted} deleted` : ''} in ${c.seconds.toFixed(1)} s${r.precopy ? `, since the pre-copy at source revision ${r.precopy.source_revision ?? '?'}` : ' (no pre-copy recorded: it copied everything)'}.`,
    );
  }
  const d = r.delta_plan;
  if (d) {
    io.out(
      `Delta under the lock: plan ${d.path} (${d.plan_id}): ${d.create} to create, ${d.update} to update, ${d.delete} to delete, ${d.extra} extra${r.delta ? `; the source ${r.delta.source === 'unchanged' ? 'had not changed since the catch-up' : 'was read again'}, ${r.delta.touched} object(s) compared with the target` : ''}.`,
    );
  }
  if (r.apply)
    io.out(`Applied: ${r.apply.counts.created} created, ${r.apply.counts.updated} updated, ${r.apply.counts.deleted} deleted in ${r.apply.seconds.toFixed(1)} s; reverse plan ${r.apply.reverse_path}`);
  if (r.verify)
    io.out(
      r.verify.ok
        ? `Verified: ${r.verify.compared} object(s) written since the full read of the target read back as the source converts them${r.catch_up ? '' : ' (a full verify)'}.`
        : `Verify found ${r.verify.differences} difference(s).`,
    );
  if (r.stopped) {
    io.out(d ? `Cut-over stopped (${r.stopped}); the source stays locked. Freeze so far: ${r.freeze_seconds.toFixed(1)} s.` : `Cut-over stopped (${r.stopped}) before the lock.`);
    for (const reason of r.reasons) io.out(`  - ${reason}`);
  } else {
    io.out(
      `Freeze window: ${r.freeze_seconds.toFixed(1)} s from the lock to the passing verify (plan ${r.phases.plan.toFixed(1)} s, apply ${r.phases.apply.toFixed(1)} s, verify ${r.phases.verify.toFixed(1)} s).`,
    );
  }
  io.out('Next:');
  for (const n of r.next) io.out(`  ${n}`);
}
