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
 * Lease times are MicroTime (RFC 3339 with microseconds). The lease is reached through the
 * LeasePort only: the adapter owns the REST paths and status codes, this module the protocol.
 */
import { MigrateError } from '../errors.js';
import { LEASE_NAME, LEASE_NAMESPACE } from '../model/apply-lease.js';
import type { LeasePort, LeaseRecord, LeaseSpec } from '../ports/target.js';

export { LEASE_NAME, LEASE_NAMESPACE } from '../model/apply-lease.js';

export const LEASE_DURATION_SECONDS = 30;
export const LEASE_RENEW_INTERVAL_MS = 10_000;
const LEASE_LABEL = `${LEASE_NAMESPACE}/${LEASE_NAME}`;
/** The next step for a held lease, with the holder `unlock --lease` requires. */
const unlockHint = (holder: string | null) =>
  `wait for that apply to finish, or, if its holder is gone (the process died), run \`calico-migrate unlock --lease --holder '${holder ?? ''}'\` (it lapses by itself ${LEASE_DURATION_SECONDS} s after its last renewal)`;

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
  /**
   * Whether a holder is known to be gone (its process on this host no longer exists): its lease
   * is then taken over at once, as an expired one would be, instead of waiting for it to lapse.
   */
  holderGone?: (holder: string) => boolean;
  /** Told when a gone holder's lease was taken over (for the operator's record). */
  onTakeOver?: (previousHolder: string) => void;
}

/** Kubernetes MicroTime: `2006-01-02T15:04:05.000000Z`. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function infoOf(record: LeaseRecord, now: Date): LeaseInfo {
  const { spec } = record;
  const durationSeconds = spec.leaseDurationSeconds ?? LEASE_DURATION_SECONDS;
  const last = spec.renewTime ?? spec.acquireTime;
  const lastMs = last ? Date.parse(last) : NaN;
  const expiresAt = Number.isFinite(lastMs) ? new Date(lastMs + durationSeconds * 1000) : null;
  return {
    holder: spec.holderIdentity,
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    durationSeconds,
    transitions: spec.leaseTransitions ?? 0,
    uid: record.uid,
    resourceVersion: record.resourceVersion,
    expiresAt,
    // A lease with no times at all cannot be shown to be alive.
    expired: expiresAt === null || expiresAt.getTime() < now.getTime(),
  };
}

export function heldError(info: LeaseInfo): MigrateError {
  const when = [
    info.acquireTime ? `acquired ${info.acquireTime}` : null,
    info.renewTime ? `last renewed ${info.renewTime}` : null,
    info.expiresAt ? `expires ${info.expiresAt.toISOString()} unless renewed` : 'no expiry time',
  ].filter(Boolean);
  return new MigrateError('LEASE_HELD', `another apply is running: the apply lease ${LEASE_LABEL} is held by ${info.holder ?? '(no holder)'} (${when.join(', ')})`, {
    hint: unlockHint(info.holder),
    details: { lease: LEASE_LABEL, holder: info.holder, acquire_time: info.acquireTime, renew_time: info.renewTime, expires_at: info.expiresAt?.toISOString() ?? null },
  });
}

/**
 * Before any guard: another apply that holds the lease is named as such (LEASE_HELD), not reported
 * through the objects it is busy changing (which would read as STALE, "make a new plan").
 * @throws MigrateError LEASE_HELD
 */
export async function assertLeaseFree(lease: LeasePort, clock: () => Date, holderGone?: (holder: string) => boolean): Promise<void> {
  const info = await readLease(lease, clock);
  if (info && heldByLiveHolder(info, holderGone)) throw heldError(info);
}

/** Unexpired, and its holder not known gone: the one rule for "another apply runs". */
function heldByLiveHolder(info: LeaseInfo, holderGone?: (holder: string) => boolean): boolean {
  return !info.expired && !(info.holder && holderGone?.(info.holder));
}

