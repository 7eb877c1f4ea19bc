/**
 * Helpers for the end-to-end suites that drive the BUILT CLI (bin/run.js → dist/) against the
 * real test cluster: a per-test working directory, exit-code assertions that show the output on
 * failure, normalised snapshots of both datastores (to prove "nothing was written" and "restored
 * exactly"), and readers for the plan file and the journal.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { kubeRequest, type ClusterState } from '../../../scripts/cluster/local-cluster.js';
import { LEASE_NAME, LEASE_NAMESPACE, microTime } from '../../../src/apply/lease.js';
import { ALL_CRD_KINDS, CRD_API_VERSION, kindInfo } from '../../../src/model/kinds.js';
import { parsePlan } from '../../../src/plan/plan-file.js';
import type { Plan } from '../../../src/plan/types.js';
import { CLUSTER_INFO_KEY } from '../../../src/model/keys.js';
import { jsonResult } from '../../tools/json-lines.js';
import { runCli, tmpDir, type CliOptions, type CliResult } from './cli.js';
import { createNode, ensureNamespace, kube, resetDatastores, testCluster } from './cluster.js';
import { datasetKvs, seedDataset } from './datasets.js';
import type { KV } from '../../../scripts/cluster/seed.js';

export const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${LEASE_NAME}`;
export { CLUSTER_INFO_KEY };

/** A fresh working directory for one test; every CLI call of the test runs in it (state dir `.calico-migrate/`). */
export class Workdir {
  private static made: string[] = [];
  /** Set when any test of the run failed: then every working directory is kept for a look. */
  private static anyFailed = false;
  readonly dir = tmpDir('cm-e2e-');

  constructor() {
    Workdir.made.push(this.dir);
  }

  /**
   * Call inside a top-level describe: the working directories made while the suite runs are
   * removed when it is done, unless one of its tests failed (then they are kept and named).
   * Directories made while test files load (at describe level) are swept by `removeAll` at the
   * end of the run, since the suite that made them cannot be told apart then.
   */
  static cleanUpAfterSuite(): void {
    let start = 0;
    let failed = false;
    before(() => {
      start = Workdir.made.length;
    });
    afterEach(function () {
      if (this.currentTest?.state === 'failed') failed = Workdir.anyFailed = true;
    });
    after(() => {
      const mine = Workdir.made.splice(start);
      if (failed) process.stderr.write(`[e2e] kept working directories: ${mine.join(' ')}\n`);
      else for (const d of mine) rmSync(d, { recursive: true, force: true });
    });
  }

  /** End of the run (mocha global teardown). */
  static removeAll(): void {
    if (Workdir.anyFailed) {
      if (Workdir.made.length) process.stderr.write(`[e2e] kept working directories: ${Workdir.made.join(' ')}\n`);
    } else for (const d of Workdir.made) rmSync(d, { recursive: true, force: true });
    Workdir.made = [];
  }

  cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
    return runCli(args, { ...opts, cwd: this.dir });
  }

  path(...p: string[]): string {
    return path.join(this.dir, ...p);
  }

  /** Journals and reverse plans apply left in the state dir. */
  artefacts(): string[] {
    const d = this.path('.calico-migrate');
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((f) => /^(journal-|reverse-)/.test(f))
      .sort();
  }
}

const STACK_LINE = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

function describeRun(args: string[] | undefined, r: CliResult): string {
  return `${args ? `calico-migrate ${args.join(' ')}\n` : ''}exit ${r.code}\n--- stdout ---\n${r.stdout.slice(-4000)}\n--- stderr ---\n${r.stderr.slice(-4000)}`;
}

/** The exit code is `code` and stderr carries no stack trace. */
export function expectExit(r: CliResult, code: number, args?: string[]): CliResult {
  assert.equal(r.code, code, `expected exit ${code}\n${describeRun(args, r)}`);
  assert.doesNotMatch(r.stderr, STACK_LINE, `stack trace in stderr\n${describeRun(args, r)}`);
  assert.doesNotMatch(r.stdout, STACK_LINE, `stack trace in stdout\n${describeRun(args, r)}`);
  return r;
}

/** Runs the CLI in `w` and asserts the exit code (and no stack trace). */
export async function cli(w: Workdir, args: string[], code: number, opts: CliOptions = {}): Promise<CliResult> {
  return expectExit(await w.cli(args, opts), code, args);
}

/**
 * What a command reported under --json: its last line's `data` (or the error), after every line of
 * stdout was checked to be one JSON object valid against schemas/events.schema.json.
 */
export function finalJson(stdout: string): any {
  return jsonResult(stdout);
}

/** A plan file as the tool reads it (validated, hash-checked). */
export function readPlan(file: string): Plan {
  return parsePlan(readFileSync(file, 'utf8'), file);
}

export function writes(plan: Plan) {
  return plan.resource_changes.filter((c) => ['create', 'update', 'delete'].includes(c.change.action));
}

