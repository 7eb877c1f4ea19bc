/**
 * Finding the target's configuration as kubectl does (src/config/target.ts): the KUBECONFIG list
 * merged, ~/.kube/config from HOME, the pod's service account; real files in a temp dir, the
 * environment and the service account directory passed in.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveKubeConfig, resolveTarget } from '../../../src/config/target.js';
import { resolveSettings } from '../../../src/cli/settings.js';
import { MigrateError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cm-kubeconfig-'));
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};
const yaml = (o: { clusters?: Array<[string, string]>; users?: Array<[string, string]>; contexts?: Array<[string, string, string]>; current?: string }) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: (o.clusters ?? []).map(([name, server]) => ({ name, cluster: { server, 'certificate-authority': 'ca.crt' } })),
    users: (o.users ?? []).map(([name, token]) => ({ name, user: { token } })),
    contexts: (o.contexts ?? []).map(([name, cluster, user]) => ({ name, context: { cluster, user } })),
    ...(o.current ? { 'current-context': o.current } : {}),
  });

const usage = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof MigrateError, String(e));
  assert.equal(e.exitName, 'USAGE');
  assert.match(e.message, pattern);
  return true;
};

describe('kubeconfig like kubectl', () => {
  const a = write(
    'a/config',
    yaml({
      clusters: [['shared', 'https://a.example:6443']],
      users: [['shared', 'token-a']],
      contexts: [['ctx-a', 'shared', 'shared']],
    }),
  );
  const b = write(
    'b/config',
    yaml({
      clusters: [
        ['shared', 'https://b.example:6443'],
        ['only-b', 'https://only-b.example:6443'],
      ],
      users: [
        ['shared', 'token-b'],
        ['user-b', 'token-b2'],
      ],
      contexts: [
        ['ctx-a', 'only-b', 'user-b'],
        ['ctx-b', 'only-b', 'user-b'],
      ],
      current: 'ctx-b',
    }),
  );
  const c = write('c/config', yaml({ contexts: [['ctx-c', 'shared', 'shared']], current: 'ctx-c' }));

  it('merges a KUBECONFIG list: the first file that sets a name wins, current-context from the first file that has one', () => {
    const t = resolveTarget({}, { KUBECONFIG: [a, b, c].join(':') });
    const kc = t.kubeConfig;
    assert.equal(kc.getCurrentContext(), 'ctx-b', 'a has none, b has one; c comes later');
    assert.equal(kc.getCluster('shared')?.server, 'https://a.example:6443');
    assert.equal(kc.getUser('shared')?.token, 'token-a');
    assert.equal(kc.getContextObject('ctx-a')?.cluster, 'shared', "a's ctx-a, not b's");
    assert.equal(kc.getCurrentCluster()?.server, 'https://only-b.example:6443');
    assert.equal(kc.getCluster('shared')?.caFile, path.join(dir, 'a', 'ca.crt'), "a relative path is the naming file's");
    assert.equal(kc.getCluster('only-b')?.caFile, path.join(dir, 'b', 'ca.crt'));
    assert.equal(t.origin, `KUBECONFIG ${a}, ${b}, ${c}`);
    assert.equal(resolveKubeConfig({ context: 'ctx-c' }, { KUBECONFIG: `${a}:${b}:${c}` }).getCurrentCluster()?.server, 'https://a.example:6443');
  });

  it('skips the files of the list that do not exist; none existing is USAGE naming them all', () => {
    const gone = path.join(dir, 'gone');
    const t = resolveTarget({}, { KUBECONFIG: `${gone}::${b}` });
    assert.equal(t.kubeConfig.getCurrentContext(), 'ctx-b');
    assert.equal(t.origin, `KUBECONFIG ${b} (missing, skipped: ${gone})`);
    assert.throws(() => resolveKubeConfig({}, { KUBECONFIG: `${gone}:${gone}2` }), usage(new RegExp(`none of the kubeconfig files in KUBECONFIG exists: ${gone}, ${gone}2`)));
  });

  it('reads KUBECONFIG that oclif folded into --kubeconfig as the list it is; a --kubeconfig of its own is one file', () => {
    assert.equal(resolveKubeConfig({ kubeconfig: `${a}:${b}` }, { KUBECONFIG: `${a}:${b}` }).getCurrentContext(), 'ctx-b');
    assert.throws(() => resolveKubeConfig({ kubeconfig: `${a}:${b}` }, {}), usage(/kubeconfig .*a\/config:.*b\/config does not exist/));
    assert.equal(resolveTarget({ kubeconfig: b }, { KUBECONFIG: a }).origin, `kubeconfig ${b}`, '--kubeconfig wins over KUBECONFIG');
  });

  it('names the files of a merged list when the context is missing', () => {
    assert.throws(() => resolveKubeConfig({ context: 'nope' }, { KUBECONFIG: `${a}:${b}` }), usage(new RegExp(`kubeconfig files ${a}, ${b} has no context "nope"`)));
  });

  it('an unreadable file of the list is USAGE naming it; an empty file is an empty kubeconfig', () => {
    const bad = write('bad/config', 'clusters: [ {');
    assert.throws(() => resolveKubeConfig({}, { KUBECONFIG: `${b}:${bad}` }), usage(new RegExp(`kubeconfig ${bad} cannot be read`)));
    const empty = write('empty/config', '');
    assert.equal(resolveKubeConfig({}, { KUBECONFIG: `${empty}:${b}` }).getCurrentContext(), 'ctx-b');
  });

  it('with neither --kubeconfig nor KUBECONFIG uses $HOME/.kube/config (HOME from the environment given)', () => {
    const home = path.join(dir, 'home');
    write('home/.kube/config', yaml({ clusters: [['h', 'https://home.example']], users: [['h', 't']], contexts: [['home', 'h', 'h']], current: 'home' }));
    const t = resolveTarget({}, { HOME: home });
    assert.equal(t.kubeConfig.getCurrentCluster()?.server, 'https://home.example');
    assert.equal(t.origin, `kubeconfig ${path.join(home, '.kube', 'config')}`);
    assert.equal(resolveKubeConfig({}, { HOME: home, KUBECONFIG: '' }).getCurrentContext(), 'home', 'an empty KUBECONFIG is unset');
    assert.throws(() => resolveKubeConfig({}, { HOME: path.join(dir, 'nohome') }), usage(/no kubeconfig: .*no .*nohome\/\.kube\/config, not in a pod/));
  });

  describe('in-cluster (the pod service account)', () => {
    const sa = path.join(dir, 'sa');
    const payload = Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:calico-system:calico-migrate' })).toString('base64url');
    write('sa/token', `eyJhbGciOiJSUzI1NiJ9.${payload}.c2ln\n`);
    write('sa/ca.crt', 'not read here');
    write('sa/namespace', 'calico-system\n');
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', HOME: path.join(dir, 'nohome') };

    it('uses the token, CA and namespace when there is no kubeconfig at all, naming the service account', () => {
      const t = resolveTarget({}, env, { serviceAccountDir: sa });
      const kc = t.kubeConfig;
      assert.equal(kc.getCurrentContext(), 'in-cluster');
      assert.equal(kc.getCurrentCluster()?.server, 'https://10.96.0.1:443');
      assert.equal(kc.getCurrentCluster()?.caFile, path.join(sa, 'ca.crt'));
      assert.equal(kc.getCurrentUser()?.name, 'system:serviceaccount:calico-system:calico-migrate');
      assert.deepEqual(kc.getCurrentUser()?.authProvider, { name: 'tokenFile', config: { tokenFile: path.join(sa, 'token') } }, 'read again as it rotates');
      assert.equal(kc.getContextObject('in-cluster')?.namespace, 'calico-system');
      assert.equal(t.origin, `the in-cluster service account (${path.join(sa, 'token')})`);
      assert.equal(resolveKubeConfig({}, { ...env, KUBERNETES_SERVICE_HOST: 'fd00::1' }, { serviceAccountDir: sa }).getCurrentCluster()?.server, 'https://[fd00::1]:443');
    });

    it('a kubeconfig wins over the service account; no token file or no service host: not in a pod', () => {
      assert.equal(resolveTarget({}, { ...env, KUBECONFIG: b }, { serviceAccountDir: sa }).origin, `KUBECONFIG ${b}`);
      assert.throws(() => resolveKubeConfig({}, env, { serviceAccountDir: path.join(dir, 'no-sa') }), usage(/not in a pod/));
      assert.throws(() => resolveKubeConfig({}, { ...env, KUBERNETES_SERVICE_PORT: undefined }, { serviceAccountDir: sa }), usage(/not in a pod/));
    });
  });

  it('carries the proxy variables of the environment to the connection, and only those', () => {
    const s = resolveSettings({ kubeconfig: b }, { HTTPS_PROXY: 'http://proxy:3128', no_proxy: '.svc', PATH: '/bin' });
    assert.ok(s.target.ok);
    assert.deepEqual(s.target.value.proxyEnv, { HTTPS_PROXY: 'http://proxy:3128', no_proxy: '.svc' });
  });
});
