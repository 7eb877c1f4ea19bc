/**
 * The schema check: desired CRs against CRD `openAPIV3Schema`s, the way the API server validates
 * before CEL: prune unknown fields and nulls in non-nullable fields (reported as warnings: data
 * that would be silently dropped), apply schema defaults, then check
 * types/enums/patterns/required/formats. `x-kubernetes-validations` (CEL) are ignored; the
 * server-side dry run covers them.
 *
 * Built from a list of CRD objects, so callers pass the CRDs read from the target cluster (plan,
 * verify) or the vendored ones (export). Each schema is compiled once, on first use.
 *
 * Every error has code `schema` and becomes an item of the plan's `schema` check; data the server
 * would prune is a `schema-pruned` warning, and a CRD that cannot be used a `schema-crd-unusable`
 * warning. `validateObjects` returns them apart, so no caller routes diagnostics by code.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { makeDiagnostic, objectAddress } from '../convert/diagnostics.js';
import { deepClone, isRecord, pointer, type JsonRecord } from '../convert/json.js';
import { parseCidr, parseIp } from '../model/cidr.js';
import type { DesiredObject, Diagnostic, KubeObject } from '../model/types.js';
import type { Check } from '../plan/types.js';
import { check } from './check.js';

type Schema = JsonRecord;

interface Entry {
  crdName: string;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  schema: Schema;
  compiled?: ValidateFunction | { error: string };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** String formats the API server checks; any other format name is accepted (as Kubernetes does). */
const STRING_FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => RFC3339.test(s),
  datetime: (s) => RFC3339.test(s),
  cidr: (s) => parseCidr(s) !== null,
  ipv4: (s) => parseIp(s)?.version === 4,
  ipv6: (s) => parseIp(s)?.version === 6,
  mac: (s) => MAC.test(s),
  uuid: (s) => UUID.test(s),
  byte: (s) => BASE64.test(s),
};

/**
 * Kubernetes patterns are RE2: `(?i)` at the start switches on case-insensitive matching, which JS
 * only knows as a flag. No `u` flag: RE2 accepts character classes like `[a-z0-9-_]` that `u` rejects.
 */
function goRegExp(pattern: string): RegExp {
  let p = pattern;
  let flags = '';
  const m = /^(\^?)\(\?i\)/.exec(p);
  if (m) {
    p = (m[1] ?? '') + p.slice(m[0].length);
    flags = 'i';
  }
  return new RegExp(p, flags);
}
const regExpEngine = Object.assign((pattern: string) => goRegExp(pattern), { code: 'goRegExp' });

function collectFormats(s: unknown, out: Set<string>): void {
  if (Array.isArray(s)) {
    for (const x of s) collectFormats(x, out);
  } else if (isRecord(s)) {
    if (typeof s.format === 'string') out.add(s.format);
    for (const [k, v] of Object.entries(s)) if (k !== 'enum' && k !== 'default') collectFormats(v, out);
  }
}

const SCHEMA_MAP_KEYS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_LIST_KEYS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_ONE_KEYS = new Set(['additionalProperties', 'not', 'additionalItems']);

/** Structural schema -> plain JSON Schema for ajv (nullable, int-or-string; vendor keywords dropped). */
function toAjvSchema(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'description' || k === 'default' || k === 'nullable' || k === 'example') continue;
    if (SCHEMA_MAP_KEYS.has(k) && isRecord(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, isRecord(pv) ? toAjvSchema(pv) : pv]));
    } else if (SCHEMA_LIST_KEYS.has(k) && Array.isArray(v)) {
      out[k] = v.map((x) => (isRecord(x) ? toAjvSchema(x) : x));
    } else if ((SCHEMA_ONE_KEYS.has(k) || k === 'items') && isRecord(v)) {
      out[k] = toAjvSchema(v);
    } else if (k === 'items' && Array.isArray(v)) {
      out[k] = v.map((x) => (isRecord(x) ? toAjvSchema(x) : x));
    } else {
      out[k] = v;
    }
  }
  if (s['x-kubernetes-int-or-string'] === true && out.anyOf === undefined) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

