/** `export`: convert the source and render it, without touching any cluster. */
import { convertSnapshot, loadVendoredCrds } from '../convert/index.js';
import { renderCalicoctlExport } from '../export/calicoctl-writer.js';
import { renderKubernetesYaml } from '../export/kubernetes-yaml.js';
import type { ConversionResult, Diagnostic } from '../model/types.js';
import type { Context } from './context.js';
import { sourceInvalidError } from './plan.js';
import { readNodeMap, readSource, type SourceOptions } from './source.js';

export interface ExportOptions {
  source: SourceOptions;
  format: 'kubernetes' | 'calicoctl';
  nodeMapFile?: string;
  calicoVersion?: string;
  skipUnknown: boolean;
}

export interface ExportOutcome {
  text: string;
  objects: number;
  skipped: number;
  warnings: Diagnostic[];
  result: ConversionResult;
}

export async function exportSource(opts: ExportOptions, ctx: Context): Promise<ExportOutcome> {
  const snapshot = await readSource(opts.source, ctx);
  // No target here: objects are validated against the CRDs vendored with the tool (Calico v3.32.1).
  const result = convertSnapshot(snapshot, { calicoVersion: opts.calicoVersion, nodeMap: readNodeMap(opts.nodeMapFile), skipUnknown: opts.skipUnknown, crds: loadVendoredCrds() });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw sourceInvalidError(errors, snapshot.endpoints.join(','));
  const text = opts.format === 'kubernetes' ? renderKubernetesYaml(result.objects) : renderCalicoctlExport(snapshot, result);
  return { text, objects: result.objects.length, skipped: result.skipped.length, warnings: result.diagnostics.filter((d) => d.severity === 'warning'), result };
}
