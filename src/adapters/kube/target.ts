/**
 * The Kubernetes target, in the terms the tool needs: cluster identity, Calico CRDs, paged lists
 * of every Calico object and Node, writes with create-only / resourceVersion / uid preconditions,
 * server-side dry runs, access reviews and the apply Lease. All network I/O to the target is here.
 */
import { CRD_API_VERSION, CRD_GROUP, kindInfo } from '../../model/kinds.js';
import type { KubeObject } from '../../model/types.js';
import { MigrateError } from '../../errors.js';
import { describeStatus, type KubeConnection, type KubeResponse } from './connection.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

export type WriteOutcome =
  | { ok: true; object: KubeObject }
  | { ok: false; status: number; reason: string; message: string };

export function objectPath(ref: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace'> & { name?: string }): string {
  const name = ref.name === undefined ? '' : `/${encodeURIComponent(ref.name)}`;
  if (ref.apiVersion === 'v1' && ref.kind === 'Node') return `/api/v1/nodes${name}`;
  if (ref.apiVersion === 'v1' && ref.kind === 'Namespace') return `/api/v1/namespaces${name}`;
  if (ref.apiVersion === 'coordination.k8s.io/v1' && ref.kind === 'Lease') return `/apis/coordination.k8s.io/v1/namespaces/${ref.namespace}/leases${name}`;
  const info = kindInfo(ref.kind);
  if (!info || ref.apiVersion !== CRD_API_VERSION) throw new Error(`no REST path for ${ref.apiVersion} ${ref.kind}`);
  const ns = info.namespaced && ref.namespace ? `/namespaces/${ref.namespace}` : '';
  return `/apis/${CRD_API_VERSION}${ns}/${info.plural}${name}`;
}

export class KubeTarget {
  constructor(readonly conn: KubeConnection) {}

  get server(): string {
    return this.conn.server;
  }

  private fail(res: KubeResponse, what: string): MigrateError {
    if (res.status === 401) {
      return new MigrateError('CONNECTION', `Kubernetes API ${this.server} rejected the credentials while ${what} (HTTP 401)`, {
        hint: 'check the kubeconfig user (token or client certificate) of --kubeconfig/--context',
      });
    }
    if (res.status === 403) {
      return new MigrateError('TARGET_INVALID', `permission denied while ${what}: ${describeStatus(res)}`, {
        hint: 'bind the identity to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml',
      });
    }
    return new MigrateError('ERROR', `Kubernetes API ${this.server}: ${what} failed: ${describeStatus(res)}`, {
      hint: 'check the API server is healthy and retry',
    });
  }

  /** The kube-system namespace uid: stable for the cluster's life, different for every cluster. */
  async clusterUid(): Promise<string> {
    const r = await this.conn.request('GET', '/api/v1/namespaces/kube-system');
    if (r.status !== 200) throw this.fail(r, 'reading namespace kube-system (the cluster identity)');
    return r.body.metadata.uid as string;
  }

  /** API groups served, for choosing the backing group the way Calico's discovery.go does. */
  async apiGroups(): Promise<string[]> {
    const r = await this.conn.request('GET', '/apis');
    if (r.status !== 200) throw this.fail(r, 'listing API groups');
    return (r.body.groups ?? []).map((g: any) => g.name as string);
  }

  async calicoCrds(): Promise<any[]> {
    const r = await this.conn.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    if (r.status !== 200) throw this.fail(r, 'listing CustomResourceDefinitions');
    return (r.body.items as any[]).filter((c) => c.spec?.group === CRD_GROUP);
  }

