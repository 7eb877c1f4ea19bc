/**
 * The target port: what the workflows and the apply engine need of the Kubernetes cluster they
 * migrate to, in the tool's own terms (objects, preconditions, leases), never HTTP. The real
 * adapter is adapters/kube/target.ts; unit tests use in-memory fakes that say what they are.
 */
import type { KubeObject } from '../model/types.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

/** A write's result: the stored object, or the server's refusal (409 = conflict / already exists). */
export type WriteOutcome = { ok: true; object: KubeObject } | { ok: false; status: number; reason: string; message: string };

export interface WriteOptions {
  /** Server-side dry run (dryRun=All): admission and defaulting answer, nothing is stored. */
  dryRun?: boolean;
  /** The caller reads only the answer's apiVersion, kind and metadata (the rest is not parsed). */
  metadataOnly?: boolean;
}

export interface ReadOptions {
  notOlderThan?: string;
}

export interface AccessAttributes {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/** The fields of the apply Lease the lease protocol reads and writes. */
export interface LeaseSpec {
  holderIdentity: string | null;
  leaseDurationSeconds: number | null;
  acquireTime: string | null;
  renewTime: string | null;
  leaseTransitions: number | null;
}

/** The apply Lease as stored: its spec and the identity used for guarded updates and deletes. */
export interface LeaseRecord {
  spec: LeaseSpec;
  uid: string;
  resourceVersion: string;
}

/** A guarded Lease write: `conflict` = someone else changed (or created) it first; `gone` = it does not exist. */
export type LeaseWrite = { ok: true; lease: LeaseRecord } | { ok: false; why: 'conflict' | 'gone' };

export interface LeasePort {
  readLease(): Promise<LeaseRecord | null>;
  /** Create-only. */
  createLease(spec: LeaseSpec): Promise<LeaseWrite>;
  /** Replace guarded by `current.resourceVersion`. */
  updateLease(current: LeaseRecord, spec: LeaseSpec): Promise<LeaseWrite>;
  /** Delete guarded by uid and resourceVersion. */
  deleteLease(current: Pick<LeaseRecord, 'uid' | 'resourceVersion'>): Promise<{ ok: true } | { ok: false; why: 'conflict' | 'gone' }>;
}

/** The run record's ConfigMap text as stored, with the resourceVersion a guarded replace needs. */
export interface StoredStatusRecord {
  text: string;
  resourceVersion: string;
}

/** A guarded write of the run record: `conflict` = someone else wrote (or created) it first; `gone` = it does not exist. */
export type StatusRecordWrite = { ok: true; resourceVersion: string } | { ok: false; why: 'conflict' | 'gone' };

/**
 * The tool's run record in the target (model/status-record.ts), read and written whole with
 * optimistic concurrency. A refusal (403) or an unreachable server is thrown, as for any call.
 */
export interface StatusRecordPort {
  readStatusRecord(): Promise<StoredStatusRecord | null>;
  /** Create-only. */
  createStatusRecord(text: string): Promise<StatusRecordWrite>;
  /** Replace guarded by `resourceVersion`. */
  replaceStatusRecord(text: string, resourceVersion: string): Promise<StatusRecordWrite>;
}

export interface TargetReader {
  /** The API server URL: safe to print and record. */
  readonly server: string;
  /** The kubeconfig user, for messages about permissions. */
  readonly userName: string;
  /** How the target is reached (context, user, kubeconfig files or in-cluster, proxy), for `status`; never a credential. */
  readonly connection?: string;
  /** The kube-system namespace uid: stable for the cluster's life, different for every cluster. */
  clusterUid(): Promise<string>;
  /** API groups served, for choosing the backing group the way Calico's discovery.go does. */
  apiGroups(): Promise<string[]>;
  /** The crd.projectcalico.org CustomResourceDefinitions, as stored. */
  calicoCrds(): Promise<KubeObject[]>;
  /** Every object of a Calico kind (crd.projectcalico.org/v1). */
  listKind(kind: string): Promise<KubeObject[]>;
  /** The same objects a page at a time, each handed over as it arrives (for callers that reduce them). */
  scanKind(kind: string, onPage: (items: KubeObject[]) => void): Promise<void>;
  listNodes(): Promise<KubeObject[]>;
  listNamespaces(): Promise<string[]>;
  /**
   * One object. With `notOlderThan` (a resourceVersion from resourceVersionNow) the server may
   * answer from its watch cache, as fresh as a read at that moment and several times cheaper.
   */
  get(ref: ObjectRef, opts?: ReadOptions): Promise<KubeObject | null>;
  /** The API server's current resourceVersion (of a one-item list): reads not older than it are current. */
  resourceVersionNow(): Promise<string>;
  /** SelfSubjectAccessReview. */
  canI(attrs: AccessAttributes): Promise<{ allowed: boolean; reason: string }>;
}

export interface TargetWriter {
  get(ref: ObjectRef, opts?: ReadOptions): Promise<KubeObject | null>;
  /** Create-only: an existing object gives 409 AlreadyExists, never an overwrite. */
  create(obj: KubeObject, opts?: WriteOptions): Promise<WriteOutcome>;
  /** Replace guarded by resourceVersion: a changed object gives 409 Conflict. */
  replace(obj: KubeObject, resourceVersion: string, opts?: WriteOptions): Promise<WriteOutcome>;
  /** Delete guarded by uid and/or resourceVersion preconditions. */
  delete(ref: ObjectRef, pre: { uid?: string | null; resourceVersion?: string | null }, opts?: WriteOptions): Promise<WriteOutcome>;
  /** Set (string) or remove (null) annotations on an existing Node, guarded by resourceVersion when given; never creates a Node. */
  patchNodeAnnotations(name: string, annotations: Record<string, string | null>, resourceVersion: string | null, opts?: WriteOptions): Promise<WriteOutcome>;
}

export interface TargetPort extends TargetReader, TargetWriter, LeasePort, StatusRecordPort {
  /** Requests retried so far (429, 5xx, resets), reported by apply. */
  readonly retries: number;
  close(): void;
}

export function refOf(obj: KubeObject): ObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace ?? null, name: obj.metadata.name };
}
