/**
 * Writing and reading plan files. A plan file is the approval artefact, so reading is strict:
 * the bytes must be exactly what `serializePlan` writes and `plan_id` must be the hash of the
 * content. Anything else (a hand edit, a re-indent, a foreign JSON file, a newer format) is
 * refused with PLAN_INVALID and a message that names the file and says what to do.
 */
import { MigrateError } from '../errors.js';
import { computePlanId, NonJsonValueError, prettyCanonicalJson } from './canonical.js';
import { validatePlan } from './schema.js';
import { FORMAT_VERSION, type Plan, type PlanBody } from './types.js';

export const SUPPORTED_FORMAT_VERSIONS: readonly string[] = [FORMAT_VERSION];
const MAX_LISTED_ERRORS = 5;
const REPLAN_HINT = 'Make a new plan with `calico-migrate plan --out <file>` and apply that file unchanged.';

/** Compute the plan_id, check the result against the schema and return the plan and its file text. */
export function serializePlan(body: PlanBody): { plan: Plan; text: string } {
  let plan: Plan;
  let text: string;
  try {
    plan = { ...body, plan_id: computePlanId(body) };
    text = prettyCanonicalJson(plan);
  } catch (e) {
    if (e instanceof NonJsonValueError) {
      throw new MigrateError('ERROR', `internal error: the plan holds a value that is not JSON: ${e.message}`, { cause: e });
    }
    throw e;
  }
  const errors = validatePlan(plan);
  if (errors.length > 0) {
    // Our own output failing our own schema is a bug, not a user error: say so, with the evidence.
    throw new MigrateError('ERROR', `internal error: the plan built does not match the plan schema: ${listErrors(errors)}`, {
      hint: 'This is a bug in calico-migrate; please report it with the command you ran.',
      details: { errors },
    });
  }
  return { plan, text };
}

/**
 * Read a plan file's text. `origin` names the file in messages (a path, or `-` for stdin).
 * @throws MigrateError PLAN_INVALID when the text is not an unmodified plan this version can read.
 */
export function parsePlan(text: string, origin: string): Plan {
  const file = origin === '-' ? 'plan file (stdin)' : `plan file ${origin}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalid(`${file} is not valid JSON (${(e as Error).message})`, 'Pass the file written by `calico-migrate plan --out`.', origin);
  }
  if (!isRecord(value) || value.kind !== 'CalicoMigrationPlan') {
    const found = isRecord(value) && typeof value.kind === 'string' ? `kind "${value.kind}"` : 'no kind CalicoMigrationPlan';
    throw invalid(`${file} is not a calico-migrate plan (found ${found})`, 'Pass the file written by `calico-migrate plan --out`.', origin);
  }
  const version = value.format_version;
  if (typeof version !== 'string' || !SUPPORTED_FORMAT_VERSIONS.includes(version)) {
    const writer = isRecord(value.tool) && typeof value.tool.version === 'string' ? ` (written by calico-migrate ${value.tool.version})` : '';
    throw invalid(
      `${file} has format_version ${JSON.stringify(version ?? null)}${writer}; this calico-migrate reads format_version ${SUPPORTED_FORMAT_VERSIONS.join(', ')}`,
      'Use the calico-migrate version that wrote the plan, or make a new plan with this version.',
      origin,
    );
  }
  const errors = validatePlan(value);
  if (errors.length > 0) {
    throw invalid(`${file} does not match the plan schema: ${listErrors(errors)}`, REPLAN_HINT, origin, { errors });
  }
  const plan = value as unknown as Plan;
  if (computePlanId(plan) !== plan.plan_id) {
    throw invalid(`${file} was modified after it was written (plan_id does not match its content); make a new plan`, REPLAN_HINT, origin);
  }
  const canonical = prettyCanonicalJson(plan);
  if (canonical !== text) {
    const crlf = text.includes('\r\n') ? ' It has CRLF line endings; check that git or an editor did not convert them.' : '';
    throw invalid(
      `${file} was modified after it was written (its bytes differ from the form calico-migrate writes, first at line ${firstDifferentLine(canonical, text)}); make a new plan`,
      `Plan files are used byte for byte: do not reformat or edit them.${crlf} ${REPLAN_HINT}`,
      origin,
    );
  }
  return plan;
}

function invalid(message: string, hint: string, origin: string, extra: Record<string, unknown> = {}): MigrateError {
  return new MigrateError('PLAN_INVALID', message, { hint, details: { file: origin, ...extra } });
}

function listErrors(errors: string[]): string {
  const shown = errors.slice(0, MAX_LISTED_ERRORS).join('; ');
  const more = errors.length > MAX_LISTED_ERRORS ? `; and ${errors.length - MAX_LISTED_ERRORS} more` : '';
  return shown + more;
}

function firstDifferentLine(a: string, b: string): number {
  const la = a.split('\n');
  const lb = b.split('\n');
  let i = 0;
  while (i < la.length && i < lb.length && la[i] === lb[i]) i++;
  return i + 1;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
