/**
 * apply's guards through the BUILT CLI against the real etcd and kube-apiserver: every refusal
 * exits with its documented code, says what is wrong and what to do next, prints no stack trace,
 * and writes NOTHING (both datastores and the apply lease are compared before and after).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { down, up, type ClusterState } from '../../scripts/cluster/local-cluster.js';
import { CRD_API_VERSION } from '../../src/model/kinds.js';
import { kube, resetDatastores, testCluster } from './support/cluster.js';
import { seedDataset } from './support/datasets.js';
import {
  CLUSTER_INFO_KEY,
  LEASE_PATH,
  Workdir,
  cli,
  createLeaseByHand,
  escapeRe,
  etcdClusterId,
  etcdGet,
  etcdPut,
  finalJson,
  fullWithClusterInfo,
  getByAddress,
  kubeOf,
  kubeSystemUid,
  readPlan,
  shortId,
  targetSnapshot,
  worldSnapshot,
  writes,
  planFullOnPreSeededTarget,
} from './support/e2e.js';

const NEXT_STEP = /^Next step: \S/m;

/** A kube-apiserver that has just started may answer 429 for a few seconds. */
async function waitServing(req: ReturnType<typeof kubeOf>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await req('GET', `/apis/${CRD_API_VERSION}/tiers`);
    if (r.status === 200) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('the second cluster does not serve crd.projectcalico.org');
}

