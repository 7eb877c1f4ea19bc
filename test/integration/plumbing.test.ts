/** The real etcd and kube-apiserver answer, and the libraries the tool uses can write and read both. */
import assert from 'node:assert/strict';
import { CustomObjectsApi, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { EtcdSource } from '../../src/adapters/etcd/source.js';
import { etcdClient, resetDatastores, testCluster } from './support/cluster.js';

describe('plumbing: real etcd and kube-apiserver', function () {
  before(resetDatastores);

  it('stores a projectcalico.org/v3 object in etcd and reads it back', async () => {
    const etcd = etcdClient();
    try {
      const key = '/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool';
      const value = { kind: 'IPPool', apiVersion: 'projectcalico.org/v3', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: '192.168.0.0/16', ipipMode: 'Always', natOutgoing: true } };
      await etcd.put(key).value(JSON.stringify(value));
      const read = JSON.parse((await etcd.get(key).string())!);
      assert.deepEqual(read, value);
    } finally {
      etcd.close();
    }
  });

  it("the etcd source reads pages larger than grpc's 4 MB default (busy nodes' IPAM blocks), in pages sized by the bytes read", async () => {
    const etcd = etcdClient();
    const prefix = '/calico/ipam/v2/assignment/ipv4/block/';
    const big = 'x'.repeat(300 * 1024);
    try {
      for (let i = 0; i < 30; i++) await etcd.put(`${prefix}10.0.${i}.0-26`).value(big); // 9 MB in one page
      // Small first pages, then pages sized from the bytes seen: every key once, in order.
      for (const pageSize of [2000, 7]) {
        const source = EtcdSource.connect({ endpoints: [testCluster().etcd.endpoint] }, { pageSize });
        try {
          const snap = await source.readSnapshot({ prefix });
          assert.equal(snap.kvs.length, 30, `page size ${pageSize}`);
          assert.ok(snap.kvs.every((kv) => kv.value.length === big.length));
          assert.deepEqual(
            snap.kvs.map((kv) => kv.key),
            [...snap.kvs.map((kv) => kv.key)].sort(),
          );
        } finally {
          source.close();
        }
      }
    } finally {
      await etcd.delete().prefix(prefix);
      etcd.close();
    }
  });

  it('changesSince names the keys written after a revision and counts the deletes, leaving out the ignored prefixes; a compacted revision is null', async () => {
    const etcd = etcdClient();
    const R = '/calico/resources/v3/projectcalico.org/networksets/ns/';
    const source = EtcdSource.connect({ endpoints: [testCluster().etcd.endpoint] });
    try {
      for (let i = 0; i < 5; i++) await etcd.put(`${R}set-${i}`).value(`{"v":${i}}`);
      const since = (await source.header()).revision;
      assert.deepEqual(await source.changesSince(since, ['/calico/felix/']), { revision: since, written: [], deleted: 0 });
      await etcd.put(`${R}set-1`).value('{"v":11}');
      await etcd.put(`${R}set-9`).value('{"v":9}');
      await etcd.delete().key(`${R}set-3`);
      await etcd.delete().key(`${R}set-4`);
      await etcd.put('/calico/felix/v2/host/a/status').value('{}'); // ignored: volatile
      const ch = await source.changesSince(since, ['/calico/felix/']);
      assert.ok(ch);
      assert.deepEqual(
        ch.written.map((kv) => [kv.key.slice(R.length), kv.value]),
        [
          ['set-1', '{"v":11}'],
          ['set-9', '{"v":9}'],
        ],
      );
      assert.equal(ch.deleted, 2);
      await etcd.kv.compact({ revision: (await source.header()).revision });
      assert.equal(await source.changesSince(since, ['/calico/felix/']), null);
    } finally {
      source.close();
      await etcd.delete().prefix(R);
      await etcd.delete().prefix('/calico/felix/');
      etcd.close();
    }
  });

  it('creates a crd.projectcalico.org/v1 IPPool and a v1 Node with client-node and reads them back', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(testCluster().kubeconfig);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const core = kc.makeApiClient(CoreV1Api);
    await custom.createClusterCustomObject({
      group: 'crd.projectcalico.org',
      version: 'v1',
      plural: 'ippools',
      body: {
        apiVersion: 'crd.projectcalico.org/v1',
        kind: 'IPPool',
        metadata: { name: 'pool-a' },
        spec: { cidr: '10.10.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Always', natOutgoing: true },
      },
    });
    await core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', labels: { zone: 'a' } } } });

    const pool = await custom.getClusterCustomObject({ group: 'crd.projectcalico.org', version: 'v1', plural: 'ippools', name: 'pool-a' });
    assert.equal(pool.spec.cidr, '10.10.0.0/16');
    assert.equal(pool.spec.vxlanMode, 'Always');
    const node = await core.readNode({ name: 'node-a' });
    assert.equal(node.metadata?.labels?.zone, 'a');
  });

  it('has all 22 crd.projectcalico.org CRDs Established', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(testCluster().kubeconfig);
    const res = await fetchCrds(kc);
    const calico = res.filter((c: any) => c.spec.group === 'crd.projectcalico.org');
    assert.equal(calico.length, 22);
    for (const c of calico)
      assert.ok(
        c.status.conditions.some((x: any) => x.type === 'Established' && x.status === 'True'),
        c.metadata.name,
      );
  });
});

async function fetchCrds(kc: KubeConfig): Promise<any[]> {
  const { ApiextensionsV1Api } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(ApiextensionsV1Api);
  return (await api.listCustomResourceDefinition()).items;
}
