/**
 * A throwaway local cluster for tests, the demo and benchmarks: a real etcd and a real
 * kube-apiserver on 127.0.0.1, built from Go modules by build.sh, with the vendored Calico CRDs
 * installed. State (pids, ports, kubeconfigs) lives in one directory so `down` stops exactly
 * what `up` started and nothing else.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = process.env.CALICO_MIGRATE_CACHE ?? path.join(ROOT, '.cache');
export const DEFAULT_STATE_DIR = process.env.CALICO_MIGRATE_CLUSTER_DIR ?? path.join(CACHE, 'cluster');

export interface ClusterState {
  dir: string;
  etcd: { pid: number; port: number; peerPort: number; endpoint: string; binary: string };
  apiserver: { pid: number; port: number; server: string; binary: string };
  /** Admin kubeconfig (group system:masters). */
  kubeconfig: string;
  /** Least-privilege kubeconfig bound to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml. */
  limitedKubeconfig: string;
  /** A kubeconfig whose identity may read what the documented role may, and write nothing (for RBAC tests). */
  readonlyKubeconfig: string;
  /** An authenticated identity bound to nothing. */
  noneKubeconfig: string;
  adminToken: string;
  startedAt: string;
}

const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);

export function readState(dir = DEFAULT_STATE_DIR): ClusterState | null {
  const f = path.join(dir, 'state.json');
  if (!existsSync(f)) return null;
  return JSON.parse(readFileSync(f, 'utf8')) as ClusterState;
}

function processAlive(pid: number, binary: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.split('\0')[0] === binary;
  } catch {
    return false;
  }
}

export function isRunning(state: ClusterState | null): boolean {
  return !!state && processAlive(state.etcd.pid, state.etcd.binary) && processAlive(state.apiserver.pid, state.apiserver.binary);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Req {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}

/** Minimal admin HTTPS client for set-up; the tool itself uses src/adapters/kube. */
export function kubeRequest(state: Pick<ClusterState, 'apiserver' | 'adminToken' | 'dir'>, req: Req): Promise<{ status: number; body: any }> {
  const ca = readFileSync(path.join(state.dir, 'certs', 'apiserver.crt'));
  const data = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return new Promise((resolve, reject) => {
    const r = https.request(
      {
        host: '127.0.0.1',
        port: state.apiserver.port,
        method: req.method,
        path: req.path,
        ca,
        headers: {
          authorization: `Bearer ${state.adminToken}`,
          accept: 'application/json',
          ...(data ? { 'content-type': req.contentType ?? 'application/json', 'content-length': data.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* plain text, e.g. /readyz */
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    r.on('error', reject);
    r.setTimeout(30000, () => r.destroy(new Error(`timeout ${req.method} ${req.path}`)));
    if (data) r.write(data);
    r.end();
  });
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  const tail = logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s${tail ? `; last log lines:\n${tail}` : ''}`);
}

function build(): { etcd: string; apiserver: string } {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/cluster/build.sh'), 'all'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error('building etcd/kube-apiserver failed (see the lines above)');
  return { etcd: path.join(CACHE, 'bin', 'etcd'), apiserver: path.join(CACHE, 'bin', 'kube-apiserver') };
}

function startDetached(binary: string, args: string[], logFile: string): number {
  const out = openSync(logFile, 'a');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${binary}`);
  return child.pid;
}

function kubeconfigYaml(server: string, caFile: string, user: string, token: string): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user } }],
    'current-context': 'local',
  });
}

