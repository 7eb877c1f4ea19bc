/**
 * The plan, format version 2: a pure value, written record by record as canonical JSON Lines and
 * validated against the plan schema on every read and write (plan-file.ts). Changing a field here
 * means changing src/plan/plan-schema.ts (a unit test keeps them in step, `npm run schema`
 * republishes it) and, if it changes meaning, FORMAT_VERSION.
 */
import type { KubeObject, SourceRef } from '../model/types.js';

export const FORMAT_VERSION = '2';

export type Action = 'create' | 'update' | 'delete' | 'no-op' | 'extra';

export interface ResourceChange {
  /** `<apiVersion>/<Kind>/[<namespace>/]<name>`, plus `#<step>` for multi-step objects (ClusterInformation). */
  address: string;
  /** Dependency wave; apply runs waves in ascending order (deletes descending). */
  wave: number;
  api_version: string;
  kind: string;
  namespace: string | null;
  name: string;
  change: {
    actions: Action[];
    /** The live object as compared (normalised); null for create. Omitted (null) for no-op to keep plans small. */
    before: KubeObject | null;
    /** Exactly what apply writes; null for delete, no-op and extra. */
    after: KubeObject | null;
    /** Field paths that differ (update only), e.g. `spec.order`. */
    changed_paths: string[];
  };
  /** The etcd key(s) this object came from, with their mod_revision at plan time. */
  source_keys: SourceRef[];
  /** The live object's identity at plan time; preconditions for update/delete. */
  target: { uid: string | null; resource_version: string | null };
  /** The result of the server-side dry run for create/update; null when not run. */
  dry_run: { status: 'ok' | 'error' | 'skipped'; message: string | null } | null;
}

export type CheckStatus = 'pass' | 'fail' | 'warn';

export interface Check {
  /** Stable id, e.g. `crds-established`, `schema`, `nodes-exist`, `rbac`, `source-locked`, `server-dry-run`. */
  id: string;
  status: CheckStatus;
  message: string;
  /** Up to a bounded number of offending objects or keys. */
  items: string[];
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  no_op: number;
  extra: number;
  by_kind: Record<string, { create: number; update: number; delete: number; no_op: number; extra: number }>;
  /** True when apply would delete or overwrite anything (update or delete present). */
  destructive: boolean;
  checks: { pass: number; warn: number; fail: number };
}

export interface Plan {
  format_version: string;
  kind: 'CalicoMigrationPlan';
  /** `sha256:<hex>` of the canonical JSON of every other field. */
  plan_id: string;
  mode: 'migrate' | 'reverse';
  tool: { name: string; version: string };
  source: {
    type: 'etcdv3' | 'calicoctl-export';
    endpoints: string[];
    cluster_id: string | null;
    revision: number | null;
    /** sha256 over every key, mod_revision and value read. */
    digest: string;
    /** Was the source locked (datastoreReady=false) when planned? A preview plan is not appliable until locked. */
    locked: boolean;
    cluster_guid: string | null;
    calico_version: string | null;
  };
  target: {
    type: 'kubernetes';
    server: string;
    /** The kube-system namespace uid: the cluster's identity. */
    cluster_uid: string;
    api_group: string;
  };
  options: {
    include: string[];
    exclude: string[];
    prune: boolean;
    calico_version: string | null;
    node_map: Record<string, string>;
    skip_unknown: boolean;
  };
  /** For mode=reverse: the plan_id this plan undoes; else null. */
  reverses: string | null;
  summary: PlanSummary;
  resource_changes: ResourceChange[];
  skipped: Array<{ key: string; category: string; reason: string }>;
  checks: Check[];
  warnings: string[];
}

/** A plan before its id is computed. */
export type PlanBody = Omit<Plan, 'plan_id'>;
