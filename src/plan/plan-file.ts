/**
 * Writing and reading plan files (format_version 2). A plan file is JSON Lines, one record per
 * line, each line the canonical JSON of its record:
 *
 *   header   format, mode, tool, source, target, options, reverses
 *   change   one per resource change, in execution order
 *   footer   the number of changes, summary, skipped keys, checks, warnings
 *   trailer  plan_id = sha256 of every byte before the trailer line
 *
 * so a plan can be written, hashed, validated and read one change at a time. A plan file is the
 * approval artefact, so reading is strict: every line must be exactly the canonical form of a
 * valid record, in that order, and the trailer's plan_id must be the hash of the bytes before it.
 * Anything else (a hand edit, a reformatted line, a foreign file, another format) is refused with
 * PLAN_INVALID and a message that names the file and the line and says what to do.
 */
import { createHash, type Hash } from 'node:crypto';
import { MigrateError } from '../errors.js';
import { canonicalJson, NonJsonValueError } from './canonical.js';
import { isRecord } from './normalize.js';
import { validatePlanRecord, type PlanRecordName } from './schema.js';
import { FORMAT_VERSION, type Plan, type PlanBody } from './types.js';

export const SUPPORTED_FORMAT_VERSIONS: readonly string[] = [FORMAT_VERSION];
const MAX_LISTED_ERRORS = 5;
const REPLAN_HINT = 'Make a new plan with `calico-migrate plan --out <file>` and apply that file unchanged.';
const FOREIGN_HINT = 'Pass the file written by `calico-migrate plan --out`.';

type Header = Pick<PlanBody, 'format_version' | 'kind' | 'mode' | 'tool' | 'source' | 'target' | 'options' | 'reverses'>;
type Footer = Pick<PlanBody, 'summary' | 'skipped' | 'checks' | 'warnings'> & { changes: number };

/**
 * Encodes a plan record by record, hashing as it goes, so a writer can stream a plan of any size.
 * Each record is validated against its schema first: our own output failing our own schema is a
 * bug, reported as such.
 */
export class PlanEncoder {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  header(h: Header): string {
    return this.line('header', { record: 'header', ...headerOf(h) });
  }

  change(c: PlanBody['resource_changes'][number]): string {
    return this.line('change', { record: 'change', ...c });
  }

  footer(f: Footer): string {
    return this.line('footer', { record: 'footer', ...f });
  }

  /** The plan_id of everything encoded so far. */
  planId(): string {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }

  /** The last line; nothing may follow it. */
  trailer(): string {
    return canonicalJson({ plan_id: this.planId(), record: 'trailer' }) + '\n';
  }

  /** Bytes encoded so far (the trailer excluded). */
  get size(): number {
    return this.bytes;
  }

  private line(name: PlanRecordName, record: Record<string, unknown>): string {
    let text: string;
    try {
      text = canonicalJson(record) + '\n';
    } catch (e) {
      if (e instanceof NonJsonValueError) {
        throw new MigrateError('ERROR', `internal error: the plan holds a value that is not JSON: ${e.message}`, { cause: e });
      }
      throw e;
    }
    const errors = validatePlanRecord(name, record);
    if (errors.length > 0) {
      throw new MigrateError('ERROR', `internal error: the plan's ${name} record does not match the plan schema: ${listErrors(errors)}`, {
        hint: 'This is a bug in calico-migrate; please report it with the command you ran.',
        details: { errors },
      });
    }
    this.hash.update(text, 'utf8');
    this.bytes += Buffer.byteLength(text, 'utf8');
    return text;
  }
}

function headerOf(body: Header): Header {
  const { format_version, kind, mode, tool, source, target, options, reverses } = body;
  return { format_version, kind, mode, tool, source, target, options, reverses };
}

function footerOf(body: PlanBody): Footer {
  return { changes: body.resource_changes.length, summary: body.summary, skipped: body.skipped, checks: body.checks, warnings: body.warnings };
}

