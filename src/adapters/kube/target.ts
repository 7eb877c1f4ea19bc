/**
 * The Kubernetes target, in the terms the tool needs: cluster identity, Calico CRDs, paged lists
 * of every Calico object and Node, writes with create-only / resourceVersion / uid preconditions,
 * server-side dry runs, access reviews and the apply Lease. All network I/O to the target is here:
 * REST paths and status codes stop at this file, callers see the TargetPort.
 */
import { MigrateError } from '../../errors.js';
import { LEASE_NAME, LEASE_NAMESPACE } from '../../model/apply-lease.js';
import { CRD_API_VERSION, CRD_GROUP, kindInfo } from '../../model/kinds.js';
import { STATUS_RECORD_KEY, STATUS_RECORD_LABEL, STATUS_RECORD_NAME, STATUS_RECORD_NAMESPACE } from '../../model/status-record.js';
import type { KubeObject } from '../../model/types.js';
import {
  refOf,
  type AccessAttributes,
  type LeaseRecord,
  type LeaseSpec,
  type LeaseWrite,
  type ObjectRef,
  type ReadOptions,
  type StatusRecordWrite,
  type StoredStatusRecord,
  type TargetPort,
  type WriteOptions,
  type WriteOutcome,
} from '../../ports/target.js';
import { describeStatus, statusField, type KubeConnection, type KubeResponse } from './connection.js';

// Old importers took these from here; the port is their home now.
export { refOf, type ObjectRef, type WriteOutcome } from '../../ports/target.js';

const LEASE_API_VERSION = 'coordination.k8s.io/v1';
const LEASE_COLLECTION_PATH = `/apis/${LEASE_API_VERSION}/namespaces/${LEASE_NAMESPACE}/leases`;
const LEASE_OBJECT_PATH = `${LEASE_COLLECTION_PATH}/${LEASE_NAME}`;
const LEASE_LABEL = `the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}`;
const LEASE_RBAC_HINT = 'bind the identity to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml (coordination.k8s.io leases: get, create, update, delete)';

const STATUS_COLLECTION_PATH = `/api/v1/namespaces/${STATUS_RECORD_NAMESPACE}/configmaps`;
const STATUS_OBJECT_PATH = `${STATUS_COLLECTION_PATH}/${STATUS_RECORD_NAME}`;
const STATUS_LABEL = `the run record ConfigMap ${STATUS_RECORD_LABEL}`;
const STATUS_RBAC_HINT = `bind the identity to the Role calico-migrate-status in examples/rbac/calico-migrate-rbac.yaml (configmaps in ${STATUS_RECORD_NAMESPACE}: get, create, update)`;

interface ConfigMapBody {
  metadata?: { resourceVersion?: unknown };
  data?: Record<string, unknown>;
}

/** The run record's ConfigMap: only the tool's key, labelled so `kubectl get cm -l app.kubernetes.io/managed-by=calico-migrate` finds it. */
function statusBody(text: string, resourceVersion?: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: STATUS_RECORD_NAME,
      namespace: STATUS_RECORD_NAMESPACE,
      labels: { 'app.kubernetes.io/managed-by': 'calico-migrate' },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { [STATUS_RECORD_KEY]: text },
  };
}

/** The REST path of a Node, a Namespace or a Calico CR (collection when `name` is absent). */
export function objectPath(ref: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace'> & { name?: string }): string {
  const name = ref.name === undefined ? '' : `/${encodeURIComponent(ref.name)}`;
  if (ref.apiVersion === 'v1' && ref.kind === 'Node') return `/api/v1/nodes${name}`;
  if (ref.apiVersion === 'v1' && ref.kind === 'Namespace') return `/api/v1/namespaces${name}`;
  const info = kindInfo(ref.kind);
  if (!info || ref.apiVersion !== CRD_API_VERSION) throw new Error(`no REST path for ${ref.apiVersion} ${ref.kind}`);
  const ns = info.namespaced && ref.namespace ? `/namespaces/${ref.namespace}` : '';
  return `/apis/${CRD_API_VERSION}${ns}/${info.plural}${name}`;
}

interface ListBody {
  kind: string;
  apiVersion: string;
  items: KubeObject[];
  metadata?: { continue?: string; resourceVersion?: string };
}

interface LeaseBody {
  metadata?: { uid?: unknown; resourceVersion?: unknown };
  spec?: Record<string, unknown>;
}

const dryRunQuery = (opts: WriteOptions) => ({ dryRun: opts.dryRun ? 'All' : undefined });

