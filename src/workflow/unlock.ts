/**
 * `unlock`: the guarded ends of a migration freeze.
 * - kubernetes: the point of no return. Calico in Kubernetes-datastore mode starts acting on the
 *   migrated data, so it is refused unless verify passes (or force).
 * - etcd: ends the freeze without migrating (e.g. after a rollback). Refused while the target is
 *   unlocked, since two live datastores would then both drive the cluster (or force).
 * - the apply lease of a crashed apply: only for the matching holder, or force.
 */
import { releaseLease, type LeaseInfo } from '../apply/lease.js';
import { MigrateError } from '../errors.js';
import type { ConversionSettings } from '../model/types.js';
import type { Context } from './context.js';
import { describeLock, readEtcdLock, readKubeLock, setEtcdLock, setKubeLock, type Datastore, type LockResult } from './lock.js';
import { writeRecord } from './state-dir.js';
import { verifyMigration } from './verify.js';

export interface UnlockOptions {
  datastore: Datastore;
  force: boolean;
  conversion: ConversionSettings;
  parallelism: number;
  stateDir: string;
  /** unlock --datastore kubernetes: do not ask before the point of no return (scripts). */
  autoApprove: boolean;
}

export type UnlockOutcome = LockResult;

export interface UnlockedRecord {
  at: string;
  by: string;
  forced: boolean;
}

export async function unlockDatastore(opts: UnlockOptions, ctx: Context): Promise<UnlockOutcome> {
  switch (opts.datastore) {
    case 'kubernetes':
      return unlockTarget(opts, ctx);
    case 'etcd':
      return unlockSource(opts, ctx);
    default: {
      const never: never = opts.datastore;
      throw new MigrateError('USAGE', `unknown datastore ${String(never)}`, { hint: 'pass --datastore etcd or --datastore kubernetes' });
    }
  }
}

async function unlockTarget(opts: UnlockOptions, ctx: Context): Promise<UnlockOutcome> {
  // Refused before the verify, so a script without --auto-approve learns it at once, not minutes later.
  if (!opts.autoApprove && !ctx.io.canConfirm()) {
    throw new MigrateError('ABORTED', 'unlock --datastore kubernetes is the point of no return and needs confirmation; there is no terminal to ask on. Nothing was unlocked', {
      hint: 'pass --auto-approve',
    });
  }
  const target = await ctx.openTarget();
  if (!opts.force) {
    // After a pre-copy the target may match a running source for a moment; unlocking it then would
    // leave two live datastores, and the source's later changes (new pods' IPs) would be lost.
    if (!(await readEtcdLock(await ctx.openSource())).locked) {
      throw new MigrateError(
        'NOT_LOCKED',
        'refusing to unlock the target: the source datastore is not locked, so it is still live and the target would be a second live copy of data that keeps changing',
        {
          hint: 'run `calico-migrate cutover` (lock, delta plan, apply, verify), or lock the source and plan and apply again; --force unlocks anyway',
        },
      );
    }
    ctx.io.say('info', 'Verifying the target against the source before the point of no return…');
    const v = await verifyMigration({ conversion: opts.conversion, parallelism: opts.parallelism, stateDir: opts.stateDir }, ctx);
    const first = v.differences[0];
    if (!v.ok && first) {
      throw new MigrateError('VERIFY_FAILED', `refusing to unlock the target: verify found ${v.differences.length} difference(s) between source and target (first: ${first.object} ${first.kind})`, {
        hint: 'run `calico-migrate verify` to see them, plan and apply again; --force unlocks anyway',
        details: v.differences.slice(0, 100),
      });
    }
  }
  if (!opts.autoApprove) {
    // Asked after the verify, so the answer is given knowing the target holds what the source says.
    const ok = await ctx.io.confirm(`Unlock the target datastore (${target.server})? Calico starts running from the Kubernetes datastore; this is the point of no return.`);
    if (!ok) throw new MigrateError('ABORTED', 'unlock cancelled; nothing was unlocked', { hint: 'run it again and answer yes, or pass --auto-approve' });
  }
  const r = await setKubeLock(target, false, ctx);
  const record: UnlockedRecord = { at: ctx.now().toISOString(), by: ctx.who, forced: opts.force };
  writeRecord(opts.stateDir, 'unlocked.json', record);
  ctx.io.say('info', `${r.changed ? 'Unlocked' : 'Already unlocked'}: ${describeLock(r)}`);
  ctx.io.say('warn', 'Calico now runs from the Kubernetes datastore. Keep the etcd source locked: it is the frozen copy, not a second live datastore.');
  return r;
}

async function unlockSource(opts: UnlockOptions, ctx: Context): Promise<UnlockOutcome> {
  if (!opts.force) {
    const k = await readKubeLock(await ctx.openTarget());
    if (k.exists && !k.locked) {
      throw new MigrateError(
        'VERIFY_FAILED',
        'refusing to unlock the source: the target datastore is unlocked, so Calico may already run from it; two unlocked datastores would both drive the cluster',
        {
          hint: 'lock the target first (calico-migrate lock --datastore kubernetes), or pass --force',
        },
      );
    }
  }
  const r = await setEtcdLock(await ctx.openSource(), false, ctx);
  ctx.io.say('info', `${r.changed ? 'Unlocked' : 'Already unlocked'}: ${describeLock(r)}`);
  return r;
}

export interface ReleaseLeaseOutcome {
  released: boolean;
  lease: LeaseInfo | null;
}

/** `unlock --lease`: release the apply lease of an apply whose process is gone. */
export async function releaseApplyLease(opts: { holder?: string; force: boolean }, ctx: Context): Promise<ReleaseLeaseOutcome> {
  const r = await releaseLease(await ctx.openTarget(), { expectedHolder: opts.holder, force: opts.force }, ctx.now);
  ctx.io.say('info', r.released ? `Released the apply lease held by ${r.lease?.holder}.` : 'No apply lease is held.');
  return r;
}
