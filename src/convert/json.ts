/**
 * JSON helpers. Calico writes its annotations with Go's encoding/json (via jsoniter in
 * standard-library mode), so anything we put into an annotation must be byte-for-byte what Go
 * would write: map keys sorted, struct fields in declaration order, and `<`, `>`, `&`, U+2028,
 * U+2029 escaped. Otherwise a later `verify` against objects Calico rewrote would see spurious diffs.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * A Go map: serialised with its keys sorted. Plain JS objects cannot stand in for one because
 * they move integer-like keys ("10", "9") to the front in numeric order.
 */
export class GoMap {
  readonly entries: ReadonlyArray<readonly [string, unknown]>;
  constructor(record: JsonRecord) {
    this.entries = Object.entries(record).sort(([a], [b]) => compareGoStrings(a, b));
  }
  get size(): number {
    return this.entries.length;
  }
}

/**
 * Go compares strings byte-wise (UTF-8). UTF-8 byte order equals UTF-16 code-unit order except
 * where a surrogate (a character above U+FFFF) meets U+E000..U+FFFF, so only strings holding a
 * surrogate are encoded to compare; every key of a sort used to be, twice per comparison.
 */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return a < b ? -1 : 1;
}

const SURROGATE = /[\uD800-\uDFFF]/;

const HTML_UNSAFE = /[<>&\u2028\u2029]/;

/** No value is an object or array (so no GoMap), and the record is a plain object. */
function flat(v: JsonRecord): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) {
    const x = v[k];
    if (typeof x === 'object' && x !== null) return false;
    if (typeof x === 'function' || typeof x === 'symbol' || typeof x === 'bigint') return false;
  }
  return true;
}

function stringifyInner(v: unknown): string {
  if (v instanceof GoMap) {
    return `{${v.entries.map(([k, val]) => `${JSON.stringify(k)}:${stringifyInner(val)}`).join(',')}}`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : stringifyInner(x))).join(',')}]`;
  if (isRecord(v)) {
    // A record of plain values is what JSON.stringify writes (same key order, undefined left out).
    if (flat(v)) return JSON.stringify(v);
    const parts: string[] = [];
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${stringifyInner(val)}`);
    }
    return `{${parts.join(',')}}`;
  }
  const s = JSON.stringify(v);
  return s === undefined ? 'null' : s;
}

/** Serialise like Go's json.Marshal (HTML-safe escaping, GoMap keys sorted, objects in insertion order). */
export function goJson(v: unknown): string {
  const text = stringifyInner(v);
  if (!HTML_UNSAFE.test(text)) return text;
  // These characters can only occur inside JSON strings, so a global replace is safe.
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A string-to-string map copied without prototype surprises (`__proto__` stays an ordinary key). */
export function stringMap(v: unknown): Record<string, string> | null {
  if (!isRecord(v)) return null;
  const entries = Object.entries(v);
  if (entries.some(([, val]) => typeof val !== 'string')) return null;
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Sorted copy of a string map, for stable output. */
export function sortedStringMap(m: Record<string, string>): Record<string, string> {
  const entries = Object.entries(m);
  for (let i = 1; i < entries.length; i++) {
    if (compareGoStrings(entries[i - 1]![0], entries[i]![0]) > 0) {
      entries.sort(([a], [b]) => compareGoStrings(a, b));
      break;
    }
  }
  return Object.fromEntries(entries);
}

export function deepClone<T>(v: T): T {
  return structuredClone(v);
}

/** JSON pointer escaping for diagnostic paths. */
export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