const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const numberOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The stored Lease in the port's terms; fields the server left out (or that are not ours) read as null. */
function leaseRecordOf(body: LeaseBody): LeaseRecord {
  const spec = body.spec ?? {};
  return {
    spec: {
      holderIdentity: stringOrNull(spec.holderIdentity),
      leaseDurationSeconds: numberOrNull(spec.leaseDurationSeconds),
      acquireTime: stringOrNull(spec.acquireTime),
      renewTime: stringOrNull(spec.renewTime),
      leaseTransitions: numberOrNull(spec.leaseTransitions),
    },
    uid: stringOrNull(body.metadata?.uid) ?? '',
    resourceVersion: stringOrNull(body.metadata?.resourceVersion) ?? '',
  };
}

/** A Lease body for a write; null spec fields are left out, as the API server would store them. */
function leaseBody(spec: LeaseSpec, guard?: Pick<LeaseRecord, 'uid' | 'resourceVersion'>): Record<string, unknown> {
  const fields = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== null));
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    // The Lease is the tool's own object: it carries only the spec the tool writes, so a replace
    // that sends just these fields loses nothing.
    metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE, ...(guard ? { uid: guard.uid, resourceVersion: guard.resourceVersion } : {}) },
    spec: fields,
  };
}

export class KubeTarget implements TargetPort {
  constructor(readonly conn: KubeConnection) {}

  get server(): string {
    return this.conn.server;
  }

  get userName(): string {
    return this.conn.userName;
  }

  get connection(): string {
    return this.conn.description;
  }

  get retries(): number {
    return this.conn.retries;
  }

  private fail(res: KubeResponse, what: string, rbacHint = 'bind the identity to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml'): MigrateError {
    if (res.status === 401) {
      return new MigrateError('CONNECTION', `Kubernetes API ${this.server} rejected the credentials while ${what} (HTTP 401)`, {
        hint: 'check the kubeconfig user (token or client certificate) of --kubeconfig/--context',
      });
    }
    if (res.status === 403) {
      return new MigrateError('TARGET_INVALID', `permission denied while ${what}: ${describeStatus(res)}`, { hint: rbacHint });
    }
    return new MigrateError('ERROR', `Kubernetes API ${this.server}: ${what} failed: ${describeStatus(res)}`, {
      hint: 'check the API server is healthy and retry',
    });
  }

  async clusterUid(): Promise<string> {
    const r = await this.conn.request<{ metadata: { uid: string } }>('GET', '/api/v1/namespaces/kube-system');
    if (r.status !== 200) throw this.fail(r, 'reading namespace kube-system (the cluster identity)');
    return r.body.metadata.uid;
  }

  async apiGroups(): Promise<string[]> {
    const r = await this.conn.request<{ groups?: Array<{ name: string }> }>('GET', '/apis');
    if (r.status !== 200) throw this.fail(r, 'listing API groups');
    return (r.body.groups ?? []).map((g) => g.name);
  }

  async calicoCrds(): Promise<KubeObject[]> {
    const r = await this.conn.request<{ items: Array<KubeObject & { spec?: { group?: string } }> }>('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    if (r.status !== 200) throw this.fail(r, 'listing CustomResourceDefinitions');
    return r.body.items.filter((c) => c.spec?.group === CRD_GROUP);
  }

  /** Every object of a collection, following `continue` tokens in pages of `limit`. */
  async listAll(path: string, what: string, limit = 500): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    await this.eachPage(
      path,
      what,
      (page) => {
        for (const o of page) items.push(o);
      },
      limit,
    );
    return items;
  }

  /** Each page of a collection as it arrives, so a caller can reduce it before the next one is read. */
  async eachPage(path: string, what: string, onPage: (items: KubeObject[]) => void, limit = 500): Promise<void> {
    let cont: string | undefined;
    do {
      const r = await this.conn.request<ListBody>('GET', path, { query: { limit, continue: cont } });
      if (r.status === 404) {
        throw new MigrateError('TARGET_INVALID', `${what}: the API server does not serve ${path} (is the CRD installed?)`, {
          hint: 'install the Calico v1 CRDs (crd.projectcalico.org) in the target cluster',
        });
      }
      if (r.status !== 200) throw this.fail(r, `listing ${what}`);
      const kind = r.body.kind.replace(/List$/, '');
      const apiVersion = r.body.apiVersion;
      // List items come without apiVersion/kind; the list says what they are. managedFields are
      // dropped as each page arrives: nothing compares or writes them (plan/normalize.ts strips
      // them too), and they are often the larger part of an object, times every object listed.
      onPage(
        r.body.items.map((it) => {
          if (it.metadata && 'managedFields' in it.metadata) delete it.metadata.managedFields;
          return { ...it, apiVersion: it.apiVersion ?? apiVersion, kind: it.kind ?? kind };
        }),
      );
      cont = r.body.metadata?.continue || undefined;
    } while (cont);
  }

