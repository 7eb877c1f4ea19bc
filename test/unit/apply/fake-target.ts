/**
 * In-memory fakes of the target port for the engine's pure ordering/journal/resume logic and the
 * lease protocol. FakeTarget: uids, resourceVersions, create-only, precondition conflicts, Node
 * merge patches; it records every write and the concurrency it saw. FakeLease: the apply Lease
 * with the API server's optimistic concurrency. Neither claims to be Kubernetes (no admission,
 * RBAC, defaulting, or real network failures beyond what a test scripts); the integration tests
 * use the real API server.
 */
import type { KubeObject } from '../../../src/model/types.js';
import { refOf, type LeasePort, type LeaseRecord, type LeaseSpec, type LeaseWrite, type ObjectRef, type TargetWriter, type WriteOutcome } from '../../../src/ports/target.js';

export interface WriteCall {
  op: 'create' | 'replace' | 'delete' | 'patch';
  key: string;
  body?: unknown;
  pre?: unknown;
}

export function keyOf(ref: { apiVersion: string; kind: string; namespace?: string | null; name: string } | KubeObject): string {
  const r = 'metadata' in ref ? refOf(ref) : ref;
  return `${r.apiVersion}/${r.kind}/${r.namespace ? r.namespace + '/' : ''}${r.name}`;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class FakeTarget implements TargetWriter {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: WriteCall[] = [];
  /** Every event in order: `start <op> <key>` / `end <op> <key>`. */
  readonly timeline: string[] = [];
  inflight = 0;
  maxInflight = 0;
  delayMs = 0;
  private rv = 100;
  private uidSeq = 0;
  /** Called before a write is applied; return an outcome to answer with instead. */
  intercept: ((call: WriteCall) => WriteOutcome | 'throw' | null | Promise<WriteOutcome | 'throw' | null>) | null = null;
  /** Writes to these keys are applied, but answered as a retried request would be (the first response was lost). */
  readonly loseResponse = new Set<string>();
  /** Called when a write starts (e.g. to check what is on disk at that moment). */
  onWriteStart: ((call: WriteCall) => void) | null = null;

  seed(obj: KubeObject): KubeObject {
    const stored = clone(obj);
    stored.metadata.uid = `uid-${++this.uidSeq}`;
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(keyOf(refOf(stored)), stored);
    return clone(stored);
  }

  /** Bump an object's resourceVersion (someone else wrote it), optionally changing it. */
  touch(ref: ObjectRef, mutate?: (o: KubeObject) => void): void {
    const o = this.objects.get(keyOf(ref));
    if (!o) throw new Error(`no ${keyOf(ref)}`);
    mutate?.(o);
    o.metadata.resourceVersion = String(++this.rv);
  }

  writes(): WriteCall[] {
    return this.calls;
  }

  private async begin(call: WriteCall): Promise<WriteOutcome | 'throw' | null> {
    this.calls.push(call);
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    this.timeline.push(`start ${call.op} ${call.key}`);
    this.onWriteStart?.(call);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    else await Promise.resolve();
    return this.intercept ? await this.intercept(call) : null;
  }

  private finish(call: WriteCall): void {
    this.inflight--;
    this.timeline.push(`end ${call.op} ${call.key}`);
  }

  private answer(call: WriteCall, out: WriteOutcome | 'throw'): WriteOutcome {
    this.finish(call);
    if (out !== 'throw' && out.ok && this.loseResponse.delete(call.key)) {
      // The write landed; the retry the connection layer sent then saw our own write.
      return call.op === 'delete' ? notFound() : conflict(call.op === 'create' ? 'AlreadyExists' : 'Conflict');
    }
    if (out === 'throw') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    return out;
  }

  async get(ref: ObjectRef): Promise<KubeObject | null> {
    await Promise.resolve();
    const o = this.objects.get(keyOf(ref));
    return o ? clone(o) : null;
  }

  async create(obj: KubeObject, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const key = keyOf(refOf(obj));
    if (opts.dryRun) return this.objects.has(key) ? conflict('AlreadyExists') : { ok: true, object: clone(obj) };
    const call: WriteCall = { op: 'create', key, body: clone(obj) };
    const x = await this.begin(call);
    if (x) return this.answer(call, x);
    if (obj.kind === 'Node') return this.answer(call, { ok: false, status: 405, reason: 'MethodNotAllowed', message: 'HTTP 405: no' });
    if (this.objects.has(key)) return this.answer(call, conflict('AlreadyExists'));
    const stored = clone(obj);
    stored.metadata.uid = `uid-${++this.uidSeq}`;
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, stored);
    return this.answer(call, { ok: true, object: clone(stored) });
  }

  async replace(obj: KubeObject, resourceVersion: string, opts: { dryRun?: boolean } = {}): Promise<WriteOutcome> {
    const key = keyOf(refOf(obj));
    if (opts.dryRun) {
      const cur = this.objects.get(key);
      if (!cur) return notFound();
      return { ok: true, object: { ...clone(obj), metadata: { ...clone(obj.metadata), uid: cur.metadata.uid, resourceVersion: cur.metadata.resourceVersion } } };
    }
    const call: WriteCall = { op: 'replace', key, body: clone(obj), pre: resourceVersion };
    const x = await this.begin(call);
    if (x) return this.answer(call, x);
    const cur = this.objects.get(key);
    if (!cur) return this.answer(call, notFound());
    if (cur.metadata.resourceVersion !== resourceVersion) return this.answer(call, conflict('Conflict'));
    const stored = clone(obj);
    stored.metadata.uid = cur.metadata.uid;
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, stored);
    return this.answer(call, { ok: true, object: clone(stored) });
  }

  async delete(ref: ObjectRef, pre: { uid?: string | null; resourceVersion?: string | null }): Promise<WriteOutcome> {
    const key = keyOf(ref);
    const call: WriteCall = { op: 'delete', key, pre: clone(pre) };
    const x = await this.begin(call);
    if (x) return this.answer(call, x);
    const cur = this.objects.get(key);
    if (!cur) return this.answer(call, notFound());
    if ((pre.uid && cur.metadata.uid !== pre.uid) || (pre.resourceVersion && cur.metadata.resourceVersion !== pre.resourceVersion)) {
      return this.answer(call, conflict('Conflict'));
    }
    this.objects.delete(key);
    return this.answer(call, { ok: true, object: clone(cur) });
  }

  async patchNodeAnnotations(name: string, annotations: Record<string, string | null>, resourceVersion: string | null): Promise<WriteOutcome> {
    const key = keyOf({ apiVersion: 'v1', kind: 'Node', name });
    const call: WriteCall = { op: 'patch', key, body: clone(annotations), pre: resourceVersion };
    const x = await this.begin(call);
    if (x) return this.answer(call, x);
    const cur = this.objects.get(key);
    if (!cur) return this.answer(call, notFound());
    if (resourceVersion && cur.metadata.resourceVersion !== resourceVersion) return this.answer(call, conflict('Conflict'));
    const ann = { ...(cur.metadata.annotations ?? {}) };
    for (const [k, v] of Object.entries(annotations)) {
      if (v === null) delete ann[k];
      else ann[k] = v;
    }
    cur.metadata.annotations = ann;
    cur.metadata.resourceVersion = String(++this.rv);
    return this.answer(call, { ok: true, object: clone(cur) });
  }

  /** Objects without server fields, sorted by key: for comparing states. */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of [...this.objects.keys()].sort()) {
      const o = clone(this.objects.get(key)!);
      delete o.metadata.uid;
      delete o.metadata.resourceVersion;
      if (o.metadata.annotations && Object.keys(o.metadata.annotations).length === 0) delete o.metadata.annotations;
      out[key] = o;
    }
    return out;
  }
}

