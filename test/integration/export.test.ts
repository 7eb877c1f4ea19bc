/**
 * Issue 3, end to end: the golden datasets go into the REAL etcd, and the BUILT CLI (`export`,
 * `plan`) reads them back over the wire. The live path must give exactly what the pure converter's
 * goldens say, a calicoctl export written by the tool must read back (--from-export) to the same
 * objects and the same plan, and bad input / bad connections / bad configs must fail with their
 * documented exit code, a message naming the culprit, no stack trace and nothing written.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import { ensureNodes } from '../../scripts/cluster/seed.js';
import { EXIT_CODES } from '../../src/errors.js';
import type { Plan, ResourceChange } from '../../src/plan/types.js';
import { resetDatastores, testCluster } from './support/cluster.js';
import { DATASETS, seedDataset } from './support/datasets.js';
import { Workdir, cli, finalJson, readPlan } from './support/e2e.js';

interface DatasetOptions {
  nodeMap?: Record<string, string>;
  skipUnknown?: boolean;
  calicoVersion?: string;
}

function datasetFile(name: string, file: string): string {
  return path.join(DATASETS, name, file);
}

function datasetOptions(name: string): DatasetOptions {
  const f = datasetFile(name, 'options.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DatasetOptions) : {};
}

/** The dataset's options.json as CLI flags (the node map becomes a file in the work dir). */
function conversionFlags(w: Workdir, opts: DatasetOptions): string[] {
  const flags: string[] = [];
  if (opts.nodeMap) {
    writeFileSync(w.path('node-map.json'), JSON.stringify(opts.nodeMap));
    flags.push('--node-map', w.path('node-map.json'));
  }
  if (opts.skipUnknown) flags.push('--skip-unknown');
  if (opts.calicoVersion) flags.push('--calico-version', opts.calicoVersion);
  return flags;
}

function goldenDocs(name: string): any[] {
  return YAML.parseAllDocuments(readFileSync(datasetFile(name, 'expected.k8s.yaml'), 'utf8')).map((d) => d.toJSON());
}

/** Everything about a change except where it came from (an export file has no etcd revisions). */
function comparable(c: ResourceChange) {
  const { source_keys: _sourceKeys, ...rest } = c;
  return rest;
}

function changesByAddress(plan: Plan): Map<string, ResourceChange> {
  return new Map(plan.resource_changes.map((c) => [c.address, c]));
}

