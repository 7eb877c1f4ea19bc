/** The shapes the validation rules share. */
import type { DesiredObject } from '../../model/types.js';
import type { JsonRecord } from './access.js';

/** One broken rule on one object. */
export interface ValidationFinding {
  /** `Kind name` or `Kind namespace/name` (the CR's name). */
  object: string;
  /** Where in the object, e.g. `spec.ingress[0].destination.ports[1]`. */
  path: string;
  /** The rule id, e.g. `ippool-loadbalancer-node-selector`. */
  rule: string;
  message: string;
}

/** What a rule may need beyond the object itself. */
export interface ValidationContext {
  /** Every BGPFilter that exists once the plan is applied (migrated or already in the target). */
  bgpFilterNames: ReadonlySet<string>;
  /** Every IP pool that exists once the plan is applied; enables `ippool-overlap`. */
  ipPools?: readonly { name: string; cidr: string }[];
}

/** A rule's verdict: where and what, without the object and rule id (the engine adds them). */
export interface Issue {
  path: string;
  message: string;
}

/** The object as Calico's validator sees it: the v3 name and metadata, the spec as a record. */
export interface Subject {
  kind: string;
  /** The v3 name (the `projectcalico.org/metadata` annotation's `name` when set, else the CR name). */
  name: string;
  namespace: string | null;
  labels: Readonly<Record<string, string>>;
  /** The CR's annotations (for a Node: Calico's node annotations). */
  annotations: Readonly<Record<string, string>>;
  spec: JsonRecord;
  object: DesiredObject;
}

export interface Rule {
  /** Stable, kebab-case; findings and the README table use it. */
  id: string;
  kinds: readonly string[];
  /** One line for the README table. */
  description: string;
  /** Where Calico enforces it, e.g. `validator.go validateIPPoolSpec`. */
  source: string;
  check: (s: Subject, ctx: ValidationContext) => Issue[];
}
