/**
 * Reading untyped CR bodies. The converter passes the Calico v3 spec through verbatim, so every
 * field may hold any JSON value; the rules read through these helpers and never trust a shape.
 */
import { isRecord, type JsonRecord } from '../../convert/json.js';

export { isRecord, type JsonRecord };

export function rec(v: unknown): JsonRecord {
  return isRecord(v) ? v : {};
}

export function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A non-empty string: what Go's `omitempty` validators and `x != ""` checks look at. */
export function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `spec` + `ingress` -> `spec.ingress`, + 0 -> `spec.ingress[0]`, + `a/b` -> `x["a/b"]`. */
export function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (IDENT.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/** The value at `path` (object keys only). */
export function dig(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/**
 * Go's zero value after JSON decoding: absent, null, "", false, 0, an empty list or map, or a map
 * of zero values. Empty lists count as zero although Go keeps them non-nil, so an exported `[]`
 * is not reported.
 */
export function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isRecord(v)) return Object.values(v).every(isZero);
  return false;
}

/** JSON text for messages: strings quoted, the rest as JSON. */
export function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}