/** The plan_id a body gets when written (the hash of its file bytes before the trailer). */
export function computePlanId(body: PlanBody): string {
  const enc = new PlanEncoder();
  encodeRecords(enc, body, () => undefined);
  return enc.planId();
}

function encodeRecords(enc: PlanEncoder, body: PlanBody, emit: (line: string) => void): void {
  emit(enc.header(body));
  for (const c of body.resource_changes) emit(enc.change(c));
  emit(enc.footer(footerOf(body)));
}

/**
 * Encode a plan record by record into `emit` (e.g. an AtomicFile), so no whole plan text is ever
 * held: the lines are handed on as they are made. Returns the plan with its id.
 */
export function writePlan(body: PlanBody, emit: (line: string) => void): Plan {
  const enc = new PlanEncoder();
  encodeRecords(enc, body, emit);
  emit(enc.trailer());
  return { ...body, plan_id: enc.planId() };
}

/** Compute the plan_id, check every record against the schema and return the plan and its file text. */
export function serializePlan(body: PlanBody): { plan: Plan; text: string } {
  const parts: string[] = [];
  const plan = writePlan(body, (line) => parts.push(line));
  return { plan, text: parts.join('') };
}

/**
 * Read a plan file's text. `origin` names the file in messages (a path, or `-` for stdin).
 * @throws MigrateError PLAN_INVALID when the text is not an unmodified plan this version can read.
 */
export function parsePlan(text: string, origin: string): Plan {
  const file = origin === '-' ? 'plan file (stdin)' : `plan file ${origin}`;
  const lines = text.split('\n');
  const at = (i: number) => `${file} line ${i + 1}`;
  const modified = (i: number) =>
    invalid(
      `${file} was modified after it was written (its bytes differ from the form calico-migrate writes, first at line ${i + 1}); make a new plan`,
      `Plan files are used byte for byte: do not reformat or edit them.${text.includes('\r\n') ? ' It has CRLF line endings; check that git or an editor did not convert them.' : ''} ${REPLAN_HINT}`,
      origin,
    );

  const first = parseLine(lines[0] ?? '');
  if (first === undefined) throw notAPlanLine(text, file, origin);
  if (!isRecord(first) || first.kind !== 'CalicoMigrationPlan') {
    const found = isRecord(first) && typeof first.kind === 'string' ? `kind "${first.kind}"` : 'no kind CalicoMigrationPlan';
    throw invalid(`${file} is not a calico-migrate plan (found ${found})`, FOREIGN_HINT, origin);
  }
  checkFormatVersion(first, file, origin);

  const hash = createHash('sha256');
  const changes: Plan['resource_changes'] = [];
  let header: Header | undefined;
  let footer: Footer | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const value = i === 0 ? first : parseLine(line);
    if (value === undefined) {
      if (line === '' && i === lines.length - 1) throw invalid(`${file} ends without its trailer line: it is truncated or was modified; make a new plan`, REPLAN_HINT, origin);
      throw invalid(`${at(i)} is not valid JSON`, REPLAN_HINT, origin);
    }
    const name = recordName(value);
    const expected: PlanRecordName[] = i === 0 ? ['header'] : footer ? ['trailer'] : ['change', 'footer'];
    if (!name || !expected.includes(name)) {
      throw invalid(`${at(i)} is ${name ? `a ${name} record` : 'not a plan record'} where the plan has ${expected.map((e) => `a ${e} record`).join(' or ')}`, REPLAN_HINT, origin);
    }
    const errors = validatePlanRecord(name, value);
    if (errors.length > 0) throw invalid(`${at(i)} does not match the plan schema: ${listErrors(errors)}`, REPLAN_HINT, origin, { errors });
    if (canonicalJson(value) !== line) throw modified(i);
    const { record: _record, ...fields } = value as Record<string, unknown> & { record: PlanRecordName };
    switch (name) {
      case 'header':
        header = fields as unknown as Header;
        break;
      case 'change':
        changes.push(fields as unknown as Plan['resource_changes'][number]);
        break;
      case 'footer':
        footer = fields as unknown as Footer;
        if (footer.changes !== changes.length)
          throw invalid(`${file} was modified after it was written (it holds ${changes.length} changes, its footer says ${footer.changes}); make a new plan`, REPLAN_HINT, origin);
        break;
      case 'trailer': {
        const planId = (fields as { plan_id: string }).plan_id;
        if (`sha256:${hash.digest('hex')}` !== planId) {
          throw invalid(`${file} was modified after it was written (plan_id does not match its content); make a new plan`, REPLAN_HINT, origin);
        }
        if (lines.length !== i + 2 || lines[i + 1] !== '') throw modified(i + 1);
        if (!header || !footer) throw invalid(`${file} is incomplete`, REPLAN_HINT, origin);
        const { changes: _count, ...rest } = footer;
        return { ...header, plan_id: planId, ...rest, resource_changes: changes };
      }
      default: {
        const never: never = name;
        throw invalid(`${at(i)} is an unknown record ${String(never)}`, REPLAN_HINT, origin);
      }
    }
    hash.update(line + '\n', 'utf8');
  }
  throw invalid(`${file} ends without its trailer line: it is truncated or was modified; make a new plan`, REPLAN_HINT, origin);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function recordName(value: unknown): PlanRecordName | undefined {
  if (!isRecord(value)) return undefined;
  const r = value.record;
  return r === 'header' || r === 'change' || r === 'footer' || r === 'trailer' ? r : undefined;
}