describe('apply guards (built CLI, real cluster)', function () {
  this.timeout(120_000);
  Workdir.cleanUpAfterSuite();

  describe('refusals before the first write, against one plan', function () {
    let planDir: Workdir;
    let planFile: string;
    let planId: string;
    // The second cluster (for the wrong-cluster tests) starts while the first tests run.
    let otherDir: string | null = null;
    let otherUp: Promise<ClusterState> | null = null;

    before(async () => {
      otherDir = `${testCluster().dir}-b`;
      otherUp = up(otherDir);
      otherUp.catch(() => undefined); // awaited (and reported) by the suite that uses it
      await resetDatastores();
      await seedDataset('full'); // its ClusterInformation is locked (datastoreReady=false)
      planDir = new Workdir();
      await cli(planDir, ['plan', '--out', 'plan.json'], 0);
      planFile = planDir.path('plan.json');
      planId = readPlan(planFile).plan_id;
    });
    after(async function () {
      this.timeout(60_000);
      if (otherUp) await otherUp.catch(() => undefined);
      if (otherDir) await down(otherDir);
    });
    // A test that failed half-way must not leave its lease to the next one.
    beforeEach(async () => {
      await kube('DELETE', LEASE_PATH);
    });

    it('without a terminal and without --auto-approve: exit 13, nothing written', async () => {
      const w = new Workdir();
      const world = await worldSnapshot();
      const r = await cli(w, ['apply', planFile], 13);
      assert.match(r.stderr, /^Error: apply needs confirmation and there is no terminal to ask on; nothing was written$/m);
      assert.match(r.stderr, /^Next step: review the plan \(calico-migrate show PLAN\) and pass --auto-approve$/m);
      assert.doesNotMatch(r.stderr, /^Plan: /m, 'refused before printing a summary nobody can answer');
      assert.deepEqual(await worldSnapshot(), world);
      assert.deepEqual(w.artefacts(), []);
    });

    it('a plan file with one changed byte in a value: exit 7, nothing written', async () => {
      const w = new Workdir();
      const text = readFileSync(planFile, 'utf8');
      const at = text.indexOf("app == 'web'");
      assert.ok(at > 0);
      const tampered = text.slice(0, at + 8) + 'x' + text.slice(at + 9); // 'web' → 'xeb'
      assert.equal(tampered.length, text.length);
      assert.equal([...tampered].filter((ch, i) => ch !== text[i]).length, 1);
      writeFileSync(w.path('tampered.json'), tampered);
      const world = await worldSnapshot();
      const r = await cli(w, ['apply', 'tampered.json', '--auto-approve'], 7);
      assert.match(r.stderr, /^Error: .*tampered\.json was modified after it was written \(plan_id does not match its content\); make a new plan$/m);
      assert.match(r.stderr, NEXT_STEP);
      assert.deepEqual(await worldSnapshot(), world);
      assert.deepEqual(w.artefacts(), []);
    });

    it('--expect-plan-id with another plan id: exit 7, nothing written', async () => {
      const w = new Workdir();
      const other = `sha256:${'0'.repeat(64)}`;
      const world = await worldSnapshot();
      const r = await cli(w, ['apply', planFile, '--expect-plan-id', other, '--auto-approve'], 7);
      assert.ok(r.stderr.includes(`Error: plan file ${planFile} is ${planId}, not the approved ${other}`), r.stderr);
      assert.match(r.stderr, /^Next step: apply the plan file that was approved, or approve this one$/m);
      assert.deepEqual(await worldSnapshot(), world);
      assert.deepEqual(w.artefacts(), []);
    });

    it('a second apply is refused while another holds the lease; unlock --lease needs the holder or --force', async () => {
      const w = new Workdir();
      const holder = 'someone@host/123/sha256:x';
      await createLeaseByHand(holder, new Date());
      const world = await worldSnapshot();
      assert.equal(world.lease?.spec.holderIdentity, holder);

      let r = await cli(w, ['apply', planFile, '--auto-approve'], 10);
      assert.match(
        r.stderr,
        new RegExp(`^Error: another apply .*the apply lease kube-system/calico-migrate-apply .*${escapeRe(holder)} \\(acquired .*, last renewed .*, expires .* unless renewed\\)$`, 'm'),
      );
      assert.ok(
        r.stderr.includes(
          `Next step: wait for that apply to finish, or, if its holder is gone (the process died), run \`calico-migrate unlock --lease --holder '${holder}'\` (it lapses by itself 30 s after its last renewal)\n`,
        ),
        r.stderr,
      );
      assert.deepEqual(await worldSnapshot(), world, 'nothing written, and the lease is untouched');
      assert.deepEqual(w.artefacts(), []);

      r = await cli(w, ['status', '--json'], 0);
      const st = finalJson(r.stdout);
      assert.equal(st.phase, 'applying');
      assert.equal(st.lease.holder, holder);
      assert.equal(st.lease.expired, false);

      r = await cli(w, ['unlock', '--lease'], 64);
      assert.match(r.stderr, /^Error: releasing the apply lease needs the expected holder or force$/m);
      assert.match(r.stderr, NEXT_STEP);
      r = await cli(w, ['unlock', '--lease', '--holder', 'me@elsewhere/9/sha256:y'], 10);
      assert.ok(r.stderr.includes(`Error: the apply lease kube-system/calico-migrate-apply is held by ${holder}, not me@elsewhere/9/sha256:y; not released`), r.stderr);
      assert.match(r.stderr, NEXT_STEP);
      assert.deepEqual(await worldSnapshot(), world, 'the refused unlocks left the lease alone');

      r = await cli(w, ['unlock', '--lease', '--force'], 0);
      assert.ok(r.stderr.includes(`Released the apply lease held by ${holder}.`), r.stderr);
      assert.equal((await kube('GET', LEASE_PATH)).status, 404);
    });

    describe('a plan for another cluster', function () {
      let other: ClusterState;

      before(async function () {
        this.timeout(180_000);
        other = await otherUp!;
        await waitServing(kubeOf(other));
      });

      it("applied with the other cluster's kubeconfig: exit 8 naming both cluster uids, nothing written to either", async () => {
        const w = new Workdir();
        const [uidA, uidB] = await Promise.all([kubeSystemUid(), kubeSystemUid(kubeOf(other))]);
        assert.notEqual(uidA, uidB);
        assert.equal(readPlan(planFile).target.cluster_uid, uidA);
        const [worldA, worldB] = await Promise.all([worldSnapshot(), worldSnapshot(other)]);
        const r = await cli(w, ['apply', planFile, '--auto-approve'], 8, { env: { KUBECONFIG: other.kubeconfig } });
        assert.ok(
          r.stderr.includes(`Error: the target (${other.apiserver.server}, cluster uid ${uidB}) is not the cluster the plan was made for (${testCluster().apiserver.server}, cluster uid ${uidA})`),
          r.stderr,
        );
        assert.match(r.stderr, /^Next step: check --kubeconfig\/--context, or make a plan for this cluster$/m);
        assert.deepEqual(await worldSnapshot(), worldA);
        assert.deepEqual(await worldSnapshot(other), worldB);
        assert.deepEqual(w.artefacts(), []);
      });

      it('applied against another etcd: exit 8 naming both etcd cluster ids, nothing written', async () => {
        const w = new Workdir();
        const plan = readPlan(planFile);
        const idB = await etcdClusterId(other.etcd.endpoint);
        assert.notEqual(idB, plan.source.cluster_id);
        const [worldA, sourceB] = await Promise.all([worldSnapshot(), etcdGet(CLUSTER_INFO_KEY, other.etcd.endpoint)]);
        const r = await cli(w, ['apply', planFile, '--auto-approve'], 8, { env: { ETCD_ENDPOINTS: other.etcd.endpoint } });
        assert.ok(r.stderr.includes(`Error: the source etcd (cluster id ${idB}) is not the one the plan was made from (cluster id ${plan.source.cluster_id})`), r.stderr);
        assert.match(r.stderr, /^Next step: point --etcd-endpoints at the etcd the plan read, or make a new plan$/m);
        assert.deepEqual(await worldSnapshot(), worldA);
        assert.equal(await etcdGet(CLUSTER_INFO_KEY, other.etcd.endpoint), sourceB);
        assert.deepEqual(w.artefacts(), []);
      });
    });

    // After every refusal above (mocha runs nested suites after a suite's own tests, in order): this applies the shared plan.
    describe('an expired lease', function () {
      it('(renewed 5 minutes ago) is taken over by apply automatically, and released when apply ends', async () => {
        const w = new Workdir();
        await createLeaseByHand('crashed@host/77/sha256:old', new Date(Date.now() - 5 * 60_000));
        const r = await cli(w, ['apply', planFile, '--auto-approve'], 0);
        const plan = readPlan(planFile);
        assert.match(r.stdout, new RegExp(`^Apply complete: ${plan.summary.create} created, ${plan.summary.update} updated, 0 deleted`, 'm'));
        assert.equal((await kube('GET', LEASE_PATH)).status, 404, 'released after the apply');
        const journal = readFileSync(w.path('.calico-migrate', `journal-${shortId(planId)}.jsonl`), 'utf8').split('\n')[0]!;
        assert.match(JSON.parse(journal).holder, new RegExp(`^\\S+@\\S+/\\d+/${escapeRe(planId)}$`));
      });
    });
  });

  describe('stale plans: exit 11 and nothing written', function () {
    it("a source key changed after the plan (a NetworkPolicy's order): the message names the key", async () => {
      await resetDatastores();
      const kvs = await seedDataset('full');
      const w = new Workdir();
      await cli(w, ['plan', '--out', 'plan.json'], 0);
      const key = '/calico/resources/v3/projectcalico.org/networkpolicies/prod/allow-web';
      const policy = JSON.parse(kvs.find((k) => k.key === key)!.value);
      policy.spec.order = 101;
      await etcdPut(key, policy);
      const world = await worldSnapshot();
      const r = await cli(w, ['apply', 'plan.json', '--auto-approve'], 11);
      assert.match(r.stderr, new RegExp(`^Error: the source changed since the plan \\(revision \\d+ → \\d+\\): ${escapeRe(key)} \\(modified\\)$`, 'm'));
      assert.match(r.stderr, /^Next step: make a new plan/m);
      assert.deepEqual(await worldSnapshot(), world);
      assert.deepEqual(w.artefacts(), []);
    });

    it("target objects changed after the plan (an updated one edited, a created one made by hand, a Node's Calico annotation): each is named", async () => {
      const { w, plan } = await planFullOnPreSeededTarget();
      assert.equal(plan.resource_changes.find((c) => c.address === `${CRD_API_VERSION}/NetworkPolicy/prod/allow-web`)?.change.action, 'update');
      const gns = plan.resource_changes.find((c) => c.address === `${CRD_API_VERSION}/GlobalNetworkSet/trusted-cidrs`)!;
      assert.equal(gns.change.action, 'create');

      // Someone edits the object the plan updates, creates the one it creates, and touches a Node.
      const policy = await getByAddress(`${CRD_API_VERSION}/NetworkPolicy/prod/allow-web`);
      const edited = await kube('PUT', `/apis/${CRD_API_VERSION}/namespaces/prod/networkpolicies/allow-web`, { ...policy, spec: { ...policy.spec, order: 5 } });
      assert.equal(edited.status, 200);
      const made = await kube('POST', `/apis/${CRD_API_VERSION}/globalnetworksets`, { ...gns.change.after, metadata: { name: 'trusted-cidrs' } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const patched = await kube('PATCH', '/api/v1/nodes/worker-3', { metadata: { annotations: { 'projectcalico.org/ASNumber': '65001' } } }, 'application/merge-patch+json');
      assert.equal(patched.status, 200);

      const world = await worldSnapshot();
      const r = await cli(w, ['apply', 'plan.json', '--auto-approve'], 11);
      assert.match(r.stderr, /^Error: 3 target object\(s\) changed since the plan: /m);
      assert.match(r.stderr, new RegExp(`NetworkPolicy prod/allow-web changed \\(resourceVersion ${policy.metadata.resourceVersion} → ${edited.body.metadata.resourceVersion}\\)`));
      assert.match(r.stderr, /GlobalNetworkSet trusted-cidrs now exists/);
      assert.match(r.stderr, /Node worker-3: Calico annotations changed/);
      assert.match(r.stderr, /^Next step: make a new plan; nothing was written$/m);
      assert.deepEqual(await worldSnapshot(), world);
      assert.deepEqual(w.artefacts(), []);
    });
  });

  describe('Nodes move on their own', function () {
    it('an unrelated change to a Node after the plan (as kubelets make all the time) is not staleness; apply keeps it', async () => {
      await resetDatastores();
      await seedDataset('full');
      const w = new Workdir();
      await cli(w, ['plan', '--out', 'plan.json'], 0);
      const plan = readPlan(w.path('plan.json'));
      const node = plan.resource_changes.find((c) => c.address === 'v1/Node/worker-3')!;
      assert.equal(node.change.action, 'update');
      const patched = await kube(
        'PATCH',
        '/api/v1/nodes/worker-3',
        { metadata: { labels: { 'example.com/heartbeat': '1' }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } } },
        'application/merge-patch+json',
      );
      assert.equal(patched.status, 200);
      assert.notEqual(patched.body.metadata.resourceVersion, node.target.resource_version);

      const r = await cli(w, ['apply', 'plan.json', '--auto-approve'], 0);
      assert.match(r.stdout, /^Apply complete: /m);
      const live = (await kube('GET', '/api/v1/nodes/worker-3')).body;
      for (const [k, v] of Object.entries(node.change.after.metadata.annotations ?? {})) assert.equal(live.metadata.annotations[k], v, k);
      assert.equal(live.metadata.annotations['node.alpha.kubernetes.io/ttl'], '0');
      assert.equal(live.metadata.labels['example.com/heartbeat'], '1');
    });
  });

  describe('the source must be locked', function () {
    it('a preview plan of an unlocked source: apply exits 9 with the hint; --lock needs the approval too; with it, it locks and applies', async () => {
      await resetDatastores();
      await seedDataset(fullWithClusterInfo((spec) => (spec.datastoreReady = true)));
      const w = new Workdir();
      await cli(w, ['plan', '--out', 'plan.json'], 0);
      const plan = readPlan(w.path('plan.json'));
      assert.equal(plan.source.locked, false);
      assert.equal(plan.checks.find((c) => c.id === 'source-locked')?.status, 'warn');

      const world = await worldSnapshot();
      let r = await cli(w, ['apply', 'plan.json', '--auto-approve'], 9);
      assert.match(r.stderr, /^Warning: this plan was made while the source was unlocked \(a preview\); it applies only if nothing changed since$/m);
      assert.match(r.stderr, /^Error: the source datastore is not locked; apply needs the migration freeze so nothing changes under it$/m);
      assert.match(r.stderr, /^Next step: run `calico-migrate lock` \(new pods cannot start while locked\), or pass --lock to lock it now$/m);
      assert.deepEqual(await worldSnapshot(), world);
      assert.deepEqual(w.artefacts(), []);

      // --lock without a terminal and without --auto-approve: refused before anything is written, the lock included.
      r = await cli(w, ['apply', 'plan.json', '--lock'], 13);
      assert.match(r.stderr, /^Error: apply needs confirmation and there is no terminal to ask on; nothing was written$/m);
      assert.doesNotMatch(r.stderr, /Locked the source/);
      assert.deepEqual(await worldSnapshot(), world, 'the source was not locked by a refused apply');
      assert.deepEqual(w.artefacts(), []);

      r = await cli(w, ['apply', 'plan.json', '--lock', '--auto-approve'], 0);
      assert.match(r.stderr, /^Locked the source datastore \(\S+@\S+\/\d+\)\.$/m);
      assert.match(r.stdout, new RegExp(`^Apply complete: ${plan.summary.create} created, ${plan.summary.update} updated`, 'm'));
      assert.equal((await etcdGet(CLUSTER_INFO_KEY))?.value.spec.datastoreReady, false);
      const snap = await targetSnapshot();
      for (const c of writes(plan).filter((c) => c.change.action === 'create')) {
        const [kind, ...rest] = c.address.split('#')[0]!.split('/').slice(2);
        assert.ok(snap[`${kind}/${rest.join('/')}`], `${c.address} was created`);
      }
    });
  });
});
