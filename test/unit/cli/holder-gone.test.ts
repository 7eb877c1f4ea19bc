/** Which lease holders count as gone: only a process of this host that no longer exists. */
import assert from 'node:assert/strict';
import { holderGoneOnThisHost } from '../../../src/cli/composition.js';

describe('holderGoneOnThisHost', () => {
  const dead = () => false;
  it('is gone only for this host and a pid that no longer runs', () => {
    assert.equal(holderGoneOnThisHost('ops@node-a/4242/sha256:abc', 'node-a', dead), true);
    assert.equal(
      holderGoneOnThisHost('ops@node-a/4242/sha256:abc', 'node-a', () => true),
      false,
      'alive',
    );
    assert.equal(holderGoneOnThisHost('ops@node-b/4242/sha256:abc', 'node-a', dead), false, 'another host');
    assert.equal(holderGoneOnThisHost('not a holder', 'node-a', dead), false);
    assert.equal(holderGoneOnThisHost(`ops@node-a/${process.pid}/x`, 'node-a', dead), false, 'never this process');
  });
  it('asks the system for real: a pid that cannot exist is gone, this process is not', () => {
    assert.equal(holderGoneOnThisHost('ops@h/4194303/x', 'h'), true);
    assert.equal(holderGoneOnThisHost(`ops@h/${process.ppid}/x`, 'h'), false);
  });
});
