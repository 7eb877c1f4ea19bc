/**
 * Writing and reading plan files (format_version 4). A plan file is JSON Lines, one record per
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
import type { KubeObject } from '../model/types.js';
import { FORMAT_VERSION, type Plan, type PlanBody } from './types.js';

export const SUPPORTED_FORMAT_VERSIONS: readonly string[] = [FORMAT_VERSION];
const MAX_LISTED_ERRORS = 5;
const REPLAN_HINT = 'Make a new plan with `calico-migrate plan --out <file>` and apply that file unchanged.';
const FOREIGN_HINT = 'Pass the file written by `calico-migrate plan --out`.';

export type Header = Pick<PlanBody, 'format_version' | 'kind' | 'mode' | 'tool' | 'source' | 'target' | 'options' | 'reverses'>;
export type Footer = Pick<PlanBody, 'summary' | 'skipped' | 'checks' | 'warnings'> & { changes: number };

/**
 * Set (non-enumerable) on a change whose `before` or `after` is available as canonical JSON text
 * already: a reverse plan's delete of an object a forward plan read from a file creates. The
 * encoder splices the text in instead of encoding the object, which apply would otherwise parse
 * and re-encode for every create on every rewrite of its reverse plan. `standIn` is a minimal
 * object of the same identity, validated in its place (the text was validated when it was read).
 */
