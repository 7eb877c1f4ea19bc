/**
 * In-memory fakes of the source and target ports and a Context over them, for unit tests of the
 * plan and verify workflows. They are fakes, not emulators:
 *
 * - FakeSource holds etcd key/values in a Map with a revision counter; it has no leases, watches
 *   or TTLs, and its compare-and-swap is a plain mod_revision comparison.
 * - FakeTarget holds objects in a Map keyed by address. Writes and dry runs answer with the
 *   object as the vendored CRD schemas would store it (pruned and defaulted by the schema check's
 *   own normaliser), plus a uid and resourceVersion; no admission webhooks, no CEL rules, no
 *   finalizers, no watch. Create-only and resourceVersion preconditions give 409 like the API
 *   server. Access reviews answer from a deny set. Leases are a single record with guarded
 *   updates. The run record (ConfigMap kube-system/calico-migrate-status) is a text and a
 *   resourceVersion with the same guards; `statusRecordDenied` makes it refuse as a 403 would,
 *   `beforeStatusWrite` lets a test interleave another writer. It records every call so a test
 *   can assert that nothing was written.
 *
 * The integration tests run the same workflows against a real etcd and API server.
 */
import { loadVendoredCrds } from '../../../src/adapters/vendored-crds.js';
import { CrdSchemaValidator } from '../../../src/checks/schema.js';
import { RecordingIo } from '../../../src/io.js';
import type { KubeObject, SourceKV, SourceSnapshot } from '../../../src/model/types.js';
import type { SourceChanges, SourceHeader, SourcePort, SourceValue } from '../../../src/ports/source.js';
import { MigrateError } from '../../../src/errors.js';
import type { AccessAttributes, LeaseRecord, LeaseSpec, LeaseWrite, ObjectRef, StatusRecordWrite, StoredStatusRecord, TargetPort, WriteOutcome } from '../../../src/ports/target.js';
import { refOf } from '../../../src/ports/target.js';
import type { Context } from '../../../src/workflow/context.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export function keyOf(ref: ObjectRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** A fake etcd holding `/calico/...` keys; see the file comment for what it does not claim. */
export class FakeSource implements SourcePort {
  readonly origin = 'etcd' as const;
  readonly endpoints = ['https://etcd.fake:2379'];
  readonly clusterId = '4242';
  private readonly kvs = new Map<string, SourceKV>();
  private revision = 1;
  /** Every put and delete, for changesSince (a fake history that is never compacted). */
  private readonly history: Array<{ revision: number; key: string; deleted: boolean }> = [];
  /** changesSince answers null (as a compacted etcd does) for revisions below this. */
  compactedBelow = 0;
  reads = 0;
  closed = false;

  constructor(entries: Array<{ key: string; value: unknown }> = []) {
    for (const e of entries) this.put(e.key, e.value);
  }

  /** Store a value (objects are JSON-encoded) at the next revision. */
  put(key: string, value: unknown): void {
    this.revision++;
    this.history.push({ revision: this.revision, key, deleted: false });
    this.kvs.set(key, { key, value: typeof value === 'string' ? value : JSON.stringify(value), modRevision: this.revision });
  }

  /** Delete a key (the revision moves, as etcd's does). */
  remove(key: string): void {
    this.revision++;
    this.history.push({ revision: this.revision, key, deleted: true });
    this.kvs.delete(key);
  }

