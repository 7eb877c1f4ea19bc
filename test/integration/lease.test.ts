/** The exclusive apply Lease against the real kube-apiserver. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConnection } from '../../src/adapters/kube/connection.js';
import { KubeTarget } from '../../src/adapters/kube/target.js';
import { applyPlan } from '../../src/apply/executor.js';
import { acquireLease, LEASE_NAME, LEASE_NAMESPACE, microTime, readLease, releaseLease } from '../../src/apply/lease.js';
import { type MigrateError } from '../../src/errors.js';
import { RecordingIo } from '../../src/io.js';
import { buildPlan, cr, createChange } from '../unit/apply/plan-builders.js';
import { kube, resetDatastores, testCluster } from './support/cluster.js';

const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${LEASE_NAME}`;

async function targetFor(kubeconfig: string): Promise<KubeTarget> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return new KubeTarget(await KubeConnection.fromKubeConfig(kc));
}

describe('apply lease (real kube-apiserver)', function () {
  let target: KubeTarget;
  let limited: KubeTarget;
  before(async () => {
    target = await targetFor(testCluster().kubeconfig);
    // Everything here runs with the least-privilege identity apply is documented to need.
    limited = await targetFor(testCluster().limitedKubeconfig);
  });
  after(() => {
    target.close();
    limited.close();
  });
  beforeEach(resetDatastores);

  it('acquires the lease with the holder identity; a second acquire is refused naming the holder and times', async () => {
    const t0 = new Date('2030-01-01T00:00:00.000Z');
    const a = await acquireLease(limited, 'alice@host-a/100/sha256:aaa', { clock: () => t0 });
    const info = await readLease(limited, () => t0);
    assert.equal(info?.holder, 'alice@host-a/100/sha256:aaa');
    assert.equal(info?.durationSeconds, 30);
    assert.equal(info?.acquireTime, '2030-01-01T00:00:00.000000Z');
    assert.equal(info?.expired, false);
    await assert.rejects(acquireLease(limited, 'bob@host-b/200/sha256:bbb', { clock: () => new Date('2030-01-01T00:00:10.000Z') }), (e: MigrateError) => {
      assert.equal(e.exitName, 'LEASE_HELD');
      assert.match(e.message, /held by alice@host-a\/100\/sha256:aaa/);
      assert.match(e.message, /acquired 2030-01-01T00:00:00.000000Z, last renewed 2030-01-01T00:00:00.000000Z, expires 2030-01-01T00:00:30.000Z/);
      assert.match(e.hint!, /calico-migrate unlock --lease/);
      return true;
    });
    assert.equal(await a.release(), true);
    assert.equal(await readLease(limited), null);
  });

  it('takes over an expired lease (renewTime + duration < now), counting the transition', async () => {
    const old = '2030-01-01T00:00:00.000000Z';
    const r = await kube('POST', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: LEASE_NAME },
      spec: { holderIdentity: 'crashed@host/1/x', leaseDurationSeconds: 30, acquireTime: old, renewTime: old, leaseTransitions: 2 },
    });
    assert.equal(r.status, 201);
    // 29 s later it is still held; 31 s later it has expired.
    await assert.rejects(acquireLease(limited, 'me@host/2/y', { clock: () => new Date('2030-01-01T00:00:29.000Z') }), /held by crashed@host\/1\/x/);
    const h = await acquireLease(limited, 'me@host/2/y', { clock: () => new Date('2030-01-01T00:00:31.000Z') });
    const info = (await readLease(limited, () => new Date('2030-01-01T00:00:31.000Z')))!;
    assert.equal(info.holder, 'me@host/2/y');
    assert.equal(info.transitions, 3);
    assert.equal(info.acquireTime, '2030-01-01T00:00:31.000000Z');
    assert.equal(await h.release(), true);
  });

  it('renews while held, and does not delete a lease that someone else has taken over', async () => {
    let now = new Date('2030-01-01T00:00:00.000Z');
    const h = await acquireLease(limited, 'me@host/2/y', { clock: () => now, renewIntervalMs: 50 });
    h.startRenewal();
    now = new Date('2030-01-01T00:00:20.000Z');
    for (let i = 0; i < 40 && (await readLease(limited))?.renewTime !== microTime(now); i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal((await readLease(limited))?.renewTime, '2030-01-01T00:00:20.000000Z');
    assert.ok(h.isValid());
    h.stopRenewal();
    // It expires; another apply takes it over (same object, same uid).
    const later = () => new Date('2030-01-01T00:01:00.000Z');
    const other = await acquireLease(target, 'other@host/3/z', { clock: later });
    assert.equal(await h.release(), false);
    assert.equal((await readLease(limited))?.holder, 'other@host/3/z');
    await other.release();
  });

  it('marks the lease lost when renewal finds another holder', async () => {
    let now = new Date('2030-01-01T00:00:00.000Z');
    const h = await acquireLease(limited, 'me@host/2/y', { clock: () => now });
    now = new Date('2030-01-01T00:01:00.000Z');
    await acquireLease(target, 'thief@host/9/z', { clock: () => now });
    let lost: MigrateError | null = null;
    h.onLost((e) => (lost = e));
    await h.renew();
    assert.ok(lost);
    assert.match((lost as MigrateError).message, /lost the apply lease kube-system\/calico-migrate-apply: it is now held by thief@host\/9\/z; no new writes were started/);
    assert.equal(h.isValid(), false);
  });

  it('unlock --lease: refuses the wrong holder, releases the matching holder, and with force', async () => {
    await acquireLease(limited, 'alice@host/1/a');
    await assert.rejects(releaseLease(limited, { expectedHolder: 'bob@host/2/b' }), (e: MigrateError) => e.exitName === 'LEASE_HELD' && /held by alice@host\/1\/a, not bob@host\/2\/b/.test(e.message));
    await assert.rejects(releaseLease(limited, {}), (e: MigrateError) => e.exitName === 'USAGE');
    assert.equal((await readLease(limited))?.holder, 'alice@host/1/a');
    const ok = await releaseLease(limited, { expectedHolder: 'alice@host/1/a' });
    assert.equal(ok.released, true);
    assert.equal(ok.lease?.holder, 'alice@host/1/a');
    assert.equal(await readLease(limited), null);
    await acquireLease(limited, 'carol@host/3/c');
    assert.equal((await releaseLease(limited, { force: true })).released, true);
    assert.equal((await kube('GET', LEASE_PATH)).status, 404);
    assert.deepEqual(await releaseLease(limited, { force: true }), { released: false, lease: null });
  });

  it('applyPlan holds the lease while it runs, refuses a concurrent apply, and releases it afterwards', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lease-apply-'));
    try {
      const plan = buildPlan(Array.from({ length: 300 }, (_, i) => createChange(cr('GlobalNetworkSet', `s-${i}`, { nets: [`10.${i >> 8}.${i & 255}.0/24`] }))));
      const holder = `me@host/${process.pid}/${plan.plan_id}`;
      const running = applyPlan(
        plan,
        { target: limited, io: new RecordingIo(), lease: limited },
        { planPath: 'p', journalPath: path.join(dir, 'a.jsonl'), reversePath: path.join(dir, 'a.rev.json'), holder, parallelism: 4 },
      );
      for (let i = 0; i < 1000 && !(await readLease(target)); i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal((await readLease(target))?.holder, holder);
      await assert.rejects(
        applyPlan(
          plan,
          { target, io: new RecordingIo(), lease: target },
          { planPath: 'p', journalPath: path.join(dir, 'b.jsonl'), reversePath: path.join(dir, 'b.rev.json'), holder: 'second@host/2/x' },
        ),
        (e: MigrateError) => e.exitName === 'LEASE_HELD' && e.message.includes(holder),
      );
      const r = await running;
      assert.equal(r.status, 'complete', JSON.stringify(r.failures));
      assert.equal(await readLease(target), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applyPlan stops starting writes when its lease is taken, and leaves the new holder's lease alone", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lease-lost-'));
    try {
      const plan = buildPlan(Array.from({ length: 2000 }, (_, i) => createChange(cr('GlobalNetworkSet', `s-${i}`, { nets: [`10.${i >> 8}.${i & 255}.0/24`] }))));
      const running = applyPlan(
        plan,
        { target: limited, io: new RecordingIo(), lease: limited },
        {
          planPath: 'p',
          journalPath: path.join(dir, 'a.jsonl'),
          reversePath: path.join(dir, 'a.rev.json'),
          holder: 'me@host/1/x',
          parallelism: 1,
          lease: { renewIntervalMs: 100 },
        },
      );
      let lease: any;
      for (let i = 0; i < 1000 && !(lease = (await kube('GET', LEASE_PATH)).body)?.spec; i++) await new Promise((r) => setTimeout(r, 5));
      // Someone (e.g. `unlock --lease --force` then another apply) takes the lease. (A renewal
      // between our read and write makes the write conflict: read again.)
      let stolen = await kube('PUT', LEASE_PATH, { ...lease, spec: { ...lease.spec, holderIdentity: 'thief@elsewhere/9/y' } });
      for (let i = 0; i < 10 && stolen.status === 409; i++) {
        lease = (await kube('GET', LEASE_PATH)).body;
        stolen = await kube('PUT', LEASE_PATH, { ...lease, spec: { ...lease.spec, holderIdentity: 'thief@elsewhere/9/y' } });
      }
      assert.equal(stolen.status, 200);
      const r = await running;
      assert.equal(r.status, 'partial');
      assert.equal(r.failed?.reason, 'LEASE_LOST');
      assert.match(r.failed.message, /it is now held by thief@elsewhere\/9\/y/);
      assert.ok(r.counts.not_started > 0, JSON.stringify(r.counts));
      assert.equal((await readLease(target))?.holder, 'thief@elsewhere/9/y');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
