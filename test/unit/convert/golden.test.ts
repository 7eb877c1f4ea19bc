import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { convertSnapshot } from '../../../src/convert/index.js';
import { MIGRATED_KINDS } from '../../../src/model/kinds.js';
import { datasetNames, loadDataset, render } from '../../tools/datasets.js';

const HINT = 'golden mismatch; if the change is intended run `npm run golden:update` and review the diff';

describe('convert goldens (test/fixtures/datasets)', () => {
  const names = datasetNames();

  it('has the full, legacy-v3.28 and bad-input datasets', () => {
    for (const n of ['full', 'legacy-v3.28', 'bad-input']) assert.ok(names.includes(n), n);
  });

  for (const name of names) {
    describe(name, () => {
      const ds = loadDataset(name);
      const result = convertSnapshot(ds.snapshot, ds.options);
      const rendered = render(result);
      for (const [file, text] of Object.entries(rendered)) {
        it(`matches ${file}`, () => {
          assert.equal(text, readFileSync(`${ds.dir}${file}`, 'utf8'), HINT);
        });
      }
      it('is deterministic', () => {
        const again = render(convertSnapshot({ ...ds.snapshot, kvs: [...ds.snapshot.kvs].reverse() }, ds.options));
        assert.deepEqual(again, rendered);
      });
    });
  }

  it('together cover every migrated kind, all IPAM kinds and core Nodes', () => {
    const kinds = new Set<string>();
    for (const name of names) {
      const text = readFileSync(`${loadDataset(name).dir}expected.k8s.yaml`, 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const o = doc.toJS() as { kind?: string } | null;
        if (o?.kind) kinds.add(o.kind);
      }
    }
    for (const k of [...MIGRATED_KINDS.map((m) => m.kind), 'BlockAffinity', 'IPAMBlock', 'IPAMHandle', 'IPAMConfig', 'Node']) {
      assert.ok(kinds.has(k), `no dataset produces a ${k}`);
    }
  });

  it('full: conversion is clean and covers the reference scenarios', () => {
    const ds = loadDataset('full');
    const r = convertSnapshot(ds.snapshot, ds.options);
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0);
    assert.equal(r.namingVersion, 'v3.31.2');
    const affinity = r.objects.filter((o) => o.kind === 'BlockAffinity');
    assert.ok(
      affinity.some((o) => o.name.length === 252),
      'a hashed (≥253) affinity name',
    );
    assert.ok(
      affinity.some((o) => (o.body.spec as Record<string, unknown>).type === 'virtual'),
      'a virtual affinity',
    );
    const handles = r.objects.filter((o) => o.kind === 'IPAMHandle').map((o) => o.name);
    for (const p of ['ipip-tunnel-addr-', 'vxlan-tunnel-addr-', 'vxlan-v6-tunnel-addr-', 'wireguard-tunnel-addr-', 'wireguard-v6-tunnel-addr-']) {
      assert.ok(
        handles.some((h) => h.startsWith(p) && h.endsWith('.ec2.internal')),
        `renamed ${p} handle`,
      );
    }
    const stagedNs = new Set(r.objects.filter((o) => o.kind.startsWith('Staged') && o.namespace).map((o) => o.namespace));
    assert.ok(stagedNs.size >= 3, 'staged policies in several namespaces');
    const categories = new Set(r.skipped.map((s) => s.category));
    for (const c of [
      'kdd-derived-profile',
      'user-profile',
      'workload-endpoint',
      'live-migration',
      'calico-node-status',
      'kdd-derived-policy',
      'felix-status',
      'v1-syncer-model',
      'ipam-legacy-host-dir',
      'v3-ipam-resource',
    ]) {
      assert.ok(categories.has(c), `skip category ${c}`);
    }
  });

  it('legacy-v3.28: skips unknown keys on request and uses the pre-v3.30 policy names', () => {
    const ds = loadDataset('legacy-v3.28');
    const r = convertSnapshot(ds.snapshot, ds.options);
    assert.ok(r.skipped.some((s) => s.category === 'unknown'));
    assert.ok(r.objects.some((o) => o.kind === 'GlobalNetworkPolicy' && o.name === 'default.allow-ping'));
    assert.equal(r.nodeMap['edge-01'], 'edge-01.corp.example');
  });

  it('bad-input: reports each planted problem', () => {
    const ds = loadDataset('bad-input');
    const r = convertSnapshot(ds.snapshot, ds.options);
    const codes = new Set(r.diagnostics.map((d) => d.code));
    for (const c of [
      'invalid-json',
      'invalid-value',
      'kind-mismatch',
      'api-version-mismatch',
      'namespace-mismatch',
      'name-mismatch',
      'invalid-cidr',
      'invalid-ippool',
      'ippool-overlap',
      'cidr-mismatch',
      'unknown-kind',
      'unknown-key',
      'invalid-key',
      'node-collision',
      'node-missing-k8s-ref',
      'duplicate-object',
      'invalid-name',
      'invalid-label',
      'policy-name-invalid',
      'ipam-config-mismatch',
      'user-profile-dropped',
    ]) {
      assert.ok(codes.has(c), c);
    }
    const collision = r.diagnostics.find((d) => d.code === 'node-collision');
    assert.match(collision?.message ?? '', /node-a, node-b/);
    for (const d of r.diagnostics.filter((x) => x.severity === 'error')) assert.ok(d.hint, `${d.code} has a hint`);
  });
});
