/**
 * Reads the JSON envelope of a stored v3 resource and checks it against its key: valid JSON, an
 * object, the kind/apiVersion the key implies, and the same name/namespace. Calico's own List
 * silently skips values it cannot parse; a migration must not, so each problem is an error.
 */
import type { DiagnosticSink } from './diagnostics.js';
import { isRecord, parseJson, pointer, type JsonRecord } from './json.js';

export const V3_API_VERSION = 'projectcalico.org/v3';

export interface Envelope {
  obj: JsonRecord;
  meta: JsonRecord;
  spec: JsonRecord;
}

export interface EnvelopeInput {
  key: string;
  value: string;
  kind: string;
  namespace: string | null;
  name: string;
  /** false for tiered policies: their stored name is checked after the v3 name is known. */
  checkName?: boolean;
}

const FIX_HINT = 'Inspect the key with etcdctl and fix or delete it; the migration cannot convert it as stored.';

/** Parses a value that must be a JSON object; reports and returns null otherwise. */
export function parseObjectValue(key: string, value: string, diag: DiagnosticSink, what = 'value'): JsonRecord | null {
  const parsed = parseJson(value);
  if (!parsed.ok) {
    // The engine's wording differs between Node versions; keep only the position for stable output.
    const pos = /position (\d+)/.exec(parsed.error)?.[1];
    diag.error({ code: 'invalid-json', key, message: `${what} is not valid JSON${pos ? ` (error at character ${pos})` : ''}`, hint: FIX_HINT });
    return null;
  }
  if (!isRecord(parsed.value)) {
    diag.error({
      code: 'invalid-value',
      key,
      message: `${what} must be a JSON object, got ${parsed.value === null ? 'null' : Array.isArray(parsed.value) ? 'an array' : typeof parsed.value}`,
      hint: FIX_HINT,
    });
    return null;
  }
  return parsed.value;
}

export function readEnvelope(input: EnvelopeInput, diag: DiagnosticSink): Envelope | null {
  const { key } = input;
  const obj = parseObjectValue(key, input.value, diag);
  if (!obj) return null;
  let ok = true;

  if (obj.apiVersion === undefined || obj.kind === undefined) {
    diag.warn({
      code: 'missing-type-meta',
      key,
      message: `value has no ${obj.apiVersion === undefined ? 'apiVersion' : 'kind'}; treated as ${input.kind} from its key`,
    });
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== V3_API_VERSION) {
    diag.error({
      code: 'api-version-mismatch',
      key,
      path: pointer('apiVersion'),
      message: `apiVersion is ${JSON.stringify(obj.apiVersion)}, expected ${V3_API_VERSION}`,
      hint: FIX_HINT,
    });
    ok = false;
  }
  if (obj.kind !== undefined && obj.kind !== input.kind) {
    diag.error({
      code: 'kind-mismatch',
      key,
      path: pointer('kind'),
      message: `kind is ${JSON.stringify(obj.kind)}, but the key holds ${input.kind} objects`,
      hint: FIX_HINT,
    });
    ok = false;
  }

  const metaRaw = obj.metadata;
  if (metaRaw !== undefined && metaRaw !== null && !isRecord(metaRaw)) {
    diag.error({ code: 'invalid-value', key, path: pointer('metadata'), message: 'metadata must be an object', hint: FIX_HINT });
    return null;
  }
  const meta: JsonRecord = isRecord(metaRaw) ? metaRaw : {};

  const ns = meta.namespace;
  if (input.namespace === null) {
    if (ns !== undefined && ns !== null && ns !== '') {
      diag.error({
        code: 'namespace-mismatch',
        key,
        path: pointer('metadata', 'namespace'),
        message: `${input.kind} is cluster-scoped but the value has namespace ${JSON.stringify(ns)}`,
        hint: FIX_HINT,
      });
      ok = false;
    }
  } else if (ns !== undefined && ns !== null && ns !== '' && ns !== input.namespace) {
    diag.error({
      code: 'namespace-mismatch',
      key,
      path: pointer('metadata', 'namespace'),
      message: `value namespace ${JSON.stringify(ns)} differs from the key's namespace "${input.namespace}"`,
      hint: FIX_HINT,
    });
    ok = false;
  }

  const name = meta.name;
  if (input.checkName !== false && name !== undefined && name !== null && name !== '' && name !== input.name) {
    diag.error({
      code: 'name-mismatch',
      key,
      path: pointer('metadata', 'name'),
      message: `value name ${JSON.stringify(name)} differs from the key's name "${input.name}"`,
      hint: FIX_HINT,
    });
    ok = false;
  }

  const specRaw = obj.spec;
  if (specRaw !== undefined && specRaw !== null && !isRecord(specRaw)) {
    diag.error({ code: 'invalid-value', key, path: pointer('spec'), message: 'spec must be an object', hint: FIX_HINT });
    return null;
  }
  if (!ok) return null;
  return { obj, meta, spec: isRecord(specRaw) ? specRaw : {} };
}
