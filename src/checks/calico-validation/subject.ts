/**
 * What the validator saw in etcd, recovered from a converted object: the v3 name and labels live
 * in the `projectcalico.org/metadata` annotation on ≥ v3.29 layouts, on the CR itself before.
 */
import { METADATA_ANNOTATION } from '../../convert/metadata.js';
import type { DesiredObject } from '../../model/types.js';
import { isRecord, rec } from './access.js';
import type { Subject } from './types.js';

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function v3Metadata(annotations: Record<string, string>): Record<string, unknown> {
  const text = annotations[METADATA_ANNOTATION];
  if (text === undefined) return {};
  try {
    return rec(JSON.parse(text) as unknown);
  } catch {
    return {};
  }
}

export function subjectOf(d: DesiredObject): Subject {
  const annotations = stringMap(d.body.metadata.annotations);
  const meta = v3Metadata(annotations);
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : d.name;
  return {
    kind: d.kind,
    name,
    namespace: d.namespace,
    labels: { ...stringMap(d.body.metadata.labels), ...stringMap(meta.labels) },
    annotations,
    spec: rec(d.body.spec),
    object: d,
  };
}

/** `Kind name` or `Kind namespace/name`, with the CR's name. */
export function objectLabel(d: DesiredObject): string {
  return `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}`;
}
