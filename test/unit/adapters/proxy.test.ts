/** Which proxy the target connection uses (src/adapters/kube/proxy.ts): Go's ProxyFromEnvironment rules, the kubeconfig's proxy-url first. */
import assert from 'node:assert/strict';
import { bypassed, proxyFor } from '../../../src/adapters/kube/proxy.js';
import { MigrateError } from '../../../src/errors.js';

const env = { HTTPS_PROXY: 'http://proxy.corp:3128' };
const via = (server: string, e: NodeJS.ProcessEnv, proxyUrl?: string) => proxyFor(server, proxyUrl, e)?.href;

describe('proxy choice', () => {
  it('HTTPS_PROXY (then https_proxy) for an https server; none without', () => {
    assert.equal(via('https://api.example:6443', env), 'http://proxy.corp:3128/');
    assert.equal(via('https://api.example:6443', { https_proxy: 'http://lower:1' }), 'http://lower:1/');
    assert.equal(via('https://api.example:6443', { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' }), 'http://upper:1/');
    assert.equal(via('https://api.example:6443', { HTTP_PROXY: 'http://plain:1' }), undefined, 'HTTP_PROXY is for http:// servers');
    assert.equal(via('https://api.example:6443', {}), undefined);
    assert.equal(via('https://api.example:6443', { HTTPS_PROXY: 'proxy.corp:3128' }), 'http://proxy.corp:3128/', 'no scheme: http://, as Go');
  });

  it("the kubeconfig's proxy-url wins over the environment and over NO_PROXY, for every host (loopback too)", () => {
    assert.equal(via('https://api.example:6443', env, 'http://kc-proxy:8080'), 'http://kc-proxy:8080/');
    assert.equal(via('https://api.example:6443', { ...env, NO_PROXY: '*' }, 'http://kc-proxy:8080'), 'http://kc-proxy:8080/');
    assert.equal(via('https://127.0.0.1:6443', {}, 'http://kc-proxy:8080'), 'http://kc-proxy:8080/');
  });

  it('as Go, the environment proxy is never used for localhost or a loopback address', () => {
    for (const s of ['https://localhost:6443', 'https://127.0.0.1:6443', 'https://127.1.2.3', 'https://[::1]:6443']) assert.equal(via(s, env), undefined, s);
    assert.equal(via('https://10.0.0.1:6443', env), 'http://proxy.corp:3128/');
  });

  it('NO_PROXY (then no_proxy) bypasses the proxy for the hosts it names', () => {
    assert.equal(via('https://api.example:6443', { ...env, NO_PROXY: 'api.example' }), undefined);
    assert.equal(via('https://api.example:6443', { ...env, no_proxy: 'api.example' }), undefined);
    assert.equal(via('https://api.example:6443', { ...env, NO_PROXY: 'other', no_proxy: 'api.example' }), 'http://proxy.corp:3128/', 'NO_PROXY first, as Go');
  });

  it("NO_PROXY entries by Go's rules: *, names and their subdomains, .suffix, host:port, IPs and CIDRs", () => {
    const cases: Array<[string, number, string, boolean]> = [
      ['api.example', 6443, '*', true],
      ['api.example', 6443, 'example', true],
      ['api.example', 6443, 'api.example', true],
      ['api.example', 6443, 'x.api.example', false],
      ['api.example', 6443, '.example', true],
      ['example', 6443, '.example', false],
      ['example', 6443, 'example', true],
      ['a.b.example', 6443, '*.example', true],
      ['notexample', 6443, 'example', false],
      ['API.Example', 6443, ' other , api.example ', true],
      ['api.example', 6443, 'api.example:6443', true],
      ['api.example', 6443, 'api.example:443', false],
      ['10.1.2.3', 6443, '10.1.2.3', true],
      ['10.1.2.3', 6443, '10.0.0.0/8', true],
      ['11.1.2.3', 6443, '10.0.0.0/8', false],
      ['fd00::5', 6443, 'fd00::/64', true],
      ['fd00::5', 6443, '[fd00::5]:6443', true],
      ['api.example', 6443, '', false],
    ];
    for (const [host, port, noProxy, want] of cases) assert.equal(bypassed(host, port, noProxy), want, `${host}:${port} NO_PROXY=${noProxy}`);
  });

  it('a socks or other proxy URL is USAGE naming where it came from', () => {
    assert.throws(
      () => proxyFor('https://api.example', 'socks5://p:1080', {}),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE' && /proxy-url socks5:\/\/p:1080 is not an http/.test(e.message),
    );
    assert.throws(() => proxyFor('https://api.example', undefined, { HTTPS_PROXY: 'socks5://p:1080' }), /HTTPS_PROXY socks5:\/\/p:1080/);
  });
});
