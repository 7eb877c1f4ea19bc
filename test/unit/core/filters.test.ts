import assert from 'node:assert/strict';
import { makeFilter } from '../../../src/model/filters.js';
import { MigrateError } from '../../../src/errors.js';

describe('--include / --exclude filters', () => {
  const np = { kind: 'NetworkPolicy', namespace: 'prod', name: 'allow-web' };
  const gnp = { kind: 'GlobalNetworkPolicy', namespace: null, name: 'deny-all' };

  it('no patterns: no filter', () => assert.equal(makeFilter([], []), undefined));
  it('KIND matches case-insensitively', () => {
    const f = makeFilter(['networkpolicy'], [])!;
    assert.ok(f(np));
    assert.ok(!f(gnp));
  });
  it('KIND/NAME for cluster-scoped, KIND/NAMESPACE for namespaced, KIND/NAMESPACE/NAME with globs', () => {
    assert.ok(makeFilter(['GlobalNetworkPolicy/deny-*'], [])!(gnp));
    assert.ok(makeFilter(['NetworkPolicy/prod'], [])!(np));
    assert.ok(!makeFilter(['NetworkPolicy/dev'], [])!(np));
    assert.ok(makeFilter(['NetworkPolicy/prod/allow-?eb'], [])!(np));
    assert.ok(!makeFilter(['NetworkPolicy/prod/deny*'], [])!(np));
  });
  it('excludes win over includes', () => {
    assert.ok(!makeFilter(['*'], ['NetworkPolicy/prod/*'])!(np));
    assert.ok(makeFilter(['*'], ['NetworkPolicy/prod/*'])!(gnp));
  });
  it('a malformed pattern is a usage error naming the flag', () => {
    assert.throws(
      () => makeFilter(['a/b/c/d'], []),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'USAGE' && /--include "a\/b\/c\/d"/.test(e.message),
    );
  });
});
