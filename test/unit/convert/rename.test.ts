import assert from 'node:assert/strict';
import { renamePerNodeConfig, renameSpecNode, selectorNodeMentions } from '../../../src/convert/rename.js';

const map = new Map([['old', 'new.k8s']]);

describe('convert/rename', () => {
  it('renames per-node FelixConfiguration/BGPConfiguration names', () => {
    assert.deepEqual(renamePerNodeConfig('node.old', map), { name: 'node.new.k8s', node: 'old', known: true });
    assert.deepEqual(renamePerNodeConfig('node.gone', map), { name: 'node.gone', node: 'gone', known: false });
    assert.deepEqual(renamePerNodeConfig('default', map), { name: 'default', node: null, known: true });
  });

  it('remaps BGPPeer / HostEndpoint spec.node', () => {
    const spec: Record<string, unknown> = { node: 'old', peerIP: '10.0.0.1' };
    assert.equal(renameSpecNode(spec, map), 'old');
    assert.deepEqual(spec, { node: 'new.k8s', peerIP: '10.0.0.1' });
    const other: Record<string, unknown> = { node: 'keep' };
    assert.equal(renameSpecNode(other, map), null);
    assert.deepEqual(other, { node: 'keep' });
  });

  it('finds renamed node names quoted in selectors', () => {
    assert.deepEqual(selectorNodeMentions('kubernetes.io/hostname == \'old\' || x == "old"', new Set(['old'])), ['old']);
    assert.deepEqual(selectorNodeMentions("kubernetes.io/hostname == 'older'", new Set(['old'])), []);
  });
});
