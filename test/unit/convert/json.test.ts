import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compareGoStrings, GoMap, goJson, sortedStringMap } from '../../../src/convert/json.js';

/** Go's order, by definition: the UTF-8 bytes compared. */
const byUtf8 = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

/** Strings mixing ASCII, characters above U+FFFF (surrogate pairs) and U+E000..U+FFFF, where UTF-16 and UTF-8 order disagree. */
const tricky = fc.array(fc.constantFrom('a', 'b', '0', '~', '\u00e9', '\ue000', '\uffee', '\u{1f600}', '\u{10000}', '<', '&'), { maxLength: 6 }).map((cs) => cs.join(''));

describe('convert/json: Go-compatible ordering and encoding', () => {
  it('compareGoStrings orders as Go does (UTF-8 bytes), surrogate pairs included', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 12 })), fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 12 })), (a, b) => {
        assert.equal(Math.sign(compareGoStrings(a, b)), byUtf8(a, b));
      }),
    );
    // The case code-unit order gets wrong: U+1F600 is D83D DE00 in UTF-16 (below U+E000), F0 9F 98 80 in UTF-8 (above EE 80 80).
    assert.equal(Math.sign(compareGoStrings('\u{1f600}', '\ue000')), 1);
  });

  it('sortedStringMap sorts by Go order and keeps an already sorted map as it is', () => {
    fc.assert(
      fc.property(fc.dictionary(tricky, fc.string()), (m) => {
        const out = sortedStringMap(m);
        assert.deepEqual({ ...out }, { ...m });
        const keys = Object.keys(out).filter((k) => !/^(?:0|[1-9]\d*)$/.test(k));
        for (let i = 1; i < keys.length; i++) assert.ok(byUtf8(keys[i - 1]!, keys[i]!) < 0);
      }),
    );
  });

  it('goJson writes what Go writes: HTML-safe escapes, GoMap keys sorted, flat records as JSON.stringify', () => {
    assert.equal(goJson({ a: '<b>&', c: null, d: undefined, e: 1 }), '{"a":"\\u003cb\\u003e\\u0026","c":null,"e":1}');
    assert.equal(goJson({ creationTimestamp: '2025-06-01T00:00:00Z' }), '{"creationTimestamp":"2025-06-01T00:00:00Z"}');
    assert.equal(goJson({ x: new GoMap({ b: '1', a: '\u2028' }), y: [1, undefined] }), '{"x":{"a":"\\u2028","b":"1"},"y":[1,null]}');
    fc.assert(
      fc.property(fc.dictionary(tricky, fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))), (m) => {
        const expected = JSON.stringify(m)
          .replace(/</g, '\\u003c')
          .replace(/>/g, '\\u003e')
          .replace(/&/g, '\\u0026')
          .replace(/\u2028/g, '\\u2028')
          .replace(/\u2029/g, '\\u2029');
        assert.equal(goJson(m), expected);
      }),
    );
  });
});
