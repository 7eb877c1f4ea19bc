import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeFilter } from '../../../src/model/filters.js';
import { WAVES } from '../../../src/model/kinds.js';
import type { DesiredObject, KubeObject } from '../../../src/model/types.js';
import { addressOf } from '../../../src/plan/address.js';
import { diffObjects, liveAddress, liveToFetch, missingNodes, type DiffInput, type LiveObject } from '../../../src/plan/diff.js';
import { liveEntry } from '../../../src/plan/live-index.js';
import { canonicalJson } from '../../../src/plan/canonical.js';
import { changedPaths } from '../../../src/plan/paths.js';
import type { ResourceChange } from '../../../src/plan/types.js';

const CRD = 'crd.projectcalico.org/v1';

function body(kind: string, name: string, spec: unknown, namespace?: string): KubeObject {
  return { apiVersion: CRD, kind, metadata: namespace ? { name, namespace } : { name }, spec };
}

function want(obj: KubeObject, key = `/calico/resources/v3/projectcalico.org/x/${obj.metadata.name}`): DesiredObject {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace ?? null, name: obj.metadata.name, body: obj, sources: [{ key, mod_revision: 7 }] };
}

/** The object as the server returns it after storing it. */
function served(obj: KubeObject, rv = '100'): LiveObject {
  const copy = structuredClone(obj);
  Object.assign(copy.metadata, { uid: `uid-${obj.metadata.name}`, resourceVersion: rv, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [{ manager: 'm' }] });
  return { object: copy };
}

function node(name: string, annotations: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, annotations } };
}

const only = (changes: ResourceChange[]) => {
  assert.equal(changes.length, 1, JSON.stringify(changes.map((c) => c.address)));
  return changes[0]!;
};

describe('changedPaths', () => {
  it('names leaves, brackets keys that are not plain words, and indexes arrays', () => {
    assert.deepEqual(changedPaths({ a: { b: 1, 'x.y/z': 2 }, l: [1, 2] }, { a: { b: 2, 'x.y/z': 2 }, l: [1] }), ['a.b', 'l[1]']);
    assert.deepEqual(changedPaths({ m: { k: '1' } }, {}), ['m.k']);
    assert.deepEqual(changedPaths({ m: {} }, {}), ['m']);
    assert.deepEqual(changedPaths(1, 'x'), ['$']);
    assert.deepEqual(changedPaths({ a: [1] }, { a: { 0: 1 } }), ['a']);
  });
});

