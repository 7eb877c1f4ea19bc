import { Args } from '@oclif/core';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { completionScript, type Shell } from '../workflow/completion.js';

export default class Completion extends BaseCommand<typeof Completion> {
  static override summary = 'Print a bash or zsh completion script for the commands and their flags.';
  static override description = `Load it in the current shell with \`source <(calico-migrate completion bash)\`, or write it where your shell reads completions.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['source <(<%= config.bin %> <%= command.id %> bash)', '<%= config.bin %> <%= command.id %> zsh > "${fpath[1]}/_calico-migrate"'];
  static override args = { shell: Args.string({ description: 'The shell to complete for.', options: ['bash', 'zsh'], default: 'bash' }) };

  protected async execute({ args }: CommandInput<typeof Completion>): Promise<CommandResult<{ shell: Shell; script: string }>> {
    const commands = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({ id: c.id, flags: Object.entries(c.flags ?? {}).flatMap(([name, f]) => (f.type === 'boolean' && f.allowNo ? [name, `no-${name}`] : [name])) }));
    const shell = args.shell as Shell;
    const script = completionScript(shell, this.config.bin, commands);
    return { data: { shell, script }, exitCode: 'OK', render: (io) => io.out(script) };
  }
}