function conflict(reason: string): WriteOutcome {
  return { ok: false, status: 409, reason, message: `HTTP 409: ${reason}` };
}

function notFound(): WriteOutcome {
  return { ok: false, status: 404, reason: 'NotFound', message: 'HTTP 404: not found' };
}

/**
 * A fake apply Lease (the LeasePort, in memory): create-only, update guarded by uid and
 * resourceVersion, delete guarded by uid and resourceVersion, a new resourceVersion on every write.
 * It does NOT claim to be the API server: no expiry of its own (the protocol computes that), no
 * RBAC, and failures only as a test scripts them (`stolenBy`, `loseNextUpdateResponse`, `failNext`).
 */
export class FakeLease implements LeasePort {
  lease: LeaseRecord | null = null;
  /** Every operation, in order: `read`, `create`, `update`, `delete`. */
  readonly calls: string[] = [];
  deletes = 0;
  /** At the next update, someone else takes the lease first (same object and uid, new holder and resourceVersion). */
  stolenBy: string | null = null;
  /** Called at the start of every update (a renewal or a takeover), e.g. to set `stolenBy`. */
  onRenew: (() => void) | null = null;
  /** The next update is stored but answered with a conflict, as its retry after a lost response would be. */
  loseNextUpdateResponse = false;
  /** The next operation throws this instead (an unreachable API server). */
  failNext: Error | null = null;
  private rv = 1;
  private uidSeq = 0;

