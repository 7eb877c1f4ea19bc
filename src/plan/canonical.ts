/**
 * Canonical JSON: the one byte form a plan has. Keys are sorted by UTF-16 code unit (the order
 * RFC 8785 uses), so the same value always gives the same bytes whatever order it was built in.
 * `plan_id` hashes the compact form; the file on disk is the indented form, and a reader refuses
 * any file whose bytes are not exactly that form (see plan-file.ts).
 *
 * Only plain JSON values are accepted. `undefined`, NaN, functions, class instances and the like
 * throw instead of being dropped: JSON.stringify would drop or coerce them silently, and a value
 * that changes shape on the way to disk would have a plan_id that no reader could reproduce.
 */
import { createHash } from 'node:crypto';
import type { PlanBody } from './types.js';

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
  return write(value, '$', null, '');
}

/** The on-disk form: sorted keys, 2-space indent, `\n` line ends, one trailing newline. */
export function prettyCanonicalJson(value: unknown): string {
  return write(value, '$', '  ', '') + '\n';
}

/** `sha256:<hex>` of the compact canonical JSON of the plan minus its `plan_id`. */
export function computePlanId(body: PlanBody): string {
  // Accept a full Plan too, so `computePlanId(plan) === plan.plan_id` holds for a valid plan.
  const { plan_id: _ignored, ...rest } = body as PlanBody & { plan_id?: unknown };
  return 'sha256:' + sha256Hex(canonicalJson(rest));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Code-unit order; never localeCompare, whose result depends on the machine's locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function write(value: unknown, path: string, indent: string | null, current: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NonJsonValueError(path, String(value));
      return JSON.stringify(value);
    case 'object':
      break;
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new NonJsonValueError(path, typeof value);
  }
  const inner = indent === null ? '' : current + indent;
  const open = indent === null ? '' : '\n' + inner;
  const sep = indent === null ? ',' : ',\n' + inner;
  const close = indent === null ? '' : '\n' + current;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      // Holes in sparse arrays read as undefined and are refused like any other undefined.
      items.push(write(value[i], `${path}[${i}]`, indent, inner));
    }
    return '[' + open + items.join(sep) + close + ']';
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new NonJsonValueError(path, `an instance of ${value.constructor?.name ?? 'a class'}`);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareStrings);
  if (keys.length === 0) return '{}';
  const colon = indent === null ? ':' : ': ';
  const members = keys.map((k) => JSON.stringify(k) + colon + write(record[k], `${path}${pathSegment(k)}`, indent, inner));
  return '{' + open + members.join(sep) + close + '}';
}

function pathSegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
