import assert from 'node:assert/strict';
import { loadVendoredCrds } from '../../../src/adapters/vendored-crds.js';
import { CrdSchemaValidator, schemaCheck, validateObjects } from '../../../src/checks/schema.js';
import { convertSnapshot } from '../../../src/convert/index.js';
import { ALL_CRD_KINDS, CRD_API_VERSION } from '../../../src/model/kinds.js';
import type { DesiredObject, KubeObject } from '../../../src/model/types.js';
import { loadDataset } from '../../tools/datasets.js';

describe('checks/schema', () => {
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
    assert.deepEqual(
      diags.map((d) => [d.path, /required/.test(d.message)]),
      [['/spec/handleID', true]],
    );
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
    assert.deepEqual(
      validator.validate(felixBad).map((d) => d.path),
      ['/spec/iptablesFilterAllowAction'],
    );
    const badPort = { ...np, spec: { ingress: [{ action: 'Allow', destination: { ports: [{}] } }] } };
    assert.deepEqual(
      validator.validate(badPort).map((d) => d.path),
      ['/spec/ingress/0/destination/ports/0'],
    );
    const badCidr: KubeObject = { apiVersion: CRD_API_VERSION, kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.0.0.0/99' } };
    assert.match(validator.validate(badCidr)[0]?.message ?? '', /format "cidr"/);
  });

  it('warns about fields the API server would prune, and applies defaults before checking required', () => {
    const { object, pruned } = validator.normalize({ apiVersion: CRD_API_VERSION, kind: 'Tier', metadata: { name: 't' }, spec: { order: 1, colour: 'red' } });
    assert.deepEqual(pruned, ['/spec/colour']);
    assert.deepEqual(object.spec, { order: 1, defaultAction: 'Deny' });
    const diags = validator.validate({
      apiVersion: CRD_API_VERSION,
      kind: 'IPAMConfig',
      metadata: { name: 'default' },
      spec: { strictAffinity: false, autoAllocateBlocks: true, ipCooldownSeconds: 30 },
    });
    assert.deepEqual(
      diags.map((d) => [d.severity, d.code, d.path]),
      [['warning', 'schema-pruned', '/spec/ipCooldownSeconds']],
    );
  });

  it('normalizing leaves its input alone: an object with nothing to prune or default is returned as it is, any other is copied', () => {
    const kept = { apiVersion: CRD_API_VERSION, kind: 'Tier', metadata: { name: 't' }, spec: { order: 1, defaultAction: 'Pass' } };
    const same = validator.normalize(kept);
    assert.equal(same.object, kept);
    assert.deepEqual(same.pruned, []);
    const input = { apiVersion: CRD_API_VERSION, kind: 'Tier', metadata: { name: 't' }, spec: { colour: 'red', order: 1 } };
    const before = structuredClone(input);
    const { object, pruned } = validator.normalize(input);
    assert.deepEqual(input, before);
    assert.notEqual(object.spec, input.spec);
    assert.deepEqual(object.spec, { order: 1, defaultAction: 'Deny' });
    assert.deepEqual(pruned, ['/spec/colour']);
    // A key JSON would read as the prototype stays an own field of the copy, and is pruned like any other.
    const proto = JSON.parse(`{"apiVersion":"${CRD_API_VERSION}","kind":"Tier","metadata":{"name":"t"},"spec":{"__proto__":{"x":1},"order":2}}`);
    const p = validator.normalize(proto);
    assert.deepEqual(p.pruned, ['/spec/__proto__']);
    assert.equal(Object.getPrototypeOf(p.object.spec), Object.prototype);
    assert.deepEqual(Object.keys(p.object.spec as object), ['order', 'defaultAction']);
  });

  it('checks scope and unknown kinds; core Nodes are not validated', () => {
    assert.deepEqual(
      validator.validate({ apiVersion: CRD_API_VERSION, kind: 'NetworkSet', metadata: { name: 'n' }, spec: {} }).map((d) => d.path),
      ['/metadata/namespace'],
    );
    assert.match(validator.validate({ apiVersion: CRD_API_VERSION, kind: 'Widget', metadata: { name: 'w' } })[0]?.message ?? '', /no CRD serves/);
    assert.deepEqual(validator.validate({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', annotations: {} } }), []);
  });

  it('ignores objects that are not CRDs, recording why', () => {
    const v = new CrdSchemaValidator([{ kind: 'ConfigMap' }, null]);
    assert.equal(v.problems.length, 2);
    assert.deepEqual(v.kinds, []);
  });

  describe('validateObjects and the schema check', () => {
    const gnsCrd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'globalnetworksets.crd.projectcalico.org' },
      spec: {
        group: 'crd.projectcalico.org',
        names: { kind: 'GlobalNetworkSet', plural: 'globalnetworksets' },
        scope: 'Cluster',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  apiVersion: { type: 'string' },
                  kind: { type: 'string' },
                  metadata: { type: 'object' },
                  spec: { type: 'object', properties: { nets: { type: 'array', items: { type: 'string' } } } },
                },
              },
            },
          },
        ],
      },
    };
    const key = '/calico/resources/v3/projectcalico.org/globalnetworksets/g';
    const gns = (spec: Record<string, unknown>): DesiredObject => ({
      apiVersion: CRD_API_VERSION,
      kind: 'GlobalNetworkSet',
      namespace: null,
      name: 'g',
      body: { apiVersion: CRD_API_VERSION, kind: 'GlobalNetworkSet', metadata: { name: 'g' }, spec },
      sources: [{ key, mod_revision: 3 }],
    });

    it('returns violations as errors (code schema) and pruned fields as warnings, apart', () => {
      const f = validateObjects([gnsCrd], [gns({ nets: [1], colour: 'red' })]);
      assert.deepEqual(
        f.errors.map((d) => [d.code, d.path, d.key]),
        [['schema', '/spec/nets/0', key]],
      );
      assert.deepEqual(
        f.warnings.map((d) => [d.code, d.path]),
        [['schema-pruned', '/spec/colour']],
      );
    });

    it('puts unusable CRDs first among the warnings', () => {
      const f = validateObjects([{ kind: 'ConfigMap', metadata: { name: 'cm' } }, gnsCrd], [gns({ nets: ['10.0.0.0/8'] })]);
      assert.deepEqual(f.errors, []);
      assert.deepEqual(
        f.warnings.map((d) => [d.code, d.message]),
        [['schema-crd-unusable', 'CRD ignored for schema validation: cm: not a CustomResourceDefinition (missing spec.group, spec.names.kind or spec.versions)']],
      );
    });

    it('the check fails naming the source key, the path and the rule; passes when there is no error', () => {
      const c = schemaCheck(validateObjects([gnsCrd], [gns({ nets: [1] })]));
      assert.equal(c.status, 'fail');
      assert.equal(c.message, "1 object(s) violate the target's CRD schemas");
      assert.match(c.items[0] ?? '', /^\/calico\/resources\/v3\/projectcalico\.org\/globalnetworksets\/g: \/spec\/nets\/0 must be string \(rule: type at /);
      assert.equal(schemaCheck(validateObjects([gnsCrd], [gns({ nets: ['10.0.0.0/8'] })])).status, 'pass');
    });

    it('an object of a kind no CRD serves is an error, not a silent pass', () => {
      assert.match(validateObjects([], [gns({})]).errors[0]?.message ?? '', /no CRD serves crd\.projectcalico\.org\/v1 GlobalNetworkSet/);
    });
  });
});
