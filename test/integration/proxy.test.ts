/**
 * The target through an HTTP proxy: a tiny CONNECT proxy (node http server, written here) in front
 * of the real kube-apiserver, counting the tunnels it opens. It resolves the name kube-api.invalid
 * (a reserved name no resolver knows; tls-server-name checks the certificate for "kubernetes") to
 * 127.0.0.1, as a proxy resolves names its clients cannot: the environment's proxy is never used
 * for loopback addresses (as kubectl), so that is how HTTPS_PROXY can be shown in front of it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeConnection } from '../../src/adapters/kube/connection.js';
import { resolveTarget } from '../../src/config/target.js';
import { MigrateError } from '../../src/errors.js';
import { runCli } from './support/cli.js';
import { testCluster } from './support/cluster.js';

const NAME = 'kube-api.invalid';

describe('target through an HTTP CONNECT proxy (real kube-apiserver)', function () {
  this.timeout(60000);
  let dir: string;
  let proxy: http.Server;
  let proxyPort = 0;
  let refusing: http.Server;
  let refusingPort = 0;
  const tunnels: string[] = [];
  const open = new Set<net.Socket>();

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cm-proxy-it-'));
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host === NAME ? '127.0.0.1' : host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        open.add(s);
        s.on('close', () => open.delete(s));
      }
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    refusing = http.createServer();
    refusing.on('connect', (_req, client: net.Socket) => client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    proxyPort = (proxy.address() as net.AddressInfo).port;
    refusingPort = (refusing.address() as net.AddressInfo).port;
  });
  after(() => {
    for (const s of open) s.destroy();
    proxy.close();
    refusing.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => (tunnels.length = 0));

  /** The admin kubeconfig, to `host` and with `proxyUrl` when given. */
  function kubeconfig(name: string, opts: { host?: string; proxyUrl?: string } = {}): string {
    const s = testCluster();
    const server = opts.host ? `https://${opts.host}:${s.apiserver.port}` : s.apiserver.server;
    const file = path.join(dir, name);
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'local',
            cluster: {
              server,
              'certificate-authority': path.join(s.dir, 'certs', 'apiserver.crt'),
              ...(opts.host ? { 'tls-server-name': 'kubernetes' } : {}),
              ...(opts.proxyUrl ? { 'proxy-url': opts.proxyUrl } : {}),
            },
          },
        ],
        users: [{ name: 'admin', user: { token: s.adminToken } }],
        contexts: [{ name: 'local', context: { cluster: 'local', user: 'admin' } }],
        'current-context': 'local',
      }),
    );
    return file;
  }

  async function connect(file: string, env: NodeJS.ProcessEnv = {}, maxSockets?: number): Promise<KubeConnection> {
    const t = resolveTarget({ kubeconfig: file }, env);
    return KubeConnection.fromKubeConfig(t.kubeConfig, { env: t.proxyEnv, origin: t.origin, maxSockets });
  }

  it("the kubeconfig's proxy-url: every request goes through the proxy, over kept-alive tunnels opened by the first burst only", async () => {
    const conn = await connect(kubeconfig('proxy-url', { proxyUrl: `http://127.0.0.1:${proxyPort}` }), {}, 4);
    try {
      let afterFirst = 0;
      for (let round = 0; round < 25; round++) {
        // As many at once as the pool may keep (4): Node's Agent destroys a freed socket beyond
        // maxSockets, so a burst wider than the pool would reopen tunnels by design, not by a fault.
        const all = await Promise.all(Array.from({ length: 4 }, () => conn.request('GET', '/api/v1/namespaces/kube-system')));
        assert.deepEqual(new Set(all.map((r) => r.status)), new Set([200]));
        if (round === 0) afterFirst = tunnels.length;
      }
      // The first burst may open one tunnel per waiting request (proxy.ts says why); after it, the pool is reused.
      assert.ok(afterFirst >= 1 && afterFirst <= 4, `${afterFirst} tunnels for the first 4 requests`);
      assert.equal(tunnels.length, afterFirst, `${tunnels.length} tunnels for 100 requests: the tunnels are kept alive and reused`);
      assert.deepEqual(new Set(tunnels), new Set([`127.0.0.1:${testCluster().apiserver.port}`]));
      assert.match(conn.description, new RegExp(`through proxy http://127\\.0\\.0\\.1:${proxyPort}$`));
    } finally {
      conn.close();
    }
  });

  it('HTTPS_PROXY carries a server name only the proxy resolves; NO_PROXY naming it bypasses the proxy (and the name does not resolve here)', async () => {
    const file = kubeconfig('by-name', { host: NAME });
    const conn = await connect(file, { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: 'example.com,10.0.0.0/8' });
    try {
      assert.equal((await conn.request('GET', '/version')).status, 200);
      assert.deepEqual(tunnels, [`${NAME}:${testCluster().apiserver.port}`]);
    } finally {
      conn.close();
    }
    tunnels.length = 0;
    for (const noProxy of [NAME, '.invalid', `${NAME}:${testCluster().apiserver.port}`, '*']) {
      const direct = await connect(file, { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, no_proxy: noProxy });
      try {
        await assert.rejects(direct.request('GET', '/version', { retry: false }), (e: unknown) => {
          assert.ok(e instanceof MigrateError);
          assert.equal(e.exitName, 'CONNECTION');
          assert.match(e.message, /host not found|EAI_AGAIN|getaddrinfo/, `NO_PROXY=${noProxy}`);
          return true;
        });
      } finally {
        direct.close();
      }
    }
    assert.deepEqual(tunnels, [], 'NO_PROXY: no tunnel');
  });

  it('the environment proxy is not used for the loopback address of the test cluster (as kubectl); proxy-url is', async () => {
    const conn = await connect(testCluster().kubeconfig, { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` });
    try {
      assert.equal((await conn.request('GET', '/version')).status, 200);
      assert.deepEqual(tunnels, []);
      assert.match(conn.description, /, direct$/);
    } finally {
      conn.close();
    }
  });

  it('a proxy that refuses the tunnel is CONNECTION naming the proxy and its answer', async () => {
    const conn = await connect(kubeconfig('refusing', { proxyUrl: `http://127.0.0.1:${refusingPort}` }));
    try {
      await assert.rejects(conn.request('GET', '/version'), (e: unknown) => {
        assert.ok(e instanceof MigrateError);
        assert.equal(e.exitName, 'CONNECTION');
        assert.match(e.message, new RegExp(`proxy 127\\.0\\.0\\.1:${refusingPort} refused CONNECT 127\\.0\\.0\\.1:\\d+: HTTP 407`));
        assert.match(e.hint!, /proxy/);
        return true;
      });
    } finally {
      conn.close();
    }
  });

  it('the CLI: status names the context, the user, the kubeconfig and the proxy, and its requests went through the proxy', async () => {
    const file = kubeconfig('cli', { proxyUrl: `http://127.0.0.1:${proxyPort}` });
    const r = await runCli(['status', '--state-dir', path.join(dir, 'state')], { env: { KUBECONFIG: file } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`target connection: context local, user admin, from KUBECONFIG ${file.replace(/[.]/g, '\\.')}, through proxy http://127\\.0\\.0\\.1:${proxyPort}`));
    assert.ok(tunnels.length >= 1, 'status read the target through the proxy');
  });
});
