/**
 * Issue 4, the pre-apply checks: each failure the plan must catch, provoked for real (a deleted CRD,
 * a schema violation, a missing Node or namespace, an IPAM inconsistency, a CEL transition rule on
 * the server, a missing RBAC permission), each through the BUILT CLI: exit 3, the check id, and
 * the offending object named. A small clean dataset is the control: it passes every check, so in
 * each test the one thing changed is what fails.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ensureNamespaces, ensureNodes, seedEtcd, type KV } from '../../scripts/cluster/seed.js';
import { EXIT_CODES } from '../../src/errors.js';
import { CRD_API_VERSION, kindInfo } from '../../src/model/kinds.js';
import type { Check, Plan } from '../../src/plan/types.js';
import { ROOT, kube, resetDatastores, testCluster } from './support/cluster.js';
import { DATASETS, seedDataset } from './support/datasets.js';
import { Workdir, cli, readPlan, targetSnapshot } from './support/e2e.js';

const V3 = '/calico/resources/v3/projectcalico.org/';
const NODE = 'cm-check-node-1';
const POOL_CIDR = '10.60.0.0/16';
const BLOCK_CIDR = '10.60.0.0/26';

function v3(kind: string, name: string, spec: Record<string, unknown>, namespace?: string) {
  return { kind, apiVersion: 'projectcalico.org/v3', metadata: { name, ...(namespace ? { namespace } : {}), creationTimestamp: '2024-05-01T00:00:00Z' }, spec };
}

function kv(key: string, value: unknown): KV {
  return { key, value: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** A locked source with one Node, one IPPool, and one IPAM block with its handle and affinity. */
