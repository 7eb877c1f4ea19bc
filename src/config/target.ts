/**
 * Target (Kubernetes) connection settings, found as kubectl finds them: --kubeconfig (one file),
 * else the KUBECONFIG list merged, else ~/.kube/config, else the pod's service account
 * (in-cluster); or a calicoctl kubernetes config (--target-config). Pure but for the files it
 * reads through `fs`: the environment and the service account directory are passed in.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { MigrateError } from '../errors.js';
import { readCalicoApiConfig } from './calicoctl-config.js';

// Named through KubeConfig: src/config/ imports nothing else of client-node (architecture.test.ts).
type Cluster = KubeConfig['clusters'][number];
type User = KubeConfig['users'][number];
type Context = KubeConfig['contexts'][number];

export interface TargetFlags {
  kubeconfig?: string;
  context?: string;
  'target-config'?: string;
}

export interface TargetFs {
  exists(file: string): boolean;
  read(file: string): string;
}

export interface TargetDeps {
  fs?: TargetFs;
  /** Where a pod's service account is mounted; tests point it at a temp dir. */
  serviceAccountDir?: string;
}

/** The proxy variables of the environment; the adapter chooses the proxy from them and the kubeconfig (adapters/kube/proxy.ts). */
export type ProxyEnv = Partial<Record<(typeof PROXY_VARS)[number], string>>;
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'] as const;

export interface ResolvedTarget {
  kubeConfig: KubeConfig;
  /** Where the configuration came from, for `status`: "kubeconfig FILE", "KUBECONFIG A, B", "in-cluster service account". */
  origin: string;
  proxyEnv: ProxyEnv;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const nodeFs: TargetFs = { exists: existsSync, read: (f) => readFileSync(f, 'utf8') };

export function resolveKubeConfig(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env, deps: TargetDeps = {}): KubeConfig {
  return resolveTarget(flags, env, deps).kubeConfig;
}

export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env, deps: TargetDeps = {}): ResolvedTarget {
  const fs = deps.fs ?? nodeFs;
  const proxyEnv: ProxyEnv = Object.fromEntries(PROXY_VARS.filter((v) => env[v] !== undefined).map((v) => [v, env[v]]));
  const spec = flags['target-config'] ? readCalicoApiConfig(flags['target-config'], 'kubernetes', '--target-config') : undefined;
  if (spec && !spec.kubeconfig && spec.k8sAPIEndpoint) {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'target', server: spec.k8sAPIEndpoint, caFile: spec.k8sCAFile, skipTLSVerify: !!spec.k8sInsecureSkipTLSVerify }],
      users: [{ name: 'target', token: spec.k8sAPIToken, certFile: spec.k8sCertFile, keyFile: spec.k8sKeyFile }],
      contexts: [{ name: 'target', cluster: 'target', user: 'target' }],
      currentContext: 'target',
    });
    return { kubeConfig: kc, origin: `--target-config ${flags['target-config']}`, proxyEnv };
  }
  const found = findKubeConfig(flags, spec?.kubeconfig, env, fs, deps.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  const { kc, where } = found;
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) {
      throw new MigrateError('USAGE', `${where} has no context "${flags.context}"`, {
        hint: `use one of: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || '(none)'
        }`,
      });
    }
    kc.setCurrentContext(flags.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new MigrateError('CONNECTION', `${where}: current context "${kc.getCurrentContext()}" has no cluster`, {
      hint: 'pass --context naming a context with a cluster',
    });
  }
  return { kubeConfig: kc, origin: found.origin, proxyEnv };
}

