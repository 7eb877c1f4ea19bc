import assert from 'node:assert/strict';
import { namespaceGlobalError, selectorError } from '../../../src/checks/calico-validation/selector.js';

// Cases from libcalico-go lib/selector/parser/parser_test.go (selectorTests, badSelectors,
// canonicalisationTests) and validator_test.go.
describe('calico-validation: selector grammar (parser.Validate)', () => {
  const good = [
    `a == "b"`,
    `a == "b" && c == "d"`,
    `a == "b" || c == "d"`,
    `a in {"'", '"', "c"}`,
    `a not in {"'", '"', "c"}`,
    `a != "a"`,
    `a contains "a"`,
    `a starts with "a"`,
    `a ends with "a"`,
    `a startswith '"'`,
    `a endswith "'"`,
    `!a in {"a"}`,
    `has(a)`,
    `!has(a)`,
    ``,
    ` `,
    `all()`,
    ` all()`,
    `global()`,
    `!!! has(a)`,
    `! !!has(a)`,
    `!(!has(a) || has(b))`,
    `! a == 'a1' || ! b == 'b1'`,
    ` (all() )`,
    `a!='"'`,
    `a in {"z", "z", "x", "y", "x", "a"}`,
    'has(calico/k8s_NS-.1/role)', // validator_test: "should accept valid selector with 'has' and two '/' and '-.'"
    "kubernetes.io/hostname == 'ip-10-0-1-11'",
    '!all()',
  ];
  for (const s of good) it(`accepts ${JSON.stringify(s)}`, () => assert.equal(selectorError(s), null));

  const bad = [
    'b == b',
    'b contains b',
    'b starts with b',
    'b ends with b',
    "'b1' == b",
    'b',
    'a b',
    '!',
    `foo == "bar" &`,
    `foo == "bar" |`,
    `foo != ||`,
    `foo in {"", ||`,
    `foo in ""`,
    `"FOO`,
    `"FOO'`,
    `'FOO`,
    `(`,
    `(a == "foo"`,
    `)`,
    `()`,
    `%`,
    `a == "b" && %`,
    `a == "b" || %`,
    `a `,
    `has(foo) &&`,
    'thing=hello &', // validator_test: "should reject invalid selector"
    'this is not valid selector syntax', // validator_test: "should disallow a invalid nodeSelector"
    "kubernetes.io/hostname: == 'casey-crc-kadm-node-4'", // validator_test: "should reject invalid BGPPeerSpec (selector)"
  ];
  for (const s of bad) it(`rejects ${JSON.stringify(s)}`, () => assert.notEqual(selectorError(s), null));

  it('global() in a namespaceSelector must stand alone (validator_test: EntityRule namespaceSelector cases)', () => {
    assert.equal(namespaceGlobalError('  global()  '), null);
    assert.equal(namespaceGlobalError("projectcalico.org/name == 'test'"), null);
    assert.notEqual(namespaceGlobalError(' global() && all()'), null);
    assert.notEqual(namespaceGlobalError('global()||all()'), null);
  });
});