export const RAW_BODY = Symbol('raw-body');
export interface RawBody {
  field: 'before' | 'after';
  text: () => string;
  standIn: KubeObject;
}

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
    const raw = (c as { [RAW_BODY]?: RawBody })[RAW_BODY];
    if (!raw) return this.line('change', { record: 'change', ...c });
    // The body is already canonical text: validate the record around a stand-in, encode it around
    // a marker, and put the text where the marker is. Nothing is parsed or re-encoded.
    const { change, ...rest } = c;
    const other = raw.field === 'before' ? 'after' : 'before';
    const body = (v: unknown) => ({ action: change.action, changed_paths: change.changed_paths, [other]: change[other], [raw.field]: v });
    const marker = `\u0000raw-body-${process.pid}\u0000`;
    const text = canonicalJson({ record: 'change', ...rest, change: body(marker) }).replace(JSON.stringify(marker), () => raw.text());
    return this.line('change', { record: 'change', ...rest, change: body(raw.standIn) }, text + '\n');
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

  private line(name: PlanRecordName, record: Record<string, unknown>, encoded?: string): string {
    let text: string;
    try {
      text = encoded ?? canonicalJson(record) + '\n';
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

/** One line of a plan file, checked: which record it is and its fields (without `record`). */
export type CheckedLine = { name: 'header'; fields: Header } | { name: 'change'; fields: Plan['resource_changes'][number] } | { name: 'footer'; fields: Footer } | { name: 'trailer'; planId: string };

/**
 * The strict reading of a plan file, one line at a time, for a text in memory (parsePlan) and a
 * file streamed from disk (plan-reader.ts) alike: each line must be the canonical form of a valid
 * record, in order, the footer must count the changes, and the trailer's plan_id must be the hash
 * of every byte before it. `origin` names the file in messages (a path, or `-` for stdin).
 */
export class PlanLineChecker {
  private readonly hash: Hash = createHash('sha256');
  private readonly file: string;
  private changes = 0;
  private sawFooter = false;
  private done = false;
  private crlf = false;

  constructor(private readonly origin: string) {
    this.file = origin === '-' ? 'plan file (stdin)' : `plan file ${origin}`;
  }

  /** @throws MigrateError PLAN_INVALID */
  accept(line: string, i: number): CheckedLine {
    const { file, origin } = this;
    if (this.done) throw this.modified(i);
    if (line.endsWith('\r')) this.crlf = true;
    const value = parseLine(line);
    if (i === 0) {
      if (value === undefined) throw invalid(`${file} line 1 is not valid JSON`, FOREIGN_HINT, origin);
      if (!isRecord(value) || value.kind !== 'CalicoMigrationPlan') {
        const found = isRecord(value) && typeof value.kind === 'string' ? `kind "${value.kind}"` : 'no kind CalicoMigrationPlan';
        throw invalid(`${file} is not a calico-migrate plan (found ${found})`, FOREIGN_HINT, origin);
      }
      checkFormatVersion(value, file, origin);
    }
    const at = `${file} line ${i + 1}`;
    if (value === undefined) throw invalid(`${at} is not valid JSON`, REPLAN_HINT, origin);
    const name = recordName(value);
    const expected: PlanRecordName[] = i === 0 ? ['header'] : this.sawFooter ? ['trailer'] : ['change', 'footer'];
    if (!name || !expected.includes(name)) {
      throw invalid(`${at} is ${name ? `a ${name} record` : 'not a plan record'} where the plan has ${expected.map((e) => `a ${e} record`).join(' or ')}`, REPLAN_HINT, origin);
    }
    const errors = validatePlanRecord(name, value);
    if (errors.length > 0) throw invalid(`${at} does not match the plan schema: ${listErrors(errors)}`, REPLAN_HINT, origin, { errors });
    if (canonicalJson(value) !== line) throw this.modified(i);
    const { record: _record, ...fields } = value as Record<string, unknown> & { record: PlanRecordName };
    let out: CheckedLine;
    switch (name) {
      case 'header':
        out = { name, fields: fields as unknown as Header };
        break;
      case 'change':
        this.changes++;
        out = { name, fields: fields as unknown as Plan['resource_changes'][number] };
        break;
      case 'footer': {
        const footer = fields as unknown as Footer;
        if (footer.changes !== this.changes)
          throw invalid(`${file} was modified after it was written (it holds ${this.changes} changes, its footer says ${footer.changes}); make a new plan`, REPLAN_HINT, origin);
        this.sawFooter = true;
        out = { name, fields: footer };
        break;
      }
      case 'trailer': {
        const planId = (fields as { plan_id: string }).plan_id;
        if (`sha256:${this.hash.digest('hex')}` !== planId) {
          throw invalid(`${file} was modified after it was written (plan_id does not match its content); make a new plan`, REPLAN_HINT, origin);
        }
        this.done = true;
        return { name, planId };
      }
      default: {
        const never: never = name;
        throw invalid(`${at} is an unknown record ${String(never)}`, REPLAN_HINT, origin);
      }
    }
    this.hash.update(line + '\n', 'utf8');
    return out;
  }

  /** After the last line: the file must have ended with its trailer and a newline. */
  finish(lines: number, endsWithNewline: boolean): void {
    if (!this.done) throw invalid(`${this.file} ends without its trailer line: it is truncated or was modified; make a new plan`, REPLAN_HINT, this.origin);
    if (!endsWithNewline) throw this.modified(lines - 1);
  }

  /** For a non-JSON first line: a format-1 plan (one indented document), a foreign file, or not JSON at all. */
  firstLineNotJson(text: string): MigrateError {
    return notAPlanLine(text, this.file, this.origin);
  }

  modified(i: number): MigrateError {
    return invalid(
      `${this.file} was modified after it was written (its bytes differ from the form calico-migrate writes, first at line ${i + 1}); make a new plan`,
      `Plan files are used byte for byte: do not reformat or edit them.${this.crlf ? ' It has CRLF line endings; check that git or an editor did not convert them.' : ''} ${REPLAN_HINT}`,
      this.origin,
    );
  }
}

/**
 * Read a plan file's text. `origin` names the file in messages (a path, or `-` for stdin).
 * @throws MigrateError PLAN_INVALID when the text is not an unmodified plan this version can read.
 */
export function parsePlan(text: string, origin: string): Plan {
  const checker = new PlanLineChecker(origin);
  const lines = text.split('\n');
  if (parseLine(lines[0] ?? '') === undefined) throw checker.firstLineNotJson(text);
  const changes: Plan['resource_changes'] = [];
  let header: Header | undefined;
  let footer: Footer | undefined;
  let planId = '';
  // The text after the last newline is the last line; it must be empty (the trailer ends with one).
  const last = lines.length - 1;
  for (let i = 0; i < last; i++) {
    const r = checker.accept(lines[i] as string, i);
    if (r.name === 'header') header = r.fields;
    else if (r.name === 'change') changes.push(r.fields);
    else if (r.name === 'footer') footer = r.fields;
    else planId = r.planId;
  }
  if (lines[last] !== '') {
    checker.accept(lines[last] as string, last);
    checker.finish(lines.length, false);
  }
  checker.finish(lines.length, true);
  if (!header || !footer) throw invalid(`plan file ${origin} is incomplete`, REPLAN_HINT, origin);
  const { changes: _count, ...rest } = footer;
  return { ...header, plan_id: planId, ...rest, resource_changes: changes };
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