function findKubeConfig(flags: TargetFlags, specKubeconfig: string | undefined, env: NodeJS.ProcessEnv, fs: TargetFs, saDir: string): { kc: KubeConfig; where: string; origin: string } {
  // oclif folds KUBECONFIG into --kubeconfig: the same text is the environment's list, not a file named on the command line.
  const explicit = flags.kubeconfig !== undefined && flags.kubeconfig !== env.KUBECONFIG ? flags.kubeconfig : (specKubeconfig ?? undefined);
  if (explicit) {
    if (!fs.exists(explicit)) {
      throw new MigrateError('USAGE', `kubeconfig ${explicit} does not exist`, { hint: "pass --kubeconfig with the path of the target cluster's kubeconfig" });
    }
    return { kc: mergeFiles([explicit], fs), where: `kubeconfig ${explicit}`, origin: `kubeconfig ${explicit}` };
  }
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f !== '');
  if (list.length) {
    // As kubectl: files of the list that do not exist are skipped; all of them missing is an error here
    // (kubectl would go on with an empty configuration and fail later, less clearly).
    const present = list.filter((f) => fs.exists(f));
    if (!present.length) {
      throw new MigrateError('USAGE', `none of the kubeconfig files in KUBECONFIG exists: ${list.join(', ')}`, {
        hint: "set KUBECONFIG to the target cluster's kubeconfig (a list separated by ':'), or pass --kubeconfig",
      });
    }
    const skipped = list.length > present.length ? ` (missing, skipped: ${list.filter((f) => !present.includes(f)).join(', ')})` : '';
    const where = present.length === 1 ? `kubeconfig ${present[0]}` : `kubeconfig files ${present.join(', ')}`;
    return { kc: mergeFiles(present, fs), where, origin: `KUBECONFIG ${present.join(', ')}${skipped}` };
  }
  const home = env.HOME ? path.join(env.HOME, '.kube', 'config') : undefined;
  if (home && fs.exists(home)) return { kc: mergeFiles([home], fs), where: `kubeconfig ${home}`, origin: `kubeconfig ${home}` };
  const inCluster = inClusterConfig(env, fs, saDir);
  if (inCluster) return { kc: inCluster.kc, where: 'the in-cluster configuration', origin: inCluster.origin };
  throw new MigrateError('USAGE', `no kubeconfig: the target cluster is not configured (no --kubeconfig, no KUBECONFIG, no ${home ?? '~/.kube/config (HOME is not set)'}, not in a pod)`, {
    hint: 'pass --kubeconfig (or set KUBECONFIG), or --target-config with a calicoctl kubernetes config',
  });
}

/**
 * The files merged as kubectl merges a KUBECONFIG list: for each cluster, user and context name
 * the first file that defines it wins, and the current-context is the first file's that sets one.
 * Relative certificate paths are resolved against the file that names them.
 */
function mergeFiles(files: string[], fs: TargetFs): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const file of files) {
    const one = new KubeConfig();
    try {
      const text = fs.read(file);
      // An empty file is an empty kubeconfig to kubectl; yaml reads it as nothing at all.
      if (text.trim() !== '') {
        one.loadFromString(text);
        one.makePathsAbsolute(path.dirname(file));
      }
    } catch (e) {
      throw new MigrateError('USAGE', `kubeconfig ${file} cannot be read: ${(e as Error).message}`, {
        hint: 'check the file is a valid kubeconfig (kubectl --kubeconfig FILE config view)',
      });
    }
    for (const c of one.clusters ?? []) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.users ?? []) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.contexts ?? []) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!currentContext && one.currentContext) currentContext = one.currentContext;
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext });
  return kc;
}

/**
 * The pod's service account, as client-go's InClusterConfig: KUBERNETES_SERVICE_HOST and _PORT,
 * the token file (read again as it rotates: it is a tokenFile credential), the CA and namespace
 * beside it. The user is named by the token's subject (system:serviceaccount:NS:NAME) so plan's
 * access review and `status` say which identity is used.
 */
function inClusterConfig(env: NodeJS.ProcessEnv, fs: TargetFs, saDir: string): { kc: KubeConfig; origin: string } | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = path.join(saDir, 'token');
  if (!host || !port || !fs.exists(tokenFile)) return undefined;
  const caFile = path.join(saDir, 'ca.crt');
  const nsFile = path.join(saDir, 'namespace');
  const namespace = fs.exists(nsFile) ? fs.read(nsFile).trim() : undefined;
  const user = tokenSubject(fs.read(tokenFile)) ?? `serviceaccount${namespace ? ` (namespace ${namespace})` : ''}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'in-cluster', server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, caFile: fs.exists(caFile) ? caFile : undefined, skipTLSVerify: false }],
    users: [{ name: user, authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user, namespace }],
    currentContext: 'in-cluster',
  });
  return { kc, origin: `the in-cluster service account (${tokenFile})` };
}

/** The `sub` claim of a service account JWT, only to name the identity; the token is not checked here (the API server does). */
function tokenSubject(token: string): string | undefined {
  const payload = token.trim().split('.')[1];
  if (!payload) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub ? sub : undefined;
  } catch {
    return undefined;
  }
}
