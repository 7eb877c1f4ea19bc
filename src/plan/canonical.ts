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
  return copy instanceof Raw ? copy.text : JSON.stringify(copy);
}

/**
 * Canonical text already written for a subtree JSON.stringify cannot be handed in canonical
 * order: an object with an array-index key ("0", "10"), which every JS engine enumerates first
 * and numerically whatever the insertion order (IPAM blocks' sequenceNumberForAllocation), or a
 * `__proto__` key. Only the path from the root to such an object is written by hand; every other
 * subtree still goes through JSON.stringify.
 */
class Raw {
  constructor(readonly text: string) {}
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/** A key JSON.stringify would not write in canonical order; the regex runs only on keys that start with a digit. */
function needsRaw(k: string): boolean {
  const c = k.charCodeAt(0);
  return (c >= 48 && c <= 57 && ARRAY_INDEX.test(k)) || k === '__proto__';
}

function textOf(v: unknown): string {
  return v instanceof Raw ? v.text : JSON.stringify(v);
}

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
    let out: unknown[] | null = null;
    let raw = false;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      // Holes in sparse arrays read as undefined and are refused like any other undefined.
      const item: unknown = value[i];
      const v = sortedCopy(item, path);
      path.pop();
      if (v instanceof Raw) raw = true;
      if (v !== item && out === null) out = value.slice(0, i);
      if (out !== null) out[i] = v;
    }
    if (raw) return new Raw('[' + (out ?? value).map(textOf).join(',') + ']');
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new NonJsonValueError(formatPath(path), `an instance of ${value.constructor?.name ?? 'a class'}`);
  }
  const record = value as Record<string, unknown>;
  // Already canonical (a record parsed from a plan line, the common case when apply rewrites its
  // reverse plan) is handed to JSON.stringify as it is; a copy is made only where keys are out of
  // order or a child had to be copied. The default sort compares strings by UTF-16 code unit, the
  // canonical order, without a callback.
  const keys = Object.keys(record);
  let changed = sortKeys(keys);
  const values: unknown[] = new Array<unknown>(keys.length);
  let raw = false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (needsRaw(k)) raw = true;
    path.push(k);
    const item = record[k];
    const v = sortedCopy(item, path);
    path.pop();
    if (v instanceof Raw) raw = true;
    if (v !== item) changed = true;
    values[i] = v;
  }
  if (raw) return new Raw('{' + keys.map((k, i) => JSON.stringify(k) + ':' + textOf(values[i])).join(',') + '}');
  if (!changed) return value;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) out[keys[i] as string] = values[i];
  return out;
}

/**
 * Sorts `keys` in place by UTF-16 code unit and says whether any moved. Most objects have a handful
 * of keys (metadata, a rule, an allocation's attributes), where an insertion sort with `>` is
 * several times faster than Array.prototype.sort, which was the largest single cost of writing a
 * plan; long key lists still go to the built-in sort.
 */
function sortKeys(keys: string[]): boolean {
  const n = keys.length;
  let moved = false;
  if (n > 16) {
    for (let i = 1; i < n; i++) {
      if ((keys[i - 1] as string) > (keys[i] as string)) {
        keys.sort();
        return true;
      }
    }
    return false;
  }
  for (let i = 1; i < n; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    if ((keys[j] as string) <= k) continue;
    moved = true;
    do {
      keys[j + 1] = keys[j] as string;
      j--;
    } while (j >= 0 && (keys[j] as string) > k);
    keys[j + 1] = k;
  }
  return moved;
}

/** `$.a.b[3]["x/y"]`: where in the value a refused value sits. */
function formatPath(path: ReadonlyArray<string | number>): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('');
}
