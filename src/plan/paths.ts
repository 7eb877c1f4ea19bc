/**
 * Field-level comparison of JSON values. Paths are written the way people read them in a review:
 * `spec.ingress[0].action`, with keys that are not plain words bracketed and quoted, so
 * `metadata.annotations["projectcalico.org/IPv4Address"]` stays unambiguous.
 */
import { compareStrings } from './canonical.js';
import { isRecord } from './normalize.js';

/** The root, when two values differ in type at the top. */
export const ROOT_PATH = '$';

/**
 * Every path where `a` and `b` differ, sorted. Objects are followed down to their leaves (also
 * when present on one side only); arrays are compared index by index, so a different length
 * reports the extra indexes.
 * Pure and total: any two values can be compared.
 */
export function changedPaths(a: unknown, b: unknown): string[] {
  const out: string[] = [];
  collect(a, b, '', out);
  return out.sort(compareStrings);
}

/** True when the two JSON values are equal (same keys, same order of array items). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return changedPaths(a, b).length === 0;
}

export function appendKey(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function collect(a: unknown, b: unknown, path: string, out: string[]): void {
  if (Object.is(a, b) || (a === 0 && b === 0)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) collect(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  // A map present on one side only is described by its keys, so adding or removing an
  // annotation names that annotation rather than just `metadata.annotations`.
  if (a === undefined && isRecord(b) && Object.keys(b).length > 0) a = {};
  if (b === undefined && isRecord(a) && Object.keys(a).length > 0) b = {};
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      collect(own(a, key), own(b, key), appendKey(path, key), out);
    }
    return;
  }
  out.push(path === '' ? ROOT_PATH : path);
}

/** Own properties only, so a key named like an Object.prototype member is not found by inheritance. */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
