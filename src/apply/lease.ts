/**
 * The exclusive apply Lease: `coordination.k8s.io/v1` Lease `kube-system/calico-migrate-apply`.
 *
 * - acquire: create it; if it exists, take it over only if it has expired (renewTime +
 *   leaseDurationSeconds < now, per the injected clock), with a resourceVersion-guarded update.
 *   Otherwise refuse with LEASE_HELD naming the holder, when it was acquired and renewed, and when
 *   it expires.
 * - renew: every 10 s while apply runs (an update guarded by resourceVersion). Any renewal failure
 *   means the lease is lost: `lost` is set, listeners are told, and apply starts no new write.
 *   Independently of the timer, `isValid()` is false once the last successful renewal is older
 *   than the lease duration, so a hung renewal cannot let writes run on an expired lease.
 * - release: delete with uid + resourceVersion preconditions, on success and on failure (a
 *   takeover keeps the uid, so the resourceVersion is what keeps us from deleting a new holder's lease).
 * - `releaseLease` (for `unlock --lease`): only with the matching holder, or with force.
 *
 * Lease times are MicroTime (RFC 3339 with microseconds).
 */
import { MigrateError } from '../errors.js';
import type { LeaseTarget } from './types.js';

export const LEASE_NAMESPACE = 'kube-system';
export const LEASE_NAME = 'calico-migrate-apply';
export const LEASE_DURATION_SECONDS = 30;
export const LEASE_RENEW_INTERVAL_MS = 10_000;
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`;
const LEASE_OBJECT_PATH = `${LEASE_PATH}/${LEASE_NAME}`;
const UNLOCK_HINT = 'wait for that apply to finish, or, if its holder is gone (the process died), run `calico-migrate unlock --lease`';

export interface LeaseInfo {
  holder: string | null;
  acquireTime: string | null;
  renewTime: string | null;
  durationSeconds: number;
  transitions: number;
  uid: string;
  resourceVersion: string;
  /** renewTime (or acquireTime) + duration; null when the lease has neither time. */
  expiresAt: Date | null;
  expired: boolean;
}

export interface LeaseOptions {
  clock?: () => Date;
  durationSeconds?: number;
  renewIntervalMs?: number;
}

/** Kubernetes MicroTime: `2006-01-02T15:04:05.000000Z`. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function describeResponse(r: { status: number; body: any }): string {
  const msg = typeof r.body === 'object' && r.body?.message ? r.body.message : String(r.body ?? '').slice(0, 200);
  return `HTTP ${r.status}: ${msg}`;
}

function infoOf(body: any, now: Date): LeaseInfo {
  const spec = body?.spec ?? {};
  const durationSeconds = typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : LEASE_DURATION_SECONDS;
  const last = spec.renewTime ?? spec.acquireTime ?? null;
  const lastMs = last ? Date.parse(last) : NaN;
  const expiresAt = Number.isFinite(lastMs) ? new Date(lastMs + durationSeconds * 1000) : null;
  return {
    holder: spec.holderIdentity ?? null,
    acquireTime: spec.acquireTime ?? null,
    renewTime: spec.renewTime ?? null,
    durationSeconds,
    transitions: typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0,
    uid: body.metadata.uid,
    resourceVersion: body.metadata.resourceVersion,
    expiresAt,
    // A lease with no times at all cannot be shown to be alive.
    expired: expiresAt === null || expiresAt.getTime() < now.getTime(),
  };
}

function heldError(info: LeaseInfo): MigrateError {
  const when = [
    info.acquireTime ? `acquired ${info.acquireTime}` : null,
    info.renewTime ? `last renewed ${info.renewTime}` : null,
    info.expiresAt ? `expires ${info.expiresAt.toISOString()} unless renewed` : 'no expiry time',
  ].filter(Boolean);
  return new MigrateError(
    'LEASE_HELD',
    `another apply is running: the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME} is held by ${info.holder ?? '(no holder)'} (${when.join(', ')})`,
    { hint: UNLOCK_HINT, details: { lease: `${LEASE_NAMESPACE}/${LEASE_NAME}`, holder: info.holder, acquire_time: info.acquireTime, renew_time: info.renewTime, expires_at: info.expiresAt?.toISOString() ?? null } },
  );
}

function apiError(what: string, r: { status: number; body: any }): MigrateError {
  if (r.status === 403) {
    return new MigrateError('TARGET_INVALID', `permission denied while ${what}: ${describeResponse(r)}`, {
      hint: 'bind the identity to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml (coordination.k8s.io leases: get, create, update, delete)',
    });
  }
  return new MigrateError('ERROR', `${what} failed: ${describeResponse(r)}`, { hint: 'check the API server is healthy and retry' });
}

/** The lease as it is now, or null when there is none. */
export async function readLease(target: LeaseTarget, clock: () => Date = () => new Date()): Promise<LeaseInfo | null> {
  const r = await target.request('GET', LEASE_OBJECT_PATH);
  if (r.status === 404) return null;
  if (r.status !== 200) throw apiError(`reading the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}`, r);
  return infoOf(r.body, clock());
}

type LostListener = (error: MigrateError) => void;

/** A held lease. */
export class LeaseHandle {
  private timer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private listeners: LostListener[] = [];
  private lostError: MigrateError | null = null;
  private released = false;
  /** Wall-clock time of the last successful acquire/renew. */
  private renewedAt: Date;

  constructor(
    private readonly target: LeaseTarget,
    readonly holder: string,
    private body: any,
    private readonly clock: () => Date,
    readonly durationSeconds: number,
    readonly renewIntervalMs: number,
  ) {
    this.renewedAt = clock();
  }

  get info(): LeaseInfo {
    return infoOf(this.body, this.clock());
  }

  get uid(): string {
    return this.body.metadata.uid;
  }

  /** Why the lease was lost, or null while it is held. */
  get lost(): MigrateError | null {
    return this.lostError;
  }

  onLost(listener: LostListener): void {
    this.listeners.push(listener);
    if (this.lostError) listener(this.lostError);
  }

  /** Held, and the last renewal is recent enough that no one else can have taken it over. */
  isValid(): boolean {
    if (this.lostError || this.released) return false;
    return this.clock().getTime() < this.renewedAt.getTime() + this.durationSeconds * 1000;
  }

  /** Throws the lost-lease error when the lease cannot be relied on. */
  assertValid(): void {
    if (this.lostError) throw this.lostError;
    if (!this.isValid()) {
      this.markLost(`the last renewal (${this.renewedAt.toISOString()}) is older than the lease duration (${this.durationSeconds}s)`);
      throw this.lostError!;
    }
  }

  private markLost(why: string): void {
    if (this.lostError) return;
    this.lostError = new MigrateError('LEASE_HELD', `lost the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}: ${why}; no new writes were started`, {
      hint: 'check who holds the lease with `kubectl -n kube-system get lease calico-migrate-apply -o yaml`, then continue with `calico-migrate apply --resume <journal> <plan>`',
    });
    this.stopRenewal();
    for (const l of this.listeners) l(this.lostError);
  }

  startRenewal(): void {
    if (this.timer || this.released) return;
    this.timer = setInterval(() => {
      if (!this.renewing) this.renewing = this.renew().finally(() => (this.renewing = null));
    }, this.renewIntervalMs);
    this.timer.unref();
  }

  stopRenewal(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Renew once now. Any failure marks the lease lost (it does not throw). */
  async renew(): Promise<void> {
    if (this.lostError || this.released) return;
    const now = this.clock();
    const body = {
      ...this.body,
      spec: { ...this.body.spec, holderIdentity: this.holder, renewTime: microTime(now) },
    };
    let r: { status: number; body: any };
    try {
      r = await this.target.request('PUT', LEASE_OBJECT_PATH, { body });
    } catch (e) {
      this.markLost(`renewing it failed: ${(e as Error).message}`);
      return;
    }
    if (this.released) return;
    if (r.status === 200 && r.body?.spec?.holderIdentity === this.holder) {
      this.body = r.body;
      this.renewedAt = now;
      return;
    }
    if (r.status === 404) return this.markLost('it was deleted (by `unlock --lease`?)');
    if (r.status === 409) {
      // A renewal retried after a lost response conflicts with itself: still ours if the holder is.
      const current = await this.target.request('GET', LEASE_OBJECT_PATH).catch(() => null);
      const spec = current?.status === 200 ? current.body?.spec : null;
      if (spec?.holderIdentity === this.holder && current!.body.metadata.uid === this.uid) {
        this.body = current!.body;
        const renewed = Date.parse(spec.renewTime ?? '');
        if (Number.isFinite(renewed) && renewed > this.renewedAt.getTime()) this.renewedAt = new Date(Math.min(renewed, now.getTime()));
        return;
      }
      return this.markLost(spec?.holderIdentity ? `it is now held by ${spec.holderIdentity}` : 'it was changed or deleted by someone else');
    }
    this.markLost(`renewing it failed: ${describeResponse(r)}`);
  }

  /** Stop renewing and delete the lease (uid precondition). Returns false when it was no longer ours. */
  async release(): Promise<boolean> {
    this.stopRenewal();
    if (this.renewing) await this.renewing;
    if (this.released) return false;
    this.released = true;
    // uid AND resourceVersion: a takeover keeps the object (and its uid), so uid alone could
    // delete the new holder's lease.
    const r = await this.target.request('DELETE', LEASE_OBJECT_PATH, {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: this.uid, resourceVersion: this.body.metadata.resourceVersion } },
    });
    if (r.status === 200 || r.status === 202) return true;
    if (r.status === 404 || r.status === 409) return false;
    throw apiError(`releasing the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}`, r);
  }
}

/**
 * Acquire the apply lease for `holder` (`user@host/pid/plan_id`). Does not start renewal: call
 * `startRenewal()` (applyPlan does).
 * @throws MigrateError LEASE_HELD when another holder has an unexpired lease
 */
export async function acquireLease(target: LeaseTarget, holder: string, opts: LeaseOptions = {}): Promise<LeaseHandle> {
  const clock = opts.clock ?? (() => new Date());
  const durationSeconds = opts.durationSeconds ?? LEASE_DURATION_SECONDS;
  const renewIntervalMs = opts.renewIntervalMs ?? LEASE_RENEW_INTERVAL_MS;
  const handle = (body: any) => new LeaseHandle(target, holder, body, clock, durationSeconds, renewIntervalMs);

  for (let attempt = 0; attempt < 3; attempt++) {
    const now = microTime(clock());
    const created = await target.request('POST', LEASE_PATH, {
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE },
        spec: { holderIdentity: holder, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      },
    });
    if (created.status === 201 || created.status === 200) return handle(created.body);
    if (created.status !== 409) throw apiError(`creating the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}`, created);

    const existing = await target.request('GET', LEASE_OBJECT_PATH);
    if (existing.status === 404) continue; // released in between: try to create again
    if (existing.status !== 200) throw apiError(`reading the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}`, existing);
    const info = infoOf(existing.body, clock());
    // Our own holder identity (it names this process): a create retried after a lost response.
    if (info.holder === holder) return handle(existing.body);
    if (!info.expired) throw heldError(info);

    // Expired: take it over, guarded by its resourceVersion so two takers cannot both win.
    const taken = await target.request('PUT', LEASE_OBJECT_PATH, {
      body: {
        ...existing.body,
        spec: {
          ...existing.body.spec,
          holderIdentity: holder,
          leaseDurationSeconds: durationSeconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: info.transitions + 1,
        },
      },
    });
    if (taken.status === 200) return handle(taken.body);
    if (taken.status === 409) {
      const again = await readLease(target, clock);
      if (again && !again.expired) throw heldError(again);
      continue;
    }
    if (taken.status === 404) continue;
    throw apiError(`taking over the expired apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}`, taken);
  }
  const last = await readLease(target, clock);
  if (last) throw heldError(last);
  throw new MigrateError('ERROR', `could not acquire the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}: it kept changing`, { hint: 'retry' });
}

/**
 * `calico-migrate unlock --lease`: delete the lease if its holder is `expectedHolder`, or whatever
 * the holder with `force`. Returns the lease that was removed (null when there was none).
 * @throws MigrateError LEASE_HELD for a different holder without force; USAGE with neither option
 */
export async function releaseLease(
  target: LeaseTarget,
  opts: { force?: boolean; expectedHolder?: string },
  clock: () => Date = () => new Date(),
): Promise<{ released: boolean; lease: LeaseInfo | null }> {
  if (!opts.force && opts.expectedHolder === undefined) {
    throw new MigrateError('USAGE', 'releasing the apply lease needs the expected holder or force', {
      hint: 'pass the holder shown by the LEASE_HELD error, or --force',
    });
  }
  const lease = await readLease(target, clock);
  if (!lease) return { released: false, lease: null };
  if (!opts.force && lease.holder !== opts.expectedHolder) {
    throw new MigrateError(
      'LEASE_HELD',
      `the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME} is held by ${lease.holder ?? '(none)'}, not ${opts.expectedHolder}; not released`,
      { hint: 'check the holder is gone, then pass that holder or --force', details: { holder: lease.holder, expires_at: lease.expiresAt?.toISOString() ?? null } },
    );
  }
  const r = await target.request('DELETE', LEASE_OBJECT_PATH, {
    body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: lease.uid, resourceVersion: lease.resourceVersion } },
  });
  if (r.status === 200 || r.status === 202) return { released: true, lease };
  if (r.status === 404) return { released: false, lease };
  if (r.status === 409) {
    throw new MigrateError('LEASE_HELD', `the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME} changed while it was being released (renewed or taken over); not released`, {
      hint: 'run the command again to see the current holder',
    });
  }
  throw apiError(`releasing the apply lease ${LEASE_NAMESPACE}/${LEASE_NAME}`, r);
}
