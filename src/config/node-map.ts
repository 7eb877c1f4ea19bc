/** --node-map FILE: a JSON or YAML object of etcd node name -> Kubernetes node name. */
import YAML from 'yaml';
import { MigrateError } from '../errors.js';
import { readUserFile } from '../util/user-file.js';

const EXAMPLE = 'pass a JSON or YAML object like {"etcd-node-1": "k8s-node-1"}';

export function readNodeMap(file: string | undefined): Record<string, string> | undefined {
  if (!file) return undefined;
  const text = readUserFile({ label: '--node-map', path: file, hint: EXAMPLE });
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new MigrateError('USAGE', `--node-map ${file}: not JSON or YAML (${(e as Error).message})`, { hint: EXAMPLE });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || Object.values(doc).some((v) => typeof v !== 'string' || !v)) {
    throw new MigrateError('USAGE', `--node-map ${file}: expected an object mapping etcd node names to Kubernetes node names (strings)`, {
      hint: 'e.g. {"etcd-node-1": "k8s-node-1"}',
    });
  }
  return doc as Record<string, string>;
}
