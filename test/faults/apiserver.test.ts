/**
 * The API server misbehaving under a running apply, on the real cluster (built CLI):
 *  - killed (SIGKILL) mid-apply and started again: apply rides it out or stops as a lost
 *    connection (exit 12); resumed, every planned write has exactly one `ok` result and verify passes;
 *  - frozen (SIGSTOP) mid-apply past the request deadline: a stall is a lost connection, stop, resume;
 *  - started with low in-flight limits and a priority level that rejects (API Priority and
 *    Fairness), with the least-privilege identity (not exempt like system:masters): real 429s,
 *    counted by the server's own metrics; apply slows down and completes.
 * The cluster's API server is restored to its normal flags after the suite.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { killApiserver, restartApiserver } from '../../scripts/cluster/local-cluster.js';
import { kube, testCluster } from '../integration/support/cluster.js';
import { Workdir, cli, okResultsByAddress, planFullOnPreSeededTarget, readJournalLines, shortId, writes } from '../integration/support/e2e.js';
import { runCli } from '../integration/support/cli.js';
import type { Plan } from '../../src/plan/types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function resultsIn(w: Workdir, journal: string): number {
  return existsSync(w.path(journal)) ? readFileSync(w.path(journal), 'utf8').split('"type":"result"').length - 1 : 0;
}

async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(5);
  }
}

/** After any stop: resume until complete; then every planned write has exactly one ok result, and verify passes. */
async function finishAndCheck(w: Workdir, plan: Plan, journal: string, code: number): Promise<void> {
  assert.ok(code === 0 || code === 12, `apply exits 0 (rode it out) or 12 (lost connection, resumable), not ${code}`);
  if (code === 12) await cli(w, ['apply', 'plan.json', '--resume', journal, '--auto-approve'], 0);
  const oks = okResultsByAddress(readJournalLines(w.path(journal)));
  assert.deepEqual(
    [...oks.keys()].sort(),
    writes(plan)
      .map((c) => c.address)
      .sort(),
  );
  for (const [address, list] of oks) assert.equal(list.length, 1, `${address} was written ${list.length} times`);
  await cli(w, ['verify'], 0);
}

/** Sum of a counter family's samples whose labels include every one of `labels`. */
async function metric(name: string, labels: string[]): Promise<number> {
  const r = await kube('GET', '/metrics');
  assert.equal(r.status, 200);
  const text = typeof r.body === 'string' ? r.body : String(r.body);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

const FLOW = '/apis/flowcontrol.apiserver.k8s.io/v1';
const LEVEL = 'calico-migrate-test-tight';

describe('the API server killed, frozen and rate-limiting under apply (built CLI, real cluster)', function () {
  this.timeout(300_000);
  Workdir.cleanUpAfterSuite();

  after(async () => {
    await kube('DELETE', `${FLOW}/flowschemas/${LEVEL}`);
    await kube('DELETE', `${FLOW}/prioritylevelconfigurations/${LEVEL}`);
    await restartApiserver(testCluster());
  });

  it('killed mid-apply and started again: apply stops as a lost connection (or rides it out); resumed, nothing is written twice and verify passes', async () => {
    const { w, plan } = await planFullOnPreSeededTarget();
    const journal = `.calico-migrate/journal-${shortId(plan.plan_id)}.jsonl`;
    const run = runCli(['apply', 'plan.json', '--auto-approve', '--parallelism', '2'], { cwd: w.dir });
    await until(() => resultsIn(w, journal) >= 15);
    const state = testCluster();
    await killApiserver(state);
    await sleep(3000);
    await restartApiserver(state);
    const r = await run;
    assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    if (r.code === 12) assert.match(r.stdout + r.stderr, /--resume/);
    await finishAndCheck(w, plan, journal, r.code);
  });

  it('frozen (SIGSTOP) mid-apply for longer than --request-timeout: the stall stops apply as a lost connection, resumable', async () => {
    const { w, plan } = await planFullOnPreSeededTarget();
    const journal = `.calico-migrate/journal-${shortId(plan.plan_id)}.jsonl`;
    const run = runCli(['apply', 'plan.json', '--auto-approve', '--parallelism', '2', '--request-timeout', '2'], { cwd: w.dir });
    await until(() => resultsIn(w, journal) >= 15);
    const { pid } = testCluster().apiserver;
    process.kill(pid, 'SIGSTOP');
    let r;
    try {
      r = await run;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.equal(r.code, 12, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /no answer within 2 s/);
    await finishAndCheck(w, plan, journal, r.code);
  });

  it('low in-flight limits and a rejecting priority level for the least-privilege identity: real 429s, apply slows down and completes', async () => {
    await restartApiserver(testCluster(), ['--max-requests-inflight=20', '--max-mutating-requests-inflight=10']);
    const pl = await kube('POST', `${FLOW}/prioritylevelconfigurations`, {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'PriorityLevelConfiguration',
      metadata: { name: LEVEL },
      spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, lendablePercent: 0, limitResponse: { type: 'Reject' } } },
    });
    assert.equal(pl.status, 201, JSON.stringify(pl.body));
    const fs = await kube('POST', `${FLOW}/flowschemas`, {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'FlowSchema',
      metadata: { name: LEVEL },
      spec: {
        priorityLevelConfiguration: { name: LEVEL },
        matchingPrecedence: 100,
        distinguisherMethod: { type: 'ByUser' },
        rules: [
          {
            subjects: [{ kind: 'Group', group: { name: 'calico-migrators' } }],
            resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
            nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          },
        ],
      },
    });
    assert.equal(fs.status, 201, JSON.stringify(fs.body));
    await sleep(2000); // The server's flow-control configuration controller picks the new objects up.

    const { w, plan } = await planFullOnPreSeededTarget();
    const journal = `.calico-migrate/journal-${shortId(plan.plan_id)}.jsonl`;
    const rejectedBefore = await metric('apiserver_flowcontrol_rejected_requests_total', [`priority_level="${LEVEL}"`]);
    await cli(w, ['apply', 'plan.json', '--auto-approve', '--parallelism', '32'], 0, { identity: 'limited' });
    const rejected = (await metric('apiserver_flowcontrol_rejected_requests_total', [`priority_level="${LEVEL}"`])) - rejectedBefore;
    assert.ok(rejected > 0, 'the API server rejected some of the requests of apply with 429');
    await finishAndCheck(w, plan, journal, 0);
  });
});
