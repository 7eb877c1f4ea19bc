/**
 * What a reviewer must read (src/plan/review.ts): Node updates that overwrite an annotation the
 * Node has are to review, those that only add are foldable; folds hold only kinds beyond the limit.
 */
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/model/types.js';
import { changeBody } from '../../../src/plan/change-body.js';
import { foldsOf, formatCount, overwrittenAnnotations, reviewOf } from '../../../src/plan/review.js';
import type { Action, ResourceChange } from '../../../src/plan/types.js';

const node = (annotations: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', annotations } });

function change(kind: string, name: string, action: Action, before: KubeObject | null, after: KubeObject | null, dryRunError = false): ResourceChange {
  return {
    address: `v1/${kind}/${name}`,
    wave: 1,
    api_version: 'v1',
    kind,
    namespace: null,
    name,
    step: null,
    change: changeBody(action, before, after, action === 'update' ? ['x'] : []),
    source_keys: [],
    target: { uid: null, resource_version: null },
    dry_run: dryRunError ? { status: 'error', message: 'no' } : null,
  };
}

describe('plan review classes', () => {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'IPPool', metadata: { name: 'p' } };

  it('a Node update that changes or removes an annotation the Node has overwrites it; one that only adds does not', () => {
    const A = 'projectcalico.org/IPv4Address';
    const B = 'projectcalico.org/IPv4VXLANTunnelAddr';
    const changed = change('Node', 'a', 'update', node({ [A]: '10.0.0.1/24' }), node({ [A]: '10.0.0.2/24', [B]: '10.244.0.0' }));
    const removed = change('Node', 'b', 'update', node({ [A]: '10.0.0.1/24', [B]: '1.1.1.1' }), node({ [A]: '10.0.0.1/24' }));
    const added = change('Node', 'c', 'update', node({ [A]: '10.0.0.1/24' }), node({ [A]: '10.0.0.1/24', [B]: '10.244.0.0' }));
    assert.deepEqual(overwrittenAnnotations(changed), [A]);
    assert.deepEqual(overwrittenAnnotations(removed), [B]);
    assert.deepEqual(overwrittenAnnotations(added), []);
    assert.deepEqual([changed, removed, added].map(reviewOf), ['review', 'review', 'foldable']);
  });

  it('updates of other kinds, deletes and extras are to review; creates fold unless their dry-run failed; no-ops are unchanged', () => {
    assert.equal(reviewOf(change('IPPool', 'p', 'update', obj, obj)), 'review');
    assert.equal(reviewOf(change('IPPool', 'p', 'delete', obj, null)), 'review');
    assert.equal(reviewOf(change('IPPool', 'p', 'extra', obj, null)), 'review');
    assert.equal(reviewOf(change('IPPool', 'p', 'create', null, obj)), 'foldable');
    assert.equal(reviewOf(change('IPPool', 'p', 'create', null, obj, true)), 'review');
    assert.equal(reviewOf(change('IPPool', 'p', 'no-op', null, null)), 'unchanged');
  });

  it('folds only the kinds beyond the limit, with their first names', () => {
    const creates = (kind: string, n: number) => Array.from({ length: n }, (_, i) => change(kind, `${kind.toLowerCase()}-${i}`, 'create', null, obj));
    const folds = foldsOf([...creates('IPAMHandle', 21), ...creates('IPPool', 20)], 20);
    assert.deepEqual([...folds.keys()], ['create IPAMHandle']);
    assert.deepEqual(folds.get('create IPAMHandle'), { key: 'create IPAMHandle', label: 'IPAMHandle creates', count: 21, first: ['ipamhandle-0', 'ipamhandle-1', 'ipamhandle-2'] });
  });

  it('formats counts with thousands separators, whatever the locale', () => {
    assert.deepEqual([0, 999, 1000, 19840, 1234567].map(formatCount), ['0', '999', '1,000', '19,840', '1,234,567']);
  });
});
