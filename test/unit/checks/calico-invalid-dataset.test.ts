/** test/fixtures/calico-invalid holds what Calico's validator rejects; the demo dataset must hold none of it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { calicoValidation, contextFrom } from '../../../src/checks/calico-validation/index.js';
import { convertSnapshot } from '../../../src/convert/index.js';

function converted(file: string) {
  const entries = JSON.parse(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')) as Array<{ key: string; value: string }>;
  const kvs = [...entries].sort((a, b) => (a.key < b.key ? -1 : 1)).map((e) => ({ ...e, modRevision: 1 }));
  const r = convertSnapshot({ origin: 'etcd', endpoints: [], clusterId: null, revision: null, kvs });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
    `${file} converts`,
  );
  return r.objects;
}

describe('datasets and the calico-validation check', () => {
  it('test/fixtures/calico-invalid: one finding per planted defect, each naming object, field and rule', () => {
    const objects = converted('test/fixtures/calico-invalid/etcd.json');
    const c = calicoValidation(objects, contextFrom(objects), () => false);
    assert.equal(c.status, 'fail');
    assert.deepEqual(
      c.items.map((i) => /^(\S+ \S+): (\S+):.*\[([a-z0-9-]+)\]$/.exec(i)?.slice(1)),
      [
        ['IPPool loadbalancer-pool', 'spec.nodeSelector', 'ippool-loadbalancer-node-selector'],
        ['BGPPeer peer-missing-filter', 'spec.filters[1]', 'bgppeer-filters-exist'],
        ['GlobalNetworkPolicy bad-selector', 'spec.selector', 'selector-syntax'],
        ['NetworkPolicy dev/icmp-with-ports', 'spec.ingress[0].destination.ports', 'rule-ports-protocol'],
        ['Node cm-invalid-node-1', 'metadata.annotations["projectcalico.org/WireguardPublicKey"]', 'node-wireguard-public-key'],
      ],
    );
  });

  for (const file of ['examples/datasets/demo/etcd.json', 'test/fixtures/datasets/full/etcd.json']) {
    it(`${file} passes it (the demo must pass its own checks)`, () => {
      const objects = converted(file);
      const c = calicoValidation(objects, contextFrom(objects), () => false);
      assert.deepEqual([c.status, c.items], ['pass', []]);
    });
  }
});
