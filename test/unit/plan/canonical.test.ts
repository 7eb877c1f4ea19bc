import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, NonJsonValueError } from '../../../src/plan/canonical.js';
import { computePlanId } from '../../../src/plan/plan-file.js';
import { buildSamplePlanBody } from './sample-plan.js';

/** The same value with its object keys inserted in reverse order, at every level. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).reverse()) {
      // defineProperty: fast-check generates "__proto__" keys, which plain assignment would swallow.
      Object.defineProperty(out, k, { value: reverseKeys((value as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** The definition, written the obvious way: what the fast implementation must agree with. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map(reference).join(',') + ']';
  const record = value as Record<string, unknown>;
  return (
    '{' +
    Object.keys(record)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + reference(record[k]))
      .join(',') +
    '}'
  );
}

describe('canonical JSON', () => {
  it('agrees with the reference definition on any JSON value, integer-like and "__proto__" keys included', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '9', '4294967295', '01', '__proto__', '-1'));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.array(tie('v')), fc.dictionary(key, tie('v'))),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        assert.equal(canonicalJson(v), reference(v));
      }),
      { numRuns: 500 },
    );
  });

  it('sorts keys at every level and has no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}');
  });

  it('sorts integer-like keys as strings, not in JS property order', () => {
    // JS enumerates "2" before "10"; canonical order is by code unit.
    assert.equal(canonicalJson({ '2': 'b', '10': 'a', x: 'c' }), '{"10":"a","2":"b","x":"c"}');
  });

  it('gives byte-identical output whatever order keys were inserted in', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(canonicalJson(reverseKeys(v)), canonicalJson(v));
      }),
    );
  });

  it('round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(canonicalJson(JSON.parse(canonicalJson(v))), canonicalJson(v));
        assert.deepEqual(JSON.parse(canonicalJson(v)), JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('refuses values that are not JSON, naming where they are', () => {
    assert.throws(
      () => canonicalJson({ a: { b: undefined } }),
      (e: unknown) => e instanceof NonJsonValueError && e.path === '$.a.b',
    );
    assert.throws(() => canonicalJson({ a: [1, Number.NaN] }), /\$\.a\[1\] is NaN/);
    assert.throws(() => canonicalJson({ 'x/y': new Date(0) }), /\$\["x\/y"\] is an instance of Date/);
    assert.throws(() => canonicalJson({ f: () => 1 }), NonJsonValueError);
    assert.throws(() => canonicalJson([1, , 3]), NonJsonValueError); // eslint-disable-line no-sparse-arrays
  });

  it('keeps a "__proto__" key from parsed JSON as data', () => {
    const v = JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown;
    assert.equal(canonicalJson(v), '{"__proto__":{"a":1},"b":2}');
  });
});

describe('computePlanId', () => {
  it('is sha256 of the plan file bytes before the trailer, independent of key order', () => {
    const body = buildSamplePlanBody();
    const id = computePlanId(body);
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(computePlanId(reverseKeys(body) as typeof body), id);
  });

  it('ignores a plan_id already present, so computePlanId(plan) === plan.plan_id', () => {
    const body = buildSamplePlanBody();
    const id = computePlanId(body);
    assert.equal(computePlanId({ ...body, plan_id: 'sha256:whatever' } as typeof body), id);
  });

  it('changes when any value changes', () => {
    const body = buildSamplePlanBody();
    const changed = structuredClone(body);
    changed.source.revision = (changed.source.revision ?? 0) + 1;
    assert.notEqual(computePlanId(changed), computePlanId(body));
  });
});