  async listKind(kind: string): Promise<KubeObject[]> {
    return this.listAll(objectPath({ apiVersion: CRD_API_VERSION, kind, namespace: null }), `${kind} objects`);
  }

  async scanKind(kind: string, onPage: (items: KubeObject[]) => void): Promise<void> {
    return this.eachPage(objectPath({ apiVersion: CRD_API_VERSION, kind, namespace: null }), `${kind} objects`, onPage);
  }

  async resourceVersionNow(): Promise<string> {
    const r = await this.conn.request<ListBody>('GET', objectPath({ apiVersion: CRD_API_VERSION, kind: 'ClusterInformation', namespace: null }), { query: { limit: 1 } });
    if (r.status !== 200) throw this.fail(r, 'listing ClusterInformations');
    return String(r.body.metadata?.resourceVersion ?? '');
  }

  async listNodes(): Promise<KubeObject[]> {
    return this.listAll('/api/v1/nodes', 'Nodes');
  }

  async listNamespaces(): Promise<string[]> {
    return (await this.listAll('/api/v1/namespaces', 'Namespaces')).map((n) => n.metadata.name);
  }

  async get(ref: ObjectRef, opts: ReadOptions = {}): Promise<KubeObject | null> {
    // resourceVersion=X on a GET means "not older than X": served from the watch cache once it has caught up.
    const r = await this.conn.request<KubeObject>('GET', objectPath(ref), opts.notOlderThan ? { query: { resourceVersion: opts.notOlderThan } } : {});
    if (r.status === 404) return null;
    if (r.status !== 200) throw this.fail(r, `reading ${ref.kind} ${ref.namespace ? ref.namespace + '/' : ''}${ref.name}`);
    return r.body;
  }

  private outcome(r: KubeResponse): WriteOutcome {
    if (r.status >= 200 && r.status < 300) return { ok: true, object: r.body as KubeObject };
    return { ok: false, status: r.status, reason: statusField(r.body, 'reason'), message: describeStatus(r) };
  }

  async create(obj: KubeObject, opts: WriteOptions = {}): Promise<WriteOutcome> {
    const path = objectPath({ ...refOf(obj), name: undefined });
    // A create is not idempotent to retry blindly: a lost response would then read as AlreadyExists;
    // apply resolves that case by reading the object back.
    return this.outcome(await this.conn.request('POST', path, { body: obj, query: dryRunQuery(opts), metadataOnly: opts.metadataOnly }));
  }

  /**
   * A create whose body is JSON text already (a plan's canonical `after`): sent as it is, so a
   * bulk apply neither parses nor re-serialises the object it read from the plan file. The
   * created object it answers with carries only apiVersion, kind and metadata (its uid and
   * resourceVersion are what apply records); the spec it sent is not parsed back.
   */
  async createText(ref: ObjectRef, json: string): Promise<WriteOutcome> {
    const path = objectPath({ ...ref, name: undefined });
    return this.outcome(await this.conn.request('POST', path, { bodyText: json, metadataOnly: true }));
  }

  async replace(obj: KubeObject, resourceVersion: string, opts: WriteOptions = {}): Promise<WriteOutcome> {
    const body = { ...obj, metadata: { ...obj.metadata, resourceVersion } };
    return this.outcome(await this.conn.request('PUT', objectPath(refOf(obj)), { body, query: dryRunQuery(opts) }));
  }

