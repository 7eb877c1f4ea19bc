/**
 * The command edge: flags (and the environment oclif already folded into them) become settings,
 * once per command. Files the flags name (PEMs, calicoctl configs, the kubeconfig, the node map)
 * are read here and nowhere else. A side the command line leaves unconfigured is kept as its
 * error, thrown only if a workflow opens that side, so `status` can report it instead of failing.
 */
import { readNodeMap } from '../config/node-map.js';
import { resolveSourceSettings, type EtcdSettings, type SourceFlags } from '../config/source.js';
import { resolveKubeConfig, type TargetFlags } from '../config/target.js';
import { isMigrateError, type MigrateError } from '../errors.js';
import type { ConversionSettings } from '../model/types.js';

export type SourceSettings = { type: 'etcd'; etcd: EtcdSettings } | { type: 'export-file'; file: string };

export interface TargetSettings {
  kubeConfig: ReturnType<typeof resolveKubeConfig>;
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; error: MigrateError };

export interface Settings {
  source: Resolved<SourceSettings>;
  target: Resolved<TargetSettings>;
  conversion: ConversionSettings;
}

/** Every flag any command may carry that says where the datastores are or how to convert; all optional. */
export type SettingsFlags = SourceFlags &
  TargetFlags & {
    'from-export'?: string;
    'node-map'?: string;
    'calico-version'?: string;
    'skip-unknown'?: boolean;
  };

function attempt<T>(resolve: () => T): Resolved<T> {
  try {
    return { ok: true, value: resolve() };
  } catch (e) {
    if (isMigrateError(e)) return { ok: false, error: e };
    throw e;
  }
}

export function resolveSettings(flags: SettingsFlags, env: NodeJS.ProcessEnv = process.env): Settings {
  const exportFile = flags['from-export'];
  return {
    source: attempt<SourceSettings>(() => (exportFile ? { type: 'export-file', file: exportFile } : { type: 'etcd', etcd: resolveSourceSettings(flags) })),
    target: attempt<TargetSettings>(() => ({ kubeConfig: resolveKubeConfig(flags, env) })),
    // A bad --node-map is the operator's to fix before anything runs, whatever the command does.
    conversion: { nodeMap: readNodeMap(flags['node-map']), calicoVersion: flags['calico-version'], skipUnknown: !!flags['skip-unknown'] },
  };
}
