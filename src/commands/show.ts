import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { BaseCommand } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { MigrateError } from '../errors.js';
import { parsePlan } from '../plan/plan-file.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import { renderPlanText } from '../plan/render-text.js';

export default class Show extends BaseCommand<typeof Show> {
  static override summary = 'Render a saved plan as text, Markdown (for a pull-request comment) or JSON.';
  static override description = `The plan file is validated (schema and plan_id) before anything is shown.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> migration.plan.json', '<%= config.bin %> <%= command.id %> migration.plan.json --format markdown --max-bytes 60000 > comment.md'];
  static override args = { plan: Args.string({ description: 'Plan file written by `plan` (or a reverse plan written by `apply`).', required: true }) };
  static override flags = {
    format: Flags.string({ summary: 'Output format.', options: ['text', 'markdown', 'json'], default: 'text' }),
    'max-bytes': Flags.integer({ summary: 'Markdown only: cap the output size; the summary is kept and details are truncated with a note.', min: 1000 }),
    verbose: Flags.boolean({ char: 'v', summary: 'Show every object in full, including no-ops.' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Show);
    const io = this.makeIo(flags);
    let text: string;
    try {
      text = readFileSync(args.plan, 'utf8');
    } catch (e) {
      throw new MigrateError('USAGE', `cannot read plan file ${args.plan} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { hint: 'pass the path of a plan file written by `calico-migrate plan`' });
    }
    const plan = parsePlan(text, args.plan);
    if (flags.json) return plan;
    if (flags.format === 'json') io.out(JSON.stringify(plan, null, 2));
    else if (flags.format === 'markdown') io.out(renderPlanMarkdown(plan, { maxBytes: flags['max-bytes'] }));
    else io.out(renderPlanText(plan, { verbose: flags.verbose }));
    return plan;
  }
}
