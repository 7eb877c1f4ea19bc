import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { applyPlan } from '../../../src/apply/executor.js';
import { readJournal } from '../../../src/apply/journal.js';
import { executionSteps } from '../../../src/apply/order.js';
import { writeReverseFromJournal } from '../../../src/apply/reverse-from-journal.js';
import { reverseChange, reverseChanges, reversePlanBody } from '../../../src/apply/reverse-plan.js';
import { journalState } from '../../../src/apply/resume.js';
import { journalOutcomes } from '../../../src/apply/reverse-from-journal.js';
import type { ApplyOptions, ApplyResult } from '../../../src/apply/types.js';
import { RecordingIo } from '../../../src/io.js';
import type { KubeObject } from '../../../src/model/types.js';
import { IDENTITY_ADDRESS, LOCK_ADDRESS } from '../../../src/plan/cluster-information.js';
import { parsePlan, serializePlan } from '../../../src/plan/plan-file.js';
import type { Plan, ResourceChange } from '../../../src/plan/types.js';
import { FakeTarget } from './fake-target.js';
import { buildPlan, clusterInformationCreate, clusterInformationUpdate, cr, createChange, deleteChange, nodeChange, updateChange } from './plan-builders.js';

const clock = () => new Date('2026-03-04T05:06:07.000Z');

