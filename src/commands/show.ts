import { Args, Flags } from '@oclif/core';
import { markdownCapFlags, outputFlag } from '../cli/flags.js';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { MigrateError } from '../errors.js';
import { planMarkdownLines } from '../plan/render-markdown.js';
import { outLines } from '../io.js';
import { planTextLines } from '../plan/render-text.js';
import { loadPlan } from '../workflow/apply.js';

export default class Show extends BaseCommand<typeof Show> {
  static override summary = 'Render a saved plan as text, Markdown (for a pull-request comment) or JSON.';
  static override description = `The plan file is validated (schema and plan_id) before anything is shown.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> migration.plan.json',
    '<%= config.bin %> <%= command.id %> migration.plan.json --verbose',
    '<%= config.bin %> <%= command.id %> migration.plan.json -o markdown > comment.md',
    '<%= config.bin %> <%= command.id %> migration.plan.json -o markdown --max-chars 0 > full-plan.md',
  ];
  static override args = { plan: Args.string({ description: 'Plan file written by `plan` (or a reverse plan written by `apply`).', required: true }) };
  static override flags = {
    output: outputFlag(['text', 'markdown', 'json'], 'text', 'Output format'),
    ...markdownCapFlags,
    verbose: Flags.boolean({
      char: 'v',
      summary: 'List every change, each object in full, and unchanged objects (otherwise creates and plain Node updates of a kind beyond 20 are one line).',
    }),
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
            outLines(io, planMarkdownLines(plan, { maxChars: flags['max-chars'], maxBytes: flags['max-bytes'], verbose: flags.verbose, planFile: args.plan }));
            return;
          case 'text':
            outLines(io, planTextLines(plan, { verbose: flags.verbose, planFile: args.plan, color }));
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
