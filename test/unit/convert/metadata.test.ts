import assert from 'node:assert/strict';
import { DiagnosticSink } from '../../../src/convert/diagnostics.js';
import { goJson, GoMap } from '../../../src/convert/json.js';
import { buildCrMetadata, convertUid, isOurs, METADATA_ANNOTATION } from '../../../src/convert/metadata.js';

function ctx() {
  return { key: '/k', address: 'crd.projectcalico.org/v1/X/x', diag: new DiagnosticSink() };
}

describe('convert/metadata', () => {
  it('isOurs matches projectcalico.org/ and operator.tigera.io/ anywhere in the key', () => {
    assert.equal(isOurs('projectcalico.org/tier'), true);
    assert.equal(isOurs('foo.projectcalico.org/bar'), true);
    assert.equal(isOurs('operator.tigera.io/x'), true);
    assert.equal(isOurs('app'), false);
    assert.equal(isOurs('example.com/projectcalico.org'), false);
  });

  it('puts only our labels/annotations on the CR and all of them in the metadata annotation (≥ v3.29)', () => {
    const c = ctx();
    const md = buildCrMetadata(
      {
        meta: { creationTimestamp: '2024-01-02T03:04:05Z', uid: 'x', resourceVersion: '5', generation: 3, finalizers: ['f'] },
        labels: { app: 'web', 'projectcalico.org/tier': 'default' },
        annotations: { note: 'a & b', 'projectcalico.org/owner': 'me' },
        crName: 'allow-web',
        namespace: 'prod',
        annotationName: 'allow-web',
        annotationLayout: true,
        keepCreationTimestamp: true,
      },
      c,
    );
    assert.deepEqual(md, {
      name: 'allow-web',
      namespace: 'prod',
      labels: { 'projectcalico.org/tier': 'default' },
      annotations: {
        [METADATA_ANNOTATION]:
          '{"name":"allow-web","creationTimestamp":"2024-01-02T03:04:05Z","labels":{"app":"web","projectcalico.org/tier":"default"},"annotations":{"note":"a \\u0026 b","projectcalico.org/owner":"me"}}',
        'projectcalico.org/owner': 'me',
      },
    });
    assert.deepEqual(c.diag.list, []);
  });

  it('omits the name for non-policy kinds and writes creationTimestamp null when absent', () => {
    const md = buildCrMetadata({ meta: {}, labels: {}, annotations: {}, crName: 'pool', namespace: null, annotationLayout: true, keepCreationTimestamp: true }, ctx());
    assert.deepEqual(md, { name: 'pool', annotations: { [METADATA_ANNOTATION]: '{"creationTimestamp":null}' } });
  });

  it('IPAM objects always get a null creationTimestamp', () => {
    const md = buildCrMetadata(
      { meta: { creationTimestamp: '2024-01-01T00:00:00Z' }, labels: {}, annotations: {}, crName: 'b', namespace: null, annotationLayout: true, keepCreationTimestamp: false },
      ctx(),
    );
    assert.equal(md.annotations?.[METADATA_ANNOTATION], '{"creationTimestamp":null}');
  });

  it('uses the ≤ v3.28 layout (everything on the CR) for old targets', () => {
    const md = buildCrMetadata(
      {
        meta: { creationTimestamp: '2024-01-02T03:04:05Z' },
        labels: { app: 'web' },
        annotations: { note: 'n' },
        crName: 'default.allow-web',
        namespace: 'prod',
        annotationLayout: false,
        keepCreationTimestamp: true,
      },
      ctx(),
    );
    assert.deepEqual(md, {
      name: 'default.allow-web',
      namespace: 'prod',
      labels: { app: 'web' },
      annotations: { note: 'n', [METADATA_ANNOTATION]: '{"creationTimestamp":"2024-01-02T03:04:05Z"}' },
    });
  });

  it('keeps ownerReferences, rewriting projectcalico.org/v3 owners to crd.projectcalico.org/v1 with ConvertUID', () => {
    const c = ctx();
    const md = buildCrMetadata(
      {
        meta: {
          ownerReferences: [
            { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', name: 'g', uid: 'a0304152-6c7d-48e9-b0f1-2c3d4e5f6a01', controller: true },
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: '11111111-1111-4111-8111-111111111111' },
          ],
        },
        labels: {},
        annotations: {},
        crName: 'x',
        namespace: null,
        annotationLayout: true,
        keepCreationTimestamp: true,
      },
      c,
    );
    assert.equal(
      md.annotations?.[METADATA_ANNOTATION],
      '{"creationTimestamp":null,"ownerReferences":[{"apiVersion":"crd.projectcalico.org/v1","kind":"GlobalNetworkSet","name":"g","uid":"050c824a-36be-4897-b08f-34bc72fa5680","controller":true},{"apiVersion":"v1","kind":"ConfigMap","name":"cm","uid":"11111111-1111-4111-8111-111111111111"}]}',
    );
    // The plan, not the converter, points them at the owners' uids in the target (owner-references.ts).
    assert.deepEqual(
      c.diag.list.map((d) => d.code),
      [],
    );
  });

  it('convertUid bit-reverses all bytes but the version and variant bytes', () => {
    assert.equal(convertUid('a0304152-6c7d-48e9-b0f1-2c3d4e5f6a01'), '050c824a-36be-4897-b08f-34bc72fa5680');
    assert.equal(convertUid(convertUid('a0304152-6c7d-48e9-b0f1-2c3d4e5f6a01') ?? ''), 'a0304152-6c7d-48e9-b0f1-2c3d4e5f6a01');
    assert.equal(convertUid('not-a-uuid'), null);
  });

  it('reports labels that Kubernetes would reject', () => {
    const c = ctx();
    buildCrMetadata({ meta: {}, labels: { 'projectcalico.org/owner': 'has spaces' }, annotations: {}, crName: 'x', namespace: null, annotationLayout: true, keepCreationTimestamp: true }, c);
    assert.deepEqual(
      c.diag.list.map((d) => [d.code, d.path]),
      [['invalid-label', '/metadata/labels/projectcalico.org~1owner']],
    );
  });

  it('goJson sorts GoMap keys bytewise, even integer-like ones, and escapes like Go', () => {
    assert.equal(goJson(new GoMap({ '9': 'a', '10': 'b', b: '<x>' })), '{"10":"b","9":"a","b":"\\u003cx\\u003e"}');
  });
});
