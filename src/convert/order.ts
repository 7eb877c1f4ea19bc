/**
 * Deterministic output order (wave, kind, namespace, name) and duplicate detection: two keys that
 * convert to the same target object (e.g. a legacy `default.foo` key and a `foo` key, or two
 * per-node configs renamed onto one node) would silently overwrite each other on apply.
 */
import { waveFor } from '../model/kinds.js';
import type { DesiredObject } from '../model/types.js';
import { objectAddress, type DiagnosticSink } from './diagnostics.js';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeWave(kind: string, name: string): number {
  try {
    return waveFor(kind, name);
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}

export function sortObjects(objects: DesiredObject[]): DesiredObject[] {
  const keyed = objects.map((o) => ({ o, wave: safeWave(o.kind, o.name) }));
  keyed.sort(
    (a, b) => a.wave - b.wave || cmp(a.o.kind, b.o.kind) || cmp(a.o.namespace ?? '', b.o.namespace ?? '') || cmp(a.o.name, b.o.name) || cmp(a.o.sources[0]?.key ?? '', b.o.sources[0]?.key ?? ''),
  );
  return keyed.map((k) => k.o);
}

/** Keeps the first object per address (input must already be sorted), reporting the rest. */
export function dropDuplicates(sorted: DesiredObject[], diag: DiagnosticSink): DesiredObject[] {
  const out: DesiredObject[] = [];
  let prev: DesiredObject | null = null;
  let prevAddr = '';
  for (const o of sorted) {
    const addr = objectAddress(o.apiVersion, o.kind, o.namespace, o.name);
    if (prev && addr === prevAddr) {
      const keys = (d: DesiredObject) => d.sources.map((s) => s.key).join(', ');
      diag.error({
        code: 'duplicate-object',
        key: o.sources[0]?.key,
        object: addr,
        message: `${keys(prev)} and ${keys(o)} both convert to ${addr}`,
        hint: 'Delete one of the source keys in etcd (or fix the node mapping), then plan again.',
      });
      continue;
    }
    out.push(o);
    prev = o;
    prevAddr = addr;
  }
  return out;
}