/** The lease as it is now, or null when there is none. */
export async function readLease(lease: LeasePort, clock: () => Date = () => new Date()): Promise<LeaseInfo | null> {
  const record = await lease.readLease();
  return record ? infoOf(record, clock()) : null;
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
    private readonly lease: LeasePort,
    readonly holder: string,
    private record: LeaseRecord,
    private readonly clock: () => Date,
    readonly durationSeconds: number,
    readonly renewIntervalMs: number,
  ) {
    this.renewedAt = clock();
  }

  get info(): LeaseInfo {
    return infoOf(this.record, this.clock());
  }

  get uid(): string {
    return this.record.uid;
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
    if (!this.isValid()) throw this.markLost(`the last renewal (${this.renewedAt.toISOString()}) is older than the lease duration (${this.durationSeconds}s)`);
  }

  private markLost(why: string): MigrateError {
    if (this.lostError) return this.lostError;
    const error = new MigrateError('LEASE_HELD', `lost the apply lease ${LEASE_LABEL}: ${why}; no new writes were started`, {
      hint: 'check who holds the lease with `kubectl -n kube-system get lease calico-migrate-apply -o yaml`, then continue with `calico-migrate apply --resume <journal> <plan>`',
    });
    this.lostError = error;
    this.stopRenewal();
    for (const l of this.listeners) l(error);
    return error;
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
    const spec: LeaseSpec = { ...this.record.spec, holderIdentity: this.holder, renewTime: microTime(now) };
    let r: Awaited<ReturnType<LeasePort['updateLease']>>;
    try {
      r = await this.lease.updateLease(this.record, spec);
    } catch (e) {
      this.markLost(`renewing it failed: ${(e as Error).message}`);
      return;
    }
    if (this.released) return;
    if (r.ok) {
      if (r.lease.spec.holderIdentity !== this.holder) {
        this.markLost(`renewing it failed: the renewed lease names ${r.lease.spec.holderIdentity ?? '(no holder)'}`);
        return;
      }
      this.record = r.lease;
      this.renewedAt = now;
      return;
    }
    switch (r.why) {
      case 'gone':
        this.markLost('it was deleted (by `unlock --lease`?)');
        return;
      case 'conflict':
        await this.afterRenewConflict(now);
        return;
      default: {
        const never: never = r.why;
        throw new Error(`unknown lease write result ${String(never)}`);
      }
    }
  }

  /** A renewal retried after a lost response conflicts with itself: still ours if the holder (and uid) are. */
  private async afterRenewConflict(now: Date): Promise<void> {
    const current = await this.lease.readLease().catch(() => null);
    if (current && current.spec.holderIdentity === this.holder && current.uid === this.uid) {
      this.record = current;
      const renewed = Date.parse(current.spec.renewTime ?? '');
      if (Number.isFinite(renewed) && renewed > this.renewedAt.getTime()) this.renewedAt = new Date(Math.min(renewed, now.getTime()));
      return;
    }
    this.markLost(current?.spec.holderIdentity ? `it is now held by ${current.spec.holderIdentity}` : 'it was changed or deleted by someone else');
  }

  /** Stop renewing and delete the lease (uid + resourceVersion preconditions). Returns false when it was no longer ours. */
  async release(): Promise<boolean> {
    this.stopRenewal();
    if (this.renewing) await this.renewing;
    if (this.released) return false;
    this.released = true;
    // uid AND resourceVersion: a takeover keeps the object (and its uid), so uid alone could
    // delete the new holder's lease.
    const r = await this.lease.deleteLease({ uid: this.uid, resourceVersion: this.record.resourceVersion });
    return r.ok;
  }
}

/**
 * Acquire the apply lease for `holder` (`user@host/pid/plan_id`). Does not start renewal: call
 * `startRenewal()` (applyPlan does).
 * @throws MigrateError LEASE_HELD when another holder has an unexpired lease
 */