  async readSnapshot(opts: { keysOnly?: boolean } = {}): Promise<SourceSnapshot> {
    this.reads++;
    const kvs = [...this.kvs.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((kv) => ({ ...kv, value: opts.keysOnly ? '' : kv.value }));
    return { origin: 'etcd', endpoints: [...this.endpoints], clusterId: this.clusterId, revision: this.revision, kvs };
  }

  async changesSince(revision: number, ignore: readonly string[]): Promise<SourceChanges | null> {
    if (revision < this.compactedBelow) return null;
    const kept = (key: string) => !ignore.some((p) => key.startsWith(p));
    const then = new Set<string>();
    for (const h of this.history) {
      if (h.revision > revision) break;
      if (h.deleted) then.delete(h.key);
      else then.add(h.key);
    }
    const written = [...this.kvs.values()]
      .filter((kv) => kv.modRevision > revision && kept(kv.key))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((kv) => ({ ...kv }));
    const deleted = [...then].filter((k) => kept(k) && !this.kvs.has(k)).length;
    return { revision: this.revision, written, deleted };
  }

  async header(): Promise<SourceHeader> {
    return { revision: this.revision, clusterId: this.clusterId };
  }

  async get(key: string): Promise<SourceValue | null> {
    const kv = this.kvs.get(key);
    return kv ? { value: kv.value, modRevision: kv.modRevision } : null;
  }

  /** Runs once, just before the next compare-and-swap (a test's way of writing between a read and the lock). */
  beforeNextSwap: (() => void) | null = null;

  async compareAndSwap(key: string, expected: number, value: string): Promise<boolean> {
    const hook = this.beforeNextSwap;
    this.beforeNextSwap = null;
    hook?.();
    if ((this.kvs.get(key)?.modRevision ?? 0) !== expected) return false;
    this.put(key, value);
    return true;
  }

  close(): void {
    this.closed = true;
  }
}

export interface TargetCall {
  op: 'create' | 'replace' | 'delete' | 'patch';
  key: string;
  dryRun: boolean;
}

/** The vendored CRDs as an API server would list them once they are Established. */
export function establishedCrds(): KubeObject[] {
  return (loadVendoredCrds() as KubeObject[]).map((c) => ({ ...clone(c), status: { conditions: [{ type: 'Established', status: 'True' }] } }));
}

const CRDS = establishedCrds();
const SCHEMAS = new CrdSchemaValidator(CRDS);

/** A fake Kubernetes API server; see the file comment for what it does not claim. */
export class FakeTarget implements TargetPort {
  readonly server = 'https://k8s.fake:6443';
  readonly userName = 'tester';
  readonly retries = 0;
  readonly objects = new Map<string, KubeObject>();
  readonly calls: TargetCall[] = [];
  /** `verb group/resource` of every access the identity is denied. */
  readonly denied = new Set<string>();
  groups = ['apps', 'crd.projectcalico.org'];
  crds: KubeObject[] = clone(CRDS);
  namespaces = new Set(['default', 'kube-system']);
  lease: LeaseRecord | null = null;
  /** The run record's ConfigMap text, null when absent. */
  statusRecord: StoredStatusRecord | null = null;
  /** Writes of the run record (create or replace, accepted or not). */
  statusWrites = 0;
  /** Refuse the run record as an API server does for an identity without the permission. */
  statusRecordDenied = false;
  /** Called before each run-record write is answered: a test's concurrent writer. */
  beforeStatusWrite: (() => void) | null = null;
  /** Its own counter, so recording a run does not move the objects' resourceVersions tests compare. */
  private statusRv = 0;
  closed = false;
  private rv = 100;
  private uid = 0;

  /** Store an object as the server would (defaulted), as if someone had created it earlier. */
  seed(obj: KubeObject): KubeObject {
    const stored = this.stored(obj, `uid-${++this.uid}`, String(++this.rv));
    this.objects.set(keyOf(refOf(stored)), stored);
    return clone(stored);
  }

