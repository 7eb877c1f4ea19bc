import { Flags } from '@oclif/core';
import { writeFileSync } from 'node:fs';
import { BaseCommand } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { conversionFlags, sourceFlags } from '../cli/flags.js';
import { defaultContext } from '../workflow/context.js';
import { exportSource } from '../workflow/export.js';

export default class Export extends BaseCommand<typeof Export> {
  static override summary = 'Write the converted data as Kubernetes YAML (for review or GitOps) or as a calicoctl export file.';
  static override description = `--format kubernetes writes every object calico-migrate would hold in the target (crd.projectcalico.org/v1 custom resources, and the Calico annotations of each Node) as multi-document YAML in apply order. --format calicoctl writes a \`calicoctl datastore migrate export\` file, with node names already mapped. Objects are validated against the CRDs vendored with the tool (Calico v3.32.1). Nothing is written when any entry cannot be converted.\n\n${EXIT_CODES_HELP}`;
  static override examples = ['<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379 --out calico.yaml', '<%= config.bin %> <%= command.id %> --format calicoctl --out etcd-data', '<%= config.bin %> <%= command.id %> --from-export etcd-data --format kubernetes'];
  static override flags = {
    ...sourceFlags,
    ...conversionFlags,
    format: Flags.string({ summary: 'Output format.', options: ['kubernetes', 'calicoctl'], default: 'kubernetes' }),
    out: Flags.string({ char: 'o', summary: 'Output file (default: standard output).' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Export);
    const io = this.makeIo(flags);
    const ctx = defaultContext(io, this.config.version);
    const r = await exportSource({ source: flags, format: flags.format as 'kubernetes' | 'calicoctl', nodeMapFile: flags['node-map'], calicoVersion: flags['calico-version'], skipUnknown: flags['skip-unknown'] }, ctx);
    for (const w of r.warnings) io.say('warn', `${w.key ?? w.object ?? ''}: ${w.message}`);
    if (flags.out) {
      writeFileSync(flags.out, r.text);
      io.say('info', `Wrote ${r.objects} object(s) to ${flags.out} (${r.skipped} source key(s) skipped as not migrated).`);
    } else if (!flags.json) {
      process.stdout.write(r.text);
    }
    return { format: flags.format, out: flags.out ?? null, objects: r.objects, skipped: r.result.skipped, warnings: r.warnings, ...(flags.out ? {} : { text: r.text }) };
  }
}
