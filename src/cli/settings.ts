/**
 * The command edge: flags (and the environment oclif already folded into them) become settings,
 * once per command. Files the flags name (PEMs, calicoctl configs, the kubeconfig, the node map)
 * are read here and nowhere else. A side the command line leaves unconfigured is kept as its
 * error, thrown only if a workflow opens that side, so `status` can report it instead of failing.
 */
import { readNodeMap } from '../config/node-map.js';
import { resolveSourceSettings, type EtcdSettings, type SourceFlags } from '../config/source.js';
import { resolveTarget, type ResolvedTarget, type TargetFlags } from '../config/target.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../adapters/etcd/source.js';
import { isMigrateError, MigrateError } from '../errors.js';
import type { ConversionSettings } from '../model/types.js';

export type SourceSettings = { type: 'etcd'; etcd: EtcdSettings } | { type: 'export-file'; file: string };

/** The kubeconfig, where it came from, and the proxy variables of the environment. */
export type TargetSettings = ResolvedTarget;

export type Resolved<T> = { ok: true; value: T } | { ok: false; error: MigrateError };

export interface Settings {
  source: Resolved<SourceSettings>;
  target: Resolved<TargetSettings>;
  conversion: ConversionSettings;
  /** How long one request to either datastore may take (--request-timeout). */
  requestTimeoutMs: number;
}

/** Every flag any command may carry that says where the datastores are or how to convert; all optional. */
export type SettingsFlags = SourceFlags &
  TargetFlags & {
    'from-export'?: string;
    'node-map'?: string;
    'calico-version'?: string;
    'skip-unknown'?: boolean;
    'request-timeout'?: number;
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
  // Two sources named at once: which one the operator meant is not ours to guess. ETCD_ENDPOINTS
  // from the environment alone (a shell set up for the cluster) is not a choice made here.
  const etcdOnCommandLine = flags['etcd-endpoints'] !== undefined && flags['etcd-endpoints'] !== env.ETCD_ENDPOINTS;
  if (exportFile && (etcdOnCommandLine || flags['source-config'])) {
    throw new MigrateError('USAGE', `--from-export ${exportFile} and ${flags['source-config'] ? '--source-config' : '--etcd-endpoints'} both name the source`, {
      hint: 'pass one source: the export file, or the etcd to read',
    });
  }
  return {
    source: attempt<SourceSettings>(() => (exportFile ? { type: 'export-file', file: exportFile } : { type: 'etcd', etcd: resolveSourceSettings(flags) })),
    target: attempt<TargetSettings>(() => resolveTarget(flags, env)),
    // A bad --node-map is the operator's to fix before anything runs, whatever the command does.
    conversion: { nodeMap: readNodeMap(flags['node-map']), calicoVersion: flags['calico-version'], skipUnknown: !!flags['skip-unknown'] },
    requestTimeoutMs: (flags['request-timeout'] ?? DEFAULT_REQUEST_TIMEOUT_MS / 1000) * 1000,
  };
}
