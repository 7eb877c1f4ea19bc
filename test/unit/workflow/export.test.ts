import assert from 'node:assert/strict';
import { loadVendoredCrds } from '../../../src/adapters/vendored-crds.js';
import { MigrateError } from '../../../src/errors.js';
import { exportSource } from '../../../src/workflow/export.js';
import { FakeSource, FakeTarget, fakeContext } from './fakes.js';

const V3 = '/calico/resources/v3/projectcalico.org/';
const pool = (name: string, spec: Record<string, unknown>) => ({ kind: 'IPPool', apiVersion: 'projectcalico.org/v3', metadata: { name }, spec });
const CRDS = loadVendoredCrds();

describe('export workflow (over an in-memory source)', () => {
  const source = () =>
    new FakeSource([
      {
        key: `${V3}clusterinformations/default`,
        value: { kind: 'ClusterInformation', apiVersion: 'projectcalico.org/v3', metadata: { name: 'default' }, spec: { clusterGUID: 'g', calicoVersion: 'v3.31.2' } },
      },
      { key: `${V3}ippools/a`, value: pool('a', { cidr: '10.1.0.0/16', colour: 'red' }) },
    ]);

  it('renders the objects and returns the schema warnings with the conversion ones; never opens a target', async () => {
    const target = new FakeTarget();
    const ctx = fakeContext(source(), target);
    const r = await exportSource({ conversion: { skipUnknown: false }, format: 'kubernetes', crds: CRDS }, ctx);
    assert.equal(r.objects, 1);
    assert.match(r.text, /kind: IPPool/);
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.path]),
      [['schema-pruned', '/spec/colour']],
    );
    assert.equal(ctx.opened.target, 0);
  });

  it('refuses with SOURCE_INVALID, rendering nothing, when an object violates the vendored CRDs', async () => {
    const s = source();
    s.put(`${V3}ippools/b`, pool('b', { cidr: '10.2.0.0/16', ipipMode: 'Sometimes' }));
    await assert.rejects(exportSource({ conversion: { skipUnknown: false }, format: 'calicoctl', crds: CRDS }, fakeContext(s, new FakeTarget())), (e: unknown) => {
      assert.ok(e instanceof MigrateError);
      assert.equal(e.exitName, 'SOURCE_INVALID');
      assert.match(e.message, /ippools\/b \/spec\/ipipMode: \/spec\/ipipMode must be equal to one of the allowed values/);
      return true;
    });
  });
});
