import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyPlan, validateExecutable } from '../../../src/apply/executor.js';
import { readJournal } from '../../../src/apply/journal.js';
import { journalState } from '../../../src/apply/resume.js';
import { journalOutcomes } from '../../../src/apply/reverse-from-journal.js';
import { reverseChanges } from '../../../src/apply/reverse-plan.js';
import type { ApplyOptions, ApplyResult } from '../../../src/apply/types.js';
import { type MigrateError } from '../../../src/errors.js';
import { RecordingIo } from '../../../src/io.js';
import type { KubeObject } from '../../../src/model/types.js';
import { IDENTITY_ADDRESS, LOCK_ADDRESS } from '../../../src/plan/cluster-information.js';
import { parsePlan } from '../../../src/plan/plan-file.js';
import type { Plan } from '../../../src/plan/types.js';
import type { LeasePort } from '../../../src/ports/target.js';
import { FakeLease, FakeTarget, keyOf } from './fake-target.js';
import { buildPlan, clusterInformationCreate, cr, createChange, deleteChange, nodeChange, updateChange } from './plan-builders.js';

const clock = () => new Date('2026-03-04T05:06:07.000Z');

describe('apply executor (in-memory target)', () => {
  let dir: string;
  let n = 0;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'apply-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function paths() {
    n++;
    return { journalPath: path.join(dir, `j${n}.jsonl`), reversePath: path.join(dir, `r${n}.json`), planPath: path.join(dir, `p${n}.json`) };
  }

  async function run(plan: Plan, target: FakeTarget, opts: Partial<ApplyOptions> = {}, io = new RecordingIo(), lease: LeasePort | null = null): Promise<ApplyResult & { io: RecordingIo }> {
    const p = { ...paths(), ...opts };
    const r = await applyPlan(plan, { target, io, lease, clock }, { holder: 'me@host/1/x', parallelism: 4, progressIntervalMs: 0, ...p });
    return { ...r, io };
  }

  function sets(count: number, prefix = 'set'): KubeObject[] {
    return Array.from({ length: count }, (_, i) => cr('GlobalNetworkSet', `${prefix}-${String(i).padStart(3, '0')}`, { nets: [`10.0.${i}.0/24`] }));
  }

  it('runs waves in order (creates ascending, deletes descending) with the parallelism bound', async () => {
    const t = new FakeTarget();
    t.delayMs = 2;
    const old2 = sets(6, 'old').map((o) => t.seed(o));
    const old3 = Array.from({ length: 5 }, (_, i) => t.seed(cr('GlobalNetworkPolicy', `old-gnp-${i}`, { order: i })));
    const plan = buildPlan([
      createChange(cr('Tier', 'sec', { order: 100 })),
      ...sets(20).map((o) => createChange(o)),
      ...Array.from({ length: 12 }, (_, i) => createChange(cr('GlobalNetworkPolicy', `gnp-${i}`, { tier: 'sec', order: i }))),
      ...old2.map(deleteChange),
      ...old3.map(deleteChange),
    ]);
    const r = await run(plan, t, { parallelism: 4 });
    assert.equal(r.status, 'complete', JSON.stringify(r.failures));
    assert.equal(r.counts.created, 33);
    assert.equal(r.counts.deleted, 11);
    assert.equal(t.maxInflight, 4);
    // Steps are barriers, in the order tier → sets → policies → delete policies → delete sets.
    const order = [
      'create crd.projectcalico.org/v1/Tier',
      'create crd.projectcalico.org/v1/GlobalNetworkSet',
      'create crd.projectcalico.org/v1/GlobalNetworkPolicy',
      'delete crd.projectcalico.org/v1/GlobalNetworkPolicy',
      'delete crd.projectcalico.org/v1/GlobalNetworkSet',
    ];
    const stepOf = (ev: string) => order.findIndex((p) => ev.split(' ').slice(1).join(' ').startsWith(p));
    let maxEnded = -1;
    let current = 0;
    for (const ev of t.timeline) {
      const s = stepOf(ev);
      if (ev.startsWith('start')) {
        assert.ok(s >= current, `${ev} started after step ${current}`);
        if (s > current) {
          // every write of earlier steps has ended
          assert.equal(t.timeline.filter((e) => e.startsWith('start') && stepOf(e) < s).length, t.timeline.slice(0, t.timeline.indexOf(ev)).filter((e) => e.startsWith('end') && stepOf(e) < s).length);
          current = s;
        }
      } else maxEnded = Math.max(maxEnded, s);
    }
    assert.equal(current, 4);
    const events = r.io.events.map((e) => e.type);
    assert.equal(events[0], 'apply_start');
    assert.deepEqual(
      r.io.events.filter((e) => e.type === 'wave_start').map((e) => `${e.phase}:${e.wave}`),
      ['apply:1', 'apply:2', 'apply:3', 'delete:3', 'delete:2'],
    );
    const applying = r.io.eventsOf('progress').filter((e) => e.phase === 'apply');
    assert.ok(applying.length >= 2, 'a progress event at the start, then per wave at least');
    assert.deepEqual(
      applying.map((e) => e.final),
      [...applying.slice(1).map(() => false), true],
      'one final event, the last',
    );
    assert.equal(applying.at(-1)!.done, 44);
    assert.equal(applying.at(-1)!.total, 44);
    const reverse = r.io.eventsOf('progress').filter((e) => e.phase === 'reverse-plan');
    assert.equal(reverse.at(-1)!.final, true, 'writing the reverse plan is a phase of its own');
    assert.ok(events.indexOf('apply_complete') > events.lastIndexOf('progress'), 'apply_complete comes last');
    assert.equal(events.at(-1), 'apply_complete');
    assert.deepEqual(r.io.events[0], { type: 'apply_start', total: 44, waves: 5, done: 0, parallelism: 4, resumed: false });
  });

  it('makes each intent durable before the write is sent, so the reverse derived from the journal covers it', async () => {
    const t = new FakeTarget();
    const p = paths();
    const live = t.seed(cr('IPPool', 'p1', { cidr: '10.0.0.0/16' }));
    const plan = buildPlan([...sets(30).map((o) => createChange(o)), updateChange(live, cr('IPPool', 'p1', { cidr: '10.0.0.0/16', natOutgoing: true }))]);
    let checked = 0;
    t.onWriteStart = (call) => {
      const journal = readFileSync(p.journalPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const address = call.key; // fake keys are plan addresses for CRs
      assert.ok(
        journal.some((l) => l.type === 'intent' && l.address === address),
        `no durable intent for ${address}`,
      );
      // What `calico-migrate rollback` would write from the journal as it is at this instant.
      const reverse = reverseChanges(plan, journalOutcomes(journalState(readJournal(p.journalPath))));
      assert.ok(
        reverse.some((c) => c.address === address),
        `the journal's reverse does not cover ${address}`,
      );
      checked++;
    };
    const r = await run(plan, t, p);
    assert.equal(r.status, 'complete');
    assert.equal(checked, 31);
    // Group commit: far fewer journal commits than writes (each commit appends >1 line).
    const lines = readFileSync(p.journalPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual([lines[0].type, lines.at(-1).type, lines.at(-1).status], ['header', 'end', 'complete']);
    assert.equal(lines.filter((l) => l.type === 'intent').length, 31);
    assert.equal(lines.filter((l) => l.type === 'result' && l.status === 'ok').length, 31);
  });

  it('keeps the pool full, and writes the reverse plan once, when it stops', async () => {
    const t = new FakeTarget();
    t.delayMs = 1;
    const p = paths();
    const plan = buildPlan([...sets(300).map((o) => createChange(o)), ...Array.from({ length: 40 }, (_, i) => createChange(cr('GlobalNetworkPolicy', `g${i}`, { order: i })))]);
    let written = 0;
    t.onWriteStart = () => {
      if (existsSync(p.reversePath)) written++;
    };
    const r = await run(plan, t, { ...p, parallelism: 8 });
    assert.equal(r.status, 'complete');
    // Nothing is rewritten while apply runs: the journal is what the reverse is derived from.
    assert.equal(written, 0);
    assert.equal(t.maxInflight, 8);
    // Group commit with intents journaled ahead: far fewer commits than writes, and never more
    // than one pool's worth of intents open beyond the writes in flight.
    const j = readJournal(p.journalPath);
    let open = 0;
    let maxOpen = 0;
    for (const e of j.entries) {
      if (e.type === 'intent') maxOpen = Math.max(maxOpen, ++open);
      if (e.type === 'result') open--;
    }
    assert.ok(maxOpen <= 2 * 8 - 1, `at most ${2 * 8 - 1} open intents, saw ${maxOpen}`);
    const reverse = parsePlan(readFileSync(p.reversePath, 'utf8'), p.reversePath);
    assert.equal(reverse.resource_changes.length, 340);
    assert.ok(
      reverse.resource_changes.every((c) => c.target.uid),
      'the final reverse plan is guarded everywhere',
    );
  });

  it('stops at the first failure: in-flight writes finish, no new write starts, result is partial', async () => {
    const t = new FakeTarget();
    t.delayMs = 3;
    const plan = buildPlan([...sets(40).map((o) => createChange(o)), createChange(cr('GlobalNetworkPolicy', 'later', { order: 1 }))]);
    const badKey = keyOf(plan.resource_changes.find((c) => c.name === 'set-009')!.change.after!);
    t.intercept = (call) => (call.key === badKey ? { ok: false, status: 422, reason: 'Invalid', message: 'HTTP 422: spec.nets: Invalid value' } : null);
    const r = await run(plan, t, { parallelism: 4 });
    assert.equal(r.status, 'partial');
    assert.equal(r.exit, 'PARTIAL');
    assert.equal(r.failed?.address, badKey);
    assert.equal(r.failed?.reason, 'REJECTED');
    assert.match(r.failed.message, /GlobalNetworkSet set-009: the API server refused the create: HTTP 422/);
    const failEnd = t.timeline.indexOf(`end create ${badKey}`);
    assert.ok(failEnd > 0);
    assert.equal(t.timeline.slice(failEnd).filter((e) => e.startsWith('start')).length, 0, 'a write started after the failure');
    assert.ok(!t.objects.has(keyOf(cr('GlobalNetworkPolicy', 'later', {}))));
    assert.ok(r.counts.not_started > 0);
    assert.equal(r.counts.done + r.counts.failed + r.counts.not_started, r.counts.total);
    assert.deepEqual(
      r.io.events.filter((e) => e.type === 'apply_errored').map((e) => e.address),
      [badKey],
    );
    assert.ok(!r.io.events.some((e) => e.type === 'apply_complete'));
    const j = readJournal(r.journal_path);
    assert.deepEqual(j.entries.at(-1), { type: 'end', status: 'partial', at: clock().toISOString() });
    // The reverse plan undoes exactly the creates that succeeded.
    const reverse = parsePlan(readFileSync(r.reverse_path, 'utf8'), r.reverse_path);
    assert.equal(reverse.resource_changes.length, r.counts.created);
    assert.ok(reverse.resource_changes.every((c) => c.change.action === 'delete' && c.target.uid));
  });

  it('reports a stale update (409) as STALE and writes nothing after it', async () => {
    const t = new FakeTarget();
    const live = t.seed(cr('IPPool', 'p1', { cidr: '10.0.0.0/16' }));
    const plan = buildPlan([updateChange(live, cr('IPPool', 'p1', { cidr: '10.0.0.0/16', natOutgoing: true })), ...sets(5).map((o) => createChange(o, { wave: 3 }))]);
    t.touch({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', namespace: null, name: 'p1' }, (o) => ((o.spec as any).blockSize = 24));
    const r = await run(plan, t);
    assert.equal(r.status, 'partial');
    assert.equal(r.exit, 'STALE');
    assert.equal(r.failed?.reason, 'STALE');
    assert.match(r.failed.message, /IPPool p1: .*changed since the plan was made.*make a new plan/);
    assert.equal(t.calls.filter((c) => c.op === 'create').length, 0);
  });

  it('adopts a create or update whose response was lost (the retry saw our own write)', async () => {
    const t = new FakeTarget();
    const live = t.seed(cr('IPPool', 'p1', { cidr: '10.0.0.0/16' }));
    const plan = buildPlan([createChange(cr('Tier', 't1', { order: 1 })), updateChange(live, cr('IPPool', 'p1', { cidr: '10.0.0.0/16', natOutgoing: true }))]);
    t.loseResponse.add('crd.projectcalico.org/v1/Tier/t1');
    t.loseResponse.add('crd.projectcalico.org/v1/IPPool/p1');
    const r = await run(plan, t);
    assert.equal(r.status, 'complete', JSON.stringify(r.failures));
    assert.equal(r.counts.adopted, 2);
    const j = readJournal(r.journal_path);
    const tier = j.entries.find((e) => e.type === 'result' && e.address === 'crd.projectcalico.org/v1/Tier/t1') as any;
    assert.equal(tier.uid, t.objects.get('crd.projectcalico.org/v1/Tier/t1')!.metadata.uid);
  });

  it('treats AlreadyExists with other content as stale', async () => {
    const t = new FakeTarget();
    t.seed(cr('Tier', 't1', { order: 99 }));
    const r = await run(buildPlan([createChange(cr('Tier', 't1', { order: 1 }))]), t);
    assert.equal(r.exit, 'STALE');
    assert.match(r.failed!.message, /already exists in the target with different content/);
  });

  it('patches Node annotations: sets after, removes managed keys gone from after, keeps others, carries the resourceVersion', async () => {
    const t = new FakeTarget();
    const live = t.seed({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', annotations: { 'projectcalico.org/IPv4Address': '10.0.0.1/24', 'projectcalico.org/ASNumber': '64512', 'kubeadm.alpha/x': 'keep' } },
    });
    const plan = buildPlan([nodeChange(live, { 'projectcalico.org/IPv4Address': '10.0.0.2/24', 'projectcalico.org/Interfaces': '[]' })]);
    const r = await run(plan, t);
    assert.equal(r.status, 'complete');
    const call = t.calls[0]!;
    assert.equal(call.op, 'patch');
    assert.equal(call.pre, live.metadata.resourceVersion);
    assert.deepEqual(call.body, { 'projectcalico.org/IPv4Address': '10.0.0.2/24', 'projectcalico.org/Interfaces': '[]', 'projectcalico.org/ASNumber': null });
    assert.deepEqual(t.objects.get('v1/Node/n1')!.metadata.annotations, { 'projectcalico.org/IPv4Address': '10.0.0.2/24', 'projectcalico.org/Interfaces': '[]', 'kubeadm.alpha/x': 'keep' });
  });

  it('re-sends a Node patch once when only non-Calico parts of the Node changed (kubelet), but not when Calico annotations changed', async () => {
    const t = new FakeTarget();
    const live = t.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', annotations: { 'projectcalico.org/ASNumber': '1' } } });
    const plan = buildPlan([nodeChange(live, { 'projectcalico.org/ASNumber': '2' })]);
    t.touch({ apiVersion: 'v1', kind: 'Node', namespace: null, name: 'n1' }, (o) => (o.metadata.labels = { heartbeat: 'x' }));
    assert.equal((await run(plan, t)).status, 'complete');
    const t2 = new FakeTarget();
    const live2 = t2.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', annotations: { 'projectcalico.org/ASNumber': '1' } } });
    const plan2 = buildPlan([nodeChange(live2, { 'projectcalico.org/ASNumber': '2' })]);
    t2.touch({ apiVersion: 'v1', kind: 'Node', namespace: null, name: 'n1' }, (o) => (o.metadata.annotations = { 'projectcalico.org/ASNumber': '3' }));
    const r2 = await run(plan2, t2);
    assert.equal(r2.exit, 'STALE');
    assert.equal(t2.calls.length, 1);
  });

  it('refuses plans it must not execute (creating a Node) before taking the lease or writing', () => {
    const node = createChange({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', annotations: {} } });
    assert.throws(
      () => validateExecutable(buildPlan([node])),
      (e: MigrateError) => e.exitName === 'PLAN_INVALID' && /never creates a Node/.test(e.message),
    );
  });

  it('takes the ClusterInformation identity precondition from the lock step result, also across a resume', async () => {
    const t = new FakeTarget();
    const plan = buildPlan([...clusterInformationCreate(), createChange(cr('Tier', 't1', { order: 1 }))]);
    const p = paths();
    const first = await run(plan, t, { ...p, failAfter: 2 });
    assert.equal(first.status, 'partial');
    assert.equal(first.failed?.reason, 'INJECTED');
    const lockResult = readJournal(p.journalPath).entries.find((e) => e.type === 'result' && e.address === LOCK_ADDRESS) as any;
    assert.ok(lockResult.resource_version);
    const r = await run(plan, t, { ...p, resume: true });
    assert.equal(r.status, 'complete', JSON.stringify(r.failures));
    const identityCall = t.calls.find((c) => c.op === 'replace')!;
    assert.equal(identityCall.pre, lockResult.resource_version);
    assert.equal((t.objects.get('crd.projectcalico.org/v1/ClusterInformation/default')!.spec as any).calicoVersion, 'v3.31.2');
    const idResult = readJournal(p.journalPath).entries.find((e) => e.type === 'result' && e.address === IDENTITY_ADDRESS && e.status === 'ok');
    assert.ok(idResult);
  });

  it('resumes after a failure without redoing or duplicating anything, ending in the planned state', async () => {
    const t = new FakeTarget();
    t.delayMs = 1;
    const existing = t.seed(cr('GlobalNetworkSet', 'gone', { nets: [] }));
    const live = t.seed(cr('IPPool', 'p1', { cidr: '10.0.0.0/16' }));
    const plan = buildPlan([...sets(25).map((o) => createChange(o)), updateChange(live, cr('IPPool', 'p1', { cidr: '10.0.0.0/16', natOutgoing: true })), deleteChange(existing)]);
    const p = paths();
    const first = await run(plan, t, { ...p, failAfter: 11 });
    assert.equal(first.status, 'partial');
    const second = await run(plan, t, { ...p, resume: true });
    assert.equal(second.status, 'complete', JSON.stringify(second.failures));
    assert.equal(second.counts.skipped, first.counts.done);
    assert.equal(second.counts.done, 27);
    const creates = t.calls.filter((c) => c.op === 'create').map((c) => c.key);
    assert.equal(creates.length, new Set(creates).size, 'a create was sent twice');
    assert.equal(creates.length, 25);
    assert.deepEqual(second.io.events[0]?.resumed, true);
    // A third resume has nothing to do.
    const third = await run(plan, t, { ...p, resume: true });
    assert.equal(third.status, 'complete');
    assert.equal(third.counts.skipped, 27);
    assert.equal(t.calls.filter((c) => c.op === 'create').length, 25);
  });

  it('resolves a crash between intent and result by reading the object: adopt, re-send, or stale', async () => {
    const plan = buildPlan([createChange(cr('Tier', 'a', { order: 1 })), createChange(cr('Tier', 'b', { order: 2 })), createChange(cr('Tier', 'c', { order: 3 }))]);
    const t = new FakeTarget();
    const landed = t.seed(cr('Tier', 'a', { order: 1 }));
    const p = paths();
    const header = { type: 'header', plan_id: plan.plan_id, plan_path: p.planPath, reverse_path: p.reversePath, started_at: 'x', tool_version: '0.1.0', holder: 'h' };
    const intents = ['a', 'b'].map((name, i) => ({ type: 'intent', seq: i + 1, address: `crd.projectcalico.org/v1/Tier/${name}`, action: 'create', at: 'x' }));
    writeFileSync(p.journalPath, [header, ...intents].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await run(plan, t, { ...p, resume: true });
    assert.equal(r.status, 'complete', JSON.stringify(r.failures));
    assert.equal(r.counts.adopted, 1);
    assert.deepEqual(t.calls.map((c) => c.key).sort(), ['crd.projectcalico.org/v1/Tier/b', 'crd.projectcalico.org/v1/Tier/c']);
    const results = readJournal(p.journalPath).entries.filter((e) => e.type === 'result') as any[];
    assert.deepEqual(
      results.find((e) => e.seq === 1),
      { ...results.find((e) => e.seq === 1), status: 'ok', uid: landed.metadata.uid },
    );
    assert.equal(results.find((e) => e.seq === 2).status, 'error');
    // Someone else's object under an open intent is stale.
    const t2 = new FakeTarget();
    t2.seed(cr('Tier', 'a', { order: 42 }));
    const p2 = paths();
    writeFileSync(p2.journalPath, [{ ...header, reverse_path: p2.reversePath }, intents[0]].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r2 = await run(plan, t2, { ...p2, resume: true });
    assert.equal(r2.exit, 'STALE');
    assert.equal(t2.calls.length, 0);
  });

  it('resumes a run that died mid-write (the write landed or not) with every object created exactly once', async () => {
    for (const landed of [false, true]) {
      const t = new FakeTarget();
      const plan = buildPlan(Array.from({ length: 10 }, (_, i) => createChange(cr('Tier', `t${i}`, { order: i }))));
      const p = paths();
      let writes = 0;
      let wake: (v: { ok: false; status: number; reason: string; message: string }) => void = () => {};
      t.intercept = (call) => {
        if (++writes !== 6) return null;
        if (landed) t.seed(call.body as KubeObject);
        return new Promise((resolve) => (wake = resolve));
      };
      const crashed = run(plan, t, { ...p, parallelism: 1 });
      while (writes < 6) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      t.intercept = null;
      const open = readJournal(p.journalPath).entries.filter((e) => e.type === 'intent').length - readJournal(p.journalPath).entries.filter((e) => e.type === 'result').length;
      assert.equal(open, 1, 'the dead run left one open intent');
      // A copy of the journal as the crash left it; the abandoned run is then let go.
      const copy = { ...paths() };
      writeFileSync(copy.journalPath, readFileSync(p.journalPath));
      wake({ ok: false, status: 400, reason: 'BadRequest', message: 'HTTP 400' });
      await crashed;
      const before = t.calls.length;
      const r = await run(plan, t, { ...copy, reversePath: copy.reversePath, resume: true });
      assert.equal(r.status, 'complete', JSON.stringify(r.failures));
      assert.equal(r.counts.adopted, landed ? 1 : 0);
      assert.equal(r.counts.skipped, 5);
      const resumedCreates = t.calls.slice(before).map((c) => c.key);
      assert.equal(resumedCreates.length, landed ? 4 : 5);
      assert.equal(t.objects.size, 10);
    }
  });

  it('refuses to resume a journal written for another plan', async () => {
    const plan = buildPlan([createChange(cr('Tier', 'a', { order: 1 }))]);
    const other = buildPlan([createChange(cr('Tier', 'b', { order: 1 }))]);
    const t = new FakeTarget();
    const p = paths();
    await run(other, t, p);
    await assert.rejects(run(plan, t, { ...p, resume: true }), (e: MigrateError) => e.exitName === 'PLAN_INVALID' && /is for plan sha256:/.test(e.message));
  });

  it('stops starting writes when the lease is lost, and releases it at the end', async () => {
    const t = new FakeTarget();
    t.delayMs = 5;
    const lease = new FakeLease();
    const plan = buildPlan(sets(200).map((o) => createChange(o)));
    let lostAt = -1;
    lease.onRenew = () => {
      if (lease.stolenBy || t.timeline.length < 10) return; // let some writes happen first
      lostAt = t.timeline.length;
      lease.stolenBy = 'thief@elsewhere/9/y';
    };
    const io = new RecordingIo();
    const p = paths();
    const r = await applyPlan(plan, { target: t, io, lease, clock: () => new Date() }, { ...p, holder: 'me@host/1/x', parallelism: 2, lease: { renewIntervalMs: 30 } });
    assert.equal(r.status, 'partial');
    assert.equal(r.failed?.reason, 'LEASE_LOST');
    assert.match(r.failed.message, /lost the apply lease kube-system\/calico-migrate-apply: it is now held by thief@elsewhere\/9\/y/);
    assert.ok(lostAt > 0);
    // At most the in-flight writes (and one already-committed batch) start after the loss.
    assert.ok(t.timeline.slice(lostAt).filter((e) => e.startsWith('start')).length <= 2);
    assert.ok(r.counts.not_started > 100);
    assert.ok(existsSync(p.reversePath));
    // The thief's lease (same object, same uid) was not deleted by our release.
    assert.equal(lease.deletes, 1);
    assert.equal(lease.lease?.spec.holderIdentity, 'thief@elsewhere/9/y');
  });

  it('releases the lease after a successful apply and refuses while another holder has it', async () => {
    const t = new FakeTarget();
    const lease = new FakeLease();
    const plan = buildPlan([createChange(cr('Tier', 'a', { order: 1 }))]);
    const r = await applyPlan(plan, { target: t, io: new RecordingIo(), lease, clock }, { ...paths(), holder: 'me@host/1/x' });
    assert.equal(r.status, 'complete');
    assert.equal(lease.lease, null);
    lease.seed({ holderIdentity: 'other@h/2/z', leaseDurationSeconds: 30, acquireTime: '2026-03-04T05:06:00.000000Z', renewTime: '2026-03-04T05:06:05.000000Z' });
    const p = paths();
    await assert.rejects(
      applyPlan(plan, { target: t, io: new RecordingIo(), lease, clock }, { ...p, holder: 'me@host/1/x' }),
      (e: MigrateError) => e.exitName === 'LEASE_HELD' && /other@h\/2\/z/.test(e.message) && /expires 2026-03-04T05:06:35.000Z/.test(e.message),
    );
    assert.ok(!existsSync(p.journalPath), 'no journal is started without the lease');
  });
});
