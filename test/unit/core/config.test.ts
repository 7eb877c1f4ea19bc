import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveSourceSettings } from '../../../src/config/source.js';
import { resolveKubeConfig } from '../../../src/config/target.js';
import { resolveSettings } from '../../../src/cli/settings.js';
import { backoffDelay } from '../../../src/adapters/kube/connection.js';
import { MigrateError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cm-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('connection settings', () => {
  it('reads etcd endpoints from flags, splitting commas', () => {
    const s = resolveSourceSettings({ 'etcd-endpoints': 'http://10.0.0.1:2379, http://10.0.0.2:2379' });
    assert.deepEqual(s.endpoints, ['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
  });

  it('reads a calicoctl etcdv3 config as the source', () => {
    const cfg = file(
      'etcd.cfg',
      'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata: {}\nspec:\n  datastoreType: etcdv3\n  etcdEndpoints: http://127.0.0.1:2379\n  etcdUsername: root\n  etcdPassword: s3cret\n',
    );
    const s = resolveSourceSettings({ 'source-config': cfg });
    assert.deepEqual(s.endpoints, ['http://127.0.0.1:2379']);
    assert.equal(s.username, 'root');
  });

  it('refuses a kubernetes calicoctl config as the source, naming the file and field', () => {
    const cfg = file('kdd.cfg', 'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata: {}\nspec:\n  datastoreType: kubernetes\n  kubeconfig: /nope\n');
    assert.throws(
      () => resolveSourceSettings({ 'source-config': cfg }),
      (e: unknown) => {
        assert.ok(e instanceof MigrateError);
        assert.match(e.message, /kdd\.cfg: spec\.datastoreType is "kubernetes", but the source datastore type must be etcdv3/);
        return true;
      },
    );
  });

  it('refuses an etcdv3 calicoctl config as the target', () => {
    const cfg = file('etcd2.cfg', 'kind: CalicoAPIConfig\nspec:\n  datastoreType: etcdv3\n  etcdEndpoints: http://127.0.0.1:2379\n');
    assert.throws(() => resolveKubeConfig({ 'target-config': cfg }, {}), /target datastore type must be kubernetes/);
  });

  it('never infers the target from the source: no kubeconfig is a usage error', () => {
    assert.throws(
      () => resolveKubeConfig({}, {}),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE',
    );
  });

  it('names a missing kubeconfig file', () => {
    assert.throws(() => resolveKubeConfig({ kubeconfig: '/does/not/exist' }, {}), /kubeconfig \/does\/not\/exist does not exist/);
  });

  it('takes credentials out of an endpoint URL (user:password@): the address never carries them', () => {
    const s = resolveSourceSettings({ 'etcd-endpoints': 'http://alice:s%40cret@10.0.0.1:2379,http://10.0.0.2:2379' });
    assert.deepEqual(s.endpoints, ['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    assert.equal(s.username, 'alice');
    assert.equal(s.password, 's@cret');
    const flagsWin = resolveSourceSettings({ 'etcd-endpoints': 'http://alice:x@10.0.0.1:2379', 'etcd-username': 'bob', 'etcd-password': 'y' });
    assert.deepEqual([flagsWin.endpoints, flagsWin.username, flagsWin.password], [['http://10.0.0.1:2379'], 'bob', 'y']);
  });

  it('refuses two sources at once (--from-export with --etcd-endpoints or --source-config), but not ETCD_ENDPOINTS from the environment', () => {
    assert.throws(
      () => resolveSettings({ 'from-export': 'x.yaml', 'etcd-endpoints': 'http://10.0.0.1:2379' }, {}),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE' && /both name the source/.test(e.message),
    );
    assert.throws(() => resolveSettings({ 'from-export': 'x.yaml', 'source-config': 'c.yaml' }, {}), /both name the source/);
    const s = resolveSettings({ 'from-export': 'x.yaml', 'etcd-endpoints': 'http://10.0.0.1:2379' }, { ETCD_ENDPOINTS: 'http://10.0.0.1:2379' });
    assert.deepEqual(s.source.ok && s.source.value, { type: 'export-file', file: 'x.yaml' });
  });

  it('rejects endpoints that are not URLs without echoing credentials', () => {
    assert.throws(
      () => resolveSourceSettings({ 'etcd-endpoints': 'http://user:pw@host:2379/x/y' }),
      (e: unknown) => {
        assert.ok(e instanceof MigrateError);
        assert.doesNotMatch(e.message, /pw/);
        return true;
      },
    );
  });
});

describe('retry backoff', () => {
  it('honours Retry-After seconds, spread over up to twice that so parallel workers do not return in lock-step', () => {
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(1, { baseDelayMs: 200, maxDelayMs: 10000 }, '1');
      assert.ok(d >= 1000 && d <= 2000, String(d));
    }
    assert.equal(backoffDelay(1, { baseDelayMs: 200, maxDelayMs: 3000 }, '5'), 3000);
  });
  it('grows exponentially with jitter and is capped', () => {
    for (let a = 1; a < 12; a++) {
      const d = backoffDelay(a, { baseDelayMs: 200, maxDelayMs: 10000 });
      const cap = Math.min(200 * 2 ** (a - 1), 10000);
      assert.ok(d >= cap / 2 && d <= cap, `attempt ${a}: ${d}`);
    }
  });
});

describe('source revision and digest', () => {
  it('the plan revision is the newest Calico mod_revision, ignoring volatile keys', async () => {
    const { dataRevision, sourceDigest } = await import('../../../src/plan/source-digest.js');
    const kvs = [
      { key: '/calico/resources/v3/projectcalico.org/tiers/default', value: '{}', modRevision: 40 },
      { key: '/calico/felix/v2/no-region/host/h/status', value: '{}', modRevision: 99 },
      { key: '/calico/resources/v3/projectcalico.org/clusterinformations/default', value: '{}', modRevision: 98 },
    ];
    assert.equal(dataRevision({ origin: 'etcd', kvs }), 40);
    assert.equal(dataRevision({ origin: 'export-file', kvs }), null);
    // A Felix heartbeat or a lock of the ClusterInformation does not change the digest.
    const moved = kvs.map((k) => (k.key.includes('/tiers/') ? k : { ...k, modRevision: k.modRevision + 1 }));
    assert.equal(sourceDigest({ origin: 'etcd', kvs: moved }), sourceDigest({ origin: 'etcd', kvs }));
    assert.notEqual(sourceDigest({ origin: 'etcd', kvs: [{ ...kvs[0]!, modRevision: 41 }] }), sourceDigest({ origin: 'etcd', kvs }));
  });
});
