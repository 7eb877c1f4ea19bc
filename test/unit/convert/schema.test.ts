import assert from 'node:assert/strict';
import { CrdSchemaValidator, convertSnapshot, loadVendoredCrds } from '../../../src/convert/index.js';
import { ALL_CRD_KINDS, CRD_API_VERSION } from '../../../src/model/kinds.js';
import type { KubeObject } from '../../../src/model/types.js';
import { loadDataset } from '../../tools/datasets.js';

describe('convert/schema-validator', () => {
  const validator = new CrdSchemaValidator(loadVendoredCrds());

  it('loads every vendored Calico CRD', () => {
    assert.deepEqual(validator.problems, []);
    for (const k of ALL_CRD_KINDS) assert.ok(validator.has(CRD_API_VERSION, k.kind), k.kind);
  });

  for (const name of ['full', 'legacy-v3.28']) {
    it(`every object of the ${name} dataset validates against the vendored CRDs`, () => {
      const ds = loadDataset(name);
      const r = convertSnapshot(ds.snapshot, ds.options);
      assert.ok(r.objects.length > 0);
      assert.deepEqual(validator.validateAll(r.objects), []);
    });
  }

  it('names the JSON path and the rule of a violation', () => {
    const bad: KubeObject = {
      apiVersion: CRD_API_VERSION,
      kind: 'IPPool',
      metadata: { name: 'p' },
      spec: { cidr: '10.0.0.0/16', ipipMode: 'Sometimes', blockSize: 'big' },
    };
    const diags = validator.validate(bad, '/calico/resources/v3/projectcalico.org/ippools/p');
    assert.deepEqual(
      diags.map((d) => [d.severity, d.code, d.path, d.key]),
      [
        ['error', 'schema', '/spec/blockSize', '/calico/resources/v3/projectcalico.org/ippools/p'],
        ['error', 'schema', '/spec/ipipMode', '/calico/resources/v3/projectcalico.org/ippools/p'],
      ],
    );
    assert.match(diags[1]?.message ?? '', /rule: enum at #\/properties\/spec\/properties\/ipipMode\/enum/);
    assert.equal(diags[1]?.object, 'crd.projectcalico.org/v1/IPPool/p');
  });

  it('reports missing required fields at the field path', () => {
    const diags = validator.validate({ apiVersion: CRD_API_VERSION, kind: 'IPAMHandle', metadata: { name: 'h' }, spec: { block: {} } });
    assert.deepEqual(diags.map((d) => [d.path, /required/.test(d.message)]), [['/spec/handleID', true]]);
  });

  it('understands int-or-string, RE2 (?i) patterns and formats', () => {
    const np: KubeObject = {
      apiVersion: CRD_API_VERSION,
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'ns' },
      spec: { ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80, 'http', '8000:8080'] } }] },
    };
    assert.deepEqual(validator.validate(np), []);
    const felix: KubeObject = { apiVersion: CRD_API_VERSION, kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { iptablesFilterAllowAction: 'ACCEPT' } };
    assert.deepEqual(validator.validate(felix), []);
    const felixBad: KubeObject = { apiVersion: CRD_API_VERSION, kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { iptablesFilterAllowAction: 'Drop' } };
    assert.deepEqual(validator.validate(felixBad).map((d) => d.path), ['/spec/iptablesFilterAllowAction']);
    const badPort = { ...np, spec: { ingress: [{ action: 'Allow', destination: { ports: [{}] } }] } };
    assert.deepEqual(validator.validate(badPort).map((d) => d.path), ['/spec/ingress/0/destination/ports/0']);
    const badCidr: KubeObject = { apiVersion: CRD_API_VERSION, kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.0.0.0/99' } };
    assert.match(validator.validate(badCidr)[0]?.message ?? '', /format "cidr"/);
  });

  it('warns about fields the API server would prune, and applies defaults before checking required', () => {
    const { object, pruned } = validator.normalize({ apiVersion: CRD_API_VERSION, kind: 'Tier', metadata: { name: 't' }, spec: { order: 1, colour: 'red' } });
    assert.deepEqual(pruned, ['/spec/colour']);
    assert.deepEqual(object.spec, { order: 1, defaultAction: 'Deny' });
    const diags = validator.validate({ apiVersion: CRD_API_VERSION, kind: 'IPAMConfig', metadata: { name: 'default' }, spec: { strictAffinity: false, autoAllocateBlocks: true, ipCooldownSeconds: 30 } });
    assert.deepEqual(diags.map((d) => [d.severity, d.code, d.path]), [['warning', 'schema-pruned', '/spec/ipCooldownSeconds']]);
  });

  it('checks scope and unknown kinds; core Nodes are not validated', () => {
    assert.deepEqual(validator.validate({ apiVersion: CRD_API_VERSION, kind: 'NetworkSet', metadata: { name: 'n' }, spec: {} }).map((d) => d.path), ['/metadata/namespace']);
    assert.match(validator.validate({ apiVersion: CRD_API_VERSION, kind: 'Widget', metadata: { name: 'w' } })[0]?.message ?? '', /no CRD serves/);
    assert.deepEqual(validator.validate({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', annotations: {} } }), []);
  });

  it('ignores objects that are not CRDs, recording why', () => {
    const v = new CrdSchemaValidator([{ kind: 'ConfigMap' }, null]);
    assert.equal(v.problems.length, 2);
    assert.deepEqual(v.kinds, []);
  });
});
