/**
 * The kubeconfig user's credentials as the connection sends them, and when to fetch them again.
 *
 * client-node applies a kubeconfig's auth once per call of applyToHTTPSOptions; a connection that
 * called it once at start kept an exec plugin's token (EKS: 15 minutes) or a rotated token file
 * forever, and a long apply failed part-way with 401. Here the credentials carry the time they
 * must be fetched again, checked with one comparison per request, and can be fetched again on a
 * 401. Exec plugins are run here, not by client-node's ExecAuth: its cache and the credential's
 * expirationTimestamp are private to it, and it runs the plugin again on every call when the
 * credential has no expiry (kubectl keeps such a credential for the process's life).
 */
import { spawn } from 'node:child_process';
import type https from 'node:https';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { MigrateError } from '../../errors.js';

export interface Credentials {
  /** Authorization (and impersonation) headers for every request. */
  headers: Record<string, string>;
  /** TLS material for the agent: a change of client certificate needs a new pool. */
  tls: Pick<https.AgentOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
  /** Epoch ms after which the credentials are fetched again before a request; Infinity: never. */
  refreshAt: number;
  /** Whether fetching again can give other credentials (exec plugin, token file, auth provider), so a 401 is worth one more try. */
  refreshable: boolean;
}

/** Fetch the credentials this long before an exec credential expires, at most a quarter of its life. */
const EXPIRY_MARGIN_MS = 30_000;
/** A token file is read again after this long, as client-go does (a projected service account token rotates well before it expires). */
const TOKEN_FILE_PERIOD_MS = 60_000;

export interface ExecConfig {
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  apiVersion?: string;
}

/** Runs an exec credential plugin; injectable so tests can count the runs. */
export type ExecRunner = (exec: ExecConfig, cluster: { server: string }) => Promise<ExecCredentialStatus>;

export interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

/**
 * The current user's credentials, fetched now. Every call builds a fresh KubeConfig so client-node's
 * authenticators (token file, OIDC) hold no cache from an earlier call: fetching again means again.
 */
export async function loadCredentials(kc: KubeConfig, now: () => number = Date.now, runExec: ExecRunner = runExecPlugin): Promise<Credentials> {
  const user = kc.getCurrentUser();
  const cluster = kc.getCurrentCluster();
  const exec = execOf(user);
  const fresh = new KubeConfig();
  fresh.loadFromOptions({
    clusters: kc.clusters,
    // The exec part is ours (below); client-node must not run the plugin too.
    users: kc.users.map((u) => (u === user && exec ? withoutExec(u) : u)),
    contexts: kc.contexts,
    currentContext: kc.getCurrentContext(),
  });
  const opts: https.RequestOptions = {};
  await fresh.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = {};
  // Trimmed: a token file written with a trailing newline would make an invalid header.
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = String(v).trim();
  if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  const tls: Credentials['tls'] = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername };
  const at = now();
  let refreshAt = Infinity;
  let refreshable = false;
  if (exec) {
    const status = await runExec(exec, { server: cluster?.server ?? '' }).catch((e: unknown) => {
      throw new MigrateError('CONNECTION', `kubeconfig user ${user!.name}: the exec credential plugin ${exec.command} failed: ${(e as Error).message.trim()}`, {
        hint: `check that \`${[exec.command, ...(exec.args ?? [])].join(' ')}\` runs and prints an ExecCredential`,
        cause: e,
      });
    });
    if (status.token) headers.Authorization = `Bearer ${status.token}`;
    if (status.clientCertificateData) tls.cert = status.clientCertificateData;
    if (status.clientKeyData) tls.key = status.clientKeyData;
    const expires = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : NaN;
    if (Number.isFinite(expires)) refreshAt = expires - Math.min(EXPIRY_MARGIN_MS, Math.max(0, (expires - at) / 4));
    refreshable = true;
  } else if (user?.authProvider) {
    // Token file (in-cluster service account) or an auth provider (OIDC…): read again each minute
    // as client-go does; both may hand out other credentials after a 401.
    refreshAt = at + TOKEN_FILE_PERIOD_MS;
    refreshable = true;
  }
  return { headers, tls, refreshAt, refreshable };
}

function execOf(user: User | null): ExecConfig | undefined {
  if (!user) return undefined;
  const exec = (user.exec ?? (user.authProvider as { config?: { exec?: unknown } } | undefined)?.config?.exec) as ExecConfig | undefined;
  return exec?.command ? exec : undefined;
}

function withoutExec(u: User): User {
  const { exec: _exec, authProvider, ...rest } = u;
  return authProvider?.config?.exec ? rest : { ...rest, authProvider };
}

/**
 * Runs the plugin as kubectl does: the kubeconfig's env on top of ours, KUBERNETES_EXEC_INFO
 * describing the request, stdin left to the terminal (an interactive plugin may prompt).
 */
export const runExecPlugin: ExecRunner = (exec, cluster) =>
  new Promise((resolve, reject) => {
    const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const e of exec.env ?? []) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false, cluster: { server: cluster.server } } });
    const child = spawn(exec.command, exec.args ?? [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`exit ${code}${err ? `: ${err}` : ''}`));
      try {
        const cred = JSON.parse(out) as { kind?: string; status?: ExecCredentialStatus };
        if (cred.kind !== 'ExecCredential' || !cred.status) return reject(new Error('it did not print an ExecCredential with a status'));
        resolve(cred.status);
      } catch (e) {
        reject(new Error(`its output is not JSON: ${(e as Error).message}`));
      }
    });
  });
