/**
 * The one HTTPS connection pool to the Kubernetes API. @kubernetes/client-node 1.x built a new
 * https.Agent (TCP + TLS handshake) per request (2.x caches its agents, but its proxy and credential
 * handling are not kubectl's); we take its kubeconfig handling (auth, TLS) and send requests over
 * one keep-alive agent, which was 3-4x faster for bulk writes than 1.x. Credentials that
 * expire (exec plugins, token files) are fetched again when due or after a 401 (credentials.ts);
 * a proxy is a CONNECT tunnel under the same pool (proxy.ts).
 */
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { MigrateError } from '../../errors.js';
import { loadCredentials, type Credentials } from './credentials.js';
import { objectHead } from './object-head.js';
import { PoolAgent } from './pool-agent.js';
import { proxyFor, TunnelAgent } from './proxy.js';

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** The body as JSON text already (a plan's canonical object), sent as it is instead of `body`. */
  bodyText?: string;
  contentType?: string;
  /** Retry 429/5xx/timeouts with backoff; off for requests whose retry is not idempotent. */
  retry?: boolean;
  /** A 2xx answer's body is only the object's apiVersion, kind and metadata (see object-head.ts); any other answer is parsed whole. */
  metadataOnly?: boolean;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10000, timeoutMs: 15000 };
/** A request that timed out is tried once more, not `attempts` times: a silent server then costs two timeouts, not minutes. */
const TIMEOUT_ATTEMPTS = 2;
/**
 * A 429 is the server refusing to process a request (API Priority and Fairness, max-in-flight),
 * so retrying it is always safe; a busy server may refuse for a while. Measured: under an APF
 * priority level that rejects, 6 attempts let a create fail within seconds and stop apply.
 * With Retry-After 1 s (APF's answer) and the spread below, 40 attempts wait 40–80 s.
 */
const THROTTLED_ATTEMPTS = 40;

export interface ConnectionOptions {
  maxSockets?: number;
  retry?: Partial<RetryPolicy>;
  /** The proxy to tunnel through, null for none; absent: chosen from the kubeconfig and `env` (proxy.ts). */
  proxy?: URL | null;
  env?: NodeJS.ProcessEnv;
  /** Where the kubeconfig came from, for `status` (e.g. "kubeconfig /root/.kube/config"). */
  origin?: string;
  /** Fetches the current user's credentials; injectable for tests. */
  credentials?: (kc: KubeConfig) => Promise<Credentials>;
  now?: () => number;
}

export class KubeConnection {
  private agent: https.Agent;
  /** Pools replaced by a new client certificate, closed with the connection. */
  private readonly retired: https.Agent[] = [];
  /**
   * What every request shares, built once (and again only when the credentials change): a bulk
   * apply sends one request per object, and re-parsing the server URL and re-spreading the TLS
   * options and headers each time cost a measurable share of apply's CPU, which the API server
   * on the same cores needs.
   */
  private target: { base: https.RequestOptions; pathPrefix: string; headers: Record<string, string> };
  private creds: Credentials;
  /** Bumped by every fetch of the credentials: a 401 to a request sent before the last fetch is retried without fetching again. */
  private generation = 0;
  private refreshing: Promise<void> | undefined;
  /** Count of retried requests, reported by apply. */
  retries = 0;
  /** Count of credential fetches after the first (expiry or 401). */
  credentialRefreshes = 0;

  private constructor(
    readonly server: string,
    readonly contextName: string,
    readonly userName: string,
    private readonly kc: KubeConfig,
    creds: Credentials,
    private readonly retryPolicy: RetryPolicy,
    private readonly maxSockets: number,
    private readonly proxy: URL | undefined,
    private readonly origin: string | undefined,
    private readonly fetchCredentials: (kc: KubeConfig) => Promise<Credentials>,
    private readonly now: () => number,
  ) {
    this.creds = creds;
    this.agent = this.newAgent(creds);
    this.target = requestTarget(server, creds, this.agent);
  }

