/** Opening the source: a live etcd read at one revision, or a calicoctl export file. */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { EtcdSource } from '../adapters/etcd/source.js';
import { resolveSourceSettings, type SourceFlags } from '../config/source.js';
import { readCalicoctlExport } from '../export/calicoctl-format.js';
import { MigrateError } from '../errors.js';
import type { SourceSnapshot } from '../model/types.js';
import type { Context } from './context.js';

export interface SourceOptions extends SourceFlags {
  'from-export'?: string;
  /** Keys per etcd range request. */
  pageSize?: number;
}

export async function readSource(opts: SourceOptions, ctx: Context): Promise<SourceSnapshot> {
  if (opts['from-export']) {
    ctx.io.say('info', `Reading calicoctl export file ${opts['from-export']}`);
    return readCalicoctlExport(opts['from-export']);
  }
  const etcd = EtcdSource.connect(resolveSourceSettings(opts));
  try {
    const t0 = Date.now();
    const snap = await etcd.readSnapshot({ pageSize: opts.pageSize });
    ctx.io.say('debug', `read ${snap.kvs.length} keys at revision ${snap.revision} in ${Date.now() - t0} ms`);
    return snap;
  } finally {
    etcd.close();
  }
}

/** --node-map FILE: a JSON or YAML object of etcd node name -> Kubernetes node name. */
export function readNodeMap(file: string | undefined): Record<string, string> | undefined {
  if (!file) return undefined;
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MigrateError('USAGE', `--node-map ${file}: cannot read (${(e as Error).message})`, {
      hint: 'pass a JSON or YAML object like {"etcd-node-1": "k8s-node-1"}',
    });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || Object.values(doc).some((v) => typeof v !== 'string' || !v)) {
    throw new MigrateError('USAGE', `--node-map ${file}: expected an object mapping etcd node names to Kubernetes node names (strings)`, {
      hint: 'e.g. {"etcd-node-1": "k8s-node-1"}',
    });
  }
  return doc as Record<string, string>;
}