describe('export (issue 3): golden datasets through the real etcd and the built CLI', function () {
  this.timeout(120_000);

  for (const name of ['full', 'legacy-v3.28']) {
    describe(`${name} dataset`, () => {
      const w = new Workdir();
      const opts = datasetOptions(name);
      const golden = readFileSync(datasetFile(name, 'expected.k8s.yaml'), 'utf8');
      let live = '';

      before(async () => {
        await resetDatastores();
        await seedDataset(name);
        // The Kubernetes Nodes the converted data lands on (with the dataset's node map applied), so
        // the plans below pass every check and compare real creates and updates.
        const nodes = goldenDocs(name)
          .filter((d) => d.kind === 'Node')
          .map((d) => d.metadata.name as string);
        assert.ok(nodes.length > 0);
        await ensureNodes(testCluster(), nodes);
      });

      it('export -o kubernetes from live etcd equals expected.k8s.yaml byte for byte', async () => {
        assert.ok(golden.split('\n---\n').length > 20, 'the golden is a real multi-object file');
        const r = await cli(w, ['export', '-o', 'kubernetes', ...conversionFlags(w, opts)], EXIT_CODES.OK);
        live = r.stdout;
        assert.equal(live, golden);
        // Warnings go to stderr, never into the YAML.
        if (opts.skipUnknown) assert.match(r.stderr, /skipped \(--skip-unknown\)/);
      });

      it('export -o calicoctl, then --from-export that file, gives the identical Kubernetes YAML', async () => {
        assert.ok(live, 'needs the live export of the previous test');
        const file = w.path('etcd-data.calicoctl');
        const r1 = await cli(w, ['export', '-o', 'calicoctl', '--out', file, ...conversionFlags(w, opts)], EXIT_CODES.OK);
        assert.match(r1.stderr, /Wrote \d+ object\(s\) to /);
        const text = readFileSync(file, 'utf8');
        assert.equal(text.split('===\n').length, 3, 'three calicoctl sections');
        // The export file already carries the mapped node names and no skipped keys: read it with no
        // node map and no --skip-unknown, as `calicoctl datastore migrate import` would.
        const r2 = await cli(w, ['export', '--from-export', file, '-o', 'kubernetes', ...(opts.calicoVersion ? ['--calico-version', opts.calicoVersion] : [])], EXIT_CODES.OK);
        assert.equal(r2.stdout, live);
      });

      it('a plan from --from-export has the same resource_changes as the plan from live etcd', async () => {
        const file = w.path('etcd-data.calicoctl');
        assert.ok(existsSync(file), 'needs the export file of the previous test');
        const [a, b] = await Promise.all([
          cli(w, ['plan', '--out', w.path('live.plan.json'), ...conversionFlags(w, opts)], EXIT_CODES.OK),
          cli(w, ['plan', '--from-export', file, '--out', w.path('file.plan.json')], EXIT_CODES.OK),
        ]);
        assert.ok(a && b);
        const fromLive = readPlan(w.path('live.plan.json'));
        const fromFile = readPlan(w.path('file.plan.json'));
        assert.equal(fromLive.source.type, 'etcdv3');
        assert.equal(fromFile.source.type, 'calicoctl-export');

        const L = changesByAddress(fromLive);
        const F = changesByAddress(fromFile);
        assert.deepEqual([...F.keys()].sort(), [...L.keys()].sort(), 'same addresses');
        // Every object of the golden is in the live plan, written exactly as the golden has it.
        for (const doc of goldenDocs(name)) {
          const address = `${doc.apiVersion}/${doc.kind}/${doc.metadata.namespace ? `${doc.metadata.namespace}/` : ''}${doc.metadata.name}`;
          assert.deepEqual(L.get(address)?.change.after, doc, `live plan: after of ${address} equals the golden`);
        }
        const differing: string[] = [];
        for (const [address, c] of L) {
          const f = F.get(address)!;
          assert.deepEqual(f.change.after, c.change.after, `after of ${address}`);
          if (!isDeepStrictEqual(comparable(f), comparable(c))) differing.push(address);
        }
        assert.deepEqual(differing, [], 'changes differ in more than their source keys');
        assert.ok(
          fromLive.resource_changes.some((c) => c.change.action === 'create'),
          'the plans compare real creates',
        );
      });
    });
  }

  describe('failures', () => {
    const w = new Workdir();

    it('bad-input: exit 5 (SOURCE_INVALID), naming the offending keys, no stack trace, nothing written', async () => {
      await resetDatastores();
      await seedDataset('bad-input');
      const expected = (JSON.parse(readFileSync(datasetFile('bad-input', 'expected.diagnostics.json'), 'utf8')) as Array<{ severity: string; key?: string }>).filter((d) => d.severity === 'error');
      const expectedKeys = new Set(expected.map((d) => d.key!));
      assert.ok(expected.length > 20 && expected.every((d) => d.key), 'the golden lists keyed errors');

      const out = w.path('bad.yaml');
      const [text, json] = await Promise.all([
        cli(w, ['export', '-o', 'kubernetes', '--out', out], EXIT_CODES.SOURCE_INVALID),
        cli(w, ['export', '-o', 'kubernetes', '--out', out, '--json'], EXIT_CODES.SOURCE_INVALID),
      ]);
      assert.equal(existsSync(out), false, '--out file must not be created');
      assert.equal(text.stdout, '', 'nothing on stdout');

      const endpoint = testCluster().etcd.endpoint;
      assert.match(text.stderr, new RegExp(`^Error: ${expected.length} source entries in ${endpoint.replace(/[.]/g, '\\.')} cannot be converted:`, 'm'));
      const listed = [...text.stderr.matchAll(/^ {2}- (\/calico\/\S+?):? /gm)].map((m) => m[1]!);
      assert.equal(listed.length, 20, 'the message lists the first 20');
      for (const k of listed) assert.ok(expectedKeys.has(k), `listed key ${k} is one of the expected errors`);
      assert.match(text.stderr, new RegExp(`… and ${expected.length - 20} more \\(see --json\\)`));
      assert.match(text.stderr, /^Next step: .*nothing was written/m);

      // --json carries every offending key.
      const err = finalJson(json.stdout);
      assert.equal(err.error, 'SOURCE_INVALID');
      assert.equal(err.exit_code, 5);
      assert.deepEqual(new Set((err.details as Array<{ key: string }>).map((d) => d.key)), expectedKeys);
    });

    it('an unreachable etcd: exit 6 naming the endpoint, no stack trace, nothing written', async () => {
      const out = w.path('unreachable.yaml');
      const r = await cli(w, ['export', '--etcd-endpoints', 'http://127.0.0.1:1', '--out', out], EXIT_CODES.CONNECTION);
      assert.match(r.stderr, /^Error: etcd http:\/\/127\.0\.0\.1:1: /m);
      assert.match(r.stderr, /^Next step: check --etcd-endpoints/m);
      assert.equal(existsSync(out), false);
    });

    it('a --source-config of datastoreType kubernetes: exit 64 naming the file and the field', async () => {
      const cfg = w.path('calicoctl-k8s.cfg');
      writeFileSync(cfg, YAML.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'CalicoAPIConfig', metadata: {}, spec: { datastoreType: 'kubernetes', kubeconfig: '/nonexistent' } }));
      const out = w.path('cfg.yaml');
      // No ETCD_ENDPOINTS: the config file is the only source setting.
      const r = await cli(w, ['export', '--source-config', cfg, '--out', out], EXIT_CODES.USAGE, { env: { ETCD_ENDPOINTS: undefined } });
      assert.match(r.stderr, new RegExp(`^Error: --source-config ${cfg.replace(/[.]/g, '\\.')}: spec\\.datastoreType is "kubernetes", but the source datastore type must be etcdv3`, 'm'));
      assert.equal(existsSync(out), false);
    });
  });
});