  static async fromKubeConfig(kc: KubeConfig, opts: ConnectionOptions = {}): Promise<KubeConnection> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new MigrateError('CONNECTION', `kubeconfig has no cluster for context "${kc.getCurrentContext()}"`, {
        hint: 'check --kubeconfig/--context (or KUBECONFIG) points at the target cluster',
      });
    }
    const now = opts.now ?? Date.now;
    const fetchCredentials = opts.credentials ?? ((k: KubeConfig) => loadCredentials(k, now));
    // The proxy first: a bad proxy URL is reported before any exec plugin runs.
    const proxy = opts.proxy === undefined ? proxyFor(cluster.server, cluster.proxyUrl, opts.env ?? process.env) : (opts.proxy ?? undefined);
    const creds = await fetchCredentials(kc);
    const user = kc.getCurrentUser();
    return new KubeConnection(
      cluster.server.replace(/\/+$/, ''),
      kc.getCurrentContext(),
      user?.name ?? 'unknown',
      kc,
      creds,
      { ...DEFAULT_RETRY, ...opts.retry },
      opts.maxSockets ?? 64,
      proxy,
      opts.origin,
      fetchCredentials,
      now,
    );
  }

  /** How the target is reached, for `status`: context, user, where the kubeconfig came from, proxy. Never a credential. */
  get description(): string {
    const via = this.proxy ? `through proxy ${this.proxy.protocol}//${this.proxy.host}` : 'direct';
    return `context ${this.contextName}, user ${this.userName}${this.origin ? `, from ${this.origin}` : ''}, ${via}`;
  }

  close(): void {
    this.agent.destroy();
    for (const a of this.retired) a.destroy();
  }

  private newAgent(creds: Credentials): https.Agent {
    const options: https.AgentOptions = { keepAlive: true, maxSockets: this.maxSockets, ...creds.tls };
    return this.proxy ? new TunnelAgent(this.proxy, options) : new PoolAgent(options);
  }

  /**
   * Fetches the credentials again, once for all requests waiting: `seen` is the generation the
   * caller's credentials came from; when a fetch happened since, the caller just uses its result.
   */
  private async refresh(seen: number): Promise<void> {
    if (this.generation !== seen) return;
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const next = await this.fetchCredentials(this.kc);
          if (!sameMaterial(next.tls.cert, this.creds.tls.cert) || !sameMaterial(next.tls.key, this.creds.tls.key)) {
            // Pooled sockets carry the old client certificate; new requests need new sockets.
            this.retired.push(this.agent);
            this.agent = this.newAgent(next);
          }
          // A plugin that hands out an expired credential is not run again for every request.
          this.creds = { ...next, refreshAt: Math.max(next.refreshAt, this.now() + 1000) };
          this.target = requestTarget(this.server, next, this.agent);
          this.generation++;
          this.credentialRefreshes++;
        } finally {
          this.refreshing = undefined;
        }
      })();
    }
    await this.refreshing;
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<KubeResponse<T>> {
    const policy = this.retryPolicy;
    const canRetry = opts.retry ?? true;
    let timeouts = 0;
    let reauthenticated = false;
    for (let attempt = 1; ; attempt++) {
      // One comparison per request; the credentials are fetched only when due.
      if (this.now() >= this.creds.refreshAt) await this.refresh(this.generation);
      const generation = this.generation;
      let res: KubeResponse<T> | undefined;
      let netError: Error | undefined;
      try {
        res = await this.once<T>(method, path, opts);
      } catch (e) {
        netError = e as Error;
        if ((netError as NodeJS.ErrnoException).code === 'ETIMEDOUT') timeouts++;
      }
      // A 401 is answered before the server does anything, so any request (a create too) may be
      // sent again: once, with credentials fetched again. A 401 after that is a real refusal.
      if (res?.status === 401 && this.creds.refreshable && !reauthenticated) {
        reauthenticated = true;
        await this.refresh(generation);
        attempt--;
        continue;
      }
      const throttled = res?.status === 429;
      const retriable = netError ? isRetriableNetError(netError) : throttled || res!.status >= 500;
      const attempts = throttled ? Math.max(policy.attempts, THROTTLED_ATTEMPTS) : policy.attempts;
      if (!retriable || !canRetry || attempt >= attempts || timeouts >= TIMEOUT_ATTEMPTS) {
        if (netError) throw this.connectionError(netError, method, path);
        return res!;
      }
      this.retries++;
      await sleep(backoffDelay(attempt, policy, res?.headers['retry-after']));
    }
  }

  private once<T>(method: string, path: string, opts: RequestOptions): Promise<KubeResponse<T>> {
    const { base, pathPrefix } = this.target;
    const data = opts.bodyText !== undefined ? Buffer.from(opts.bodyText) : opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string | number> = { ...this.target.headers };
    if (data) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = data.length;
    }
    return new Promise((resolve, reject) => {
      const req = https.request({ ...base, method, path: pathPrefix + path + queryString(opts.query), headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if (text && isJson(res.rawHeaders)) {
            const status = res.statusCode ?? 0;
            try {
              body = (opts.metadataOnly && status >= 200 && status < 300 ? objectHead(text) : null) ?? JSON.parse(text);
            } catch {
              /* leave as text */
            }
          }
          // The caller names the body type it expects for the status it checks; JSON is not validated here.
          // `headers` is read only for a retry's Retry-After: Node builds that object on first use.
          resolve({
            status: res.statusCode ?? 0,
            body: body as T,
            get headers() {
              return res.headers;
            },
          });
        });
      });
      // A deadline for the whole exchange (connect, TLS, headers, body), not an idle timer: a
      // server that trickles bytes or completes TCP and then says nothing is cut off alike.
      const timer = setTimeout(
        () => req.destroy(Object.assign(new Error(`no answer within ${this.retryPolicy.timeoutMs / 1000} s (--request-timeout)`), { code: 'ETIMEDOUT' })),
        this.retryPolicy.timeoutMs,
      );
      const settle = () => clearTimeout(timer);
      req.on('close', settle);
      req.on('error', (e) => {
        settle();
        reject(e);
      });
      // One write for headers and body (Node sends them in one TLS record then).
      req.end(data);
    });
  }

  private connectionError(e: Error, method: string, path: string): MigrateError {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const what = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : e.message;
    return new MigrateError('CONNECTION', `Kubernetes API ${this.server} (${method} ${path}): ${what}`, {
      hint: this.proxy
        ? `check the proxy ${this.proxy.protocol}//${this.proxy.host} (the kubeconfig cluster's proxy-url, or HTTPS_PROXY/NO_PROXY) lets the target cluster be reached`
        : 'check --kubeconfig/--context (or KUBECONFIG) points at a reachable target cluster',
      cause: e,
    });
  }
}