function miniDataset(opts: { blockHandles?: string[] } = {}): KV[] {
  const handles = opts.blockHandles ?? ['k8s-pod-network.real'];
  const allocations: Array<number | null> = Array(64).fill(null);
  handles.forEach((_, i) => (allocations[i] = i));
  return [
    kv(`${V3}clusterinformations/default`, v3('ClusterInformation', 'default', { clusterGUID: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', calicoVersion: 'v3.31.2', datastoreReady: false })),
    kv(`${V3}nodes/${NODE}`, v3('Node', NODE, { bgp: { ipv4Address: '10.0.9.1/24', asNumber: 64600 }, orchRefs: [{ nodeName: NODE, orchestrator: 'k8s' }] })),
    kv(`${V3}ippools/pool-a`, v3('IPPool', 'pool-a', { cidr: POOL_CIDR, blockSize: 26, ipipMode: 'Never', vxlanMode: 'Always', natOutgoing: true, nodeSelector: 'all()' })),
    kv(`/calico/ipam/v2/assignment/ipv4/block/${BLOCK_CIDR.replace('/', '-')}`, {
      cidr: BLOCK_CIDR,
      affinity: `host:${NODE}`,
      allocations,
      unallocated: Array.from({ length: 64 - handles.length }, (_, i) => i + handles.length),
      attributes: handles.map((h) => ({ handle_id: h, secondary: null })),
      deleted: false,
    }),
    kv('/calico/ipam/v2/handle/k8s-pod-network.real', { block: { [BLOCK_CIDR]: 1 }, deleted: false }),
    kv(`/calico/ipam/v2/host/${NODE}/ipv4/block/${BLOCK_CIDR.replace('/', '-')}`, ''),
  ];
}

async function seed(kvs: KV[], opts: { nodes?: string[]; namespaces?: string[] } = {}): Promise<void> {
  const s = testCluster();
  await seedEtcd(s.etcd.endpoint, kvs, { clear: true });
  await ensureNamespaces(s, opts.namespaces ?? []);
  await ensureNodes(s, opts.nodes ?? [NODE]);
}

function checkOf(plan: Plan, id: string): Check {
  const c = plan.checks.find((x) => x.id === id);
  assert.ok(c, `check ${id} is in the plan`);
  return c;
}

const failed = (plan: Plan) =>
  plan.checks
    .filter((c) => c.status === 'fail')
    .map((c) => c.id)
    .sort();

/** Plans with exit 3 and returns the plan and the CLI output; the failing checks are `ids`, exactly. */
async function planFailing(w: Workdir, ids: string[], opts: { identity?: 'admin' | 'limited' | 'readonly' | 'none' } = {}) {
  const file = w.path(`plan-${ids.join('-')}.json`);
  const r = await cli(w, ['plan', '--out', file], EXIT_CODES.CHECK_FAILED, opts);
  const plan = readPlan(file);
  assert.deepEqual(
    failed(plan),
    [...ids].sort(),
    JSON.stringify(
      plan.checks.filter((c) => c.status === 'fail'),
      null,
      2,
    ),
  );
  assert.match(r.stderr, new RegExp(`^Error: ${ids.length} check\\(s\\) failed; apply will refuse this plan\\.`, 'm'));
  for (const id of ids) assert.match(r.stdout, new RegExp(`^ {2}✗ ${id}: `, 'm'), `the text output names check ${id}`);
  return { plan, r };
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** Installs every vendored Calico CRD the cluster lacks and waits until each is Established and served. */
async function ensureCalicoCrds(): Promise<string[]> {
  const have = new Set(((await kube('GET', CRDS)).body.items as any[]).map((c) => c.metadata.name as string));
  const installed: string[] = [];
  for (const file of readdirSync(path.join(ROOT, 'crds')).filter((f) => f.startsWith('crd.projectcalico.org_') && f.endsWith('.yaml'))) {
    const crd = YAML.parse(readFileSync(path.join(ROOT, 'crds', file), 'utf8'));
    if (have.has(crd.metadata.name)) continue;
    const r = await kube('POST', CRDS, crd);
    assert.ok(r.status === 201 || r.status === 409, `installing ${crd.metadata.name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    await waitFor(`${crd.metadata.name} Established`, async () =>
      ((await kube('GET', `${CRDS}/${crd.metadata.name}`)).body?.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True'),
    );
    await waitFor(`${crd.metadata.name} served`, async () => (await kube('GET', `/apis/${CRD_API_VERSION}/${crd.spec.names.plural}`)).status === 200);
    installed.push(crd.metadata.name);
  }
  return installed;
}

describe('plan checks (issue 4): each failure through the built CLI against the real cluster', function () {
  this.timeout(120_000);
  const w = new Workdir();

  // A run interrupted inside the missing-CRD test must not poison the next one.
  before(ensureCalicoCrds);
  beforeEach(resetDatastores);

  it('control: the small dataset passes every check as the least-privilege identity of examples/rbac, and that identity can apply it', async () => {
    await seed(miniDataset());
    const file = w.path('limited.json');
    await cli(w, ['plan', '--out', file], EXIT_CODES.OK, { identity: 'limited' });
    const plan = readPlan(file);
    assert.deepEqual(
      plan.checks.filter((c) => c.status !== 'pass').map((c) => c.id),
      [],
    );
    assert.match(checkOf(plan, 'rbac').message, /^identity calico-migrate may do everything apply and rollback need/);
    // The documented ClusterRole suffices not only on paper (SelfSubjectAccessReviews) but for the apply itself.
    await cli(w, ['apply', file, '--auto-approve'], EXIT_CODES.OK, { identity: 'limited' });
    const snap = await targetSnapshot();
    assert.ok(snap['IPPool/pool-a'] && snap['IPAMBlock/10-60-0-0-26'] && snap['ClusterInformation/default']);
  });

  it('missing CRD: crds-established fails naming the CRD (and the object that needs it)', async () => {
    const crdName = 'ipreservations.crd.projectcalico.org';
    await seed([...miniDataset(), kv(`${V3}ipreservations/reserved-x`, v3('IPReservation', 'reserved-x', { reservedCIDRs: ['10.60.255.0/24'] }))]);
    assert.equal((await kube('DELETE', `${CRDS}/${crdName}`)).status, 200);
    try {
      await waitFor(`${crdName} to be deleted`, async () => (await kube('GET', `${CRDS}/${crdName}`)).status === 404);
      const { plan } = await planFailing(w, ['crds-established', 'schema', 'server-dry-run']);
      assert.deepEqual(checkOf(plan, 'crds-established').items, [`${crdName}: not installed`]);
      assert.deepEqual(checkOf(plan, 'schema').items, [`${V3}ipreservations/reserved-x: no CRD serves ${CRD_API_VERSION} IPReservation`]);
      assert.match(checkOf(plan, 'server-dry-run').items.join('\n'), /^IPReservation reserved-x: HTTP 404/);
    } finally {
      // Later tests need every CRD: reinstall it from crds/ and wait until it is Established and served.
      await ensureCalicoCrds();
    }
  });

  it("schema violation (GlobalNetworkSet nets: [123]): schema fails naming the key and field, and Calico's validator and the server agree", async () => {
    const key = `${V3}globalnetworksets/bad-nets`;
    await seed([...miniDataset(), kv(key, v3('GlobalNetworkSet', 'bad-nets', { nets: [123] }))]);
    const { plan } = await planFailing(w, ['schema', 'calico-validation', 'server-dry-run']);
    const items = checkOf(plan, 'schema').items;
    assert.equal(items.length, 1);
    assert.ok(items[0]!.startsWith(`${key}: /spec/nets/0 must be string`), items[0]);
    // The server agrees: its dry run rejects the same object.
    const dry = checkOf(plan, 'server-dry-run').items;
    assert.equal(dry.length, 1);
    assert.match(dry[0]!, /^GlobalNetworkSet bad-nets: HTTP 422: .*spec\.nets\[0\]/);
  });

  it("values Calico's validator rejects (test/fixtures/calico-invalid): calico-validation fails naming every object and rule, apply refuses the plan, nothing is written; --accept-invalid migrates them with a warning", async () => {
    const kvs = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'calico-invalid', 'etcd.json'), 'utf8')) as KV[];
    await resetDatastores();
    await seedDataset(kvs);
    const { plan, r } = await planFailing(w, ['calico-validation']);
    const expected = [
      ['IPPool loadbalancer-pool: spec.nodeSelector:', 'ippool-loadbalancer-node-selector'],
      ['BGPPeer peer-missing-filter: spec.filters[1]:', 'bgppeer-filters-exist'],
      ['GlobalNetworkPolicy bad-selector: spec.selector:', 'selector-syntax'],
      ['NetworkPolicy dev/icmp-with-ports: spec.ingress[0].destination.ports:', 'rule-ports-protocol'],
      ['Node cm-invalid-node-1: metadata.annotations["projectcalico.org/WireguardPublicKey"]:', 'node-wireguard-public-key'],
    ];
    const items = checkOf(plan, 'calico-validation').items;
    assert.equal(items.length, expected.length, items.join('\n'));
    for (const [start, rule] of expected) {
      assert.ok(
        items.some((i) => i.startsWith(start!) && i.endsWith(`[${rule}]`)),
        `${start} [${rule}] in ${items.join('\n')}`,
      );
      assert.ok(r.stdout.includes(`[${rule}]`), `the text output names rule ${rule}`);
    }
    assert.match(checkOf(plan, 'calico-validation').message, /--accept-invalid/);

    const target = await targetSnapshot();
    const file = w.path('plan-calico-validation.json');
    const applied = await cli(w, ['apply', file, '--auto-approve'], EXIT_CODES.CHECK_FAILED);
    assert.match(applied.stderr, /1 failed check\(s\) \(calico-validation\); it cannot be applied/);
    assert.deepEqual(await targetSnapshot(), target, 'nothing was written');

    const accept = ['IPPool/loadbalancer-pool', 'BGPPeer/peer-missing-filter', 'GlobalNetworkPolicy/bad-selector', 'NetworkPolicy/dev/icmp-with-ports', 'Node/cm-invalid-node-1'];
    await cli(w, ['plan', '--out', 'accepted.json', ...accept.flatMap((a) => ['--accept-invalid', a])], 0);
    const accepted = checkOf(readPlan(w.path('accepted.json')), 'calico-validation');
    assert.equal(accepted.status, 'warn');
    assert.equal(accepted.items.length, expected.length);
    assert.ok(accepted.items.every((i) => i.startsWith('accepted with --accept-invalid: ')));
  });

  it('node missing in the target (dataset seeded without its Nodes): nodes-exist fails naming each Node', async () => {
    await seedDataset('full', { withNodes: false });
    const { plan } = await planFailing(w, ['nodes-exist']);
    // The Kubernetes Node each Calico node maps to, from the golden conversion.
    const golden = YAML.parseAllDocuments(readFileSync(path.join(DATASETS, 'full', 'expected.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
    const nodes = golden.filter((d) => d.kind === 'Node').map((d) => d.metadata.name as string);
    assert.equal(nodes.length, 4);
    const items = checkOf(plan, 'nodes-exist').items;
    assert.equal(items.length, nodes.length);
    for (const n of nodes)
      assert.ok(
        items.some((i) => i.startsWith(`Node ${n} (from ${V3}nodes/`)),
        `${n} is named: ${items.join('; ')}`,
      );
    assert.ok(items.includes(`Node ip-10-0-1-10.ec2.internal (from ${V3}nodes/ip-10-0-1-10)`), 'named with the etcd key it comes from');
  });

  it('namespace missing in the target: namespaces-exist fails naming the namespace', async () => {
    const ns = 'cm-ghost-ns';
    assert.equal((await kube('GET', `/api/v1/namespaces/${ns}`)).status, 404, 'the namespace does not exist');
    await seed([...miniDataset(), kv(`${V3}networksets/${ns}/lost`, v3('NetworkSet', 'lost', { nets: ['10.1.0.0/16'] }, ns))]);
    const { plan } = await planFailing(w, ['namespaces-exist', 'server-dry-run']);
    assert.deepEqual(checkOf(plan, 'namespaces-exist').items, [`namespace ${ns} (1 object(s))`]);
    assert.match(checkOf(plan, 'server-dry-run').items.join('\n'), new RegExp(`^NetworkSet ${ns}/lost: HTTP 404: namespaces "${ns}" not found`));
  });

  it('IPAM inconsistency (a block attribute naming a handle that does not exist): ipam-consistency fails naming block and handle', async () => {
    await seed(miniDataset({ blockHandles: ['k8s-pod-network.real', 'k8s-pod-network.ghost'] }));
    const { plan } = await planFailing(w, ['ipam-consistency']);
    assert.deepEqual(checkOf(plan, 'ipam-consistency').items, ['IPAMBlock 10-60-0-0-26: attributes[1] handle k8s-pod-network.ghost has no IPAMHandle']);
  });

  it('CEL rejection on the server dry run (target IPPool with another cidr; `self == oldSelf`): server-dry-run fails naming the IPPool', async () => {
    const live = {
      apiVersion: CRD_API_VERSION,
      kind: 'IPPool',
      metadata: { name: 'pool-a' },
      spec: { cidr: '10.70.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Always', natOutgoing: true, nodeSelector: 'all()' },
    };
    assert.equal((await kube('POST', `/apis/${CRD_API_VERSION}/ippools`, live)).status, 201);
    await seed(miniDataset());
    const { plan } = await planFailing(w, ['server-dry-run']);
    const pool = plan.resource_changes.find((c) => c.address === `${CRD_API_VERSION}/IPPool/pool-a`)!;
    assert.equal(pool.change.action, 'update');
    assert.ok(pool.change.changed_paths.includes('spec.cidr'), pool.change.changed_paths.join());
    assert.equal(pool.dry_run?.status, 'error');
    assert.match(pool.dry_run.message!, /CIDR cannot be changed/);
    const items = checkOf(plan, 'server-dry-run').items;
    assert.equal(items.length, 1);
    assert.match(items[0]!, /^IPPool pool-a: HTTP 422: .*CIDR cannot be changed/);
  });

  describe('missing RBAC permissions', () => {
    // The harness's `readonly` identity (group calico-viewers) may read exactly what the documented
    // ClusterRole may read (scripts/cluster/local-cluster.ts), and write nothing: plan can read the
    // target, and the rbac check must name every write permission that is missing.
    it('a read-only identity: rbac fails naming the identity and every missing verb', async () => {
      await seed(miniDataset());
      const { plan } = await planFailing(w, ['rbac', 'server-dry-run'], { identity: 'readonly' });
      const check = checkOf(plan, 'rbac');
      assert.match(check.message, /^identity calico-viewer lacks \d+ permission\(s\) apply needs; bind it to the ClusterRole in examples\/rbac\/calico-migrate-rbac\.yaml$/);
      // What the plan writes, by kind: each create needs create (and delete, for rollback), each
      // update needs update, Nodes need patch; apply always needs the lease, and asks for the run record.
      const needed = new Set(['create', 'delete', 'get', 'update'].map((v) => `${v} coordination.k8s.io/leases in namespace kube-system`));
      for (const p of ['get configmaps calico-migrate-status', 'update configmaps calico-migrate-status', 'create configmaps']) needed.add(`${p} in namespace kube-system`);
      for (const c of plan.resource_changes) {
        const plural = `crd.projectcalico.org/${kindInfo(c.kind)?.plural}`;
        if (c.kind === 'Node') needed.add('patch nodes');
        else if (c.change.action === 'create') ['create', 'delete'].forEach((v) => needed.add(`${v} ${plural}`));
        else if (c.change.action === 'update') needed.add(`update ${plural}`);
      }
      for (const p of ['create crd.projectcalico.org/ippools', 'delete crd.projectcalico.org/ipamblocks', 'update crd.projectcalico.org/clusterinformations', 'patch nodes']) {
        assert.ok(needed.has(p), `the small dataset's plan needs ${p}`);
      }
      assert.deepEqual([...check.items].sort(), [...needed].sort());
      // Every write the plan would make is refused by the server's dry run too.
      assert.ok(checkOf(plan, 'server-dry-run').items.every((i) => /HTTP 403/.test(i)));
    });

    it('an identity that cannot read: exit 15 naming every missing read permission, and no plan file', async () => {
      await seed(miniDataset());
      const file = w.path('plan-none.json');
      const r = await cli(w, ['plan', '--out', file], EXIT_CODES.TARGET_INVALID, { identity: 'none' });
      assert.match(r.stderr, /^Error: identity nobody cannot read the target: missing \d+ permission\(s\): /m);
      for (const p of ['list crd.projectcalico.org/tiers', 'list crd.projectcalico.org/ipamblocks', 'list nodes', 'list apiextensions.k8s.io/customresourcedefinitions']) {
        assert.ok(r.stderr.includes(p), `names ${p}`);
      }
      assert.match(r.stderr, /^Next step: bind the identity to the ClusterRole in examples\/rbac\/calico-migrate-rbac\.yaml$/m);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(file), false);
    });
  });
});
