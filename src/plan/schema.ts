/**
 * Validation of plan files against the plan schema (src/plan/plan-schema.ts, published as
 * schemas/plan.schema.json). The schema is compiled once, on first use, not at import.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { PLAN_SCHEMA } from './plan-schema.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // strict catches typos in the schema itself; union types (`["string","null"]`) are used on purpose.
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    compiled = ajv.compile(PLAN_SCHEMA);
  }
  return compiled;
}

/**
 * Every way `value` breaks the plan schema, one line each, starting with the JSON pointer of the
 * offending value (`/resource_changes/3/change/actions/0 must be equal to one of ...`).
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
  if (e.keyword === 'enum') return `${where} ${e.message ?? 'is invalid'}: ${JSON.stringify(params.allowedValues)}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