/** A JSON pointer from a path kept as a stack; only formatted when something is pruned. */
function pathText(path: ReadonlyArray<string | number>): string {
  return path.length === 0 ? '' : pointer(...path);
}

function setOwn(out: JsonRecord, k: string, v: unknown): void {
  // defineProperty, not assignment: a `__proto__` key must stay an own data property.
  Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/**
 * API-server pruning and defaulting: returns the value without fields the schema does not know (and
 * without nulls in non-nullable fields), with `default`s filled in; `pruned` gets the dropped paths.
 *
 * Hot: plan runs every object through here. Almost every object is unchanged by it, so nothing is
 * copied until a field is dropped or defaulted (the value itself is returned otherwise), and the
 * path is a stack that becomes text only for a dropped field.
 */
function pruneAndDefault(value: unknown, schema: Schema, path: Array<string | number>, pruned: string[], root = false): unknown {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (!isRecord(items)) return value;
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v === null) {
        if (out) out.push(v);
        continue;
      }
      path.push(i);
      const nv = pruneAndDefault(v, items, path, pruned);
      path.pop();
      if (nv !== v && out === null) out = value.slice(0, i);
      if (out) out.push(nv);
    }
    return out ?? value;
  }
  if (!isRecord(value)) return value;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const props = isRecord(schema.properties) ? schema.properties : null;
  const addl = schema.additionalProperties;
  if (!props && !isRecord(addl) && (preserve || addl === true)) return value;
  // Built only once the first field differs: the fields before it are copied then.
  let out: JsonRecord | null = null;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = value[k];
    // ObjectMeta is validated by the API server itself, never pruned by the CRD schema.
    if (root && k === 'metadata') {
      if (out) setOwn(out, k, v);
      continue;
    }
    let child: Schema | null = null;
    if (props && Object.prototype.hasOwnProperty.call(props, k) && isRecord(props[k])) child = props[k];
    else if (!props && isRecord(addl)) child = addl;
    else if (preserve || addl === true) {
      if (out) setOwn(out, k, v);
      continue;
    }
    let nv: unknown;
    if (!child || (v === null && child.nullable !== true)) {
      path.push(k);
      pruned.push(pathText(path));
      path.pop();
      nv = DROPPED;
    } else {
      path.push(k);
      nv = pruneAndDefault(v, child, path, pruned);
      path.pop();
    }
    if (nv !== v && out === null) {
      out = {};
      for (let j = 0; j < i; j++) setOwn(out, keys[j] as string, value[keys[j] as string]);
    }
    if (out && nv !== DROPPED) setOwn(out, k, nv);
  }
  if (props) {
    for (const k in props) {
      const s = props[k];
      if (isRecord(s) && s.default !== undefined && !Object.prototype.hasOwnProperty.call(out ?? value, k)) {
        out ??= copyOf(value);
        setOwn(out, k, deepClone(s.default));
      }
    }
  }
  return out ?? value;
}

const DROPPED = Symbol('dropped');

function copyOf(value: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const k of Object.keys(value)) setOwn(out, k, value[k]);
  return out;
}

const SCHEMA_HINT = 'The target CRD would reject this object. Fix the source object in etcd, or make sure the target runs CRDs of the matching Calico version.';

export class CrdSchemaValidator {
  private readonly entries = new Map<string, Entry>();
  private readonly ajv: Ajv;
  /** CRD objects that could not be used, with the reason. */
  readonly problems: string[] = [];

