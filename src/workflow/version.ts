/**
 * What `calico-migrate version` reports: the tool, the runtime, the plan formats it writes and
 * reads (and the schema that describes them), and the Calico release whose CRDs and rules the
 * conversion targets. The runtime is given by the host, so the same input gives the same report.
 */
import { DEFAULT_NAMING_VERSION } from '../convert/version.js';
import { PLAN_SCHEMA } from '../plan/plan-schema.js';
import { SUPPORTED_FORMAT_VERSIONS } from '../plan/plan-file.js';
import { FORMAT_VERSION } from '../plan/types.js';

export interface Runtime {
  /** `process.version`, e.g. `v20.19.0`. */
  node: string;
  /** `process.platform`. */
  platform: string;
  /** `process.arch`. */
  arch: string;
}

export interface VersionReport {
  name: string;
  version: string;
  node: string;
  platform: string;
  arch: string;
  plan: {
    /** The format_version plan files are written in. */
    format_version: string;
    /** The format_versions this build reads. */
    readable_format_versions: string[];
    /** The published JSON Schema of a plan (schemas/plan.schema.json): its $id and the draft it is written in. */
    schema: { id: string; draft: string };
  };
  /** The Calico release the conversion targets: its vendored CRDs, validation rules and default naming. */
  calico_version: string;
}

export function versionReport(tool: { name: string; version: string }, runtime: Runtime): VersionReport {
  return {
    name: tool.name,
    version: tool.version,
    node: runtime.node,
    platform: runtime.platform,
    arch: runtime.arch,
    plan: {
      format_version: FORMAT_VERSION,
      readable_format_versions: [...SUPPORTED_FORMAT_VERSIONS],
      schema: { id: PLAN_SCHEMA.$id, draft: PLAN_SCHEMA.$schema.replace(/^.*\/(draft-\d+)\/.*$/, '$1') },
    },
    calico_version: DEFAULT_NAMING_VERSION,
  };
}

/** The text form: one `field: value` line each. */
export function versionLines(r: VersionReport): string[] {
  return [
    `${r.name} ${r.version}`,
    `node: ${r.node}`,
    `platform: ${r.platform}-${r.arch}`,
    `plan format: ${r.plan.format_version} (reads ${r.plan.readable_format_versions.join(', ')})`,
    `plan schema: ${r.plan.schema.id} (JSON Schema ${r.plan.schema.draft})`,
    `calico: ${r.calico_version} (the CRDs and validation rules the conversion targets)`,
  ];
}
