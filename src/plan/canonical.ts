/**
 * Canonical JSON: the one byte form a plan record has. Keys are sorted by UTF-16 code unit (the
 * order RFC 8785 uses), so the same value always gives the same bytes whatever order it was built
 * in, and there is no whitespace, so a plan file holds one record per line (see plan-file.ts).
 *
 * Only plain JSON values are accepted. `undefined`, NaN, functions, class instances and the like
 * throw instead of being dropped: JSON.stringify would drop or coerce them silently, and a value
 * that changes shape on the way to disk would have a plan_id that no reader could reproduce.
 */
import { createHash } from 'node:crypto';

/** Thrown for a value that has no canonical JSON form; `path` says where, e.g. `$.spec.order`. */
export class NonJsonValueError extends TypeError {
  constructor(
    readonly path: string,
    what: string,
  ) {
    super(`${path} is ${what}, which is not a JSON value`);
    this.name = 'NonJsonValueError';
  }
}

/** Compact canonical JSON: sorted keys, no whitespace. */
export function canonicalJson(value: unknown): string {
  return write(value, []);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Code-unit order; never localeCompare, whose result depends on the machine's locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Hot: every byte of every plan goes through here. Building the text by concatenation leaves
// V8 rope strings that take about five times their length until flattened (measured: 423 MB of
// heap for 86 MB of plan lines), so the value is copied with its keys in canonical order and
// handed to the native JSON.stringify, which writes one flat string. The copy is refused where a
// value is not JSON; the path to it is kept as a stack and only formatted then.
function write(value: unknown, path: Array<string | number>): string {
  const copy = sortedCopy(value, path);
  return copy === INTEGER_KEYS ? concatenate(value, path) : JSON.stringify(copy);
}

/** Marks a tree with an object whose keys V8 would enumerate out of canonical order. */
const INTEGER_KEYS = Symbol('integer-keys');

/**
 * Array-index keys ("0", "10") are enumerated first and numerically by every JS engine whatever
 * the insertion order, so an object holding one cannot be handed to JSON.stringify in code-unit
 * order; such trees (rare: a label named "1") take the slow path.
 */
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

function sortedCopy(value: unknown, path: Array<string | number>): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new NonJsonValueError(formatPath(path), String(value));
      return value;
    case 'object':
      break;
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new NonJsonValueError(formatPath(path), typeof value);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      // Holes in sparse arrays read as undefined and are refused like any other undefined.
      const v = sortedCopy(value[i], path);
      path.pop();
      if (v === INTEGER_KEYS) return INTEGER_KEYS;
      out[i] = v;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new NonJsonValueError(formatPath(path), `an instance of ${value.constructor?.name ?? 'a class'}`);
  }
  const record = value as Record<string, unknown>;
  // The default sort compares strings by UTF-16 code unit, the canonical order, without a callback.
  const keys = Object.keys(record).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (ARRAY_INDEX.test(k) || k === '__proto__') return INTEGER_KEYS;
    path.push(k);
    const v = sortedCopy(record[k], path);
    path.pop();
    if (v === INTEGER_KEYS) return INTEGER_KEYS;
    out[k] = v;
  }
  return out;
}

/** The slow path: the text built piece by piece (values already checked by sortedCopy). */
function concatenate(value: unknown, path: Array<string | number>): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map((v, i) => concatenate(v, [...path, i])).join(',') + ']';
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + concatenate(record[k], [...path, k])).join(',') + '}';
}

/** `$.a.b[3]["x/y"]`: where in the value a refused value sits. */
function formatPath(path: ReadonlyArray<string | number>): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('');
}
