import { BaseCommand, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { outLines } from '../io.js';
import { versionLines, versionReport, type VersionReport } from '../workflow/version.js';

export default class Version extends BaseCommand<typeof Version> {
  static override summary = 'Show the tool version, Node version, plan format and schema, target Calico version and platform.';
  static override description = `\`--version\` is the same command.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];
  static override flags = {};

  protected async execute(): Promise<CommandResult<VersionReport>> {
    const r = versionReport({ name: this.config.name, version: this.config.version }, { node: process.version, platform: process.platform, arch: process.arch });
    return { data: r, exitCode: 'OK', render: (io) => outLines(io, versionLines(r)) };
  }
}