  /** Every object of a collection, following `continue` tokens in pages of `limit`. */
  async listAll(path: string, what: string, limit = 500): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let cont: string | undefined;
    do {
      const r = await this.conn.request('GET', path, { query: { limit, continue: cont } });
      if (r.status === 404) {
        throw new MigrateError('TARGET_INVALID', `${what}: the API server does not serve ${path} (is the CRD installed?)`, {
          hint: 'install the Calico v1 CRDs (crd.projectcalico.org) in the target cluster',
        });
      }
      if (r.status !== 200) throw this.fail(r, `listing ${what}`);
      const kind = (r.body.kind as string).replace(/List$/, '');
      const apiVersion = r.body.apiVersion as string;
      for (const it of r.body.items as KubeObject[]) items.push({ ...it, apiVersion: it.apiVersion ?? apiVersion, kind: it.kind ?? kind });
      cont = r.body.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  async listKind(kind: string): Promise<KubeObject[]> {
    return this.listAll(objectPath({ apiVersion: CRD_API_VERSION, kind, namespace: null }), `${kind} objects`);
  }

  async listNodes(): Promise<KubeObject[]> {
    return this.listAll('/api/v1/nodes', 'Nodes');
  }

  async listNamespaces(): Promise<string[]> {
    return (await this.listAll('/api/v1/namespaces', 'Namespaces')).map((n) => n.metadata.name);
  }

  async get(ref: ObjectRef): Promise<KubeObject | null> {
    const r = await this.conn.request('GET', objectPath(ref));
    if (r.status === 404) return null;
    if (r.status !== 200) throw this.fail(r, `reading ${ref.kind} ${ref.namespace ? ref.namespace + '/' : ''}${ref.name}`);
    return r.body as KubeObject;
  }

  private outcome(r: KubeResponse): WriteOutcome {
    if (r.status >= 200 && r.status < 300) return { ok: true, object: r.body as KubeObject };
    return { ok: false, status: r.status, reason: r.body?.reason ?? '', message: describeStatus(r) };
  }

  /** Create-only: an existing object gives 409 AlreadyExists, never an overwrite. */
  async create(obj: KubeObject, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const ref = refOf(obj);
    const path = objectPath({ ...ref, name: undefined });
    // A create is not idempotent to retry blindly: a lost response would then read as AlreadyExists;
    // apply resolves that case by reading the object back.
    return this.outcome(await this.conn.request('POST', path, { body: obj, query: { dryRun: opts.dryRun ? 'All' : undefined } }));
  }

  /** Replace guarded by resourceVersion: a changed object gives 409 Conflict. */
  async replace(obj: KubeObject, resourceVersion: string, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const body = { ...obj, metadata: { ...obj.metadata, resourceVersion } };
    return this.outcome(await this.conn.request('PUT', objectPath(refOf(obj)), { body, query: { dryRun: opts.dryRun ? 'All' : undefined } }));
  }

  /** Delete guarded by uid and/or resourceVersion preconditions. */
  async delete(ref: ObjectRef, pre: { uid?: string | null; resourceVersion?: string | null }, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const preconditions: Record<string, string> = {};
    if (pre.uid) preconditions.uid = pre.uid;
    if (pre.resourceVersion) preconditions.resourceVersion = pre.resourceVersion;
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions, ...(opts.dryRun ? { dryRun: ['All'] } : {}) };
    const r = await this.conn.request('DELETE', objectPath(ref), { body });
    return this.outcome(r);
  }

  /**
   * Sets (string) or removes (null) annotations on an existing Node with a JSON merge patch that
   * carries the resourceVersion it was planned against, so a changed Node is a 409, not a blind write.
   * Never creates a Node.
   */
  async patchNodeAnnotations(name: string, annotations: Record<string, string | null>, resourceVersion: string | null, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const metadata: Record<string, unknown> = { annotations };
    if (resourceVersion) metadata.resourceVersion = resourceVersion;
    const r = await this.conn.request('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`, {
      body: { metadata },
      contentType: 'application/merge-patch+json',
      query: { dryRun: opts.dryRun ? 'All' : undefined },
    });
    return this.outcome(r);
  }

  /** SelfSubjectAccessReview: may the current identity do `verb` on `resource`? */
  async canI(attrs: { verb: string; group: string; resource: string; namespace?: string; name?: string }): Promise<{ allowed: boolean; reason: string }> {
    const r = await this.conn.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } },
    });
    if (r.status !== 201 && r.status !== 200) throw this.fail(r, 'checking permissions (SelfSubjectAccessReview)');
    return { allowed: !!r.body.status?.allowed, reason: r.body.status?.reason ?? '' };
  }

  /** Raw access for the lease module. */
  request<T = any>(method: string, path: string, opts?: Parameters<KubeConnection['request']>[2]) {
    return this.conn.request<T>(method, path, opts);
  }

  close(): void {
    this.conn.close();
  }
}

export function refOf(obj: KubeObject): ObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace ?? null, name: obj.metadata.name };
}