describe('reverse plan', () => {
  let dir: string;
  let n = 0;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'reverse-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function paths() {
    n++;
    return { journalPath: path.join(dir, `j${n}.jsonl`), reversePath: path.join(dir, `r${n}.json`), planPath: path.join(dir, `p${n}.json`) };
  }

  async function run(plan: Plan, target: FakeTarget, opts: Partial<ApplyOptions> = {}): Promise<ApplyResult> {
    return applyPlan(plan, { target, io: new RecordingIo(), lease: null, clock }, { holder: 'me@host/1/x', parallelism: 3, ...paths(), ...opts });
  }

  function readReverse(r: ApplyResult): Plan {
    return parsePlan(readFileSync(r.reverse_path, 'utf8'), r.reverse_path);
  }

  describe('per action', () => {
    const live = { ...cr('IPPool', 'p', { cidr: '10.0.0.0/16' }), metadata: { name: 'p', uid: 'u-p', resourceVersion: '7' } } as KubeObject;
    const ok = { status: 'ok' as const, uid: 'u-new', resourceVersion: '99' };
    const pending = { status: 'pending' as const, uid: null, resourceVersion: null };

    it('create → delete guarded by the uid the create returned', () => {
      const fw = createChange(cr('Tier', 't', { order: 1 }));
      const r = reverseChange(fw, ok, 5);
      assert.deepEqual(r.change, { action: 'delete', before: fw.change.after, after: null, changed_paths: [] });
      assert.deepEqual(r.target, { uid: 'u-new', resource_version: null });
      assert.equal(r.wave, 5);
      assert.deepEqual(reverseChange(fw, pending, 5).target, { uid: null, resource_version: null });
    });

    it('update → restore the exact prior object, guarded by the resourceVersion our update returned', () => {
      const fw = updateChange(live, cr('IPPool', 'p', { cidr: '10.0.0.0/16', natOutgoing: true }));
      const r = reverseChange(fw, ok, 2);
      assert.deepEqual(r.change.after, fw.change.before);
      assert.deepEqual(r.change.before, fw.change.after);
      assert.deepEqual(r.change.changed_paths, ['spec.natOutgoing']);
      assert.deepEqual(r.target, { uid: 'u-new', resource_version: '99' });
      assert.deepEqual(reverseChange(fw, pending, 2).target, { uid: 'u-p', resource_version: null });
    });

    it('Node annotations → restore the prior managed annotations (added keys removed), guarded by resourceVersion', () => {
      const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', uid: 'u-n', resourceVersion: '3', annotations: { 'projectcalico.org/ASNumber': '1', other: 'x' } } } as KubeObject;
      const fw = nodeChange(node, { 'projectcalico.org/ASNumber': '2', 'projectcalico.org/IPv4Address': '10.0.0.1/24' });
      const r = reverseChange(fw, ok, 4);
      assert.deepEqual(r.change.after, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', annotations: { 'projectcalico.org/ASNumber': '1' } } });
      assert.deepEqual(r.change.before!.metadata.annotations, { 'projectcalico.org/ASNumber': '2', 'projectcalico.org/IPv4Address': '10.0.0.1/24' });
      assert.equal(r.target.resource_version, '99');
    });

    it('delete → recreate from `before` (create-only, no preconditions)', () => {
      const fw = deleteChange(live);
      const r = reverseChange(fw, ok, 1);
      assert.deepEqual(r.change, { action: 'create', before: null, after: fw.change.before, changed_paths: [] });
      assert.equal(r.change.after!.metadata.uid, undefined);
      assert.deepEqual(r.target, { uid: null, resource_version: null });
    });

    it('puts each forward step in its own band, last step first', () => {
      const fwd = [
        ...clusterInformationCreate(),
        createChange(cr('Tier', 't', { order: 1 })),
        createChange(cr('GlobalNetworkPolicy', 'g', { order: 1 })),
        deleteChange({ ...cr('GlobalNetworkSet', 's', {}), metadata: { name: 's', uid: 'u-s', resourceVersion: '1' } }),
      ];
      const rev = reverseChanges({ resource_changes: fwd }, () => ok);
      const steps = executionSteps(rev).map((s) => `${s.phase}:${s.wave}:${s.changes.map((c) => c.address.split('/').slice(-2).join('/')).join(',')}`);
      assert.deepEqual(steps, [
        'apply:2:GlobalNetworkSet/s', // undo the last forward step (the delete) first
        'apply:115:ClusterInformation/default#identity',
        'delete:203:GlobalNetworkPolicy/g',
        'delete:301:Tier/t',
        'delete:400:ClusterInformation/default#lock', // the lock is undone last
      ]);
    });
  });

  it('is a valid plan file (mode reverse, reverses the forward plan_id) and restores the prior state', async () => {
    const t = new FakeTarget();
    const ci = t.seed(cr('ClusterInformation', 'default', { clusterGUID: 'aaaa', clusterType: 'kdd', datastoreReady: true }));
    const pool = t.seed(cr('IPPool', 'p1', { cidr: '10.0.0.0/16' }));
    const old = t.seed(cr('GlobalNetworkSet', 'old', { nets: ['1.2.3.0/24'] }, undefined, { labels: { a: 'b' } }));
    const node = t.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' }, annotations: { 'projectcalico.org/ASNumber': '1', 'kubeadm.io/x': 'y' } } });
    const before = t.snapshot();
    const plan = buildPlan([
      ...clusterInformationUpdate(ci),
      createChange(cr('Tier', 'sec', { order: 100 })),
      createChange(cr('NetworkPolicy', 'allow', { tier: 'sec', order: 1 }, 'prod')),
      updateChange(pool, cr('IPPool', 'p1', { cidr: '10.0.0.0/16', natOutgoing: true })),
      nodeChange(node, { 'projectcalico.org/IPv4Address': '10.0.0.1/24' }),
      deleteChange(old),
    ]);
    const fwd = await run(plan, t);
    assert.equal(fwd.status, 'complete', JSON.stringify(fwd.failures));
    assert.notDeepEqual(t.snapshot(), before);
    const reverse = readReverse(fwd);
    assert.equal(reverse.mode, 'reverse');
    assert.equal(reverse.reverses, plan.plan_id);
    assert.equal(reverse.plan_id, fwd.reverse_plan_id);
    assert.equal(reverse.resource_changes.length, 7);
    // Streamed change by change, the file is byte for byte the reverse plan serialized whole.
    const lookup = journalOutcomes(journalState(readJournal(fwd.journal_path)));
    assert.equal(readFileSync(fwd.reverse_path, 'utf8'), serializePlan(reversePlanBody(plan, lookup, reverse.tool.version)).text);
    const back = await run(reverse, t);
    assert.equal(back.status, 'complete', JSON.stringify(back.failures));
    assert.deepEqual(t.snapshot(), before);
    // The identity undo ran before the lock undo, which used its resourceVersion (chain rule).
    const ciWrites = t.calls.filter((c) => c.key.endsWith('ClusterInformation/default')).slice(-2);
    assert.equal(ciWrites.length, 2);
    // The reverse of the reverse re-does the forward plan.
    const again = await run(readReverse(back), t);
    assert.equal(again.status, 'complete', JSON.stringify(again.failures));
    const t2 = new FakeTarget();
    for (const o of [ci, pool, old, node]) t2.seed(o);
    await run(plan, t2);
    assert.deepEqual(t.snapshot(), t2.snapshot());
  });

  it('deletes the ClusterInformation last when apply created it', async () => {
    const t = new FakeTarget();
    const plan = buildPlan([...clusterInformationCreate(), createChange(cr('Tier', 'sec', { order: 100 }))]);
    const fwd = await run(plan, t);
    assert.equal(fwd.status, 'complete');
    const reverse = readReverse(fwd);
    const last = executionSteps(reverse.resource_changes).at(-1)!;
    assert.deepEqual(
      last.changes.map((c) => [c.address, c.change.action]),
      [[LOCK_ADDRESS, 'delete']],
    );
    assert.ok(reverse.resource_changes.some((c) => c.address === IDENTITY_ADDRESS && c.change.action === 'update'));
    const back = await run(reverse, t);
    assert.equal(back.status, 'complete', JSON.stringify(back.failures));
    assert.deepEqual(t.snapshot(), {});
  });

  it('written from the journal of a killed run, is safe to apply whether or not the in-flight write landed', async () => {
    for (const landed of [false, true]) {
      const t = new FakeTarget();
      const pool = t.seed(cr('IPPool', 'p1', { cidr: '10.0.0.0/16' }));
      const before = t.snapshot();
      const plan = buildPlan([
        ...Array.from({ length: 6 }, (_, i) => createChange(cr('Tier', `t${i}`, { order: i }))),
        updateChange(pool, cr('IPPool', 'p1', { cidr: '10.0.0.0/16', natOutgoing: true }), { wave: 1 }),
      ]);
      let writes = 0;
      const p = paths();
      let wake: (v: { ok: false; status: number; reason: string; message: string }) => void = () => {};
      t.intercept = (call) => {
        if (++writes !== 4) return null;
        if (landed) {
          // The write reaches the server, then the process dies before the answer.
          if (call.op === 'create') t.seed(call.body as KubeObject);
          else t.touch({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', namespace: null, name: 'p1' }, (o) => Object.assign(o, call.body));
        }
        return new Promise((resolve) => (wake = resolve)); // no answer: the "crash"
      };
      const crashed = run(plan, t, { ...p, parallelism: 1 });
      while (writes < 4) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      t.intercept = null;
      // A killed run leaves no reverse plan, only its journal: `rollback` writes the reverse from it.
      assert.equal(existsSync(p.reversePath), false, 'apply writes its reverse plan only when it stops');
      const file = path.join(path.dirname(p.reversePath), 'from-journal.json');
      const written = await writeReverseFromJournal(plan, readJournal(p.journalPath), p.journalPath, file, '0.0.0-test');
      assert.deepEqual([written.unsettled, written.ended], [1, false]);
      const reverse = parsePlan(readFileSync(file, 'utf8'), file);
      assert.ok(
        reverse.resource_changes.some((c) => c.target.uid === null && c.target.resource_version === null),
        'the in-flight write has an unguarded reverse',
      );
      const back = await run(reverse, t);
      assert.equal(back.status, 'complete', `landed=${landed}: ${JSON.stringify(back.failures)}`);
      assert.deepEqual(t.snapshot(), before, `landed=${landed}`);
      // Let the abandoned run end (so it closes its files); its target is not used again.
      wake({ ok: false, status: 503, reason: 'ServiceUnavailable', message: 'HTTP 503' });
      await crashed;
    }
  });

  it('undoes any forward apply, complete or partial (property)', async () => {
    const obj = fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd', 'e'), order: fc.nat(5) });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(obj, { selector: (o) => o.name, maxLength: 5 }),
        fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), order: fc.nat(5) }), { maxLength: 6 }),
        fc.record({ asn: fc.option(fc.constantFrom('1', '2')), addr: fc.option(fc.constantFrom('10.0.0.1/24', '10.0.0.2/24')) }),
        fc.option(fc.nat(8)),
        async (initial, desired, nodeAnn, failAfter) => {
          const t = new FakeTarget();
          const live = new Map<string, KubeObject>();
          for (const o of initial) live.set(o.name, t.seed(cr('GlobalNetworkSet', o.name, { order: o.order })));
          const node = t.seed({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', annotations: { 'projectcalico.org/ASNumber': '1', keep: 'me' } } });
          const before = t.snapshot();
          const changes: ResourceChange[] = [];
          const wanted = new Map<string, { name: string; order: number }>(desired.map((d) => [d.name, d]));
          for (const d of wanted.values()) {
            const after = cr('GlobalNetworkSet', d.name, { order: d.order });
            const l = live.get(d.name);
            if (!l) changes.push(createChange(after));
            else if ((l.spec as any).order !== d.order) changes.push(updateChange(l, after));
          }
          for (const [name, l] of live) if (!wanted.has(name)) changes.push(deleteChange(l));
          const ann: Record<string, string> = {};
          if (nodeAnn.asn) ann['projectcalico.org/ASNumber'] = nodeAnn.asn;
          if (nodeAnn.addr) ann['projectcalico.org/IPv4Address'] = nodeAnn.addr;
          changes.push(nodeChange(node, ann));
          changes.push(createChange(cr('Tier', 'tier', { order: 1 })));
          const plan = buildPlan(changes);
          const fwd = await run(plan, t, failAfter === null ? {} : { failAfter });
          const back = await run(readReverse(fwd), t);
          assert.equal(back.status, 'complete', JSON.stringify(back.failures));
          assert.deepEqual(t.snapshot(), before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
