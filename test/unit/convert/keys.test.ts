import assert from 'node:assert/strict';
import { classifyKey } from '../../../src/model/keys.js';

const V3 = '/calico/resources/v3/projectcalico.org/';

function skipCategory(key: string): string | undefined {
  const c = classifyKey(key);
  if (c.type === 'skipped') return c.category;
  if (c.type === 'v3-ipam') return c.skip.category;
  return undefined;
}

describe('model/keys classifyKey', () => {
  it('classifies cluster-scoped and namespaced v3 resources', () => {
    const gnp = classifyKey(`${V3}globalnetworkpolicies/default.foo`);
    assert.equal(gnp.type, 'resource');
    assert.ok(gnp.type === 'resource');
    assert.equal(gnp.info.kind, 'GlobalNetworkPolicy');
    assert.equal(gnp.namespace, null);
    assert.equal(gnp.name, 'default.foo');

    const np = classifyKey(`${V3}stagednetworkpolicies/team-b/platform.x`);
    assert.ok(np.type === 'resource');
    assert.equal(np.info.kind, 'StagedNetworkPolicy');
    assert.equal(np.namespace, 'team-b');
    assert.equal(np.name, 'platform.x');
  });

  it('recognises nodes and the ClusterInformation', () => {
    assert.deepEqual(classifyKey(`${V3}nodes/ip-10-0-0-1`), { type: 'node', name: 'ip-10-0-0-1' });
    assert.deepEqual(classifyKey(`${V3}clusterinformations/default`), { type: 'clusterinformation', name: 'default' });
    assert.equal(skipCategory(`${V3}clusterinformations/other`), 'cluster-information');
  });

  it('rejects v3 keys with the wrong number of segments', () => {
    for (const key of [`${V3}networkpolicies/only-name`, `${V3}ippools/ns/name`, `${V3}ippools/`, `${V3}networkpolicies/ns/`]) {
      const c = classifyKey(key);
      assert.equal(c.type, 'invalid', key);
    }
  });

  it('skips every derived or unused key family with a category', () => {
    const cases: Array<[string, string]> = [
      [`${V3}profiles/kns.prod`, 'kdd-derived-profile'],
      [`${V3}profiles/ksa.prod.default`, 'kdd-derived-profile'],
      [`${V3}profiles/projectcalico-default-allow`, 'kdd-derived-profile'],
      [`${V3}profiles/my-profile`, 'user-profile'],
      [`${V3}workloadendpoints/prod/node-k8s-pod-eth0`, 'workload-endpoint'],
      [`${V3}livemigrations/prod/mig-1`, 'live-migration'],
      [`${V3}caliconodestatuses/status-1`, 'calico-node-status'],
      [`${V3}networkpolicies/prod/knp.default.allow`, 'kdd-derived-policy'],
      ['/calico/felix/v2/no-region/host/h1/status', 'felix-status'],
      ['/calico/felix/v1/host/h1/endpoint/e1', 'felix-status'],
      ['/calico/v1/config/ClusterGUID', 'v1-syncer-model'],
      ['/calico/bgp/v1/host/h1/ip_addr_v4', 'v1-syncer-model'],
      ['/calico/ipam/v2/host/h1', 'ipam-legacy-host-dir'],
      [`${V3}ipamconfigurations/default`, 'v3-ipam-resource'],
      [`${V3}ipamconfigs/default`, 'v3-ipam-resource'],
      [`${V3}blockaffinities/h1-10-0-0-0-26`, 'v3-ipam-resource'],
    ];
    for (const [key, category] of cases) assert.equal(skipCategory(key), category, key);
    const user = classifyKey(`${V3}profiles/my-profile`);
    assert.ok(user.type === 'skipped' && user.userProfile === true);
  });

  it('does not skip staged policies named knp.default.* (only NetworkPolicies are mirrors)', () => {
    assert.equal(classifyKey(`${V3}stagednetworkpolicies/prod/knp.default.x`).type, 'resource');
  });

  it('parses IPAM block, affinity, handle and config keys', () => {
    assert.deepEqual(classifyKey('/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26'), {
      type: 'ipam-block',
      ipVersion: 4,
      cidr: '10.0.0.0/26',
      cidrName: '10-0-0-0-26',
    });
    assert.deepEqual(classifyKey('/calico/ipam/v2/assignment/ipv6/block/fd00::40-122'), {
      type: 'ipam-block',
      ipVersion: 6,
      cidr: 'fd00::40/122',
      cidrName: 'fd00--40-122',
    });
    assert.deepEqual(classifyKey('/calico/ipam/v2/virtual/lb-1/ipv4/block/10.100.0.0-26'), {
      type: 'ipam-affinity',
      affinityType: 'virtual',
      host: 'lb-1',
      ipVersion: 4,
      cidr: '10.100.0.0/26',
      cidrName: '10-100-0-0-26',
    });
    assert.deepEqual(classifyKey('/calico/ipam/v2/handle/k8s-pod-network.ABC'), { type: 'ipam-handle', handleId: 'k8s-pod-network.ABC' });
    assert.deepEqual(classifyKey('/calico/ipam/v2/config'), { type: 'ipam-config' });
  });

  it('rejects IPAM keys with bad CIDRs', () => {
    for (const key of [
      '/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-33',
      '/calico/ipam/v2/assignment/ipv4/block/fd00::-122',
      '/calico/ipam/v2/assignment/ipv4/block/10.0.0.1-26',
      '/calico/ipam/v2/host/h1/ipv6/block/10.0.0.0-26',
    ]) {
      const c = classifyKey(key);
      assert.ok(c.type === 'invalid' && c.code === 'invalid-cidr', key);
    }
  });

  it('fails closed on unknown kinds and keys', () => {
    const kind = classifyKey(`${V3}foobars/x`);
    assert.ok(kind.type === 'unknown' && kind.code === 'unknown-kind');
    assert.match(kind.message, /foobars/);
    for (const key of ['/calico/other/x', '/elsewhere', `${V3}ipamblocks/10-0-0-0-26`, '/calico/resources/v3/other.group/ippools/x', '/calico/ipam/v2/weird/x']) {
      const c = classifyKey(key);
      assert.equal(c.type, 'unknown', key);
    }
  });
});
