import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareStepKeys, executionSteps, WAVE_BAND } from '../../../src/apply/order.js';
import { changeBody } from '../../../src/plan/change-body.js';
import type { ResourceChange } from '../../../src/plan/types.js';
import { cr, createChange, deleteChange } from './plan-builders.js';

function change(action: 'create' | 'update' | 'delete' | 'no-op' | 'extra', wave: number, name: string): ResourceChange {
  const obj = cr('GlobalNetworkSet', name, {});
  const c = action === 'delete' ? deleteChange({ ...obj, metadata: { ...obj.metadata, uid: 'u', resourceVersion: '1' } }) : createChange(obj);
  // Ordering reads the action and wave only; the body is whatever the action requires.
  return { ...c, wave, change: changeBody(action, action === 'create' || action === 'no-op' ? null : obj, action === 'create' || action === 'update' ? obj : null, []) };
}

describe('apply order', () => {
  it('runs creates/updates in ascending waves, then deletes in descending waves; skips no-op/extra', () => {
    const steps = executionSteps([
      change('delete', 1, 'd1'),
      change('create', 3, 'c3'),
      change('update', 0, 'u0'),
      change('delete', 7, 'd7'),
      change('no-op', 2, 'n2'),
      change('extra', 2, 'e2'),
      change('create', 1, 'c1'),
      change('delete', 3, 'd3'),
    ]);
    assert.deepEqual(
      steps.map((s) => `${s.phase}:${s.wave}:${s.changes.map((c) => c.name).join(',')}`),
      ['apply:0:u0', 'apply:1:c1', 'apply:3:c3', 'delete:7:d7', 'delete:3:d3', 'delete:1:d1'],
    );
  });

  it('runs bands in order, each with its own apply-then-delete phases', () => {
    const steps = executionSteps([change('create', 205, 'a'), change('delete', 101, 'b'), change('update', 110, 'c'), change('delete', 3, 'd'), change('create', 2, 'e')]);
    assert.deepEqual(
      steps.map((s) => `${s.band}/${s.phase}/${s.wave}`),
      ['0/apply/2', '0/delete/3', '1/apply/110', '1/delete/101', '2/apply/205'],
    );
  });

  it('orders any set of steps consistently (property)', () => {
    const key = fc.record({ band: fc.nat(3), phase: fc.constantFrom('apply' as const, 'delete' as const), wave: fc.nat(99) });
    fc.assert(
      fc.property(
        fc.array(
          key.map((k) => ({ ...k, wave: k.band * WAVE_BAND + k.wave })),
          { maxLength: 30 },
        ),
        (keys) => {
          const sorted = [...keys].sort(compareStepKeys);
          for (let i = 1; i < sorted.length; i++) {
            const a = sorted[i - 1]!;
            const b = sorted[i]!;
            assert.ok(a.band <= b.band);
            if (a.band === b.band && a.phase === b.phase) assert.ok(a.phase === 'apply' ? a.wave <= b.wave : a.wave >= b.wave);
            if (a.band === b.band && a.phase !== b.phase) assert.equal(a.phase, 'apply');
          }
        },
      ),
    );
  });
});
