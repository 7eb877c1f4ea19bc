import assert from 'node:assert/strict';
import { defaultPolicy, readPolicyName, tieredPolicyName, writePolicyName } from '../../../src/convert/policy.js';
import { parseCalicoVersion, type CalicoVersion } from '../../../src/convert/version.js';

function v(s: string): CalicoVersion {
  const out = parseCalicoVersion(s);
  assert.ok(out);
  return out;
}

describe('convert/policy', () => {
  describe('readPolicyName (determinePolicyName, reference §2.3)', () => {
    it('takes the name from the projectcalico.org/metadata annotation and drops the annotation', () => {
      const r = readPolicyName('default.foo', 'default', { 'projectcalico.org/metadata': '{"name":"default.foo"}', other: 'x' });
      assert.equal(r.v3Name, 'default.foo');
      assert.equal(r.source, 'annotation');
      assert.deepEqual(r.annotations, { other: 'x' });
    });
    it('strips default. from a legacy key in tier default when there is no annotation', () => {
      assert.equal(readPolicyName('default.foo', 'default', {}).v3Name, 'foo');
    });
    it('keeps <tier>. prefixes in other tiers', () => {
      assert.equal(readPolicyName('sec.foo', 'sec', {}).v3Name, 'sec.foo');
      assert.equal(readPolicyName('default.foo', 'sec', {}).v3Name, 'default.foo');
    });
  });

  describe('writePolicyName by target version (reference §3.6)', () => {
    it('legacy default.foo key: default.foo for < v3.30, foo for v3.30+', () => {
      const name = readPolicyName('default.foo', 'default', {}).v3Name;
      assert.deepEqual(writePolicyName(name, 'default', v('v3.28.2')), { ok: true, crName: 'default.foo', keepNameInAnnotation: false });
      assert.deepEqual(writePolicyName(name, 'default', v('v3.29.0')), { ok: true, crName: 'default.foo', keepNameInAnnotation: false });
      assert.deepEqual(writePolicyName(name, 'default', v('v3.30.1')), { ok: true, crName: 'foo', keepNameInAnnotation: true });
      assert.deepEqual(writePolicyName(name, 'default', v('v3.31.2')), { ok: true, crName: 'foo', keepNameInAnnotation: true });
      assert.deepEqual(writePolicyName(name, 'default', v('v3.32.1')), { ok: true, crName: 'foo', keepNameInAnnotation: true });
    });
    it('non-default tiers keep <tier>.<name>', () => {
      assert.deepEqual(writePolicyName('sec.foo', 'sec', v('v3.28.0')), { ok: true, crName: 'sec.foo', keepNameInAnnotation: false });
      assert.deepEqual(writePolicyName('sec.foo', 'sec', v('v3.31.0')), { ok: true, crName: 'sec.foo', keepNameInAnnotation: true });
    });
    it('requires the tier prefix before v3.32, not after', () => {
      const r = writePolicyName('foo', 'sec', v('v3.31.0'));
      assert.equal(r.ok, false);
      assert.ok(!r.ok && /sec\./.test(r.reason));
      assert.deepEqual(writePolicyName('foo', 'sec', v('v3.32.0')), { ok: true, crName: 'foo', keepNameInAnnotation: true });
    });
    it('rejects dotted names in tier default that are not default.-prefixed before v3.32', () => {
      assert.equal(writePolicyName('a.b', 'default', v('v3.30.0')).ok, false);
      assert.equal(writePolicyName('a.b', 'default', v('v3.32.0')).ok, true);
    });
    it('tieredPolicyName passes formatted names through', () => {
      assert.equal(tieredPolicyName('foo'), 'default.foo');
      assert.equal(tieredPolicyName('sec.foo'), 'sec.foo');
      assert.equal(tieredPolicyName('knp.default.x'), 'knp.default.x');
      assert.equal(tieredPolicyName('ossg.default.sg1'), 'ossg.default.sg1');
    });
  });

  describe('defaultPolicy', () => {
    it('sets tier, the tier label and types from the rules present', () => {
      const cases: Array<[Record<string, unknown>, string[]]> = [
        [{ ingress: [{ action: 'Allow' }] }, ['Ingress']],
        [{ egress: [{ action: 'Allow' }] }, ['Egress']],
        [{ ingress: [{ action: 'Allow' }], egress: [{ action: 'Deny' }] }, ['Ingress', 'Egress']],
        [{}, ['Ingress']],
      ];
      for (const [spec, types] of cases) {
        const labels: Record<string, string> = {};
        defaultPolicy(spec, labels);
        assert.deepEqual(spec.types, types);
        assert.equal(spec.tier, 'default');
        assert.deepEqual(labels, { 'projectcalico.org/tier': 'default' });
      }
    });
    it('keeps explicit types and labels the policy with its tier', () => {
      const spec: Record<string, unknown> = { tier: 'sec', types: ['Egress'], ingress: [{ action: 'Allow' }] };
      const labels: Record<string, string> = { 'projectcalico.org/tier': 'stale', app: 'x' };
      defaultPolicy(spec, labels);
      assert.deepEqual(spec.types, ['Egress']);
      assert.deepEqual(labels, { 'projectcalico.org/tier': 'sec', app: 'x' });
    });
  });
});
