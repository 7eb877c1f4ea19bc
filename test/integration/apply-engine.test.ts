/**
 * The apply engine against the real kube-apiserver: waves, preconditions, the journal, resume,
 * and the reverse plan restoring the exact prior state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConnection } from '../../src/adapters/kube/connection.js';
import { KubeTarget } from '../../src/adapters/kube/target.js';
import { applyPlan } from '../../src/apply/executor.js';
import { readJournal, type JournalResult } from '../../src/apply/journal.js';
import { readLease } from '../../src/apply/lease.js';
import type { ApplyOptions, ApplyResult } from '../../src/apply/types.js';
import { RecordingIo } from '../../src/io.js';
import { ALL_CRD_KINDS, CRD_API_VERSION } from '../../src/model/kinds.js';
import type { KubeObject } from '../../src/model/types.js';
import { addressOf } from '../../src/plan/address.js';
import { normalizeLive } from '../../src/plan/normalize.js';
import { parsePlan } from '../../src/plan/plan-file.js';
import type { Plan, ResourceChange } from '../../src/plan/types.js';
import { buildPlan, clusterInformationCreate, clusterInformationUpdate, cr, createChange, deleteChange, nodeChange, updateChange } from '../unit/apply/plan-builders.js';
import { createNode, ensureNamespace, kube, resetDatastores, testCluster } from './support/cluster.js';

const ref = (kind: string, name: string, namespace: string | null = null) => ({ apiVersion: CRD_API_VERSION, kind, namespace, name });

async function mustCreate(obj: KubeObject): Promise<KubeObject> {
  const ns = obj.metadata.namespace;
  const plural = ALL_CRD_KINDS.find((k) => k.kind === obj.kind)!.plural;
  const r = await kube('POST', `/apis/${CRD_API_VERSION}${ns ? `/namespaces/${ns}` : ''}/${plural}`, obj);
  assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
  return r.body as KubeObject;
}

describe('apply engine (real kube-apiserver)', function () {
  let target: KubeTarget;
  let dir: string;
  let n = 0;

  before(async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(testCluster().kubeconfig);
    target = new KubeTarget(await KubeConnection.fromKubeConfig(kc));
    await ensureNamespace('prod');
  });
  after(() => target.close());
  beforeEach(async () => {
    await resetDatastores();
    dir = mkdtempSync(path.join(os.tmpdir(), 'apply-it-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function paths() {
    n++;
    return { journalPath: path.join(dir, `j${n}.jsonl`), reversePath: path.join(dir, `r${n}.json`), planPath: path.join(dir, `p${n}.json`) };
  }

  async function run(plan: Plan, opts: Partial<ApplyOptions> = {}, io = new RecordingIo()): Promise<ApplyResult> {
    return applyPlan(plan, { target, io, lease: target }, { holder: `test@host/${process.pid}/${plan.plan_id.slice(7, 19)}`, ...paths(), ...opts });
  }

  /** Every Calico CR (normalised) and every Node's labels and annotations, by address. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const k of ALL_CRD_KINDS) {
      for (const o of await target.listKind(k.kind)) out[addressOf(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)] = normalizeLive(o);
    }
    for (const node of await target.listNodes()) out[`v1/Node/${node.metadata.name}`] = { labels: node.metadata.labels ?? {}, annotations: node.metadata.annotations ?? {} };
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  it('executes a hand-built plan in waves, and its reverse plan restores the exact prior state', async () => {
    const ci = await mustCreate(cr('ClusterInformation', 'default', { clusterGUID: 'a'.repeat(32), clusterType: 'kdd', datastoreReady: true, calicoVersion: 'v3.30.0' }));
    const pool = await mustCreate(cr('IPPool', 'pool-a', { cidr: '10.10.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Always', natOutgoing: false, nodeSelector: 'all()' }));
    const old = await mustCreate(cr('GlobalNetworkSet', 'old-set', { nets: ['192.168.1.0/24'] }, undefined, { labels: { team: 'x' } }));
    await createNode('node-1', { 'projectcalico.org/ASNumber': '64512', 'projectcalico.org/RouteReflectorClusterID': '1.2.3.4', 'node.alpha.kubernetes.io/ttl': '0' }, { zone: 'a' });
    const node = (await target.get({ apiVersion: 'v1', kind: 'Node', namespace: null, name: 'node-1' }))!;
    const before = await snapshot();

    const changes: ResourceChange[] = [
      ...clusterInformationUpdate(ci),
      createChange(cr('Tier', 'security', { order: 100, defaultAction: 'Deny' })),
      ...Array.from({ length: 8 }, (_, i) => createChange(cr('GlobalNetworkSet', `set-${i}`, { nets: [`10.${i}.0.0/16`] }, undefined, { labels: { 'projectcalico.org/x': String(i) } }))),
      createChange(cr('GlobalNetworkPolicy', 'security.deny-all', { tier: 'security', order: 10, selector: 'all()', types: ['Ingress'] })),
      createChange(cr('NetworkPolicy', 'allow-web', { tier: 'default', order: 5, selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow' }] }, 'prod')),
      updateChange(pool, { ...cr('IPPool', 'pool-a', { ...(pool.spec as object), natOutgoing: true }) }),
      nodeChange(node, { 'projectcalico.org/ASNumber': '64513', 'projectcalico.org/IPv4Address': '10.0.0.1/24' }),
      createChange(cr('IPAMHandle', 'ipip-tunnel-addr-node-1', { handleID: 'ipip-tunnel-addr-node-1', block: { '10.10.0.0/26': 1 } })),
      deleteChange(old),
    ];
    const plan = buildPlan(changes);
    const io = new RecordingIo();
    const fwd = await run(plan, {}, io);
    assert.equal(fwd.status, 'complete', JSON.stringify(fwd.failures));
    assert.deepEqual([fwd.counts.created, fwd.counts.updated, fwd.counts.deleted], [12, 4, 1]);

    // The target now holds the plan.
    const live = await snapshot();
    assert.equal((live[`${CRD_API_VERSION}/IPPool/pool-a`] as any).spec.natOutgoing, true);
    assert.deepEqual((live['v1/Node/node-1'] as any).annotations, { 'projectcalico.org/ASNumber': '64513', 'projectcalico.org/IPv4Address': '10.0.0.1/24', 'node.alpha.kubernetes.io/ttl': '0' });
    assert.deepEqual((live[`${CRD_API_VERSION}/ClusterInformation/default`] as any).spec, {
      clusterGUID: 'fedcba9876543210fedcba9876543210',
      clusterType: 'kdd',
      datastoreReady: false,
      calicoVersion: 'v3.31.2',
    });
    assert.ok(!(`${CRD_API_VERSION}/GlobalNetworkSet/old-set` in live));
    assert.ok(`${CRD_API_VERSION}/NetworkPolicy/prod/allow-web` in live);
    // The lease is released.
    assert.equal(await readLease(target), null);
    // Events.
    const types = io.events.map((e) => e.type);
    assert.equal(types[0], 'apply_start');
    assert.equal(types.at(-1), 'apply_complete');
    assert.deepEqual(
      io.events.filter((e) => e.type === 'wave_start').map((e) => `${e.phase}:${e.wave}`),
      ['apply:0', 'apply:1', 'apply:2', 'apply:3', 'apply:4', 'apply:8', 'apply:15', 'delete:2'],
    );

    // The reverse plan is a valid plan file; applying it restores exactly the prior state.
    const reverse = parsePlan(readFileSync(fwd.reverse_path, 'utf8'), fwd.reverse_path);
    assert.equal(reverse.mode, 'reverse');
    assert.equal(reverse.reverses, plan.plan_id);
    assert.equal(reverse.resource_changes.length, 17);
    const back = await run(reverse);
    assert.equal(back.status, 'complete', JSON.stringify(back.failures));
    assert.deepEqual(await snapshot(), before);
  });

  it('deletes a ClusterInformation it created, last, when rolling back', async () => {
    const plan = buildPlan([...clusterInformationCreate(), createChange(cr('Tier', 'security', { order: 100, defaultAction: 'Deny' }))]);
    const fwd = await run(plan);
    assert.equal(fwd.status, 'complete', JSON.stringify(fwd.failures));
    const lock = readJournal(fwd.journal_path).entries.find((e) => e.type === 'result' && e.address.endsWith('#lock')) as JournalResult;
    const identity = readJournal(fwd.journal_path).entries.find((e) => e.type === 'result' && e.address.endsWith('#identity')) as JournalResult;
    assert.ok(lock.resource_version && identity.resource_version && lock.resource_version !== identity.resource_version);
    const back = await run(parsePlan(readFileSync(fwd.reverse_path, 'utf8'), fwd.reverse_path));
    assert.equal(back.status, 'complete', JSON.stringify(back.failures));
    assert.deepEqual(await snapshot(), {});
  });

  it('stops with STALE on an update whose resourceVersion moved, writing nothing after it', async () => {
    const pool = await mustCreate(cr('IPPool', 'pool-a', { cidr: '10.10.0.0/16', natOutgoing: false }));
    const plan = buildPlan([
      updateChange(pool, cr('IPPool', 'pool-a', { ...(pool.spec as object), natOutgoing: true })),
      ...Array.from({ length: 5 }, (_, i) => createChange(cr('GlobalNetworkPolicy', `p-${i}`, { order: i, selector: 'all()' }))),
    ]);
    // Someone changes the pool after the plan.
    const r0 = await kube('PUT', `/apis/${CRD_API_VERSION}/ippools/pool-a`, { ...pool, spec: { ...(pool.spec as object), disabled: true } });
    assert.equal(r0.status, 200);
    const r = await run(plan);
    assert.equal(r.status, 'partial');
    assert.equal(r.exit, 'STALE');
    assert.equal(r.failed?.reason, 'STALE');
    assert.equal(r.failed?.address, `${CRD_API_VERSION}/IPPool/pool-a`);
    assert.match(r.failed.message, /IPPool pool-a: update answered HTTP 409.*changed since the plan was made; the plan is stale, make a new plan/);
    assert.equal((await target.listKind('GlobalNetworkPolicy')).length, 0);
    assert.equal(((await target.get(ref('IPPool', 'pool-a')))!.spec as any).natOutgoing, false);
    assert.equal(await readLease(target), null, 'the lease is released on failure too');
  });

  it('stops on an object the server rejects (schema), recording it; nothing after it is written', async () => {
    const plan = buildPlan([
      createChange(cr('Tier', 'a', { order: 1 })),
      createChange(cr('GlobalNetworkSet', 'bad', { nets: 'not-a-list' })),
      createChange(cr('GlobalNetworkPolicy', 'later', { order: 1 })),
    ]);
    const r = await run(plan);
    assert.equal(r.exit, 'PARTIAL');
    assert.equal(r.failed?.reason, 'REJECTED');
    assert.match(r.failed.message, /GlobalNetworkSet bad: the API server refused the create: HTTP 422/);
    assert.equal((await target.listKind('GlobalNetworkPolicy')).length, 0);
    const results = readJournal(r.journal_path).entries.filter((e): e is JournalResult => e.type === 'result');
    assert.deepEqual(
      results.map((e) => [e.address.split('/').pop(), e.status]),
      [
        ['a', 'ok'],
        ['bad', 'error'],
      ],
    );
  });

  it('resumes after a mid-apply failure without creating anything twice; the final state equals the full plan', async () => {
    await createNode('node-1', { 'projectcalico.org/ASNumber': '1' });
    const node = (await target.get({ apiVersion: 'v1', kind: 'Node', namespace: null, name: 'node-1' }))!;
    const pool = await mustCreate(cr('IPPool', 'pool-a', { cidr: '10.10.0.0/16', natOutgoing: false }));
    const changes = [
      ...clusterInformationCreate(),
      ...Array.from({ length: 40 }, (_, i) => createChange(cr('GlobalNetworkSet', `set-${i}`, { nets: [`10.${i}.0.0/16`] }))),
      ...Array.from({ length: 20 }, (_, i) => createChange(cr('GlobalNetworkPolicy', `p-${i}`, { order: i, selector: 'all()' }))),
      updateChange(pool, cr('IPPool', 'pool-a', { ...(pool.spec as object), natOutgoing: true })),
      nodeChange(node, { 'projectcalico.org/ASNumber': '2' }),
    ];
    const plan = buildPlan(changes);
    const p = paths();
    const first = await run(plan, { ...p, failAfter: 30, parallelism: 8 });
    assert.equal(first.status, 'partial');
    assert.equal(first.failed?.reason, 'INJECTED');
    assert.ok(first.counts.done >= 20 && first.counts.done <= 30, JSON.stringify(first.counts));

    const second = await run(plan, { ...p, resume: true, parallelism: 8 });
    assert.equal(second.status, 'complete', JSON.stringify(second.failures));
    assert.equal(second.counts.skipped, first.counts.done);
    assert.equal(second.counts.done, changes.length);

    // Each address has exactly one ok result, and its uid is the live object's.
    const results = readJournal(p.journalPath).entries.filter((e): e is JournalResult => e.type === 'result' && e.status === 'ok');
    const byAddress = new Map<string, JournalResult[]>();
    for (const r of results) byAddress.set(r.address, [...(byAddress.get(r.address) ?? []), r]);
    assert.equal(byAddress.size, changes.length);
    for (const [address, rs] of byAddress) assert.equal(rs.length, 1, `${address} has ${rs.length} ok results`);
    for (const c of changes.filter((c) => c.change.action === 'create' && !c.address.includes('#'))) {
      const live = await target.get(ref(c.kind, c.name));
      assert.ok(live, c.address);
      assert.equal(live.metadata.uid, byAddress.get(c.address)![0]!.uid);
      assert.deepEqual((live.spec as any).nets ?? (live.spec as any).order, (c.change.after!.spec as any).nets ?? (c.change.after!.spec as any).order);
    }
    assert.equal(((await target.get(ref('IPPool', 'pool-a')))!.spec as any).natOutgoing, true);
    assert.equal((await target.get({ apiVersion: 'v1', kind: 'Node', namespace: null, name: 'node-1' }))!.metadata.annotations!['projectcalico.org/ASNumber'], '2');
    const ci = (await target.get(ref('ClusterInformation', 'default')))!;
    assert.equal((ci.spec as any).calicoVersion, 'v3.31.2');

    // The reverse plan, rebuilt from the whole journal, undoes both runs.
    const back = await run(parsePlan(readFileSync(p.reversePath, 'utf8'), p.reversePath));
    assert.equal(back.status, 'complete', JSON.stringify(back.failures));
    assert.equal((await target.listKind('GlobalNetworkSet')).length, 0);
    assert.equal(await target.get(ref('ClusterInformation', 'default')), null);
    assert.equal((await target.get({ apiVersion: 'v1', kind: 'Node', namespace: null, name: 'node-1' }))!.metadata.annotations!['projectcalico.org/ASNumber'], '1');
  });

  it('resumes a crash between intent and result by adopting the object that landed (server defaults included)', async () => {
    // The policy has no tier: the CRD defaults `spec.tier: default`, so the stored object differs
    // from the plan's `after` by a server default, which adoption must see through.
    const gnp = cr('GlobalNetworkPolicy', 'allow-dns', { order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] });
    const plan = buildPlan([createChange(cr('Tier', 'a', { order: 1 })), createChange(gnp), createChange(cr('GlobalNetworkSet', 's', { nets: ['10.0.0.0/8'] }))]);
    const p = paths();
    const lines: Array<Record<string, unknown>> = [
      { type: 'header', plan_id: plan.plan_id, plan_path: p.planPath, reverse_path: p.reversePath, started_at: '2026-01-01T00:00:00.000Z', tool_version: '0.1.0', holder: 'dead@host/1/x' },
      { type: 'intent', seq: 1, address: `${CRD_API_VERSION}/Tier/a`, action: 'create', at: '2026-01-01T00:00:00.000Z' },
      { type: 'result', seq: 1, address: `${CRD_API_VERSION}/Tier/a`, action: 'create', status: 'ok', uid: 'will-be-replaced', resource_version: '1', message: null, at: '2026-01-01T00:00:00.000Z' },
      { type: 'intent', seq: 2, address: `${CRD_API_VERSION}/GlobalNetworkSet/s`, action: 'create', at: '2026-01-01T00:00:00.000Z' },
      { type: 'intent', seq: 3, address: `${CRD_API_VERSION}/GlobalNetworkPolicy/allow-dns`, action: 'create', at: '2026-01-01T00:00:00.000Z' },
    ];
    const tier = await mustCreate(cr('Tier', 'a', { order: 1 }));
    lines[2] = { ...lines[2]!, uid: tier.metadata.uid, resource_version: tier.metadata.resourceVersion };
    writeFileSync(p.journalPath, lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"type":"result","seq":2,"addr');
    // The policy's create landed before the crash; the set's did not.
    const landed = await mustCreate(gnp);
    assert.equal((landed.spec as any).tier, 'default');

    const r = await run(plan, { ...p, resume: true });
    assert.equal(r.status, 'complete', JSON.stringify(r.failures));
    assert.equal(r.counts.adopted, 1);
    assert.equal(r.counts.skipped, 1);
    assert.equal(r.counts.created, 1);
    const results = readJournal(p.journalPath).entries.filter((e): e is JournalResult => e.type === 'result');
    const adopted = results.find((e) => e.seq === 3)!;
    assert.equal(adopted.status, 'ok');
    assert.equal(adopted.uid, landed.metadata.uid);
    assert.match(adopted.message!, /adopted on resume/);
    // The reverse plan deletes the adopted object guarded by its uid.
    const reverse = parsePlan(readFileSync(p.reversePath, 'utf8'), p.reversePath);
    assert.equal(reverse.resource_changes.find((c) => c.name === 'allow-dns')!.target.uid, landed.metadata.uid);
  });

  it("refuses a resume whose open create found someone else's object (different content) as STALE", async () => {
    const plan = buildPlan([createChange(cr('Tier', 'a', { order: 1 }))]);
    const p = paths();
    const lines = [
      { type: 'header', plan_id: plan.plan_id, plan_path: p.planPath, reverse_path: p.reversePath, started_at: 'x', tool_version: '0.1.0', holder: 'h' },
      { type: 'intent', seq: 1, address: `${CRD_API_VERSION}/Tier/a`, action: 'create', at: 'x' },
    ];
    writeFileSync(p.journalPath, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    await mustCreate(cr('Tier', 'a', { order: 2 }));
    const r = await run(plan, { ...p, resume: true });
    assert.equal(r.exit, 'STALE');
    assert.match(r.failed!.message, /different content/);
  });

  it('reads only the head of a delete answer and of a dry-run create answer; a refusal is still read whole', async () => {
    const set = cr('GlobalNetworkSet', 'head-only', { nets: ['10.9.0.0/24'] });
    const dry = await target.create(set, { dryRun: true, metadataOnly: true });
    assert.ok(dry.ok);
    assert.deepEqual(Object.keys(dry.object).sort(), ['apiVersion', 'kind', 'metadata']);
    const made = await mustCreate(set);
    const refused = await target.delete(ref('GlobalNetworkSet', 'head-only'), { uid: '00000000-0000-0000-0000-000000000000' });
    assert.ok(!refused.ok);
    assert.equal(refused.status, 409);
    assert.match(refused.message, /precondition/i);
    const gone = await target.delete(ref('GlobalNetworkSet', 'head-only'), { uid: made.metadata.uid as string });
    assert.ok(gone.ok);
    // The server answers with a Status (status, details) or the deleted object (spec): neither is parsed.
    assert.deepEqual(Object.keys(gone.object).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.equal(await target.get(ref('GlobalNetworkSet', 'head-only')), null);
  });

  // Throughput is measured by `npm run bench` (scripts/bench/bench.ts, with its floor); this keeps what a bulk run must do.
  it('applies 1,500 creates at parallelism 16 and reverses all of them', async function () {
    this.timeout(120_000);
    const count = 1500;
    const plan = buildPlan(
      Array.from({ length: count }, (_, i) =>
        createChange(cr('GlobalNetworkSet', `bulk-${String(i).padStart(5, '0')}`, { nets: [`10.${i >> 8}.${i & 255}.0/24`] }, undefined, { labels: { 'projectcalico.org/bulk': 'yes' } })),
      ),
    );
    const r = await run(plan, { parallelism: 16 });
    assert.equal(r.status, 'complete', JSON.stringify(r.failures));
    assert.equal(r.counts.created, count);
    const back = await run(parsePlan(readFileSync(r.reverse_path, 'utf8'), r.reverse_path), { parallelism: 16 });
    assert.equal(back.status, 'complete');
    assert.equal(back.counts.deleted, count);
  });
});
