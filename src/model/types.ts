/** Shapes shared by reading, converting, planning and applying. All are plain JSON values. */

/** One etcd key as read at the snapshot revision. `value` is the UTF-8 text of the stored bytes. */
export interface SourceKV {
  key: string;
  value: string;
  modRevision: number;
}

/** Everything under `/calico/` at one etcd revision (or the equivalent from a calicoctl export file). */
export interface SourceSnapshot {
  /** `etcd` for a live read, `export-file` for `--from-export`. */
  origin: 'etcd' | 'export-file';
  /** Endpoints without credentials; the export file path for `export-file`. */
  endpoints: string[];
  /** etcd cluster id (decimal string) or null when unknown (export file). */
  clusterId: string | null;
  /** The revision every key was read at; null for an export file. */
  revision: number | null;
  /** Sorted by key, unique. */
  kvs: SourceKV[];
}

export type Severity = 'error' | 'warning' | 'info';

/** A finding about one key or object; errors stop a plan, warnings are shown and recorded. */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine code, e.g. `invalid-json`, `unknown-kind`, `node-collision`, `schema`. */
  code: string;
  /** The etcd key it concerns, when there is one. */
  key?: string;
  /** The target object address it concerns, when there is one. */
  object?: string;
  /** JSON path inside the value, e.g. `/spec/cidr`. */
  path?: string;
  message: string;
  /** The next step for the operator. */
  hint?: string;
}

/** A key that is deliberately not migrated, with the reason the operator sees. */
export interface SkippedKey {
  key: string;
  /** Stable category, e.g. `kdd-derived-profile`, `workload-endpoint`, `felix-status`, `v1-syncer-model`. */
  category: string;
  reason: string;
}

export interface SourceRef {
  key: string;
  mod_revision: number;
}

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/**
 * One object the target should hold. For `kind: Node` (apiVersion v1) `body` is
 * `{apiVersion, kind, metadata: {name, annotations}}` holding only the Calico-managed annotations.
 */
export interface DesiredObject {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  body: KubeObject;
  sources: SourceRef[];
  /** Set when the object must be written after its owners (plan/owner-references.ts); else its kind's wave. */
  wave?: number;
}

/** What the source ClusterInformation says (carried to the target, not migrated as a plain CR). */
export interface SourceClusterInfo {
  key: string;
  modRevision: number;
  clusterGUID: string | null;
  calicoVersion: string | null;
  clusterType: string | null;
  /** null when the field is absent (treated as ready, i.e. unlocked). */
  datastoreReady: boolean | null;
  /** When Calico initialised the datastore (the object's metadata.creationTimestamp); null when unset. */
  creationTimestamp: string | null;
}

export interface ConversionResult {
  objects: DesiredObject[];
  skipped: SkippedKey[];
  diagnostics: Diagnostic[];
  /** etcd node name -> Kubernetes node name, for every Calico node seen. */
  nodeMap: Record<string, string>;
  clusterInfo: SourceClusterInfo | null;
  /** The Calico version whose naming rules were applied (e.g. `v3.31.2`). */
  namingVersion: string;
  /**
   * When the source datastore was initialised: its ClusterInformation's creationTimestamp, else the
   * earliest creationTimestamp of a source resource; null when none has one. The objects Calico
   * creates when it initialises a datastore (ClusterInformation, protected tiers) get this time.
   */
  datastoreCreatedAt: string | null;
}

export interface ConvertOptions {
  /** Overrides the source ClusterInformation calicoVersion for naming rules. */
  calicoVersion?: string;
  /** Explicit etcd node -> Kubernetes node names (from --node-map). */
  nodeMap?: Record<string, string>;
  /** Turn unknown keys into skips instead of errors. */
  skipUnknown?: boolean;
}

/**
 * How to convert, as resolved from the command line once (`--node-map` already read, at the
 * command edge). A plan records these so apply and verify convert the same way.
 */
export interface ConversionSettings {
  nodeMap?: Record<string, string>;
  calicoVersion?: string;
  skipUnknown: boolean;
}
