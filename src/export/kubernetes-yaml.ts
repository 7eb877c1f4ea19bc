/** `export --format kubernetes`: the converted objects as multi-document YAML, keys sorted, in apply order. */
import YAML from 'yaml';
import type { DesiredObject } from '../model/types.js';

export function toYamlDocument(value: unknown): string {
  return YAML.stringify(value, { sortMapEntries: true, lineWidth: 0 });
}

export function renderKubernetesYaml(objects: readonly DesiredObject[]): string {
  return objects.map((o) => `---\n${toYamlDocument(o.body)}`).join('');
}
