/** Flags shared by commands, grouped so --help shows the source and target settings apart. */
import { Flags } from '@oclif/core';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../adapters/etcd/source.js';

/** One deadline for every request to either datastore; listed under both groups (one flag). */
const requestTimeout = Flags.integer({
  summary: 'Seconds one request to etcd or the Kubernetes API may take before it counts as lost (a timed-out request is tried once more).',
  default: DEFAULT_REQUEST_TIMEOUT_MS / 1000,
  min: 1,
  max: 3600,
  helpGroup: 'CONNECTION',
});

export const sourceFlags = {
  'request-timeout': requestTimeout,
  'etcd-endpoints': Flags.string({ summary: 'Source etcd client URLs, comma-separated.', env: 'ETCD_ENDPOINTS', helpGroup: 'SOURCE (etcd)' }),
  'etcd-ca-cert': Flags.string({ summary: 'CA certificate (PEM) for etcd TLS.', env: 'ETCD_CA_CERT_FILE', helpGroup: 'SOURCE (etcd)' }),
  'etcd-cert': Flags.string({ summary: 'Client certificate (PEM) for etcd TLS.', env: 'ETCD_CERT_FILE', helpGroup: 'SOURCE (etcd)' }),
  'etcd-key': Flags.string({ summary: 'Client key (PEM) for etcd TLS.', env: 'ETCD_KEY_FILE', helpGroup: 'SOURCE (etcd)' }),
  'etcd-username': Flags.string({ summary: 'etcd user name.', env: 'ETCD_USERNAME', helpGroup: 'SOURCE (etcd)' }),
  'etcd-password': Flags.string({ summary: 'etcd password (prefer the ETCD_PASSWORD environment variable).', env: 'ETCD_PASSWORD', helpGroup: 'SOURCE (etcd)' }),
  'source-config': Flags.string({ summary: 'A calicoctl config file (CalicoAPIConfig, datastoreType: etcdv3) for the source.', helpGroup: 'SOURCE (etcd)' }),
};

export const targetFlags = {
  'request-timeout': requestTimeout,
  kubeconfig: Flags.string({ summary: 'Kubeconfig of the target cluster.', env: 'KUBECONFIG', helpGroup: 'TARGET (Kubernetes)' }),
  context: Flags.string({ summary: 'Kubeconfig context to use.', helpGroup: 'TARGET (Kubernetes)' }),
  'target-config': Flags.string({ summary: 'A calicoctl config file (CalicoAPIConfig, datastoreType: kubernetes) for the target.', helpGroup: 'TARGET (Kubernetes)' }),
};

export const conversionFlags = {
  'from-export': Flags.string({ summary: 'Read a `calicoctl datastore migrate export` file instead of a live etcd.', helpGroup: 'CONVERSION' }),
  'node-map': Flags.string({ summary: 'JSON or YAML file mapping etcd node names to Kubernetes node names.', helpGroup: 'CONVERSION' }),
  'calico-version': Flags.string({ summary: 'Calico version whose naming rules to apply (default: the source ClusterInformation calicoVersion).', helpGroup: 'CONVERSION' }),
  'skip-unknown': Flags.boolean({ summary: 'Skip (and report) unknown keys under /calico/ instead of failing.', helpGroup: 'CONVERSION' }),
};

/**
 * -o/--output FORMAT, as kubectl has it: -o names a format, never a file (files are --out). Its
 * former name --format still parses (an alias, so scripts keep working) and oclif warns that it
 * is deprecated; the summary says so, since a hidden alias is not otherwise in the help.
 */
export function outputFlag<const V extends string>(formats: readonly V[], defaultFormat: V, summary: string) {
  return Flags.string({
    char: 'o',
    summary: `${summary} (--format, its former name, still works but is deprecated.)`,
    options: [...formats],
    default: defaultFormat,
    aliases: ['format'],
    deprecateAliases: true,
  });
}

/**
 * The size cap of `-o markdown`: GitHub refuses a comment over 65,536 characters, so that is the
 * default. Characters are counted as JavaScript counts them (UTF-16 code units), never fewer than
 * GitHub's count; --max-bytes caps UTF-8 bytes instead, for tools that count bytes.
 */
export const markdownCapFlags = {
  'max-chars': Flags.integer({
    summary:
      "Markdown only: cap the output at this many characters (default: GitHub's comment limit; 0: no cap). The summary, the checks and the changes to review are kept; creates and plain Node updates are cut first, with a note saying how to see all.",
    default: 65536,
    min: 0,
    exclusive: ['max-bytes'],
  }),
  'max-bytes': Flags.integer({ summary: 'Markdown only: cap the output at this many UTF-8 bytes instead of characters (0: no cap).', min: 0, exclusive: ['max-chars'] }),
};
