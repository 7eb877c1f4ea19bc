import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/model/types.js';
import { normalizeLive, normalizeLiveNode } from '../../../src/plan/normalize.js';
import { MANAGED_NODE_ANNOTATIONS } from '../../../src/model/node-annotations.js';

const live: KubeObject = {
  apiVersion: 'crd.projectcalico.org/v1',
  kind: 'NetworkPolicy',
  metadata: {
    name: 'allow-web',
    namespace: 'prod',
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'x' }],
    selfLink: '/apis/...',
    deletionTimestamp: '2026-01-02T00:00:00Z',
    deletionGracePeriodSeconds: 0,
    finalizers: ['example.com/keep'],
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'o-1' }],
    labels: {},
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  spec: { order: 1 },
  status: { ready: true },
};

describe('normalizeLive', () => {
  it('drops server-managed fields, status, last-applied and empty maps; keeps finalizers and ownerReferences', () => {
    assert.deepEqual(normalizeLive(live), {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'allow-web',
        namespace: 'prod',
        finalizers: ['example.com/keep'],
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'o-1' }],
      },
      spec: { order: 1 },
    });
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(live);
    normalizeLive(live);
    assert.deepEqual(live, copy);
  });

  it('keeps other annotations', () => {
    const obj = structuredClone(live);
    obj.metadata.annotations!['projectcalico.org/metadata'] = '{"name":"allow-web"}';
    assert.deepEqual(normalizeLive(obj).metadata.annotations, { 'projectcalico.org/metadata': '{"name":"allow-web"}' });
  });
});

describe('normalizeLiveNode', () => {
  it('keeps only name and the Calico-managed annotations', () => {
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'worker-1',
        uid: 'n-1',
        resourceVersion: '9',
        labels: { 'kubernetes.io/hostname': 'worker-1' },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'projectcalico.org/IPv4Address': '10.0.0.1/24', 'projectcalico.org/kube-labels': '{}' },
      },
      spec: { podCIDR: '10.244.1.0/24' },
      status: { addresses: [] },
    };
    assert.deepEqual(normalizeLiveNode(node), {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker-1', annotations: { 'projectcalico.org/IPv4Address': '10.0.0.1/24' } },
    });
  });

  it('omits annotations when the node has none of ours', () => {
    assert.deepEqual(normalizeLiveNode({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', annotations: { a: 'b' } } }).metadata, { name: 'n' });
  });

  it('knows the 16 managed annotations', () => {
    assert.equal(MANAGED_NODE_ANNOTATIONS.length, 16);
    assert.ok(MANAGED_NODE_ANNOTATIONS.every((k) => k.startsWith('projectcalico.org/')));
  });
});
