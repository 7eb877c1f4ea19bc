/**
 * The run record in the target (ConfigMap kube-system/calico-migrate-status) and `status` from a
 * state directory that never saw the migration, over the in-memory ports (fakes.ts says what they
 * do not claim). test/integration/status-record.test.ts runs the same against a real API server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rbacCheck, requiredPermissions, statusRecordPermissions } from '../../../src/checks/rbac.js';
import { MAX_FIELD, MAX_RUNS, RECORD_INTERVAL_MS, STALE_AFTER_MS, parseStatusRecord, upsertRun, type ClusterRun } from '../../../src/model/status-record.js';
import { runApply, type ApplyCommandOptions } from '../../../src/workflow/apply.js';
import { RunRecorder, writeRun } from '../../../src/workflow/cluster-record.js';
import { makePlan, type PlanOptions } from '../../../src/workflow/plan.js';
import { migrationStatus } from '../../../src/workflow/status.js';
import { verifyMigration } from '../../../src/workflow/verify.js';
import { FakeTarget, fakeContext } from './fakes.js';
import { smallSource, smallTarget } from './small-cluster.js';

const PLAN_OPTS: PlanOptions = { conversion: { skipUnknown: false }, include: [], exclude: [], prune: false, serverDryRun: true, parallelism: 4, stateDir: path.join(tmpdir(), 'cm-no-state-dir') };

const run = (id: string, startedAt: string, extra: Partial<ClusterRun> = {}): ClusterRun => ({
  id,
  command: 'apply',
  plan_id: `sha256:${id}`,
  by: 'u@h/1',
  started_at: startedAt,
  updated_at: startedAt,
  finished_at: null,
  outcome: 'running',
  done: 0,
  total: 10,
  plan_path: null,
  journal: null,
  reverse_path: null,
  source_revision: null,
  verify: null,
  message: null,
  ...extra,
});

const runsIn = (t: FakeTarget) => parseStatusRecord(t.statusRecord?.text ?? '')?.runs ?? [];

describe('the run record in the target (over in-memory ports)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cm-status-record-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function planned() {
    const source = smallSource({ locked: true });
    const target = smallTarget();
    const { plan, text } = await makePlan(PLAN_OPTS, fakeContext(source, target));
    const planPath = path.join(dir, 'plan.json');
    writeFileSync(planPath, text);
    const applyOpts: ApplyCommandOptions = { planPath, stateDir: path.join(dir, 'state'), lock: false, autoApprove: true, parallelism: 4 };
    return { source, target, plan, applyOpts };
  }

  describe('the record', () => {
    it(`keeps the newest ${MAX_RUNS} runs by start time, replaces a run by id, and caps long fields`, () => {
      let record = null;
      for (let i = 0; i < MAX_RUNS + 5; i++) record = upsertRun(record, run(`r${String(i).padStart(3, '0')}`, `2026-01-01T00:${String(i).padStart(2, '0')}:00.000Z`));
      assert.equal(record?.runs.length, MAX_RUNS);
      assert.equal(record?.runs[0]?.id, 'r005', 'the oldest are dropped');
      record = upsertRun(record, run('r010', '2026-01-01T00:10:00.000Z', { outcome: 'complete', journal: 'x'.repeat(5000) }));
      const r10 = record.runs.filter((r) => r.id === 'r010');
      assert.equal(r10.length, 1);
      assert.equal(r10[0]?.outcome, 'complete');
      assert.equal(r10[0]?.journal?.length, MAX_FIELD);
    });

    it('reads back what it wrote and drops entries it does not understand', () => {
      const text = JSON.stringify({ format: 1, runs: [run('a', '2026-01-01T00:00:00Z'), { id: 'b', command: 'dance' }, 42] });
      assert.deepEqual(
        parseStatusRecord(text)?.runs.map((r) => r.id),
        ['a'],
      );
      assert.equal(parseStatusRecord('not json'), null);
    });

    it('a writer that loses the race reads again and merges: neither run is lost', async () => {
      const t = new FakeTarget();
      await writeRun(t, run('first', '2026-01-01T00:00:00Z'));
      let interleaved = false;
      t.beforeStatusWrite = () => {
        if (interleaved) return;
        interleaved = true;
        // Another writer replaces the record between our read and our write.
        const other = upsertRun(parseStatusRecord(t.statusRecord?.text ?? ''), run('other', '2026-01-01T00:01:00Z'));
        t.statusRecord = { text: JSON.stringify(other), resourceVersion: 'someone-else' };
      };
      await writeRun(t, run('mine', '2026-01-01T00:02:00Z'));
      assert.deepEqual(
        runsIn(t).map((r) => r.id),
        ['first', 'other', 'mine'],
      );
      assert.equal(t.statusWrites, 3, 'one create, one conflicting replace, one retried replace');
    });

    it(`while a run goes on, the record is rewritten at most every ${RECORD_INTERVAL_MS / 1000} s, without waiting`, async () => {
      const t = new FakeTarget();
      const ctx = fakeContext(smallSource(), t);
      let mono = 0;
      ctx.monotonic = () => mono;
      const rec = await RunRecorder.start(t, ctx, null, { command: 'apply', plan_id: 'sha256:p', total: 1000 });
      assert.equal(t.statusWrites, 1);
      for (let done = 1; done <= 900; done++) {
        mono += 10; // 900 writes in 9 s
        rec.progress(done, 1000);
      }
      assert.equal(t.statusWrites, 1, 'no write per object');
      mono += RECORD_INTERVAL_MS;
      rec.progress(950, 1000);
      rec.progress(951, 1000);
      await rec.finish({ outcome: 'complete', done: 1000, total: 1000 });
      assert.equal(t.statusWrites, 3, 'start, one progress write, end');
      assert.deepEqual(
        runsIn(t).map((r) => [r.outcome, r.done, r.total]),
        [['complete', 1000, 1000]],
      );
    });
  });

  describe('apply and verify record their runs; status reads them from an empty state directory', () => {
    it('apply writes the record at its start and end only; status elsewhere says applied, then verified, by which plan and when', async () => {
      const { source, target, plan, applyOpts } = await planned();
      await runApply(applyOpts, fakeContext(source, target));
      assert.equal(target.statusWrites, 2, 'start and end (a small plan takes less than the interval)');
      const [applied] = runsIn(target);
      assert.equal(applied?.command, 'apply');
      assert.equal(applied?.plan_id, plan.plan_id);
      assert.equal(applied?.outcome, 'complete');
      assert.equal(applied?.done, plan.summary.create + plan.summary.update);
      assert.equal(applied?.total, plan.summary.create + plan.summary.update);
      assert.equal(applied?.journal, path.resolve(applyOpts.stateDir, `journal-${plan.plan_id.slice(7, 19)}.jsonl`));
      assert.equal(applied?.by, 'tester@host/1');

      const elsewhere = path.join(dir, 'elsewhere');
      let st = await migrationStatus({ stateDir: elsewhere }, fakeContext(source, target));
      assert.equal(st.phase, 'applied');
      assert.equal(st.last_apply?.plan_id, plan.plan_id);
      assert.equal(st.last_apply?.status, 'complete');
      assert.equal(st.from.last_apply, 'cluster');
      assert.equal(st.cluster_record.state, 'read');
      assert.deepEqual(st.disagreements, []);

      const v = await verifyMigration({ conversion: { skipUnknown: false }, parallelism: 4, stateDir: applyOpts.stateDir }, fakeContext(source, target));
      assert.equal(v.ok, true);
      st = await migrationStatus({ stateDir: elsewhere }, fakeContext(source, target));
      assert.equal(st.phase, 'verified');
      assert.equal(st.verified?.ok, true);
      assert.equal(st.from.verified, 'cluster');
      assert.equal(st.cluster_record.runs[0]?.command, 'verify');
      assert.deepEqual(st.cluster_record.runs[0]?.verify, { ok: true, compared: v.compared, differences: 0, source_digest: v.source_digest });

      // Where the apply ran, both witnesses agree; the local one is shown (it has the journal).
      st = await migrationStatus({ stateDir: applyOpts.stateDir }, fakeContext(source, target));
      assert.equal(st.phase, 'verified');
      assert.equal(st.from.last_apply, 'local');
      assert.deepEqual(st.disagreements, []);
    });

    it('a target that refuses the record still applies, with one warning; status then says the record lacks the run', async () => {
      const { source, target, plan, applyOpts } = await planned();
      target.statusRecordDenied = true;
      const ctx = fakeContext(source, target);
      const out = await runApply(applyOpts, ctx);
      assert.equal(out.result.status, 'complete');
      const warnings = ctx.io.messages.filter((m) => m.level === 'warn' && m.message.includes('calico-migrate-status'));
      assert.equal(warnings.length, 1, JSON.stringify(ctx.io.messages));
      assert.match(warnings[0]?.message ?? '', /could not write the run record kube-system\/calico-migrate-status \(permission denied.*\); the apply goes on/);

      target.statusRecordDenied = false;
      const st = await migrationStatus({ stateDir: applyOpts.stateDir }, fakeContext(source, target));
      assert.equal(st.phase, 'applied', 'from the state directory');
      assert.equal(st.from.last_apply, 'local');
      assert.ok(
        st.disagreements.some((d) => d.includes(`has no run of plan ${plan.plan_id}`)),
        JSON.stringify(st.disagreements),
      );
      assert.ok(
        st.disagreements.some((d) => /could not be written to kube-system\/calico-migrate-status; the target's record may be stale/.test(d)),
        JSON.stringify(st.disagreements),
      );
    });

    it('a run that says it is running but was not rewritten for a while is reported as possibly stale', async () => {
      const t = smallTarget();
      const ctx = fakeContext(smallSource(), t);
      const long = new Date(ctx.now().getTime() - STALE_AFTER_MS - 1000).toISOString();
      await writeRun(t, run('dead', long));
      const st = await migrationStatus({ stateDir: path.join(dir, 'none') }, ctx);
      assert.equal(st.cluster_record.stale.length, 1);
      assert.equal(st.phase, 'partial');
    });

    it('when the state directory and the target disagree, status shows the newer and says so', async () => {
      const { source, target, plan, applyOpts } = await planned();
      await runApply(applyOpts, fakeContext(source, target));
      // Another machine's later rollback, recorded only in the target.
      await writeRun(
        target,
        run('later', '2099-01-01T00:00:00.000Z', { command: 'rollback', plan_id: 'sha256:reverse', outcome: 'complete', finished_at: '2099-01-01T00:01:00.000Z', by: 'other@elsewhere/7' }),
      );
      const st = await migrationStatus({ stateDir: applyOpts.stateDir }, fakeContext(source, target));
      assert.equal(st.phase, 'rolled back');
      assert.equal(st.from.last_apply, 'cluster');
      assert.equal(st.last_apply?.by, 'other@elsewhere/7');
      assert.ok(
        st.disagreements.some((d) => d.startsWith(`last apply: the state directory says plan ${plan.plan_id} complete`)),
        JSON.stringify(st.disagreements),
      );
    });
  });

  describe('the rbac check', () => {
    it('asks for the record permissions, and lacking only those is a warning, not a failure', () => {
      const perms = requiredPermissions([]);
      for (const p of statusRecordPermissions()) assert.ok(perms.some((q) => q.verb === p.verb && q.resource === 'configmaps' && q.name === p.name));
      const results = perms.map((perm) => ({ perm, allowed: perm.resource !== 'configmaps' }));
      const c = rbacCheck(results, 'bob');
      assert.equal(c.status, 'warn');
      assert.match(c.message, /^identity bob may do everything apply and rollback need, but lacks 3 permission\(s\) for the run record kube-system\/calico-migrate-status/);
      assert.deepEqual(c.items, [
        'create configmaps in namespace kube-system',
        'get configmaps calico-migrate-status in namespace kube-system',
        'update configmaps calico-migrate-status in namespace kube-system',
      ]);
      const failed = rbacCheck(
        perms.map((perm) => ({ perm, allowed: perm.resource !== 'configmaps' && perm.resource !== 'leases' })),
        'bob',
      );
      assert.equal(failed.status, 'fail');
    });
  });
});
