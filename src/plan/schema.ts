/**
 * Validation of plan files against the plan schema (src/plan/plan-schema.ts, published as
 * schemas/plan.schema.json). The schema is compiled once, on first use, not at import.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PLAN_FILE_SCHEMA, PLAN_SCHEMA } from './plan-schema.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // strict catches typos in the schema itself; union types (`["string","null"]`) are used on purpose.
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true });
    compiled = ajv.compile(PLAN_SCHEMA);
  }
  return compiled;
}

export type PlanRecordName = 'header' | 'change' | 'footer' | 'trailer';

let recordValidators: Map<PlanRecordName, ValidateFunction> | undefined;

/**
 * Every way one line's record breaks its schema (plan-file.schema.json's definition of that
 * record), one line each. Records are validated by the name they claim, so a bad record gets the
 * errors of its own schema, not of every branch of a oneOf.
 */
export function validatePlanRecord(name: PlanRecordName, value: unknown): string[] {
  if (!recordValidators) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true });
    ajv.addSchema(PLAN_FILE_SCHEMA);
    recordValidators = new Map();
    for (const r of ['header', 'change', 'footer', 'trailer'] as const) {
      const v = ajv.getSchema(`${PLAN_FILE_SCHEMA.$id}#/definitions/${r}`);
      if (!v) throw new Error(`plan-file schema has no definition ${r}`);
      recordValidators.set(r, v);
    }
  }
  const validate = recordValidators.get(name);
  if (!validate) return [`unknown record "${name}"`];
  if (validate(value)) return [];
  return dedupe((validate.errors ?? []).map(describe));
}

/**
 * Every way `value` breaks the plan schema, one line each, starting with the JSON pointer of the
 * offending value (`/resource_changes/3/change/after must be object`).
 * Empty means valid. Ajv reports in schema order, so the same file always gives the same first errors.
 */
export function validatePlan(value: unknown): string[] {
  const validate = validator();
  if (validate(value)) return [];
  return dedupe((validate.errors ?? []).map(describe));
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? '/' : e.instancePath;
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${where} has unknown field "${String(params.additionalProperty)}"`;
  if (e.keyword === 'required') return `${where} is missing required field "${String(params.missingProperty)}"`;
  if (e.keyword === 'discriminator') return `${where} has ${String(params.tag)} ${JSON.stringify(params.tagValue)}, which is not one of "create", "update", "delete", "no-op", "extra"`;
  if (e.keyword === 'enum') return `${where} ${e.message ?? 'is invalid'}: ${JSON.stringify(params.allowedValues)}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
