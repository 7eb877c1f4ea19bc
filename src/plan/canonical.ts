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

// Hot: every byte of every plan goes through here. The path to a value is kept as a stack and
// only formatted when a value is refused, so well-formed plans pay nothing for error messages.
function write(value: unknown, path: Array<string | number>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NonJsonValueError(formatPath(path), String(value));
      return JSON.stringify(value);
    case 'object':
      break;
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new NonJsonValueError(formatPath(path), typeof value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      // Holes in sparse arrays read as undefined and are refused like any other undefined.
      out += (i === 0 ? '' : ',') + write(value[i], path);
      path.pop();
    }
    return out + ']';
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new NonJsonValueError(formatPath(path), `an instance of ${value.constructor?.name ?? 'a class'}`);
  }
  const record = value as Record<string, unknown>;
  // The default sort compares strings by UTF-16 code unit, the canonical order, without a callback.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    path.push(k);
    out += (i === 0 ? '' : ',') + JSON.stringify(k) + ':' + write(record[k], path);
    path.pop();
  }
  return out + '}';
}

/** `$.a.b[3]["x/y"]`: where in the value a refused value sits. */
function formatPath(path: ReadonlyArray<string | number>): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('');
}