export function readJournalLines(file: string): any[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** `ok` result lines per address. */
export function okResultsByAddress(lines: any[]): Map<string, any[]> {
  const m = new Map<string, any[]>();
  for (const l of lines) {
    if (l.type !== 'result' || l.status !== 'ok') continue;
    m.set(l.address, [...(m.get(l.address) ?? []), l]);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Datastores

export type KubeReq = (method: string, p: string, body?: unknown, contentType?: string) => Promise<{ status: number; body: any }>;

/** Admin raw API of a cluster; 429s (a freshly started API server sheds load for a few seconds) are retried. */
export function kubeOf(state: ClusterState = testCluster()): KubeReq {
  return async (method, p, body, contentType) => {
    for (let attempt = 0; ; attempt++) {
      const r = await kubeRequest(state, { method, path: p, body, contentType });
      if (r.status !== 429 || attempt >= 50) return r;
      await new Promise((res) => setTimeout(res, 200));
    }
  };
}

const VOLATILE_META = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation'];

function normalise(o: any, uidName: ReadonlyMap<string, string>): any {
  const metadata = { ...o.metadata };
  for (const k of VOLATILE_META) delete metadata[k];
  const meta = metadata.annotations?.['projectcalico.org/metadata'];
  if (typeof meta === 'string' && meta.includes('"ownerReferences"')) {
    // uids are the server's: a Calico owner reference is compared by what it names, which must be
    // the owner as it is in this target (else it shows as dangling).
    const parsed = JSON.parse(meta);
    const names = (r: any) => {
      const n = uidName.get(r.uid);
      return n !== undefined && n.startsWith(`${r.kind}/`) && n.endsWith(`/${r.name}`);
    };
    parsed.ownerReferences = parsed.ownerReferences.map((r: any) => (r.apiVersion === CRD_API_VERSION ? { ...r, uid: names(r) ? `uid of ${r.kind} ${r.name}` : `dangling ${r.uid}` } : r));
    metadata.annotations = { ...metadata.annotations, 'projectcalico.org/metadata': JSON.stringify(parsed) };
  }
  return { ...o, metadata };
}

/**
 * Every Calico CR of every kind (normalised: no uid/resourceVersion/creationTimestamp/managedFields/
 * generation) and every Node's annotations and labels, keyed by `Kind/[ns/]name`.
 */
export async function targetSnapshot(req: KubeReq = kubeOf()): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const lists = await Promise.all(
    ALL_CRD_KINDS.map(async (k) => {
      const r = await req('GET', `/apis/${CRD_API_VERSION}/${k.plural}`);
      assert.equal(r.status, 200, `listing ${k.plural}: HTTP ${r.status}`);
      return { k, items: r.body.items as any[] };
    }),
  );
  const name = (kind: string, o: any) => `${kind}/${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`;
  const uidName = new Map(lists.flatMap(({ k, items }) => items.map((o): [string, string] => [o.metadata.uid, name(k.kind, o)])));
  for (const { k, items } of lists) {
    for (const o of items) out[name(k.kind, o)] = normalise(o, uidName);
  }
  const nodes = await req('GET', '/api/v1/nodes');
  assert.equal(nodes.status, 200);
  for (const n of nodes.body.items) out[`Node/${n.metadata.name}`] = { annotations: n.metadata.annotations ?? {}, labels: n.metadata.labels ?? {} };
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Calico CRs only (no Nodes). */
export function calicoObjects(snap: Record<string, unknown>): string[] {
  return Object.keys(snap).filter((k) => !k.startsWith('Node/'));
}

/** The API path of the object at a plan address (`<apiVersion>/<Kind>/[ns/]name[#step]`). */
export function apiPathOf(address: string): string {
  const parts = address.split('#')[0]!.split('/');
  if (parts[0] === 'v1' && parts[1] === 'Node') return `/api/v1/nodes/${parts[2]}`;
  const [group, version, kind, a, b] = parts;
  const info = kindInfo(kind!);
  assert.ok(info, `unknown kind in ${address}`);
  return b ? `/apis/${group}/${version}/namespaces/${a}/${info.plural}/${b}` : `/apis/${group}/${version}/${info.plural}/${a}`;
}

/** The live object at a plan address (`<apiVersion>/<Kind>/[ns/]name[#step]`), or null. */
export async function getByAddress(address: string, req: KubeReq = kubeOf()): Promise<any | null> {
  const p = apiPathOf(address);
  const r = await req('GET', p);
  if (r.status === 404) return null;
  assert.equal(r.status, 200, `GET ${p}: HTTP ${r.status}`);
  return r.body;
}

/** key → mod_revision of every key under /calico/ (values are covered: a put moves mod_revision). */
export async function sourceRevisions(endpoint = testCluster().etcd.endpoint): Promise<Record<string, string>> {
  const etcd = new Etcd3({ hosts: [endpoint] });
  try {
    const r = await etcd.getAll().prefix('/calico/').exec();
    return Object.fromEntries(r.kvs.map((kv) => [kv.key.toString(), kv.mod_revision]));
  } finally {
    etcd.close();
  }
}

export async function etcdGet(key: string, endpoint = testCluster().etcd.endpoint): Promise<{ value: any; modRevision: string } | null> {
  const etcd = new Etcd3({ hosts: [endpoint] });
  try {
    const r = await etcd.get(key).exec();
    const kv = r.kvs[0];
    return kv ? { value: JSON.parse(kv.value.toString()), modRevision: kv.mod_revision } : null;
  } finally {
    etcd.close();
  }
}

export async function etcdPut(key: string, value: unknown, endpoint = testCluster().etcd.endpoint): Promise<void> {
  const etcd = new Etcd3({ hosts: [endpoint] });
  try {
    await etcd.put(key).value(typeof value === 'string' ? value : JSON.stringify(value));
  } finally {
    etcd.close();
  }
}

export async function etcdClusterId(endpoint: string): Promise<string> {
  const etcd = new Etcd3({ hosts: [endpoint] });
  try {
    return (await etcd.maintenance.status()).header.cluster_id;
  } finally {
    etcd.close();
  }
}

/** Everything both sides hold that apply could touch, for "nothing was written" assertions. */
export async function worldSnapshot(state: ClusterState = testCluster()) {
  const req = kubeOf(state);
  const [target, source, lease] = await Promise.all([targetSnapshot(req), sourceRevisions(state.etcd.endpoint), req('GET', LEASE_PATH)]);
  return { target, source, lease: lease.status === 404 ? null : { spec: lease.body.spec, resourceVersion: lease.body.metadata.resourceVersion } };
}

export async function kubeSystemUid(req: KubeReq = kubeOf()): Promise<string> {
  const r = await req('GET', '/api/v1/namespaces/kube-system');
  assert.equal(r.status, 200);
  return r.body.metadata.uid;
}

export async function createLeaseByHand(holder: string, renewTime: Date, req: KubeReq = kubeOf()): Promise<any> {
  const t = microTime(renewTime);
  const r = await req('POST', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE },
    spec: { holderIdentity: holder, leaseDurationSeconds: 30, acquireTime: t, renewTime: t, leaseTransitions: 0 },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

// ---------------------------------------------------------------------------------------------
// Datasets

/** The `full` dataset with its ClusterInformation spec changed by `edit` (e.g. unlocked, or datastoreReady removed). */
export function fullWithClusterInfo(edit: (spec: Record<string, unknown>) => void): KV[] {
  return datasetKvs('full').map((kv) => {
    if (kv.key !== CLUSTER_INFO_KEY) return kv;
    const v = JSON.parse(kv.value);
    edit(v.spec);
    return { key: kv.key, value: JSON.stringify(v) };
  });
}

// ---------------------------------------------------------------------------------------------
// A target that already holds something the migration overwrites

/** A Node that already carries a Calico annotation (with another value than the source's) and an unrelated one. */
export const ANNOTATED_NODE = 'ip-10-0-1-10.ec2.internal';
export const PRIOR_NODE_ANNOTATIONS = { 'projectcalico.org/ASNumber': '65000', 'example.com/unrelated': 'keep-me' };

/** A Calico object the target already holds, which the `full` dataset's migration updates. */
export const PRE_EXISTING_POLICY = {
  apiVersion: CRD_API_VERSION,
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-web', namespace: 'prod', labels: { team: 'old-web' }, annotations: { 'example.com/note': 'made before the migration' } },
  spec: { tier: 'default', order: 999, selector: "app == 'old-web'", types: ['Ingress'], ingress: [{ action: 'Deny' }] },
};

/** Call after resetDatastores() and before seedDataset(): the annotated Node and the pre-existing policy. */
export async function preSeedTarget(): Promise<void> {
  await ensureNamespace('prod');
  await createNode(ANNOTATED_NODE, PRIOR_NODE_ANNOTATIONS, { 'example.com/rack': 'r12' });
  const r = await kube('POST', `/apis/${CRD_API_VERSION}/namespaces/prod/networkpolicies`, PRE_EXISTING_POLICY);
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

/** Empty datastores, the pre-seeded target, the `full` dataset in etcd, and a plan of it (`plan.json` in a new Workdir). */
export async function planFullOnPreSeededTarget(): Promise<{ w: Workdir; plan: Plan }> {
  await resetDatastores();
  await preSeedTarget();
  await seedDataset('full');
  const w = new Workdir();
  await cli(w, ['plan', '--out', 'plan.json'], 0);
  return { w, plan: readPlan(w.path('plan.json')) };
}

/** The short plan id used in state-dir file names. */
export function shortId(planId: string): string {
  return planId.replace(/^sha256:/, '').slice(0, 12);
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