  async delete(ref: ObjectRef, pre: { uid?: string | null; resourceVersion?: string | null }, opts: WriteOptions = {}): Promise<WriteOutcome> {
    const preconditions: Record<string, string> = {};
    if (pre.uid) preconditions.uid = pre.uid;
    if (pre.resourceVersion) preconditions.resourceVersion = pre.resourceVersion;
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions, ...(opts.dryRun ? { dryRun: ['All'] } : {}) };
    // The answer is the deleted object (or a Status); what a delete needs of it is its status code.
    return this.outcome(await this.conn.request('DELETE', objectPath(ref), { body, metadataOnly: true }));
  }

  /**
   * A JSON merge patch that carries the resourceVersion it was planned against, so a changed Node
   * is a 409, not a blind write; a merge patch of a missing Node is a 404, never a create.
   */
  async patchNodeAnnotations(name: string, annotations: Record<string, string | null>, resourceVersion: string | null, opts: WriteOptions = {}): Promise<WriteOutcome> {
    const metadata: Record<string, unknown> = { annotations };
    if (resourceVersion) metadata.resourceVersion = resourceVersion;
    const r = await this.conn.request('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`, {
      body: { metadata },
      contentType: 'application/merge-patch+json',
      query: dryRunQuery(opts),
    });
    return this.outcome(r);
  }

  async canI(attrs: AccessAttributes): Promise<{ allowed: boolean; reason: string }> {
    const r = await this.conn.request<{ status?: { allowed?: boolean; reason?: string } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } },
    });
    if (r.status !== 201 && r.status !== 200) throw this.fail(r, 'checking permissions (SelfSubjectAccessReview)');
    return { allowed: !!r.body.status?.allowed, reason: r.body.status?.reason ?? '' };
  }

  async readLease(): Promise<LeaseRecord | null> {
    const r = await this.conn.request<LeaseBody>('GET', LEASE_OBJECT_PATH);
    if (r.status === 404) return null;
    if (r.status !== 200) throw this.fail(r, `reading ${LEASE_LABEL}`, LEASE_RBAC_HINT);
    return leaseRecordOf(r.body);
  }

  async createLease(spec: LeaseSpec): Promise<LeaseWrite> {
    const r = await this.conn.request<LeaseBody>('POST', LEASE_COLLECTION_PATH, { body: leaseBody(spec) });
    if (r.status === 201 || r.status === 200) return { ok: true, lease: leaseRecordOf(r.body) };
    if (r.status === 409) return { ok: false, why: 'conflict' };
    throw this.fail(r, `creating ${LEASE_LABEL}`, LEASE_RBAC_HINT);
  }

  async updateLease(current: LeaseRecord, spec: LeaseSpec): Promise<LeaseWrite> {
    const r = await this.conn.request<LeaseBody>('PUT', LEASE_OBJECT_PATH, { body: leaseBody(spec, current) });
    if (r.status === 200) return { ok: true, lease: leaseRecordOf(r.body) };
    if (r.status === 409) return { ok: false, why: 'conflict' };
    if (r.status === 404) return { ok: false, why: 'gone' };
    throw this.fail(r, `updating ${LEASE_LABEL}`, LEASE_RBAC_HINT);
  }

  async deleteLease(current: Pick<LeaseRecord, 'uid' | 'resourceVersion'>): Promise<{ ok: true } | { ok: false; why: 'conflict' | 'gone' }> {
    const r = await this.conn.request('DELETE', LEASE_OBJECT_PATH, {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: current.uid, resourceVersion: current.resourceVersion } },
    });
    if (r.status === 200 || r.status === 202) return { ok: true };
    if (r.status === 409) return { ok: false, why: 'conflict' };
    if (r.status === 404) return { ok: false, why: 'gone' };
    throw this.fail(r, `releasing ${LEASE_LABEL}`, LEASE_RBAC_HINT);
  }

  async readStatusRecord(): Promise<StoredStatusRecord | null> {
    const r = await this.conn.request<ConfigMapBody>('GET', STATUS_OBJECT_PATH);
    if (r.status === 404) return null;
    if (r.status !== 200) throw this.fail(r, `reading ${STATUS_LABEL}`, STATUS_RBAC_HINT);
    const text = r.body.data?.[STATUS_RECORD_KEY];
    return { text: typeof text === 'string' ? text : '', resourceVersion: stringOrNull(r.body.metadata?.resourceVersion) ?? '' };
  }

  async createStatusRecord(text: string): Promise<StatusRecordWrite> {
    const r = await this.conn.request<ConfigMapBody>('POST', STATUS_COLLECTION_PATH, { body: statusBody(text) });
    if (r.status === 201 || r.status === 200) return { ok: true, resourceVersion: stringOrNull(r.body.metadata?.resourceVersion) ?? '' };
    if (r.status === 409) return { ok: false, why: 'conflict' };
    throw this.fail(r, `creating ${STATUS_LABEL}`, STATUS_RBAC_HINT);
  }

  async replaceStatusRecord(text: string, resourceVersion: string): Promise<StatusRecordWrite> {
    const r = await this.conn.request<ConfigMapBody>('PUT', STATUS_OBJECT_PATH, { body: statusBody(text, resourceVersion) });
    if (r.status === 200) return { ok: true, resourceVersion: stringOrNull(r.body.metadata?.resourceVersion) ?? '' };
    if (r.status === 409) return { ok: false, why: 'conflict' };
    if (r.status === 404) return { ok: false, why: 'gone' };
    throw this.fail(r, `updating ${STATUS_LABEL}`, STATUS_RBAC_HINT);
  }

  close(): void {
    this.conn.close();
  }
}