function checkFormatVersion(value: Record<string, unknown>, file: string, origin: string): void {
  const version = value.format_version;
  if (typeof version === 'string' && SUPPORTED_FORMAT_VERSIONS.includes(version)) return;
  const writer = isRecord(value.tool) && typeof value.tool.version === 'string' ? ` (written by calico-migrate ${value.tool.version})` : '';
  throw invalid(
    `${file} has format_version ${JSON.stringify(version ?? null)}${writer}; this calico-migrate reads format_version ${SUPPORTED_FORMAT_VERSIONS.join(', ')}`,
    'Use the calico-migrate version that wrote the plan, or make a new plan with this version (a plan is approved byte for byte, so it is never converted).',
    origin,
  );
}

/** The first line is not JSON: a format-1 plan (one indented document), a foreign file, or not JSON at all. */
function notAPlanLine(text: string, file: string, origin: string): MigrateError {
  let whole: unknown;
  try {
    whole = JSON.parse(text) as unknown;
  } catch (e) {
    return invalid(`${file} is not valid JSON (${(e as Error).message})`, FOREIGN_HINT, origin);
  }
  if (isRecord(whole) && whole.kind === 'CalicoMigrationPlan') {
    checkFormatVersion(whole, file, origin);
    return invalid(
      `${file} was modified after it was written (its bytes differ from the form calico-migrate writes, first at line 1); make a new plan`,
      `Plan files are used byte for byte: do not reformat or edit them. ${REPLAN_HINT}`,
      origin,
    );
  }
  const found = isRecord(whole) && typeof whole.kind === 'string' ? `kind "${whole.kind}"` : 'no kind CalicoMigrationPlan';
  return invalid(`${file} is not a calico-migrate plan (found ${found})`, FOREIGN_HINT, origin);
}

function invalid(message: string, hint: string, origin: string, extra: Record<string, unknown> = {}): MigrateError {
  return new MigrateError('PLAN_INVALID', message, { hint, details: { file: origin, ...extra } });
}

function listErrors(errors: string[]): string {
  const shown = errors.slice(0, MAX_LISTED_ERRORS).join('; ');
  const more = errors.length > MAX_LISTED_ERRORS ? `; and ${errors.length - MAX_LISTED_ERRORS} more` : '';
  return shown + more;
}