export async function acquireLease(lease: LeasePort, holder: string, opts: LeaseOptions = {}): Promise<LeaseHandle> {
  const clock = opts.clock ?? (() => new Date());
  const durationSeconds = opts.durationSeconds ?? LEASE_DURATION_SECONDS;
  const renewIntervalMs = opts.renewIntervalMs ?? LEASE_RENEW_INTERVAL_MS;
  const handle = (record: LeaseRecord) => new LeaseHandle(lease, holder, record, clock, durationSeconds, renewIntervalMs);

  for (let attempt = 0; attempt < 3; attempt++) {
    const now = microTime(clock());
    const created = await lease.createLease({ holderIdentity: holder, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 });
    if (created.ok) return handle(created.lease);
    // `gone` from a create-only write leaves nothing to take over: try again from the top.
    if (created.why !== 'conflict') continue;

    const existing = await lease.readLease();
    if (!existing) continue; // released in between: try to create again
    const info = infoOf(existing, clock());
    // Our own holder identity (it names this process): a create retried after a lost response.
    if (info.holder === holder) return handle(existing);
    if (heldByLiveHolder(info, opts.holderGone)) throw heldError(info);
    // Past that rule an unexpired lease is one whose holder is gone: say so once it is ours.
    const gone = !info.expired;

    // Expired: take it over, guarded by its resourceVersion so two takers cannot both win.
    const taken = await lease.updateLease(existing, {
      ...existing.spec,
      holderIdentity: holder,
      leaseDurationSeconds: durationSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: info.transitions + 1,
    });
    if (taken.ok) {
      if (gone && info.holder) opts.onTakeOver?.(info.holder);
      return handle(taken.lease);
    }
    switch (taken.why) {
      case 'conflict': {
        const again = await readLease(lease, clock);
        if (again && !again.expired) throw heldError(again);
        continue;
      }
      case 'gone':
        continue;
      default: {
        const never: never = taken.why;
        throw new Error(`unknown lease write result ${String(never)}`);
      }
    }
  }
  const last = await readLease(lease, clock);
  if (last) throw heldError(last);
  throw new MigrateError('ERROR', `could not acquire the apply lease ${LEASE_LABEL}: it kept changing`, { hint: 'retry' });
}

/**
 * `calico-migrate unlock --lease`: delete the lease if its holder is `expectedHolder`, or whatever
 * the holder with `force`. Returns the lease that was removed (null when there was none).
 * @throws MigrateError LEASE_HELD for a different holder without force; USAGE with neither option
 */
export async function releaseLease(port: LeasePort, opts: { force?: boolean; expectedHolder?: string }, clock: () => Date = () => new Date()): Promise<{ released: boolean; lease: LeaseInfo | null }> {
  if (!opts.force && opts.expectedHolder === undefined) {
    throw new MigrateError('USAGE', 'releasing the apply lease needs the expected holder or force', {
      hint: 'pass the holder shown by the LEASE_HELD error, or --force',
    });
  }
  const lease = await readLease(port, clock);
  if (!lease) return { released: false, lease: null };
  if (!opts.force && lease.holder !== opts.expectedHolder) {
    throw new MigrateError('LEASE_HELD', `the apply lease ${LEASE_LABEL} is held by ${lease.holder ?? '(none)'}, not ${opts.expectedHolder}; not released`, {
      hint: 'check the holder is gone, then pass that holder or --force',
      details: { holder: lease.holder, expires_at: lease.expiresAt?.toISOString() ?? null },
    });
  }
  const r = await port.deleteLease({ uid: lease.uid, resourceVersion: lease.resourceVersion });
  if (r.ok) return { released: true, lease };
  switch (r.why) {
    case 'gone':
      return { released: false, lease };
    case 'conflict':
      throw new MigrateError('LEASE_HELD', `the apply lease ${LEASE_LABEL} changed while it was being released (renewed or taken over); not released`, {
        hint: 'run the command again to see the current holder',
      });
    default: {
      const never: never = r.why;
      throw new Error(`unknown lease write result ${String(never)}`);
    }
  }
}
