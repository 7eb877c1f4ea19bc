import { Flags } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { conversionFlags, markdownCapFlags, outputFlag, sourceFlags, targetFlags } from '../cli/flags.js';
import { EXIT_CODES } from '../errors.js';
import { FAIL_ON_VALUES, detailedExitCode, evaluateGates } from '../plan/gates.js';
import { outLines } from '../io.js';
import { planMarkdownLines } from '../plan/render-markdown.js';
import { planTextLines } from '../plan/render-text.js';
import type { Context } from '../workflow/context.js';
import { makePlan } from '../workflow/plan.js';
import { openPlanOutput, savePlan } from '../workflow/plan-output.js';
import { assertUsableStateDir, DEFAULT_STATE_DIR } from '../workflow/state-dir.js';

const PLAN_OUTPUT_FORMATS = ['text', 'markdown', 'json'] as const;

export default class Plan extends BaseCommand<typeof Plan> {
  static override summary = 'Compute what apply would write: convert the etcd data, diff it with the target, run every check, write a plan file.';
  static override description = `Reads every Calico key in etcd at one revision, converts each to the object Calico's Kubernetes datastore stores, compares with what the target holds, dry-runs every write on the API server, checks everything apply could trip on, and writes a plan file for review. Writes nothing to either datastore.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379 --kubeconfig ~/.kube/target --out migration.plan.json',
    '<%= config.bin %> <%= command.id %> --detailed-exitcode --fail-on update,extra',
    '<%= config.bin %> <%= command.id %> -o markdown > plan-comment.md',
    '<%= config.bin %> <%= command.id %> --include "NetworkPolicy/prod/*" --exclude IPAMHandle',
  ];

  static override flags = {
    ...sourceFlags,
    ...targetFlags,
    ...conversionFlags,
    out: Flags.string({ summary: 'Where to write the plan file.', default: 'calico-migrate.plan.json' }),
    output: outputFlag(PLAN_OUTPUT_FORMATS, 'text', 'How to print the plan: text, markdown (for a pull-request comment) or json (the document --json prints)'),
    'state-dir': Flags.string({ summary: 'Directory for journals, reverse plans and status records.', default: DEFAULT_STATE_DIR }),
    include: Flags.string({ summary: 'Only objects matching KIND[/NAMESPACE][/NAME] (globs; repeatable).', multiple: true }),
    exclude: Flags.string({ summary: 'Leave out objects matching KIND[/NAMESPACE][/NAME] (globs; repeatable).', multiple: true }),
    prune: Flags.boolean({ summary: 'Delete Calico objects the target holds but the source does not (otherwise reported as extra).' }),
    'server-dry-run': Flags.boolean({ summary: 'Dry-run every create and update on the API server (--no-server-dry-run to skip).', default: true, allowNo: true }),
    parallelism: Flags.integer({ summary: 'Concurrent requests to the API server.', default: 16, min: 1, max: 256 }),
    'detailed-exitcode': Flags.boolean({ summary: 'Exit 0 when there is nothing to change, 2 when there are changes.' }),
    'fail-on': Flags.string({
      summary: `Exit ${EXIT_CODES.GATE_REFUSED} when the plan has any of: ${FAIL_ON_VALUES.join(', ')} (comma-separated).`,
      multiple: true,
      delimiter: ',',
      options: [...FAIL_ON_VALUES],
    }),
    'allow-live-target': Flags.boolean({
      summary: 'Write into a target whose ClusterInformation is unlocked (Calico may run from it): after the point of no return, only if you mean it.',
    }),
    'accept-invalid': Flags.string({
      summary: "Migrate objects matching KIND[/NAMESPACE][/NAME] (globs; repeatable) as they are, although Calico's validator rejects them: the calico-validation check warns instead of failing.",
      multiple: true,
    }),
    ...markdownCapFlags,
    verbose: Flags.boolean({
      char: 'v',
      summary: 'List every change, each object in full, and unchanged objects (otherwise creates and plain Node updates of a kind beyond 20 are one line).',
    }),
  };

  protected async execute({ flags, conversion }: CommandInput<typeof Plan>, ctx: Context): Promise<CommandResult> {
    assertUsableStateDir(flags['state-dir']);
    const output = openPlanOutput(flags.out);
    let made: Awaited<ReturnType<typeof makePlan>>;
    try {
      made = await makePlan(
        {
          conversion,
          include: flags.include ?? [],
          exclude: flags.exclude ?? [],
          prune: !!flags.prune,
          serverDryRun: flags['server-dry-run'],
          parallelism: flags.parallelism,
          stateDir: flags['state-dir'],
          allowLiveTarget: !!flags['allow-live-target'],
          acceptInvalid: flags['accept-invalid'] ?? [],
        },
        ctx,
        (line) => output.write(line),
      );
      savePlan({ plan: made.plan, output, stateDir: flags['state-dir'] }, ctx);
    } finally {
      output.abort();
    }
    const { plan } = made;
    const gateFailures = evaluateGates(plan, flags['fail-on'] ?? []);
    const failedChecks = plan.checks.filter((c) => c.status === 'fail');
    let exit: number = EXIT_CODES.OK;
    if (failedChecks.length) exit = EXIT_CODES.CHECK_FAILED;
    else if (gateFailures.length) exit = EXIT_CODES.GATE_REFUSED;
    else if (flags['detailed-exitcode']) exit = detailedExitCode(plan);

    const data = { plan_file: flags.out, plan_id: plan.plan_id, mode: plan.mode, summary: plan.summary, checks: plan.checks, warnings: plan.warnings, gate_failures: gateFailures, exit_code: exit };
    return {
      data,
      exitCode: exit,
      render: (io, { color }) => {
        const format = flags.output as (typeof PLAN_OUTPUT_FORMATS)[number];
        // The rendering is the output (stdout); the notes below are narration (stderr), so `-o markdown > comment.md` holds only the plan.
        if (format === 'json') io.out(JSON.stringify(data, null, 2));
        else if (format === 'markdown') outLines(io, planMarkdownLines(plan, { maxChars: flags['max-chars'], maxBytes: flags['max-bytes'], verbose: flags.verbose, planFile: flags.out }));
        else outLines(io, planTextLines(plan, { verbose: flags.verbose, planFile: flags.out, color }));
        io.say('info', `Plan written to ${flags.out} (${plan.plan_id}).`);
        for (const g of gateFailures) io.say('error', `gate: ${g}`);
        if (failedChecks.length) io.say('error', `${failedChecks.length} check(s) failed; apply will refuse this plan. Fix them and plan again.`);
        else if (!gateFailures.length) io.say('info', `To apply exactly this plan: ${this.config.bin} apply ${flags.out} --expect-plan-id ${plan.plan_id}`);
      },
    };
  }
}
