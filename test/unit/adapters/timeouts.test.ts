/**
 * Request deadlines of both adapters against a silent TCP listener on 127.0.0.1 (it accepts
 * connections and never answers): not an etcd or an API server, only the failure the deadline is for.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { EtcdSource } from '../../../src/adapters/etcd/source.js';
import { KubeConnection } from '../../../src/adapters/kube/connection.js';
import { MigrateError } from '../../../src/errors.js';

describe('request timeouts (a silent TCP listener)', function () {
  this.timeout(20000);
  let server: net.Server;
  const sockets: net.Socket[] = [];
  let port = 0;
  before(async () => {
    server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });

  it('Kubernetes: a request that gets no answer fails as CONNECTION after two deadlines, not minutes', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const conn = await KubeConnection.fromKubeConfig(kc, { retry: { timeoutMs: 500, baseDelayMs: 10 } });
    const t0 = Date.now();
    try {
      await assert.rejects(conn.request('GET', '/api/v1/namespaces/kube-system'), (e: unknown) => {
        assert.ok(e instanceof MigrateError);
        assert.equal(e.exitName, 'CONNECTION');
        assert.match(e.message, /no answer within 0\.5 s \(--request-timeout\)/);
        return true;
      });
    } finally {
      conn.close();
    }
    const ms = Date.now() - t0;
    assert.ok(ms >= 900 && ms < 5000, `took ${ms} ms`);
  });

  it('etcd: a read that gets no answer fails as CONNECTION within the deadline, and a password in the URL is never printed', async () => {
    const src = EtcdSource.connect({ endpoints: [`http://127.0.0.1:${port}`], username: 'root', password: 'hunter2-secret' }, { timeoutMs: 800 });
    const t0 = Date.now();
    try {
      await assert.rejects(src.header(), (e: unknown) => {
        assert.ok(e instanceof MigrateError);
        assert.equal(e.exitName, 'CONNECTION');
        assert.doesNotMatch(e.message + (e.hint ?? ''), /hunter2-secret/);
        return true;
      });
    } finally {
      src.close();
    }
    const ms = Date.now() - t0;
    assert.ok(ms < 5000, `took ${ms} ms`);
  });
});
