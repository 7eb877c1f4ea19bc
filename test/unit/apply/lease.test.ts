/**
 * The apply Lease protocol (expiry, takeover, renewal, guarded release, `unlock --lease`) over the
 * in-memory FakeLease. The API server's own behaviour (status codes, preconditions, RBAC) is
 * covered by test/integration/lease.test.ts against a real kube-apiserver.
 */
import assert from 'node:assert/strict';
import { acquireLease, LEASE_DURATION_SECONDS, microTime, readLease, releaseLease } from '../../../src/apply/lease.js';
import type { MigrateError } from '../../../src/errors.js';
import { FakeLease } from './fake-target.js';

const at = (iso: string) => () => new Date(iso);
const T0 = '2030-01-01T00:00:00.000Z';

describe('apply lease protocol (in-memory lease)', () => {
  describe('acquire', () => {
    it('creates the lease with the holder, duration and MicroTime acquire/renew times', async () => {
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'alice@host-a/100/sha256:aaa', { clock: at(T0) });
      assert.deepEqual(fake.lease?.spec, {
        holderIdentity: 'alice@host-a/100/sha256:aaa',
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        acquireTime: '2030-01-01T00:00:00.000000Z',
        renewTime: '2030-01-01T00:00:00.000000Z',
        leaseTransitions: 0,
      });
      assert.equal(h.uid, fake.lease?.uid);
      const info = await readLease(fake, at(T0));
      assert.equal(info?.holder, 'alice@host-a/100/sha256:aaa');
      assert.equal(info?.expired, false);
      assert.equal(info?.expiresAt?.toISOString(), '2030-01-01T00:00:30.000Z');
      assert.ok(h.isValid());
    });

    it('reads no lease as null', async () => {
      assert.equal(await readLease(new FakeLease()), null);
    });

    it('takes its own lease back when a retried create finds it (the first response was lost)', async () => {
      const fake = new FakeLease();
      const mine = fake.seed({ holderIdentity: 'me@host/1/x', leaseDurationSeconds: 30, acquireTime: microTime(new Date(T0)), renewTime: microTime(new Date(T0)), leaseTransitions: 0 });
      const h = await acquireLease(fake, 'me@host/1/x', { clock: at('2030-01-01T00:00:01.000Z') });
      assert.equal(h.uid, mine.uid);
      assert.deepEqual(fake.calls, ['create', 'read']);
    });

    it('refuses a live holder with LEASE_HELD naming the holder and its times, and writes nothing', async () => {
      const fake = new FakeLease();
      fake.seed({ holderIdentity: 'other@h/2/z', leaseDurationSeconds: 30, acquireTime: '2030-01-01T00:00:00.000000Z', renewTime: '2030-01-01T00:00:05.000000Z' });
      const before = structuredClone(fake.lease);
      await assert.rejects(acquireLease(fake, 'me@host/1/x', { clock: at('2030-01-01T00:00:34.000Z') }), (e: MigrateError) => {
        assert.equal(e.exitName, 'LEASE_HELD');
        assert.equal(
          e.message,
          'another apply is running: the apply lease kube-system/calico-migrate-apply is held by other@h/2/z (acquired 2030-01-01T00:00:00.000000Z, last renewed 2030-01-01T00:00:05.000000Z, expires 2030-01-01T00:00:35.000Z unless renewed)',
        );
        assert.match(e.hint!, /calico-migrate unlock --lease/);
        assert.deepEqual(e.details, {
          lease: 'kube-system/calico-migrate-apply',
          holder: 'other@h/2/z',
          acquire_time: '2030-01-01T00:00:00.000000Z',
          renew_time: '2030-01-01T00:00:05.000000Z',
          expires_at: '2030-01-01T00:00:35.000Z',
        });
        return true;
      });
      assert.deepEqual(fake.lease, before);
      assert.ok(!fake.calls.includes('update') && !fake.calls.includes('delete'));
    });

    it('takes over an unexpired lease at once when its holder is known gone (its process no longer runs on this host), and says so', async () => {
      const fake = new FakeLease();
      fake.seed({ holderIdentity: 'dead@host/41/x', leaseDurationSeconds: 30, acquireTime: microTime(new Date(T0)), renewTime: microTime(new Date(T0)), leaseTransitions: 0 });
      const told: string[] = [];
      const asked: string[] = [];
      await acquireLease(fake, 'me@host/42/y', {
        clock: at('2030-01-01T00:00:02.000Z'),
        holderGone: (h) => (asked.push(h), h === 'dead@host/41/x'),
        onTakeOver: (h) => told.push(h),
      });
      assert.deepEqual([asked, told], [['dead@host/41/x'], ['dead@host/41/x']]);
      assert.equal((await readLease(fake, at('2030-01-01T00:00:02.000Z')))?.holder, 'me@host/42/y');
      // A holder not known gone is still refused.
      const other = new FakeLease();
      other.seed({ holderIdentity: 'alive@host/43/x', leaseDurationSeconds: 30, acquireTime: microTime(new Date(T0)), renewTime: microTime(new Date(T0)), leaseTransitions: 0 });
      await assert.rejects(acquireLease(other, 'me@host/42/y', { clock: at('2030-01-01T00:00:02.000Z'), holderGone: () => false }), /held by alive@host\/43\/x/);
    });

    it('takes over an expired lease (renewTime + duration < now), keeping the object and counting the transition', async () => {
      const fake = new FakeLease();
      const old = fake.seed({
        holderIdentity: 'crashed@host/1/x',
        leaseDurationSeconds: 30,
        acquireTime: '2030-01-01T00:00:00.000000Z',
        renewTime: '2030-01-01T00:00:00.000000Z',
        leaseTransitions: 2,
      });
      await assert.rejects(acquireLease(fake, 'me@host/2/y', { clock: at('2030-01-01T00:00:29.000Z') }), /held by crashed@host\/1\/x/);
      const h = await acquireLease(fake, 'me@host/2/y', { clock: at('2030-01-01T00:00:31.000Z') });
      const info = (await readLease(fake, at('2030-01-01T00:00:31.000Z')))!;
      assert.equal(info.holder, 'me@host/2/y');
      assert.equal(info.transitions, 3);
      assert.equal(info.acquireTime, '2030-01-01T00:00:31.000000Z');
      assert.equal(info.renewTime, '2030-01-01T00:00:31.000000Z');
      assert.equal(info.uid, old.uid);
      assert.notEqual(info.resourceVersion, old.resourceVersion);
      assert.equal(h.uid, old.uid);
    });

    it('treats a lease with no times as expired', async () => {
      const fake = new FakeLease();
      fake.seed({ holderIdentity: 'ghost@h/0/q' });
      const info = (await readLease(fake, at(T0)))!;
      assert.equal(info.expiresAt, null);
      assert.equal(info.expired, true);
      assert.equal(info.durationSeconds, LEASE_DURATION_SECONDS);
      await acquireLease(fake, 'me@host/2/y', { clock: at(T0) });
      assert.equal(fake.lease?.spec.holderIdentity, 'me@host/2/y');
    });

    it('loses a takeover race to a live holder with LEASE_HELD naming the winner', async () => {
      const fake = new FakeLease();
      fake.seed({ holderIdentity: 'crashed@host/1/x', leaseDurationSeconds: 30, renewTime: '2030-01-01T00:00:00.000000Z' });
      // Another taker's takeover lands between our read and our guarded update.
      fake.onRenew = () => {
        fake.onRenew = null;
        fake.seed({ holderIdentity: 'faster@host/3/z', leaseDurationSeconds: 30, acquireTime: '2030-01-01T00:01:00.000000Z', renewTime: '2030-01-01T00:01:00.000000Z' });
      };
      await assert.rejects(
        acquireLease(fake, 'me@host/2/y', { clock: at('2030-01-01T00:01:00.000Z') }),
        (e: MigrateError) => e.exitName === 'LEASE_HELD' && /held by faster@host\/3\/z/.test(e.message),
      );
      assert.equal(fake.lease?.spec.holderIdentity, 'faster@host/3/z');
    });
  });

  describe('renew', () => {
    it('renews with a resourceVersion-guarded update and stays valid', async () => {
      let now = new Date(T0);
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'me@host/2/y', { clock: () => now });
      now = new Date('2030-01-01T00:00:20.000Z');
      await h.renew();
      assert.equal(fake.lease?.spec.renewTime, '2030-01-01T00:00:20.000000Z');
      assert.equal(fake.lease?.spec.acquireTime, '2030-01-01T00:00:00.000000Z');
      now = new Date('2030-01-01T00:00:45.000Z');
      assert.ok(h.isValid(), 'valid for the lease duration after the last renewal');
      assert.equal(h.lost, null);
    });

    it('keeps the lease when a renewal conflicts only with itself (retried after a lost response)', async () => {
      let now = new Date(T0);
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'me@host/2/y', { clock: () => now });
      now = new Date('2030-01-01T00:00:20.000Z');
      fake.loseNextUpdateResponse = true;
      await h.renew();
      assert.equal(h.lost, null);
      now = new Date('2030-01-01T00:00:45.000Z');
      assert.ok(h.isValid(), 'the renewal that landed counts');
      // The handle adopted the stored version, so the next renewal is not a conflict.
      await h.renew();
      assert.equal(h.lost, null);
      assert.equal(fake.lease?.spec.renewTime, '2030-01-01T00:00:45.000000Z');
    });

    it('marks the lease lost when renewal finds another holder, and tells the listeners', async () => {
      let now = new Date(T0);
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'me@host/2/y', { clock: () => now });
      const seen: MigrateError[] = [];
      h.onLost((e) => seen.push(e));
      fake.stolenBy = 'thief@host/9/z';
      now = new Date('2030-01-01T00:00:10.000Z');
      await h.renew();
      assert.equal(seen.length, 1);
      const [lost] = seen;
      assert.ok(lost);
      assert.equal(lost.exitName, 'LEASE_HELD');
      assert.equal(lost.message, 'lost the apply lease kube-system/calico-migrate-apply: it is now held by thief@host/9/z; no new writes were started');
      assert.match(lost.hint!, /calico-migrate apply --resume <journal> <plan>/);
      assert.equal(h.isValid(), false);
      assert.throws(
        () => h.assertValid(),
        (e: MigrateError) => e === lost,
      );
      // A listener added later hears of it at once.
      let late: MigrateError | null = null;
      h.onLost((e) => (late = e));
      assert.equal(late, lost);
    });

    it('marks the lease lost when it was deleted', async () => {
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'me@host/2/y', { clock: at(T0) });
      fake.lease = null;
      await h.renew();
      assert.match(h.lost!.message, /lost the apply lease kube-system\/calico-migrate-apply: it was deleted \(by `unlock --lease`\?\)/);
    });

    it('marks the lease lost when renewal fails, without throwing', async () => {
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'me@host/2/y', { clock: at(T0) });
      fake.failNext = new Error('connection refused');
      await h.renew();
      assert.match(h.lost!.message, /lost the apply lease .*: renewing it failed: connection refused; no new writes were started/);
    });

    it('is no longer valid once the last renewal is older than the lease duration, even if no renewal failed', async () => {
      let now = new Date(T0);
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'me@host/2/y', { clock: () => now });
      now = new Date('2030-01-01T00:00:29.999Z');
      assert.ok(h.isValid());
      now = new Date('2030-01-01T00:00:30.000Z');
      assert.equal(h.isValid(), false);
      assert.throws(
        () => h.assertValid(),
        (e: MigrateError) => e.exitName === 'LEASE_HELD' && e.message.includes('the last renewal (2030-01-01T00:00:00.000Z) is older than the lease duration (30s)'),
      );
      assert.ok(h.lost);
    });
  });

  describe('release', () => {
    it('deletes its own lease with uid and resourceVersion preconditions, once', async () => {
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'me@host/2/y', { clock: at(T0) });
      assert.equal(await h.release(), true);
      assert.equal(fake.lease, null);
      assert.equal(await h.release(), false);
      assert.equal(fake.deletes, 1);
      assert.equal(h.isValid(), false);
    });

    it('does not delete a lease someone else has taken over (same object, same uid)', async () => {
      const fake = new FakeLease();
      const h = await acquireLease(fake, 'me@host/2/y', { clock: at(T0) });
      const other = await acquireLease(fake, 'other@host/3/z', { clock: at('2030-01-01T00:01:00.000Z') });
      assert.equal(other.uid, h.uid);
      assert.equal(await h.release(), false);
      assert.equal(fake.lease?.spec.holderIdentity, 'other@host/3/z');
      assert.equal(await other.release(), true);
    });
  });

  describe('releaseLease (unlock --lease)', () => {
    it('needs the expected holder or force', async () => {
      const fake = new FakeLease();
      await acquireLease(fake, 'alice@host/1/a');
      await assert.rejects(releaseLease(fake, {}), (e: MigrateError) => e.exitName === 'USAGE' && e.message === 'releasing the apply lease needs the expected holder or force');
      assert.equal(fake.lease?.spec.holderIdentity, 'alice@host/1/a');
    });

    it('refuses a different holder, releases the matching holder', async () => {
      const fake = new FakeLease();
      await acquireLease(fake, 'alice@host/1/a', { clock: at(T0) });
      await assert.rejects(releaseLease(fake, { expectedHolder: 'bob@host/2/b' }, at(T0)), (e: MigrateError) => {
        assert.equal(e.exitName, 'LEASE_HELD');
        assert.equal(e.message, 'the apply lease kube-system/calico-migrate-apply is held by alice@host/1/a, not bob@host/2/b; not released');
        assert.deepEqual(e.details, { holder: 'alice@host/1/a', expires_at: '2030-01-01T00:00:30.000Z' });
        return true;
      });
      assert.equal(fake.lease?.spec.holderIdentity, 'alice@host/1/a');
      const r = await releaseLease(fake, { expectedHolder: 'alice@host/1/a' }, at(T0));
      assert.equal(r.released, true);
      assert.equal(r.lease?.holder, 'alice@host/1/a');
      assert.equal(fake.lease, null);
    });

    it('releases any holder with force, and reports when there is none', async () => {
      const fake = new FakeLease();
      await acquireLease(fake, 'carol@host/3/c');
      assert.equal((await releaseLease(fake, { force: true })).released, true);
      assert.equal(fake.lease, null);
      assert.deepEqual(await releaseLease(fake, { force: true }), { released: false, lease: null });
    });

    it('refuses when the lease changes between the read and the delete (renewed or taken over)', async () => {
      const fake = new FakeLease();
      await acquireLease(fake, 'alice@host/1/a');
      const del = fake.deleteLease.bind(fake);
      fake.deleteLease = async (pre) => {
        // Alice's apply renews it in between.
        fake.lease = { ...fake.lease!, resourceVersion: `${fake.lease!.resourceVersion}-renewed` };
        return del(pre);
      };
      await assert.rejects(
        releaseLease(fake, { expectedHolder: 'alice@host/1/a' }),
        (e: MigrateError) => e.exitName === 'LEASE_HELD' && /changed while it was being released \(renewed or taken over\); not released/.test(e.message),
      );
      assert.ok(fake.lease);
    });
  });
});
