/** `export`: convert the source and render it, without touching any cluster. */
import { validateObjects } from '../checks/schema.js';
import { convertSnapshot } from '../convert/index.js';
import { renderCalicoctlExport } from '../export/calicoctl-writer.js';
import { renderKubernetesYaml } from '../export/kubernetes-yaml.js';
import type { ConversionResult, ConversionSettings, Diagnostic } from '../model/types.js';
import type { Context } from './context.js';
import { conversionErrors, readSnapshot, sourceInvalidError } from './desired-state.js';

export interface ExportOptions {
  conversion: ConversionSettings;
  format: 'kubernetes' | 'calicoctl';
  /**
   * The CRDs to validate against. No target here, so the command passes the ones vendored with
   * the tool (adapters/vendored-crds.ts, Calico v3.32.1).
   */
  crds: readonly unknown[];
}

export interface ExportOutcome {
  text: string;
  objects: number;
  skipped: number;
  /** Conversion warnings, then the schema check's (unusable CRDs, fields the API server would drop). */
  warnings: Diagnostic[];
  result: ConversionResult;
}

/** @throws MigrateError SOURCE_INVALID, with nothing rendered, when an entry cannot be converted or violates a CRD schema. */
export async function exportSource(opts: ExportOptions, ctx: Context): Promise<ExportOutcome> {
  const source = await ctx.openSource();
  const snapshot = await readSnapshot(source, ctx);
  const result = convertSnapshot(snapshot, opts.conversion);
  const schema = validateObjects(opts.crds, result.objects);
  const errors = [...conversionErrors(result), ...schema.errors];
  if (errors.length) throw sourceInvalidError(errors, snapshot.endpoints.join(','));
  const text = opts.format === 'kubernetes' ? renderKubernetesYaml(result.objects) : renderCalicoctlExport(snapshot, result);
  return {
    text,
    objects: result.objects.length,
    skipped: result.skipped.length,
    warnings: [...result.diagnostics.filter((d) => d.severity === 'warning'), ...schema.warnings],
    result,
  };
}
