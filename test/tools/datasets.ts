/**
 * Golden datasets: `test/fixtures/datasets/<name>/etcd.json` (a list of {key, value[, modRevision]}
 * with values exactly as stored) and optional `options.json` (ConvertOptions). The expected files
 * are rendered from a ConversionResult by `render` so the golden test and the update tool agree.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { objectYaml } from '../../src/export/kubernetes-yaml.js';
import type { ConversionResult, ConvertOptions, SourceSnapshot } from '../../src/model/types.js';

export const DATASETS_DIR = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url));

export function datasetNames(): string[] {
  return readdirSync(DATASETS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${DATASETS_DIR}${d.name}/etcd.json`))
    .map((d) => d.name)
    .sort();
}

export interface Dataset {
  name: string;
  dir: string;
  snapshot: SourceSnapshot;
  options: ConvertOptions;
}

export function loadDataset(name: string): Dataset {
  const dir = `${DATASETS_DIR}${name}/`;
  const entries = JSON.parse(readFileSync(`${dir}etcd.json`, 'utf8')) as Array<{ key: string; value: string; modRevision?: number }>;
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Deterministic, distinct revisions in key order unless the dataset pins them.
  const kvs = sorted.map((e, i) => ({ key: e.key, value: e.value, modRevision: e.modRevision ?? 1000 + i }));
  const options = existsSync(`${dir}options.json`) ? (JSON.parse(readFileSync(`${dir}options.json`, 'utf8')) as ConvertOptions) : {};
  return {
    name,
    dir,
    snapshot: { origin: 'etcd', endpoints: ['https://etcd.example:2379'], clusterId: '14841639068965178418', revision: 5000, kvs },
    options,
  };
}

export interface Rendered {
  'expected.k8s.yaml': string;
  'expected.diagnostics.json': string;
  'expected.summary.json': string;
}

/** The CLI's own renderer, so the goldens and `export --format kubernetes` cannot drift apart. */
export const toYaml = objectYaml;

export function render(result: ConversionResult): Rendered {
  const yaml = result.objects.map((o) => toYaml(o.body)).join('---\n');
  const summary = {
    namingVersion: result.namingVersion,
    clusterInfo: result.clusterInfo,
    nodeMap: result.nodeMap,
    objects: result.objects.map((o) => ({
      address: `${o.apiVersion}/${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`,
      sources: o.sources,
    })),
    skipped: result.skipped,
  };
  return {
    'expected.k8s.yaml': yaml,
    'expected.diagnostics.json': `${JSON.stringify(result.diagnostics, null, 2)}\n`,
    'expected.summary.json': `${JSON.stringify(summary, null, 2)}\n`,
  };
}