  constructor(crds: readonly unknown[]) {
    this.ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true, code: { regExp: regExpEngine } });
    const formats = new Set<string>();
    crds.forEach((crd, i) => this.add(crd, i, formats));
    for (const f of formats) {
      const check = STRING_FORMATS[f];
      this.ajv.addFormat(f, check ? { type: 'string', validate: check } : true);
    }
  }

  private add(crd: unknown, index: number, formats: Set<string>): void {
    const spec = isRecord(crd) ? crd.spec : undefined;
    const names = isRecord(spec) ? spec.names : undefined;
    const md = isRecord(crd) && isRecord(crd.metadata) ? crd.metadata : {};
    const crdName = typeof md.name === 'string' ? md.name : `#${index}`;
    if (!isRecord(spec) || typeof spec.group !== 'string' || !isRecord(names) || typeof names.kind !== 'string' || !Array.isArray(spec.versions)) {
      this.problems.push(`${crdName}: not a CustomResourceDefinition (missing spec.group, spec.names.kind or spec.versions)`);
      return;
    }
    for (const v of spec.versions) {
      if (!isRecord(v) || typeof v.name !== 'string' || v.served === false) continue;
      const schema = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (!isRecord(schema)) {
        this.problems.push(`${crdName} ${v.name}: no openAPIV3Schema`);
        continue;
      }
      collectFormats(schema, formats);
      const apiVersion = `${spec.group}/${v.name}`;
      this.entries.set(`${apiVersion}|${names.kind}`, {
        crdName,
        apiVersion,
        kind: names.kind,
        namespaced: spec.scope === 'Namespaced',
        schema,
      });
    }
  }

  /** `<apiVersion>/<Kind>` of every served kind. */
  get kinds(): string[] {
    return [...this.entries.values()].map((e) => `${e.apiVersion}/${e.kind}`).sort();
  }

  has(apiVersion: string, kind: string): boolean {
    return this.entries.has(`${apiVersion}|${kind}`);
  }

  private compiled(e: Entry): ValidateFunction | { error: string } {
    if (!e.compiled) {
      try {
        e.compiled = this.ajv.compile(toAjvSchema(e.schema));
      } catch (err) {
        e.compiled = { error: err instanceof Error ? err.message : String(err) };
      }
    }
    return e.compiled;
  }

  /** The object as the API server would store it (pruned and defaulted), plus the pruned paths. */
  normalize(obj: KubeObject): { object: KubeObject; pruned: string[] } {
    const e = this.entries.get(`${obj.apiVersion}|${obj.kind}`);
    if (!e) return { object: obj, pruned: [] };
    const pruned: string[] = [];
    const object = pruneAndDefault(obj, e.schema, [], pruned, true) as KubeObject;
    return { object, pruned };
  }

  validateDesired(d: DesiredObject): Diagnostic[] {
    return this.validate(d.body, d.sources[0]?.key);
  }

  validateAll(objects: readonly DesiredObject[]): Diagnostic[] {
    return objects.flatMap((o) => this.validateDesired(o));
  }

  validate(obj: KubeObject, sourceKey?: string): Diagnostic[] {
    if (!isRecord(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      return [makeDiagnostic('error', { code: 'schema', key: sourceKey, message: 'object has no apiVersion/kind', hint: SCHEMA_HINT })];
    }
    // Core Nodes are not custom resources; only their Calico annotations are written.
    if (obj.apiVersion === 'v1' && obj.kind === 'Node') return [];
    const name = isRecord(obj.metadata) && typeof obj.metadata.name === 'string' ? obj.metadata.name : '';
    const ns = isRecord(obj.metadata) && typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : null;
    const address = objectAddress(obj.apiVersion, obj.kind, ns, name);
    const base = (d: Omit<Diagnostic, 'key' | 'object'>): Diagnostic => {
      const { severity, ...rest } = d;
      return makeDiagnostic(severity, { ...rest, key: sourceKey, object: address });
    };
    const e = this.entries.get(`${obj.apiVersion}|${obj.kind}`);
    if (!e) {
      return [
        base({
          severity: 'error',
          code: 'schema',
          message: `no CRD serves ${obj.apiVersion} ${obj.kind}`,
          hint: 'Install the Calico CRDs of the matching version in the target cluster.',
        }),
      ];
    }
    const out: Diagnostic[] = [];
    if (e.namespaced !== (ns !== null && ns !== '')) {
      out.push(
        base({
          severity: 'error',
          code: 'schema',
          path: pointer('metadata', 'namespace'),
          message: `${e.kind} is ${e.namespaced ? 'namespaced' : 'cluster-scoped'} (CRD ${e.crdName}) but the object ${ns ? `has namespace ${ns}` : 'has no namespace'}`,
          hint: SCHEMA_HINT,
        }),
      );
    }
    const { object, pruned } = this.normalize(obj);
    for (const p of pruned) {
      out.push(
        base({
          severity: 'warning',
          code: 'schema-pruned',
          path: p,
          message: `${p} is not in the schema of CRD ${e.crdName} (or is null where null is not allowed); the API server will drop it`,
          hint: 'Check that the target runs the CRDs of the source Calico version; otherwise this data is lost.',
        }),
      );
    }
    const fn = this.compiled(e);
    if ('error' in fn) {
      out.push(base({ severity: 'error', code: 'schema', message: `cannot compile the schema of CRD ${e.crdName}: ${fn.error}`, hint: SCHEMA_HINT }));
      return out;
    }
    if (!fn(object)) out.push(...this.toDiagnostics(fn.errors ?? [], base));
    return out;
  }

  private toDiagnostics(errors: ErrorObject[], base: (d: Omit<Diagnostic, 'key' | 'object'>) => Diagnostic): Diagnostic[] {
    // An int-or-string mismatch yields type errors per branch plus the anyOf; report the anyOf only.
    const anyOfPaths = new Set(errors.filter((er) => er.keyword === 'anyOf').map((er) => er.instancePath));
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const er of errors) {
      if (er.keyword !== 'anyOf' && anyOfPaths.has(er.instancePath) && er.schemaPath.includes('/anyOf/')) continue;
      const missing = er.keyword === 'required' && isRecord(er.params) ? er.params.missingProperty : undefined;
      const path = typeof missing === 'string' ? er.instancePath + pointer(missing) : er.instancePath;
      const id = `${path}|${er.keyword}|${er.message ?? ''}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const detail = er.keyword === 'enum' && isRecord(er.params) && Array.isArray(er.params.allowedValues) ? `: ${er.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
      out.push(
        base({
          severity: 'error',
          code: 'schema',
          path: path === '' ? '/' : path,
          message: `${path === '' ? '(root)' : path} ${er.message ?? 'is invalid'}${detail} (rule: ${er.keyword} at ${er.schemaPath})`,
          hint: SCHEMA_HINT,
        }),
      );
    }
    return out;
  }
}