  /** A Kubernetes Node, with or without Calico annotations. */
  seedNode(name: string, annotations: Record<string, string> = {}): KubeObject {
    return this.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name }, annotations } });
  }

  /** Writes that were not dry runs. */
  writes(): TargetCall[] {
    return this.calls.filter((c) => !c.dryRun);
  }

  private stored(obj: KubeObject, uid: string, resourceVersion: string): KubeObject {
    const object = obj.apiVersion === 'v1' ? clone(obj) : clone(SCHEMAS.normalize(obj).object);
    object.metadata = { ...object.metadata, uid, resourceVersion, creationTimestamp: '2026-01-01T00:00:00Z' };
    return object;
  }

  async clusterUid(): Promise<string> {
    return 'kube-system-uid-1';
  }

  async apiGroups(): Promise<string[]> {
    return [...this.groups];
  }

  async calicoCrds(): Promise<KubeObject[]> {
    return clone(this.crds);
  }

  async listKind(kind: string): Promise<KubeObject[]> {
    return [...this.objects.values()].filter((o) => o.apiVersion === 'crd.projectcalico.org/v1' && o.kind === kind).map(clone);
  }

  /** In pages of two, to exercise callers that reduce page by page. */
  async scanKind(kind: string, onPage: (items: KubeObject[]) => void): Promise<void> {
    const all = await this.listKind(kind);
    for (let i = 0; i < all.length; i += 2) onPage(all.slice(i, i + 2));
  }

  async listNodes(): Promise<KubeObject[]> {
    return [...this.objects.values()].filter((o) => o.apiVersion === 'v1' && o.kind === 'Node').map(clone);
  }

  async listNamespaces(): Promise<string[]> {
    return [...this.namespaces].sort();
  }

  /** Always current: the fake has no cache, so a read not older than any version is just a read. */
  async get(ref: ObjectRef): Promise<KubeObject | null> {
    const o = this.objects.get(keyOf(ref));
    return o ? clone(o) : null;
  }

  async resourceVersionNow(): Promise<string> {
    return String(this.rv);
  }

  async canI(attrs: AccessAttributes): Promise<{ allowed: boolean; reason: string }> {
    const denied = this.denied.has(`${attrs.verb} ${attrs.group}/${attrs.resource}`);
    return { allowed: !denied, reason: denied ? 'denied by the fake' : '' };
  }

  async create(obj: KubeObject, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const key = keyOf(refOf(obj));
    const dryRun = opts.dryRun === true;
    this.calls.push({ op: 'create', key, dryRun });
    if (obj.metadata.namespace && !this.namespaces.has(obj.metadata.namespace)) return refusal(404, 'NotFound', `namespaces "${obj.metadata.namespace}" not found`);
    if (this.objects.has(key)) return refusal(409, 'AlreadyExists', `${key} already exists`);
    const stored = this.stored(obj, dryRun ? 'dry-run-uid' : `uid-${++this.uid}`, dryRun ? '' : String(++this.rv));
    if (!dryRun) this.objects.set(key, stored);
    return { ok: true, object: clone(stored) };
  }

  async replace(obj: KubeObject, resourceVersion: string, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const key = keyOf(refOf(obj));
    const dryRun = opts.dryRun === true;
    this.calls.push({ op: 'replace', key, dryRun });
    const cur = this.objects.get(key);
    if (!cur) return refusal(404, 'NotFound', `${key} not found`);
    if (cur.metadata.resourceVersion !== resourceVersion) return refusal(409, 'Conflict', `${key} was modified`);
    const stored = this.stored(obj, String(cur.metadata.uid), dryRun ? resourceVersion : String(++this.rv));
    if (!dryRun) this.objects.set(key, stored);
    return { ok: true, object: clone(stored) };
  }

  async delete(ref: ObjectRef, pre: { uid?: string | null; resourceVersion?: string | null }, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const key = keyOf(ref);
    const dryRun = opts.dryRun === true;
    this.calls.push({ op: 'delete', key, dryRun });
    const cur = this.objects.get(key);
    if (!cur) return refusal(404, 'NotFound', `${key} not found`);
    if ((pre.uid && cur.metadata.uid !== pre.uid) || (pre.resourceVersion && cur.metadata.resourceVersion !== pre.resourceVersion)) return refusal(409, 'Conflict', `${key} was modified`);
    if (!dryRun) this.objects.delete(key);
    return { ok: true, object: clone(cur) };
  }

  async patchNodeAnnotations(name: string, annotations: Record<string, string | null>, resourceVersion: string | null, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const key = keyOf({ apiVersion: 'v1', kind: 'Node', namespace: null, name });
    const dryRun = opts.dryRun === true;
    this.calls.push({ op: 'patch', key, dryRun });
    const cur = this.objects.get(key);
    if (!cur) return refusal(404, 'NotFound', `nodes "${name}" not found`);
    if (resourceVersion !== null && cur.metadata.resourceVersion !== resourceVersion) return refusal(409, 'Conflict', `${key} was modified`);
    const next = clone(cur);
    const merged: Record<string, string> = { ...(next.metadata.annotations ?? {}) };
    for (const [k, v] of Object.entries(annotations)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    next.metadata.annotations = merged;
    if (!dryRun) {
      next.metadata.resourceVersion = String(++this.rv);
      this.objects.set(key, next);
    }
    return { ok: true, object: clone(next) };
  }

  async readLease(): Promise<LeaseRecord | null> {
    return this.lease ? clone(this.lease) : null;
  }

  async createLease(spec: LeaseSpec): Promise<LeaseWrite> {
    if (this.lease) return { ok: false, why: 'conflict' };
    this.lease = { spec: clone(spec), uid: `lease-${++this.uid}`, resourceVersion: String(++this.rv) };
    return { ok: true, lease: clone(this.lease) };
  }

  async updateLease(current: LeaseRecord, spec: LeaseSpec): Promise<LeaseWrite> {
    if (!this.lease) return { ok: false, why: 'gone' };
    if (this.lease.resourceVersion !== current.resourceVersion) return { ok: false, why: 'conflict' };
    this.lease = { spec: clone(spec), uid: this.lease.uid, resourceVersion: String(++this.rv) };
    return { ok: true, lease: clone(this.lease) };
  }

  async deleteLease(current: Pick<LeaseRecord, 'uid' | 'resourceVersion'>): Promise<{ ok: true } | { ok: false; why: 'conflict' | 'gone' }> {
    if (!this.lease) return { ok: false, why: 'gone' };
    if (this.lease.uid !== current.uid || this.lease.resourceVersion !== current.resourceVersion) return { ok: false, why: 'conflict' };
    this.lease = null;
    return { ok: true };
  }

  private denyStatus(what: string): void {
    if (this.statusRecordDenied) throw new MigrateError('TARGET_INVALID', `permission denied while ${what} the run record ConfigMap kube-system/calico-migrate-status: HTTP 403 (fake)`);
  }

  async readStatusRecord(): Promise<StoredStatusRecord | null> {
    this.denyStatus('reading');
    return this.statusRecord ? { ...this.statusRecord } : null;
  }

  async createStatusRecord(text: string): Promise<StatusRecordWrite> {
    this.denyStatus('creating');
    this.statusWrites++;
    this.beforeStatusWrite?.();
    if (this.statusRecord) return { ok: false, why: 'conflict' };
    this.statusRecord = { text, resourceVersion: `s${++this.statusRv}` };
    return { ok: true, resourceVersion: this.statusRecord.resourceVersion };
  }

  async replaceStatusRecord(text: string, resourceVersion: string): Promise<StatusRecordWrite> {
    this.denyStatus('updating');
    this.statusWrites++;
    this.beforeStatusWrite?.();
    if (!this.statusRecord) return { ok: false, why: 'gone' };
    if (this.statusRecord.resourceVersion !== resourceVersion) return { ok: false, why: 'conflict' };
    this.statusRecord = { text, resourceVersion: `s${++this.statusRv}` };
    return { ok: true, resourceVersion: this.statusRecord.resourceVersion };
  }

  close(): void {
    this.closed = true;
  }
}

function refusal(status: number, reason: string, message: string): WriteOutcome {
  return { ok: false, status, reason, message: `HTTP ${status}: ${message}` };
}

/** A Context over the fakes: a recording Io, a fixed clock, a counting monotonic clock; each port opened once. */
export function fakeContext(source: SourcePort, target: TargetPort): Context & { io: RecordingIo; opened: { source: number; target: number } } {
  const opened = { source: 0, target: 0 };
  let tick = 0;
  return {
    io: new RecordingIo(),
    now: () => new Date('2026-02-03T04:05:06Z'),
    monotonic: () => (tick += 5),
    toolVersion: '0.0.0-test',
    who: 'tester@host/1',
    opened,
    openSource: async () => {
      opened.source++;
      return source;
    },
    openTarget: async () => {
      opened.target++;
      return target;
    },
  };
}