  /** Put a lease in place as another holder would have written it; unset spec fields are null. */
  seed(spec: Partial<LeaseSpec>): LeaseRecord {
    this.lease = {
      spec: { holderIdentity: null, leaseDurationSeconds: null, acquireTime: null, renewTime: null, leaseTransitions: null, ...spec },
      uid: `lease-uid-${++this.uidSeq}`,
      resourceVersion: String(++this.rv),
    };
    return clone(this.lease);
  }

  private async begin(op: string): Promise<void> {
    this.calls.push(op);
    await Promise.resolve();
    const e = this.failNext;
    this.failNext = null;
    if (e) throw e;
  }

  async readLease(): Promise<LeaseRecord | null> {
    await this.begin('read');
    return this.lease ? clone(this.lease) : null;
  }

  async createLease(spec: LeaseSpec): Promise<LeaseWrite> {
    await this.begin('create');
    if (this.lease) return { ok: false, why: 'conflict' };
    this.lease = { spec: clone(spec), uid: `lease-uid-${++this.uidSeq}`, resourceVersion: String(++this.rv) };
    return { ok: true, lease: clone(this.lease) };
  }

  async updateLease(current: LeaseRecord, spec: LeaseSpec): Promise<LeaseWrite> {
    await this.begin('update');
    this.onRenew?.();
    if (this.lease && this.stolenBy && this.lease.spec.holderIdentity !== this.stolenBy) {
      this.lease = { ...this.lease, spec: { ...this.lease.spec, holderIdentity: this.stolenBy }, resourceVersion: String(++this.rv) };
    }
    if (!this.lease) return { ok: false, why: 'gone' };
    if (current.uid !== this.lease.uid || current.resourceVersion !== this.lease.resourceVersion) return { ok: false, why: 'conflict' };
    this.lease = { spec: clone(spec), uid: this.lease.uid, resourceVersion: String(++this.rv) };
    if (this.loseNextUpdateResponse) {
      this.loseNextUpdateResponse = false;
      return { ok: false, why: 'conflict' };
    }
    return { ok: true, lease: clone(this.lease) };
  }

  async deleteLease(pre: Pick<LeaseRecord, 'uid' | 'resourceVersion'>): Promise<{ ok: true } | { ok: false; why: 'conflict' | 'gone' }> {
    await this.begin('delete');
    this.deletes++;
    if (!this.lease) return { ok: false, why: 'gone' };
    if (pre.uid !== this.lease.uid || pre.resourceVersion !== this.lease.resourceVersion) return { ok: false, why: 'conflict' };
    this.lease = null;
    return { ok: true };
  }
}
