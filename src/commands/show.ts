import { Args, Flags } from '@oclif/core';
import { outputFlag } from '../cli/flags.js';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { MigrateError } from '../errors.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { outLines } from '../io.js';
import { planTextLines } from '../plan/render-text.js';
import { loadPlan } from '../workflow/apply.js';

export default class Show extends BaseCommand<typeof Show> {
  static override summary = 'Render a saved plan as text, Markdown (for a pull-request comment) or JSON.';
  static override description = `The plan file is validated (schema and plan_id) before anything is shown.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> migration.plan.json', '<%= config.bin %> <%= command.id %> migration.plan.json -o markdown --max-bytes 60000 > comment.md'];
  static override args = { plan: Args.string({ description: 'Plan file written by `plan` (or a reverse plan written by `apply`).', required: true }) };
  static override flags = {
    output: outputFlag(['text', 'markdown', 'json'], 'text', 'Output format'),
    'max-bytes': Flags.integer({ summary: 'Markdown only: cap the output size; the summary is kept and details are truncated with a note.', min: 1000 }),
    verbose: Flags.boolean({ char: 'v', summary: 'Show every object in full, including no-ops.' }),
  };

  protected async execute({ args, flags }: CommandInput<typeof Show>): Promise<CommandResult> {
    const plan = loadPlan(args.plan);
    return {
      data: plan,
      exitCode: 'OK',
      render: (io, { color }) => {
        const format = flags.output as 'text' | 'markdown' | 'json';
        switch (format) {
          case 'json':
            io.out(JSON.stringify(plan, null, 2));
            return;
          case 'markdown':
            io.out(renderPlanMarkdown(plan, { maxBytes: flags['max-bytes'] }));
            return;
          case 'text':
            outLines(io, planTextLines(plan, { verbose: flags.verbose, color }));
            return;
          default: {
            const never: never = format;
            throw new MigrateError('USAGE', `unknown -o/--output ${String(never)}`, { hint: 'pass -o text, markdown or json' });
          }
        }
      },
    };
  }
}
