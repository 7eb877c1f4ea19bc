import assert from 'node:assert/strict';
import { cidrWithin, ipamConsistency } from '../../../src/checks/ipam.js';
import { namesValid, nameProblem } from '../../../src/checks/names.js';
import { requiredPermissions, rbacCheck } from '../../../src/checks/rbac.js';
import { namespacesExist, nodesExist, tiersExist } from '../../../src/checks/references.js';
import { crdsEstablished } from '../../../src/checks/crds.js';
import { parseCidr } from '../../../src/model/cidr.js';
import { NODE_ANNOTATIONS } from '../../../src/convert/node.js';
import { MANAGED_NODE_ANNOTATIONS } from '../../../src/model/node-annotations.js';
import { ALL_CRD_KINDS } from '../../../src/model/kinds.js';
import { changeBody } from '../../../src/plan/change-body.js';

const OBJ = { apiVersion: 'v1', kind: 'X', metadata: { name: 'n' } };
import type { DesiredObject } from '../../../src/model/types.js';
import type { ResourceChange } from '../../../src/plan/types.js';

function obj(kind: string, name: string, spec: Record<string, unknown> = {}, namespace: string | null = null): DesiredObject {
  return {
    apiVersion: kind === 'Node' ? 'v1' : 'crd.projectcalico.org/v1',
    kind,
    namespace,
    name,
    body: { apiVersion: 'crd.projectcalico.org/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec },
    sources: [{ key: `/calico/x/${name}`, mod_revision: 1 }],
  };
}

const pool = obj('IPPool', 'p', { cidr: '10.0.0.0/16' });
/** A /26 whose ordinal 0 is allocated to attribute 0 (handle h1): allocations one per ordinal, the rest unallocated. */
const blockSpec = (over: Record<string, unknown> = {}) => ({
  cidr: '10.0.1.0/26',
  affinity: 'host:n1',
  allocations: [0, ...Array.from({ length: 63 }, () => null)],
  unallocated: Array.from({ length: 63 }, (_, i) => i + 1),
  attributes: [{ handle_id: 'h1', secondary: {} }, { secondary: {} }],
  ...over,
});
const block = obj('IPAMBlock', '10-0-1-0-26', blockSpec());
const handle = obj('IPAMHandle', 'h1', { handleID: 'h1', block: { '10.0.1.0/26': 1 } });
const affinity = obj('BlockAffinity', 'n1-10-0-1-0-26', { cidr: '10.0.1.0/26', node: 'n1', state: 'confirmed', type: 'host' });

describe('checks', () => {
  it('IPAM: a consistent set passes', () => {
    assert.equal(ipamConsistency([pool, block, handle, affinity], []).status, 'pass');
  });

  it('IPAM: names a dangling handle, a missing block, a mismatched affinity and a block outside every pool', () => {
    const orphanHandle = obj('IPAMHandle', 'h2', { handleID: 'h2', block: { '10.0.9.0/26': 1 } });
    const wrongAffinity = obj('BlockAffinity', 'n2-10-0-1-0-26', { cidr: '10.0.1.0/26', node: 'n2', state: 'confirmed', type: 'host' });
    const outside = obj('IPAMBlock', '192-168-0-0-26', { cidr: '192.168.0.0/26', attributes: [] });
    const c = ipamConsistency([pool, block, orphanHandle, wrongAffinity, outside], []);
    assert.equal(c.status, 'fail');
    const text = c.items.join('\n');
    assert.match(text, /IPAMBlock 10-0-1-0-26: attributes\[0\] handle h1 has no IPAMHandle/);
    assert.match(text, /IPAMHandle h2: block 10\.0\.9\.0\/26 has no IPAMBlock/);
    assert.match(text, /BlockAffinity n2-10-0-1-0-26: block 10\.0\.1\.0\/26 has affinity host:n1, not host:n2/);
    assert.match(text, /IPAMBlock 192-168-0-0-26: 192\.168\.0\.0\/26 lies in no IPPool/);
  });

  it("IPAM: a block breaking Calico's own invariants is named (allocations per ordinal, indexes into attributes, unallocated exactly the free ordinals)", () => {
    const items = (over: Record<string, unknown>) => ipamConsistency([pool, obj('IPAMBlock', '10-0-1-0-26', blockSpec(over)), handle, affinity], []).items.join('\n');
    assert.match(items({ allocations: [0, null] }), /IPAMBlock 10-0-1-0-26: allocations has 2 entries, not the 64 of a \/26/);
    assert.match(items({ allocations: [5, ...Array.from({ length: 63 }, () => null)] }), /allocations\[0\] = 5 is not an index into its 2 attributes/);
    assert.match(items({ unallocated: [0, ...Array.from({ length: 63 }, (_, i) => i + 1)] }), /ordinal 0 is both allocated and in unallocated/);
    assert.match(items({ unallocated: Array.from({ length: 62 }, (_, i) => i + 1) }), /1 ordinal\(s\) are neither allocated nor in unallocated/);
    assert.match(items({ unallocated: [1, 1, ...Array.from({ length: 62 }, (_, i) => i + 2)] }), /unallocated lists ordinal 1 twice/);
    assert.match(items({ unallocated: [64, ...Array.from({ length: 62 }, (_, i) => i + 1)] }), /unallocated holds 64, not an ordinal of the block/);
  });

  it('IPAM: each handle counts exactly the addresses its blocks give it', () => {
    const two = obj('IPAMHandle', 'h1', { handleID: 'h1', block: { '10.0.1.0/26': 2 } });
    assert.match(ipamConsistency([pool, block, two, affinity], []).items.join('\n'), /IPAMBlock 10-0-1-0-26: 1 address\(es\) allocated to handle h1, whose IPAMHandle counts 2 in 10\.0\.1\.0\/26/);
  });

  it('IPAM: under --include, references resolve against the whole source and the live target, not only the selection', () => {
    // Only the block is selected: its handle is in the source (not selected), its affinity's block too.
    assert.equal(ipamConsistency([block], [], { desired: [pool, block, handle, affinity], live: [] }).status, 'pass');
    assert.equal(ipamConsistency([affinity], [], { desired: [pool, block, handle, affinity], live: [] }).status, 'pass');
    // A handle only the target holds still counts as existing.
    const liveHandle = { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPAMHandle', metadata: { name: 'h1' }, spec: { handleID: 'h1', block: { '10.0.1.0/26': 1 } } };
    assert.equal(ipamConsistency([pool, block], [], { desired: [pool, block], live: [liveHandle] }).status, 'pass');
    assert.equal(ipamConsistency([pool, block], [], { desired: [pool, block], live: [] }).status, 'fail');
  });

  it('IPAM: a pool that exists only in the target counts', () => {
    const live = { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'live' }, spec: { cidr: '10.0.0.0/8' } };
    assert.equal(ipamConsistency([block, handle, affinity], [live]).status, 'pass');
  });

  it('CIDR containment respects family and prefix', () => {
    const c = (s: string) => parseCidr(s)!;
    assert.ok(cidrWithin(c('10.0.1.0/26'), c('10.0.0.0/16')));
    assert.ok(!cidrWithin(c('10.1.0.0/26'), c('10.0.0.0/16')));
    assert.ok(!cidrWithin(c('10.0.0.0/8'), c('10.0.0.0/16')));
    assert.ok(cidrWithin(c('fd00::40/122'), c('fd00::/48')));
    assert.ok(!cidrWithin(c('fd00::40/122'), c('10.0.0.0/8')));
  });

  it('names: over 253 characters or not DNS-1123 fail, naming the source key', () => {
    assert.equal(nameProblem('ok.name-1'), null);
    assert.match(nameProblem('x'.repeat(254))!, /longer than 253/);
    assert.match(nameProblem('Upper')!, /DNS-1123/);
    const c = namesValid([obj('GlobalNetworkSet', 'Bad_Name')]);
    assert.equal(c.status, 'fail');
    assert.match(c.items[0] ?? '', /Bad_Name.*\/calico\/x\/Bad_Name/);
  });

  it('references: missing Nodes, namespaces and tiers are named', () => {
    assert.match(nodesExist([obj('Node', 'n1')], new Set()).items[0] ?? '', /Node n1/);
    assert.equal(nodesExist([obj('Node', 'n1')], new Set(['n1'])).status, 'pass');
    assert.match(namespacesExist([obj('NetworkPolicy', 'a', {}, 'prod')], new Set(['default'])).items[0] ?? '', /namespace prod \(1 object/);
    assert.equal(tiersExist([obj('GlobalNetworkPolicy', 'x', { tier: 'security' })], new Set()).status, 'fail');
    assert.equal(tiersExist([obj('GlobalNetworkPolicy', 'x', { tier: 'security' }), obj('Tier', 'security')], new Set()).status, 'pass');
  });

  it('CRDs: every Calico CRD must be installed, Established and serve v1', () => {
    const crd = (plural: string, established = true) => ({
      spec: { group: 'crd.projectcalico.org', names: { plural }, versions: [{ name: 'v1', served: true }] },
      status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False' }] },
    });
    assert.equal(crdsEstablished(ALL_CRD_KINDS.map((k) => crd(k.plural))).status, 'pass');
    const c = crdsEstablished([...ALL_CRD_KINDS.filter((k) => k.plural !== 'tiers' && k.plural !== 'ippools').map((k) => crd(k.plural)), crd('ippools', false)]);
    assert.deepEqual([...c.items].sort(), ['ippools.crd.projectcalico.org: not Established', 'tiers.crd.projectcalico.org: not installed']);
  });

  it('RBAC: creates need create and delete (for rollback), Node changes need patch, and the lease verbs', () => {
    const change = (kind: string, action: 'create' | 'update' | 'delete'): ResourceChange => ({
      address: `x/${kind}`,
      wave: 1,
      api_version: 'v1',
      kind,
      namespace: null,
      name: 'n',
      step: null,
      change: changeBody(action, action === 'create' ? null : OBJ, action === 'delete' ? null : OBJ, []),
      source_keys: [],
      target: { uid: null, resource_version: null },
      dry_run: null,
    });
    const perms = requiredPermissions([change('IPPool', 'create'), change('Node', 'update'), change('Tier', 'update')]).map((p) => `${p.verb} ${p.group}/${p.resource}`);
    for (const want of [
      'create crd.projectcalico.org/ippools',
      'delete crd.projectcalico.org/ippools',
      'patch /nodes',
      'update crd.projectcalico.org/tiers',
      'create coordination.k8s.io/leases',
      'list apiextensions.k8s.io/customresourcedefinitions',
    ]) {
      assert.ok(perms.includes(want), want);
    }
    assert.ok(!perms.includes('create crd.projectcalico.org/tiers'));
    const c = rbacCheck([{ perm: { verb: 'patch', group: '', resource: 'nodes' }, allowed: false }], 'bob');
    assert.equal(c.status, 'fail');
    assert.deepEqual(c.items, ['patch nodes']);
  });

  it('the managed Node annotations are the ones the converter writes', () => {
    assert.deepEqual([...Object.values(NODE_ANNOTATIONS)].sort(), [...MANAGED_NODE_ANNOTATIONS].sort());
  });
});