/** What the schema check found: kept apart by what becomes of them, not by diagnostic code. */
export interface SchemaFindings {
  /** Objects the CRDs would reject (code `schema`): the items of the `schema` check. */
  errors: Diagnostic[];
  /** CRDs that could not be used, then fields the API server would drop: shown and recorded as warnings. */
  warnings: Diagnostic[];
}

/** Validates every object against `crds`. Never throws: an unexpected failure is an error finding. */
export function validateObjects(crds: readonly unknown[], objects: readonly DesiredObject[]): SchemaFindings {
  const findings: SchemaFindings = { errors: [], warnings: [] };
  try {
    const validator = new CrdSchemaValidator(crds);
    for (const p of validator.problems) {
      findings.warnings.push(makeDiagnostic('warning', { code: 'schema-crd-unusable', message: `CRD ignored for schema validation: ${p}` }));
    }
    for (const d of validator.validateAll(objects)) (d.severity === 'error' ? findings.errors : findings.warnings).push(d);
  } catch (e) {
    // A validator bug must fail the check closed, not pass it.
    findings.errors.push(
      makeDiagnostic('error', {
        code: 'schema',
        message: `schema validation failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`,
        hint: 'This is a bug; please report it with the CRDs of the target.',
      }),
    );
  }
  return findings;
}

export function schemaCheck(findings: Pick<SchemaFindings, 'errors'>): Check {
  return check('schema', findings.errors.map(schemaItem), 'every object is valid against the CRD schemas installed in the target', (n) => `${n} object(s) violate the target's CRD schemas`);
}

/** `KEY: [PATH ]MESSAGE`; the validator's messages usually start with the path already. */
export function schemaItem(d: Diagnostic): string {
  const path = d.path && !d.message.startsWith(d.path) ? `${d.path} ` : '';
  return `${d.key ?? d.object}: ${path}${d.message}`;
}