describe('diffObjects', () => {
  it('creates what the target lacks, with after = the desired body and the source keys', () => {
    const np = body('NetworkPolicy', 'allow-web', { order: 100 }, 'prod');
    const c = only(diffObjects({ desired: [want(np)], live: [], prune: false }));
    assert.equal(c.address, 'crd.projectcalico.org/v1/NetworkPolicy/prod/allow-web');
    assert.deepEqual(c.change, { action: 'create', before: null, after: np, changed_paths: [] });
    assert.equal(c.wave, WAVES.policies);
    assert.deepEqual(c.target, { uid: null, resource_version: null });
    assert.deepEqual(c.source_keys, [{ key: '/calico/resources/v3/projectcalico.org/x/allow-web', mod_revision: 7 }]);
    assert.equal(c.dry_run, null);
    assert.equal(c.change.after, np, 'after is the desired body itself: one copy of each object in memory, not two');
  });

  it('is a no-op when the live object differs only in server-managed fields', () => {
    const pool = body('IPPool', 'p', { cidr: '10.0.0.0/16' });
    const live = served(pool);
    live.object.status = { x: 1 };
    live.object.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
    const c = only(diffObjects({ desired: [want(pool)], live: [live], prune: false }));
    assert.deepEqual(c.change, { action: 'no-op', before: null, after: null, changed_paths: [] });
    assert.deepEqual(c.target, { uid: 'uid-p', resource_version: '100' });
  });

  it('updates with sorted changed paths, before = normalised live, after = desired, and the live preconditions', () => {
    const desired = body('GlobalNetworkPolicy', 'g', { order: 2, selector: 'all()', types: ['Ingress', 'Egress'] });
    desired.metadata.labels = { 'projectcalico.org/tier': 'default' };
    const live = served(body('GlobalNetworkPolicy', 'g', { order: 1, selector: 'all()', types: ['Ingress'], extra: true }), '555');
    const c = only(diffObjects({ desired: [want(desired)], live: [live], prune: false }));
    assert.equal(c.change.action, 'update');
    assert.deepEqual(c.change.changed_paths, ['metadata.labels["projectcalico.org/tier"]', 'spec.extra', 'spec.order', 'spec.types[1]']);
    assert.deepEqual(c.change.before, body('GlobalNetworkPolicy', 'g', { order: 1, selector: 'all()', types: ['Ingress'], extra: true }));
    assert.deepEqual(c.change.after, desired);
    assert.deepEqual(c.target, { uid: 'uid-g', resource_version: '555' });
  });

  it('treats an empty labels map on the desired side like an absent one', () => {
    const desired = body('Tier', 't', { order: 1 });
    desired.metadata.labels = {};
    const c = only(diffObjects({ desired: [want(desired)], live: [served(body('Tier', 't', { order: 1 }))], prune: false }));
    assert.equal(c.change.action, 'no-op');
  });

  it('compares with a server dry-run result when given, so CRD defaults are not a change', () => {
    const desired = body('IPPool', 'p', { cidr: '10.0.0.0/16' });
    const live = served(body('IPPool', 'p', { cidr: '10.0.0.0/16', assignmentMode: 'Automatic' }));
    assert.equal(only(diffObjects({ desired: [want(desired)], live: [live], prune: false })).change.action, 'update');
    const dryRunResults = new Map([[`${CRD}/IPPool/p`, served(body('IPPool', 'p', { cidr: '10.0.0.0/16', assignmentMode: 'Automatic' }), '101').object]]);
    assert.equal(only(diffObjects({ desired: [want(desired)], live: [live], prune: false, dryRunResults })).change.action, 'no-op');
  });

  it('lists live objects missing from the source as extra, or deletes them with prune', () => {
    const set = served(body('GlobalNetworkSet', 'old', { nets: [] }), '9');
    const extra = only(diffObjects({ desired: [], live: [set], prune: false }));
    assert.deepEqual(extra.change, { action: 'extra', before: body('GlobalNetworkSet', 'old', { nets: [] }), after: null, changed_paths: [] });
    assert.deepEqual(extra.source_keys, []);
    const del = only(diffObjects({ desired: [], live: [set], prune: true }));
    assert.equal(del.change.action, 'delete');
    assert.deepEqual(del.change.before, body('GlobalNetworkSet', 'old', { nets: [] }));
    assert.deepEqual(del.target, { uid: 'uid-old', resource_version: '9' });
  });

  it('never deletes protected tiers, unmigrated kinds, Nodes or the ClusterInformation', () => {
    const live = [
      served(body('Tier', 'default', { order: 1000000 })),
      served(body('Tier', 'kube-admin', { order: 1000 })),
      served(body('Tier', 'kube-baseline', { order: 10000 })),
      served(body('CalicoNodeStatus', 'st', {})),
      served(node('n1', { 'projectcalico.org/IPv4Address': '10.0.0.1/24' })),
      served(body('ClusterInformation', 'default', { datastoreReady: true })),
    ];
    const changes = diffObjects({ desired: [], live, prune: true });
    const byAddress = Object.fromEntries(changes.map((c) => [c.address, c.change.action]));
    assert.deepEqual(byAddress, {
      [`${CRD}/Tier/default`]: 'no-op',
      [`${CRD}/Tier/kube-admin`]: 'no-op',
      [`${CRD}/Tier/kube-baseline`]: 'no-op',
      [`${CRD}/CalicoNodeStatus/st`]: 'extra',
      'v1/Node/n1': 'extra',
    });
  });

  it('ignores Kubernetes Nodes that carry no Calico annotations', () => {
    assert.deepEqual(diffObjects({ desired: [], live: [served(node('plain', { 'node.alpha.kubernetes.io/ttl': '0' }))], prune: true }), []);
  });

  describe('Nodes', () => {
    const k8s = { 'node.alpha.kubernetes.io/ttl': '0' };

    it('updates when a managed annotation is added, and ignores the other annotations', () => {
      const desired = node('n1', { 'projectcalico.org/IPv4Address': '10.0.0.1/24', 'projectcalico.org/ASNumber': '64512' });
      const live = served(node('n1', { ...k8s, 'projectcalico.org/IPv4Address': '10.0.0.1/24' }));
      const c = only(diffObjects({ desired: [want(desired)], live: [live], prune: false }));
      assert.equal(c.address, 'v1/Node/n1');
      assert.equal(c.wave, WAVES.nodes);
      assert.deepEqual(c.change.changed_paths, ['metadata.annotations["projectcalico.org/ASNumber"]']);
      assert.deepEqual(c.change.before, node('n1', { 'projectcalico.org/IPv4Address': '10.0.0.1/24' }));
      assert.deepEqual(c.change.after, desired);
    });

    it('updates to remove a managed annotation the source does not have', () => {
      const desired = node('n1', { 'projectcalico.org/IPv4Address': '10.0.0.1/24' });
      const live = served(node('n1', { ...k8s, 'projectcalico.org/IPv4Address': '10.0.0.1/24', 'projectcalico.org/IPv6Address': 'fd00::1/64' }));
      const c = only(diffObjects({ desired: [want(desired)], live: [live], prune: false }));
      assert.equal(c.change.action, 'update');
      assert.deepEqual(c.change.changed_paths, ['metadata.annotations["projectcalico.org/IPv6Address"]']);
    });

    it('is a no-op when the managed annotations match, whatever else the node has', () => {
      const desired = node('n1', { 'projectcalico.org/IPv4Address': '10.0.0.1/24' });
      const live = served(node('n1', { ...k8s, 'projectcalico.org/IPv4Address': '10.0.0.1/24' }));
      live.object.spec = { podCIDR: '10.244.0.0/24' };
      live.object.status = { addresses: [] };
      live.object.metadata.labels = { role: 'worker' };
      assert.equal(only(diffObjects({ desired: [want(desired)], live: [live], prune: false })).change.action, 'no-op');
    });

    it('never plans a create for a Node the target lacks; missingNodes reports it', () => {
      const desired = [want(node('gone', { 'projectcalico.org/IPv4Address': '10.0.0.9/24' })), want(node('here', {}))];
      const live = [served(node('here', {}))];
      const changes = diffObjects({ desired, live, prune: false });
      assert.deepEqual(
        changes.map((c) => [c.address, c.change.action]),
        [['v1/Node/here', 'no-op']],
      );
      assert.deepEqual(missingNodes(desired, live), ['gone']);
    });
  });

  it('applies the filter to both sides', () => {
    const desired = [want(body('Tier', 'a', {})), want(body('IPPool', 'p', {}))];
    const live = [served(body('GlobalNetworkSet', 's', {})), served(body('IPPool', 'q', {}))];
    const changes = diffObjects({ desired, live, prune: true, filter: (t) => t.kind === 'IPPool' });
    assert.deepEqual(
      changes.map((c) => [c.name, c.change.action]),
      [
        ['p', 'create'],
        ['q', 'delete'],
      ],
    );
  });

  it('gives the filter kind, namespace (null when cluster-scoped) and name, as --include patterns see them', () => {
    const seen: Array<[string, string | null, string]> = [];
    const desired = [want(body('NetworkPolicy', 'allow', {}, 'prod')), want(body('Tier', 'a', {}))];
    const live = [served(body('NetworkPolicy', 'old', {}, 'dev'))];
    diffObjects({ desired, live, prune: false, filter: (t) => (seen.push([t.kind, t.namespace, t.name]), true) });
    assert.deepEqual(seen.sort(), [
      ['NetworkPolicy', 'dev', 'old'],
      ['NetworkPolicy', 'prod', 'allow'],
      ['Tier', null, 'a'],
    ]);
    const only = makeFilter(['NetworkPolicy/prod'], []);
    assert.deepEqual(
      diffObjects({ desired, live, prune: true, filter: only }).map((c) => c.name),
      ['allow'],
    );
  });

  it('sorts by wave, kind, namespace (cluster-scoped first), name', () => {
    const desired = [
      want(body('IPAMBlock', '10-0-0-0-26', {})),
      want(body('NetworkPolicy', 'b', {}, 'ns2')),
      want(body('NetworkPolicy', 'a', {}, 'ns2')),
      want(body('NetworkPolicy', 'z', {}, 'ns1')),
      want(body('GlobalNetworkPolicy', 'z', {})),
      want(body('FelixConfiguration', 'node.n1', {})),
      want(body('FelixConfiguration', 'default', {})),
      want(body('Tier', 't', {})),
    ];
    const order = diffObjects({ desired, live: [], prune: false }).map((c) => `${c.wave} ${c.kind} ${c.namespace ?? '-'} ${c.name}`);
    assert.deepEqual(order, [
      '1 Tier - t',
      '2 FelixConfiguration - default',
      '3 GlobalNetworkPolicy - z',
      '3 NetworkPolicy ns1 z',
      '3 NetworkPolicy ns2 a',
      '3 NetworkPolicy ns2 b',
      '5 FelixConfiguration - node.n1',
      '7 IPAMBlock - 10-0-0-0-26',
    ]);
  });

  it('gives the same result whatever order the inputs come in', () => {
    const desired = [want(body('Tier', 'a', {})), want(body('IPPool', 'p', { x: 1 })), want(body('NetworkSet', 's', {}, 'n'))];
    const live = [served(body('IPPool', 'p', { x: 2 })), served(body('GlobalNetworkSet', 'g', {}))];
    const one = diffObjects({ desired, live, prune: false });
    const two = diffObjects({ desired: [...desired].reverse(), live: [...live].reverse(), prune: false });
    assert.deepEqual(two, one);
  });

  it('refuses two desired objects with one address, and unknown kinds (both are bugs upstream)', () => {
    const t = want(body('Tier', 'a', {}));
    assert.throws(() => diffObjects({ desired: [t, t], live: [], prune: false }), /two desired objects have the address crd\.projectcalico\.org\/v1\/Tier\/a/);
    assert.throws(() => diffObjects({ desired: [want(body('Widget', 'w', {}))], live: [], prune: false }), /unknown kind Widget/);
  });

  it('after a pre-copy, deletes what it created and the source dropped (same uid), and nothing else, without prune', () => {
    const live = [served(body('NetworkSet', 'gone', {}, 'n')), served(body('NetworkSet', 'remade', {}, 'n')), served(body('NetworkSet', 'theirs', {}, 'n')), served(body('IPPool', 'kept', {}))];
    const owned = new Map([
      [`${CRD}/NetworkSet/n/gone`, 'uid-gone'],
      // Deleted and made again by someone else since: not ours any more.
      [`${CRD}/NetworkSet/n/remade`, 'uid-of-the-one-we-made'],
      [`${CRD}/IPPool/kept`, 'uid-kept'],
    ]);
    const changes = diffObjects({ desired: [want(body('IPPool', 'kept', {}))], live, prune: false, owned });
    assert.deepEqual(
      changes.map((c) => `${c.change.action} ${c.name}`),
      ['no-op kept', 'delete gone', 'extra remade', 'extra theirs'],
    );
    assert.deepEqual(changes.find((c) => c.name === 'gone')?.target, { uid: 'uid-gone', resource_version: '100' });
  });

  it('with an index, compares by digest, and refuses to describe a live object it was not given whole (a bug upstream)', () => {
    const pol = body('GlobalNetworkPolicy', 'p', { order: 1 });
    const stored = served(pol).object;
    const index = new Map([[liveAddress(stored), liveEntry(stored)]]);
    const same = only(diffObjects({ desired: [want(pol)], live: [], index, prune: false }));
    assert.equal(same.change.action, 'no-op');
    assert.deepEqual(same.target, { uid: 'uid-p', resource_version: '100' });
    const changed = body('GlobalNetworkPolicy', 'p', { order: 2 });
    assert.throws(() => diffObjects({ desired: [want(changed)], live: [], index, prune: false }), /needed whole and was not fetched/);
    assert.throws(() => diffObjects({ desired: [], live: [], index, prune: true }), /needed whole and was not fetched/);
    assert.deepEqual(
      liveToFetch({ desired: [want(changed)], live: [], index, prune: false }).map((e) => e.name),
      ['p'],
    );
  });

  it('does not mutate its inputs', () => {
    const desired = [want(body('IPPool', 'p', { x: 1 }))];
    const live = [served(body('IPPool', 'p', { x: 2 }))];
    const snapshot = structuredClone({ desired, live });
    diffObjects({ desired, live, prune: true });
    assert.deepEqual({ desired, live }, snapshot);
  });

  describe('properties', () => {
    const kinds = ['Tier', 'IPPool', 'GlobalNetworkPolicy', 'NetworkPolicy', 'FelixConfiguration', 'IPAMBlock', 'BlockAffinity'];
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/);
    const objectArb = fc
      .record({
        kind: fc.constantFrom(...kinds),
        name,
        namespace: fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined }),
        labels: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: undefined }),
        spec: fc.jsonValue(),
      })
      .map(({ kind, name, namespace, labels, spec }): KubeObject => ({
        apiVersion: CRD,
        kind,
        metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
        spec,
      }));
    const unique = fc.uniqueArray(objectArb, { selector: (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, maxLength: 12 });

    it('diff(desired, live made from desired) is all no-op', () => {
      fc.assert(
        fc.property(unique, (objects) => {
          const changes = diffObjects({ desired: objects.map((o) => want(o)), live: objects.map((o) => served(o)), prune: true });
          assert.equal(changes.length, objects.length);
          for (const c of changes) assert.equal(c.change.action, 'no-op', c.address);
        }),
      );
    });

    it('never throws for arbitrary objects on both sides, and every object appears once', () => {
      fc.assert(
        fc.property(unique, unique, fc.boolean(), (desired, live, prune) => {
          const changes = diffObjects({ desired: desired.map((o) => want(o)), live: live.map((o) => ({ object: o })), prune });
          const addresses = changes.map((c) => c.address);
          assert.equal(new Set(addresses).size, addresses.length);
          for (const c of changes) {
            const action = c.change.action;
            assert.equal(action === 'update', c.change.changed_paths.length > 0);
          }
        }),
      );
    });

    it('with the live side as index entries, fetching only what liveToFetch names gives the same diff, and it names no no-op', () => {
      fc.assert(
        fc.property(unique, unique, fc.boolean(), fc.nat(12), (wanted, others, prune, same) => {
          // Some live objects are the desired ones as stored (no-ops), the others anything.
          const live = [...new Map([...others, ...wanted.slice(0, same).map((o) => served(o).object)].map((o) => [liveAddress(o), o])).values()];
          const desired = wanted.map((o) => want(o));
          const whole = diffObjects({ desired, live: live.map((object) => ({ object })), prune });
          const indexed: DiffInput = { desired, live: [], index: new Map(live.map((o) => [liveAddress(o), liveEntry(o)])), prune };
          const fetched = new Set(liveToFetch(indexed).map((e) => addressOf(e.apiVersion, e.kind, e.namespace, e.name)));
          const result = diffObjects({ ...indexed, live: live.filter((o) => fetched.has(liveAddress(o))).map((object) => ({ object })) });
          assert.deepEqual(result, whole);
          for (const c of whole) if (c.change.action === 'no-op') assert.ok(!fetched.has(c.address), `${c.address} is a no-op, yet fetched`);
        }),
      );
    });

    it('changedPaths is empty exactly for equal values, and symmetric', () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
          assert.deepEqual(changedPaths(a, a), []);
          assert.deepEqual(changedPaths(a, b), changedPaths(b, a));
          assert.equal(changedPaths(a, b).length === 0, canonicalJson(a) === canonicalJson(b));
        }),
      );
    });
  });
});