/** The request options every request to `server` shares: host, port and TLS from the kubeconfig, the credentials' headers, over the pool. */
function requestTarget(server: string, creds: Credentials, agent: https.Agent): { base: https.RequestOptions; pathPrefix: string; headers: Record<string, string> } {
  const url = new URL(server);
  // What https.request(url) would take from the URL; a bracketed IPv6 host loses its brackets.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    base: { ...creds.tls, protocol: url.protocol, hostname, port: url.port || undefined, agent },
    pathPrefix: url.pathname.replace(/\/+$/, ''),
    headers: { ...creds.headers, accept: 'application/json', 'user-agent': 'calico-migrate' },
  };
}

/** Whether two PEMs (string, Buffer or a list) hold the same text: a file read again is a new Buffer with the same bytes. */
function sameMaterial(a: unknown, b: unknown): boolean {
  return a === b || (a != null && b != null && String(a) === String(b));
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Whether the response says its body is JSON, from the raw header list (no header object is built). */
function isJson(rawHeaders: string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length === 12 && rawHeaders[i]!.toLowerCase() === 'content-type') return rawHeaders[i + 1]!.includes('json');
  }
  return false;
}

function isRetriableNetError(e: Error): boolean {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN'].includes(code);
}

export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, retryAfter?: string | string[]): number {
  const ra = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  const seconds = ra === undefined ? NaN : Number(ra);
  // Spread over [Retry-After, 2 × Retry-After]: parallel workers told "1 s" at once would otherwise all come back together and be refused together.
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000 * (1 + Math.random()), policy.maxDelayMs);
  const exp = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  // Jitter spreads retries of parallel workers so they do not hit the server in lock-step.
  return exp / 2 + Math.random() * (exp / 2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A short description of a non-2xx response, for error messages. */
export function describeStatus(res: KubeResponse): string {
  const message = statusField(res.body, 'message');
  const msg = message ? message : String(res.body).slice(0, 300);
  return `HTTP ${res.status}: ${msg}`;
}

/** A string field of a Kubernetes Status body (`message`, `reason`), or '' when absent. */
export function statusField(body: unknown, field: 'message' | 'reason'): string {
  if (typeof body !== 'object' || body === null) return '';
  const v = (body as Record<string, unknown>)[field];
  return typeof v === 'string' ? v : '';
}
