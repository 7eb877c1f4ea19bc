/**
 * HTTPS to the API server through an HTTP proxy (CONNECT), for the one keep-alive pool.
 *
 * Which proxy, as kubectl (client-go, Go's net/http) chooses: the kubeconfig cluster's proxy-url
 * when set, for every host (NO_PROXY does not apply to it); otherwise HTTPS_PROXY (then
 * https_proxy), unless NO_PROXY (then no_proxy) names the host. As Go's ProxyFromEnvironment,
 * the environment's proxy is never used for localhost or a loopback address: a proxy in the
 * environment is for the world outside, and Go does so whatever NO_PROXY says. proxy-url has no
 * such exception (client-go uses it for every request), so a kubeconfig can proxy 127.0.0.1.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { MigrateError } from '../../errors.js';
import { PoolAgent } from './pool-agent.js';

/**
 * The proxy for `server`, or undefined to connect directly. Pure: the environment is passed in.
 * Throws USAGE for a proxy URL that is not http(s)://.
 */
export function proxyFor(server: string, proxyUrl: string | undefined, env: NodeJS.ProcessEnv): URL | undefined {
  if (proxyUrl) return parseProxy(proxyUrl, 'the kubeconfig cluster proxy-url');
  const target = new URL(server);
  // `||`, not `??`: as Go's getEnvAny, an empty HTTPS_PROXY gives way to https_proxy.
  const fromEnv = target.protocol === 'http:' ? env.HTTP_PROXY || env.http_proxy : env.HTTPS_PROXY || env.https_proxy;
  if (!fromEnv) return undefined;
  const host = bareHost(target.hostname);
  const port = Number(target.port || (target.protocol === 'http:' ? 80 : 443));
  if (host === 'localhost' || isLoopback(host)) return undefined;
  if (bypassed(host, port, env.NO_PROXY || env.no_proxy || '')) return undefined;
  return parseProxy(fromEnv, target.protocol === 'http:' ? 'HTTP_PROXY' : 'HTTPS_PROXY');
}

function parseProxy(text: string, where: string): URL {
  // Go reads a proxy without a scheme ("proxy:3128") as http://.
  const url = URL.canParse(text) && /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? new URL(text) : URL.canParse(`http://${text}`) ? new URL(`http://${text}`) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new MigrateError('USAGE', `${where} ${text} is not an http:// or https:// proxy URL`, {
      hint: 'use an HTTP proxy that supports CONNECT (socks proxies are not supported), e.g. http://proxy.example:3128',
    });
  }
  return url;
}

/**
 * Whether NO_PROXY names host:port, by Go's rules (golang.org/x/net/http/httpproxy): entries are
 * comma-separated; `*` matches all; an IP or a CIDR matches addresses; `example.com` matches it
 * and its subdomains, `.example.com` (or `*.example.com`) subdomains only; an entry with a port
 * matches that port only.
 */
export function bypassed(host: string, port: number, noProxy: string): boolean {
  host = bareHost(host).toLowerCase();
  for (let entry of noProxy.split(',')) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (net.isIP(host) && inCidr(host, entry)) return true;
      continue;
    }
    let entryPort: number | undefined;
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m) {
      entry = m[1]!;
      entryPort = Number(m[2]);
    }
    entry = bareHost(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (net.isIP(entry)) {
      if (entry === host) return true;
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (host.endsWith(entry)) return true;
    } else if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

const bareHost = (h: string) => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);

function isLoopback(host: string): boolean {
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const family = net.isIPv4(base!) ? 'ipv4' : net.isIPv6(base!) ? 'ipv6' : undefined;
  if (!family || !Number.isInteger(bits) || net.isIP(ip) !== (family === 'ipv4' ? 4 : 6)) return false;
  const list = new net.BlockList();
  list.addSubnet(base!, bits, family);
  return list.check(ip, family);
}

/**
 * A keep-alive https.Agent whose sockets are TLS sessions to the API server inside a CONNECT
 * tunnel through `proxy`. The pool is the same as without a proxy: one CONNECT per pooled socket,
 * not per request, so apply's write path costs no more once the sockets are open. TLS runs on the
 * tunnel's own TCP socket (not a JS stream), as fast as a direct one. One difference: Node's Agent
 * counts a socket only once createConnection hands it over, so while the first tunnels are being
 * opened each waiting request opens one; the pool is then at most the concurrency the callers had
 * (apply's parallelism, below maxSockets), and is reused from then on.
 */
export class TunnelAgent extends PoolAgent {
  private readonly proxyAuth?: string;

  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions,
  ) {
    super(options);
    if (proxy.username || proxy.password) {
      this.proxyAuth = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
    }
  }

  // Node's Agent calls createConnection(options, callback) and, when it returns nothing, waits for the callback.
  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const fail = (e: Error) => callback?.(e, undefined as unknown as Duplex);
    const host = options.hostname ?? options.host ?? 'localhost';
    const port = Number(options.port ?? 443);
    const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
    const proxyPort = Number(this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80));
    const headers: Record<string, string> = { host: authority };
    if (this.proxyAuth) headers['proxy-authorization'] = this.proxyAuth;
    const request = (this.proxy.protocol === 'https:' ? https : http).request({
      host: bareHost(this.proxy.hostname),
      port: proxyPort,
      method: 'CONNECT',
      path: authority,
      headers,
      // The CONNECT is its own short exchange; it must not take a socket of a pool.
      agent: false,
    });
    request.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return fail(Object.assign(new Error(`proxy ${this.proxy.host} refused CONNECT ${authority}: HTTP ${res.statusCode}`), { code: 'EPROXY' }));
      }
      if (head.length) socket.unshift(head);
      // As the agent's own sockets: small writes go out at once, and an idle pooled tunnel is kept alive.
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 1000);
      // `path` is the HTTP request's; to tls.connect it would name a unix socket. TLS is to the API server, by its name.
      const { path: _path, ...rest } = options;
      const secure = tls.connect({ ...(rest as tls.ConnectionOptions), host, port, socket, servername: options.servername ?? (net.isIP(host) ? undefined : host) });
      callback?.(null, secure);
    });
    request.once('error', (e) => fail(Object.assign(new Error(`proxy ${this.proxy.host}: ${e.message}`), { code: (e as NodeJS.ErrnoException).code })));
    request.end();
    return undefined;
  }
}
