import { Flags } from '@oclif/core';
import { loadVendoredCrds } from '../adapters/vendored-crds.js';
import { BaseCommand, type CommandInput, type CommandResult } from '../cli/base-command.js';
import { EXIT_CODES_HELP } from '../cli/exit-help.js';
import { conversionFlags, outputFlag, sourceFlags } from '../cli/flags.js';
import type { Context } from '../workflow/context.js';
import { writeOutputFile } from '../workflow/plan-output.js';
import { exportSource } from '../workflow/export.js';

export default class Export extends BaseCommand<typeof Export> {
  static override summary = 'Write the converted data as Kubernetes YAML (for review or GitOps) or as a calicoctl export file.';
  static override description = `-o kubernetes (the default) writes every object calico-migrate would hold in the target (crd.projectcalico.org/v1 custom resources, and the Calico annotations of each Node) as multi-document YAML in apply order. -o calicoctl writes a \`calicoctl datastore migrate export\` file, with node names already mapped. Objects are validated against the CRDs vendored with the tool (Calico v3.32.1). Nothing is written when any entry cannot be converted.\n\n${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --etcd-endpoints http://10.0.0.1:2379 --out calico.yaml',
    '<%= config.bin %> <%= command.id %> -o calicoctl --out etcd-data',
    '<%= config.bin %> <%= command.id %> --from-export etcd-data -o kubernetes',
  ];
  static override flags = {
    ...sourceFlags,
    ...conversionFlags,
    output: outputFlag(['kubernetes', 'calicoctl'], 'kubernetes', 'Output format: Kubernetes YAML, or a calicoctl export file'),
    out: Flags.string({ summary: 'Output file (default: standard output).' }),
  };

  protected async execute({ flags, conversion }: CommandInput<typeof Export>, ctx: Context): Promise<CommandResult> {
    const format = flags.output as 'kubernetes' | 'calicoctl';
    const r = await exportSource({ conversion, format, crds: loadVendoredCrds() }, ctx);
    for (const w of r.warnings) ctx.io.say('warn', `${w.key ?? w.object ?? ''}: ${w.message}`);
    const out = flags.out;
    if (out) {
      writeOutputFile('--out', out, r.text);
      ctx.io.say('info', `Wrote ${r.objects} object(s) to ${out} (${r.skipped} source key(s) skipped as not migrated).`);
    }
    return {
      data: { format: flags.output, out: out ?? null, objects: r.objects, skipped: r.result.skipped, warnings: r.warnings, ...(out ? {} : { text: r.text }) },
      exitCode: 'OK',
      // Without --out the YAML (or export file) is the output, byte for byte: it ends in a newline, or is empty.
      render: (io) => {
        if (!out && r.text !== '') io.out(r.text);
      },
    };
  }
}