export async function up(dir = DEFAULT_STATE_DIR): Promise<ClusterState> {
  const existing = readState(dir);
  if (isRunning(existing)) {
    log(`already running (etcd ${existing!.etcd.endpoint}, apiserver ${existing!.apiserver.server})`);
    return existing!;
  }
  if (existing) await down(dir);
  const t0 = Date.now();
  const bins = build();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'certs'), { recursive: true });

  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdEndpoint = `http://127.0.0.1:${etcdPort}`;
  const etcdPid = startDetached(
    bins.etcd,
    [
      '--name=calico-migrate-test',
      `--data-dir=${path.join(dir, 'etcd-data')}`,
      `--listen-client-urls=${etcdEndpoint}`,
      `--advertise-client-urls=${etcdEndpoint}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=calico-migrate-test=http://127.0.0.1:${peerPort}`,
      '--log-level=warn',
      // Large seeds (100k keys) and many revisions in tests; keep the db from filling up.
      '--quota-backend-bytes=8589934592',
      '--auto-compaction-mode=revision',
      '--auto-compaction-retention=100000',
    ],
    path.join(dir, 'etcd.log'),
  );
  writePartialState(dir, { etcdPid, bins });
  await waitFor(
    'etcd',
    30000,
    async () => {
      const res = await fetch(`${etcdEndpoint}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    },
    path.join(dir, 'etcd.log'),
  );

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const adminToken = randomBytes(24).toString('hex');
  const limitedToken = randomBytes(24).toString('hex');
  const readonlyToken = randomBytes(24).toString('hex');
  const noneToken = randomBytes(24).toString('hex');
  writeFileSync(
    path.join(dir, 'tokens.csv'),
    [
      `${adminToken},admin,uid-admin,"system:masters"`,
      `${limitedToken},calico-migrate,uid-calico-migrate,"calico-migrators"`,
      `${readonlyToken},calico-viewer,uid-calico-viewer,"calico-viewers"`,
      `${noneToken},nobody,uid-nobody`,
    ].join('\n') + '\n',
    { mode: 0o600 },
  );
  const apiPid = startDetached(bins.apiserver, apiserverArgs(dir, etcdEndpoint, apiPort), path.join(dir, 'apiserver.log'));
  const server = `https://127.0.0.1:${apiPort}`;
  writePartialState(dir, { etcdPid, apiPid, bins });
  await waitForApiserver({ dir, apiserver: { port: apiPort }, adminToken });

  const caFile = path.join(dir, 'certs', 'apiserver.crt');
  const state: ClusterState = {
    dir,
    etcd: { pid: etcdPid, port: etcdPort, peerPort, endpoint: etcdEndpoint, binary: bins.etcd },
    apiserver: { pid: apiPid, port: apiPort, server, binary: bins.apiserver },
    kubeconfig: path.join(dir, 'kubeconfig'),
    limitedKubeconfig: path.join(dir, 'kubeconfig-limited'),
    readonlyKubeconfig: path.join(dir, 'kubeconfig-readonly'),
    noneKubeconfig: path.join(dir, 'kubeconfig-none'),
    adminToken,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(state.kubeconfig, kubeconfigYaml(server, caFile, 'admin', adminToken), { mode: 0o600 });
  writeFileSync(state.limitedKubeconfig, kubeconfigYaml(server, caFile, 'calico-migrate', limitedToken), { mode: 0o600 });
  writeFileSync(state.readonlyKubeconfig, kubeconfigYaml(server, caFile, 'calico-viewer', readonlyToken), { mode: 0o600 });
  writeFileSync(state.noneKubeconfig, kubeconfigYaml(server, caFile, 'nobody', noneToken), { mode: 0o600 });
  writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state, null, 2));

  await installCrds(state);
  await applyRbac(state);
  log(`up in ${((Date.now() - t0) / 1000).toFixed(1)}s: etcd ${etcdEndpoint}, apiserver ${server}`);
  return state;
}

function apiserverArgs(dir: string, etcdEndpoint: string, apiPort: number, extra: readonly string[] = []): string[] {
  return [
    `--etcd-servers=${etcdEndpoint}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${path.join(dir, 'certs')}`,
    '--service-cluster-ip-range=10.96.0.0/24',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
    `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    // Without this the server tries to publish 127.0.0.1 as the `kubernetes` endpoint and fails validation.
    '--endpoint-reconciler-type=none',
    '--v=0',
    ...extra,
  ];
}

async function waitForApiserver(s: Pick<ClusterState, 'dir' | 'adminToken'> & { apiserver: Pick<ClusterState['apiserver'], 'port'> }): Promise<void> {
  await waitFor(
    'kube-apiserver',
    90000,
    async () => {
      if (!existsSync(path.join(s.dir, 'certs', 'apiserver.crt'))) return false;
      const r = await kubeRequest(s as ClusterState, { method: 'GET', path: '/readyz' });
      return r.status === 200;
    },
    path.join(s.dir, 'apiserver.log'),
  );
}

/** Kills the cluster's kube-apiserver (SIGKILL: a crash, not a shutdown); etcd keeps running. */
export async function killApiserver(state: ClusterState): Promise<void> {
  if (processAlive(state.apiserver.pid, state.apiserver.binary)) process.kill(state.apiserver.pid, 'SIGKILL');
  for (let i = 0; i < 100 && processAlive(state.apiserver.pid, state.apiserver.binary); i++) await sleep(50);
}

/**
 * Starts the cluster's kube-apiserver again on the same port, certificates and tokens, with
 * `extra` flags (e.g. low in-flight limits); stops a running one first. Returns the new state.
 */
export async function restartApiserver(state: ClusterState, extra: readonly string[] = []): Promise<ClusterState> {
  if (processAlive(state.apiserver.pid, state.apiserver.binary)) await stopPid(state.apiserver.pid, state.apiserver.binary, 'kube-apiserver');
  const pid = startDetached(state.apiserver.binary, apiserverArgs(state.dir, state.etcd.endpoint, state.apiserver.port, extra), path.join(state.dir, 'apiserver.log'));
  const next: ClusterState = { ...state, apiserver: { ...state.apiserver, pid } };
  writeFileSync(path.join(state.dir, 'state.json'), JSON.stringify(next, null, 2));
  await waitForApiserver(next);
  return next;
}

function writePartialState(dir: string, s: { etcdPid: number; apiPid?: number; bins: { etcd: string; apiserver: string } }) {
  // Written before readiness so a failed start can still be torn down by `down`.
  writeFileSync(
    path.join(dir, 'state.json'),
    JSON.stringify({
      dir,
      etcd: { pid: s.etcdPid, binary: s.bins.etcd },
      apiserver: { pid: s.apiPid ?? -1, binary: s.bins.apiserver },
    }),
  );
}

export function crdFiles(): string[] {
  const d = path.join(ROOT, 'crds');
  return readdirSync(d)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(d, f));
}

async function installCrds(state: ClusterState): Promise<void> {
  const names: string[] = [];
  for (const file of crdFiles()) {
    const crd = YAML.parse(readFileSync(file, 'utf8'));
    names.push(crd.metadata.name);
    const r = await kubeRequest(state, { method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body: crd });
    if (r.status !== 201 && r.status !== 409) throw new Error(`installing CRD ${crd.metadata.name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
  }
  await waitFor('CRDs Established', 60000, async () => {
    for (const n of names) {
      const r = await kubeRequest(state, { method: 'GET', path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${n}` });
      const ok = r.body?.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True');
      if (!ok) return false;
    }
    return true;
  });
  // Discovery lags Established slightly; wait until the group serves every resource.
  await waitFor('crd.projectcalico.org discovery', 30000, async () => {
    const r = await kubeRequest(state, { method: 'GET', path: '/apis/crd.projectcalico.org/v1' });
    return r.status === 200 && (r.body?.resources ?? []).filter((x: any) => !x.name.includes('/')).length >= 22;
  });
  log(`installed ${names.length} CRDs (all Established)`);
}

async function applyRbac(state: ClusterState): Promise<void> {
  const docs = YAML.parseAllDocuments(readFileSync(path.join(ROOT, 'examples/rbac/calico-migrate-rbac.yaml'), 'utf8')).map((d) => d.toJSON());
  // The read-only identity may read everything the documented role may, and write nothing: what
  // a reviewer running `plan` gets (its rbac check then names every write permission missing).
  const role = docs.find((d) => d.kind === 'ClusterRole');
  docs.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'calico-migrate-view' },
    rules: role.rules.map((r: any) => ({ ...r, verbs: r.verbs.filter((v: string) => v === 'get' || v === 'list') })).filter((r: any) => r.verbs.length > 0 && !r.resources.includes('leases')),
  });
  docs.push(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'calico-migrate-test-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'calico-migrate' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'calico-migrators' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'calico-viewer-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'calico-migrate-view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'calico-viewers' }],
    },
  );
  // The run record's Role (kube-system), bound to the same least-privilege identity.
  docs.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'calico-migrate-status-binding', namespace: 'kube-system' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'calico-migrate-status' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'calico-migrators' }],
  });
  const plurals: Record<string, string> = { ClusterRole: 'clusterroles', ClusterRoleBinding: 'clusterrolebindings', Role: 'roles', RoleBinding: 'rolebindings' };
  for (const doc of docs) {
    const plural = plurals[doc.kind];
    if (!plural) throw new Error(`unexpected RBAC kind ${doc.kind}`);
    const ns = doc.metadata.namespace ? `namespaces/${doc.metadata.namespace}/` : '';
    const r = await kubeRequest(state, { method: 'POST', path: `/apis/rbac.authorization.k8s.io/v1/${ns}${plural}`, body: doc });
    if (r.status !== 201 && r.status !== 409) throw new Error(`RBAC ${doc.metadata.name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
}

async function stopPid(pid: number, binary: string, name: string): Promise<void> {
  if (pid <= 0 || !processAlive(pid, binary)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && processAlive(pid, binary); i++) await sleep(100);
  if (processAlive(pid, binary)) {
    log(`${name} (pid ${pid}) ignored SIGTERM; killing`);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && processAlive(pid, binary); i++) await sleep(100);
  }
  if (processAlive(pid, binary)) throw new Error(`${name} (pid ${pid}) is still running`);
}

export async function down(dir = DEFAULT_STATE_DIR): Promise<void> {
  const state = readState(dir) as Partial<ClusterState> | null;
  if (!state) {
    log('no local cluster state; nothing to stop');
    return;
  }
  // Only pids whose command line is the binary we started are signalled: a reused pid is left alone.
  if (state.apiserver) await stopPid(state.apiserver.pid, state.apiserver.binary, 'kube-apiserver');
  if (state.etcd) await stopPid(state.etcd.pid, state.etcd.binary, 'etcd');
  rmSync(dir, { recursive: true, force: true });
  log('stopped and removed');
}

export function envLines(state: ClusterState): string {
  return `export KUBECONFIG=${state.kubeconfig}\nexport ETCD_ENDPOINTS=${state.etcd.endpoint}\n`;
}
