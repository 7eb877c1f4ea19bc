/** changedAddresses: what the delta under the lock compares with the target. */
import assert from 'node:assert/strict';
import type { DesiredObject } from '../../../src/model/types.js';
import { changedAddresses } from '../../../src/workflow/cutover-delta.js';

const obj = (name: string, rev: number, spec: Record<string, unknown>): DesiredObject => ({
  apiVersion: 'crd.projectcalico.org/v1',
  kind: 'NetworkSet',
  namespace: 'ns',
  name,
  body: { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkSet', metadata: { name, namespace: 'ns' }, spec },
  sources: [{ key: `/calico/resources/v3/projectcalico.org/networksets/ns/${name}`, mod_revision: rev }],
});
const addr = (name: string) => `crd.projectcalico.org/v1/NetworkSet/ns/${name}`;

describe('changedAddresses', () => {
  const before = [obj('a', 1, { nets: ['10.0.0.1/32'] }), obj('b', 2, { nets: ['10.0.0.2/32'] }), obj('c', 3, {})];

  it('names the added, removed and changed objects, not the unchanged ones', () => {
    const after = [obj('a', 1, { nets: ['10.0.0.1/32'] }), obj('b', 7, { nets: ['10.0.0.9/32'] }), obj('d', 8, {})];
    assert.deepEqual([...changedAddresses(before, after, true)].sort(), [addr('b'), addr('c'), addr('d')]);
  });

  it('with the same context, trusts unchanged mod_revisions; with another, compares every body', () => {
    // Same source revision but a different body can only come from the context (the node map).
    const after = [obj('a', 1, { nets: ['10.0.0.5/32'] }), obj('b', 2, { nets: ['10.0.0.2/32'] }), obj('c', 3, {})];
    assert.deepEqual([...changedAddresses(before, after, true)], []);
    assert.deepEqual([...changedAddresses(before, after, false)], [addr('a')]);
  });

  it('a key written again with the same content is no change', () => {
    const after = [obj('a', 9, { nets: ['10.0.0.1/32'] }), before[1]!, before[2]!];
    assert.deepEqual([...changedAddresses(before, after, true)], []);
  });
});
