import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { objectHead } from '../../../src/adapters/kube/object-head.js';

const pick = (o: Record<string, unknown>) => Object.fromEntries(['apiVersion', 'kind', 'metadata'].filter((k) => k in o).map((k) => [k, o[k]]));

/** Strings full of what a scanner can trip on: quotes, backslashes, brackets, commas. */
const nasty = fc.array(fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', 'a', ' ', '\n', '\u2028', '\u{1f600}'), { maxLength: 8 }).map((c) => c.join(''));
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(nasty, tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('adapters/kube/object-head: apiVersion, kind and metadata without parsing the rest', () => {
  it('gives exactly what JSON.parse gives for those members, whatever the key order, values and whitespace', () => {
    const member = fc.record({ apiVersion: value, kind: value, metadata: value, spec: value, status: value }, { requiredKeys: [] });
    fc.assert(
      fc.property(member, fc.constantFrom(0, 2), fc.array(fc.tuple(nasty, value), { maxLength: 3 }), (o, indent, extra) => {
        const obj: Record<string, unknown> = {};
        for (const [k, v] of extra) if (!['apiVersion', 'kind', 'metadata'].includes(k)) obj[k] = v;
        Object.assign(obj, o);
        const text = JSON.stringify(obj, null, indent);
        assert.deepEqual(objectHead(text), pick(JSON.parse(text) as Record<string, unknown>));
      }),
    );
  });

  it('reads a created custom resource as the API server writes it, stopping before the spec', () => {
    const text =
      '{"apiVersion":"crd.projectcalico.org/v1","kind":"IPAMBlock","metadata":{"annotations":{"resourceVersion":"\\"x\\""},"creationTimestamp":"2026-12-03T18:00:00Z","name":"10-0-0-0-26","resourceVersion":"4711","uid":"6f1c"},"spec":{"allocations":[0,1,null';
    assert.deepEqual(objectHead(text), {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'IPAMBlock',
      metadata: { annotations: { resourceVersion: '"x"' }, creationTimestamp: '2026-12-03T18:00:00Z', name: '10-0-0-0-26', resourceVersion: '4711', uid: '6f1c' },
    });
  });

  it('says null for what is not a JSON object, so the caller parses it whole', () => {
    for (const text of ['', '[]', '"x"', '{"metadata":', '{"metadata":{"a":1}', '{"kind" "x"}', '{"kind":"x" "y":1}', '{"metadata":{"a":tru}}']) {
      assert.equal(objectHead(text), null, text);
    }
    assert.deepEqual(objectHead('{}'), {});
    assert.deepEqual(objectHead('{"spec":{}}'), {});
  });
});
