/**
 * The apply journal: an append-only JSON Lines write-ahead log. Every line is validated against
 * schemas/journal.schema.json when read.
 *
 *   {"type":"header", plan_id, plan_path, reverse_path, started_at, tool_version, holder}   (one per run; a resume appends another)
 *   {"type":"intent", seq, address, action, at}                                             (durable BEFORE the write is sent)
 *   {"type":"result", seq, address, action, status, uid, resource_version, message, at}   (after the write)
 *   {"type":"end", status: complete|partial, at}
 *
 * A `result` with status `error` means the server definitely did not apply the write (it answered
 * with a rejection, or the write was never sent). When the outcome is unknown (the connection
 * failed and reading the object back failed too) no result is written: the intent stays open and
 * `--resume` resolves it by reading the object.
 *
 * GROUP COMMIT. Lines are buffered in memory and made durable by `commit()`: one write plus one
 * fdatasync for everything buffered. The executor calls `commit()` once per batch, after it has
 * buffered the intents of every write it is about to send concurrently, and sends none of them
 * before `commit()` resolves. Results are buffered as responses arrive and ride along with the
 * next batch's commit (or the final one). So the write-ahead rule holds for every write (its
 * intent is on disk before the request leaves), while the cost is one fsync per batch rather than
 * two per object. A result lost in a crash only leaves its intent open, which resume resolves.
 */
import { readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { MigrateError } from '../errors.js';
import { fsyncDir } from '../util/atomic-file.js';

export type JournalAction = 'create' | 'update' | 'delete';

export interface JournalHeader {
  type: 'header';
  plan_id: string;
  plan_path: string;
  reverse_path: string;
  started_at: string;
  tool_version: string;
  holder: string;
}

export interface JournalIntent {
  type: 'intent';
  seq: number;
  address: string;
  action: JournalAction;
  at: string;
}

export interface JournalResult {
  type: 'result';
  seq: number;
  address: string;
  action: JournalAction;
  status: 'ok' | 'error';
  uid: string | null;
  resource_version: string | null;
  message: string | null;
  at: string;
}

export interface JournalEnd {
  type: 'end';
  status: 'complete' | 'partial';
  at: string;
}

export type JournalEntry = JournalHeader | JournalIntent | JournalResult | JournalEnd;

export interface JournalContents {
  entries: JournalEntry[];
  /** The first header (the original run). */
  header: JournalHeader;
  /** Bytes of the file that hold accepted lines; a resume truncates the file to this length. */
  validBytes: number;
  /** A torn last line was dropped (a crash while it was written). */
  droppedTail: boolean;
  /** The last accepted line has no `\n` (it must be terminated before appending). */
  needsNewline: boolean;
}

export const JOURNAL_SCHEMA_URL = new URL('../../schemas/journal.schema.json', import.meta.url);

const LINE_TYPES = ['header', 'intent', 'result', 'end'] as const;
let compiled: Map<string, ValidateFunction> | undefined;

/** One validator per line type (the schema's `oneOf` branches), so errors name the right branch. */
function validators(): Map<string, ValidateFunction> {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(JOURNAL_SCHEMA_URL, 'utf8')) as { $id: string };
    const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
    ajv.addSchema(schema);
    compiled = new Map(LINE_TYPES.map((t) => [t, ajv.getSchema(`${schema.$id}#/definitions/${t}`)!]));
  }
  return compiled;
}

/** Schema errors of one line, or null when it is a valid journal line. */
export function validateJournalLine(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const type = (value as Record<string, unknown>).type;
  if (type === undefined) return 'has no "type" (header, intent, result or end)';
  const validate = typeof type === 'string' ? validators().get(type) : undefined;
  if (!validate) return `has unknown type ${JSON.stringify(type)}`;
  if (validate(value)) return null;
  const e = validate.errors![0]!;
  const where = e.instancePath || '/';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${where} has unknown field "${String(params.additionalProperty)}"`;
  if (e.keyword === 'required') return `${where} is missing required field "${String(params.missingProperty)}"`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

function corrupt(origin: string, line: number, what: string): MigrateError {
  return new MigrateError('PLAN_INVALID', `apply journal ${origin} line ${line} ${what}`, {
    hint: 'The journal is damaged in the middle (only a torn last line is expected after a crash). Restore it from a backup, or roll back with the reverse plan and make a new plan.',
    details: { file: origin, line },
  });
}

/**
 * Parse a journal's bytes. A torn last line (bad JSON or failing the schema) is tolerated and
 * dropped; any other bad line is an error naming the line.
 * @throws MigrateError PLAN_INVALID
 */
export function parseJournal(data: Buffer | string, origin: string): JournalContents {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const spans: Array<{ start: number; end: number; terminated: boolean }> = [];
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) {
      spans.push({ start, end: buf.length, terminated: false });
      break;
    }
    spans.push({ start, end: nl, terminated: true });
    start = nl + 1;
  }
  // The last line with any content is the only one allowed to be torn.
  let lastContent = -1;
  for (let i = spans.length - 1; i >= 0; i--) {
    if (buf.subarray(spans[i]!.start, spans[i]!.end).toString('utf8').trim() !== '') {
      lastContent = i;
      break;
    }
  }

  const entries: JournalEntry[] = [];
  let validBytes = 0;
  let droppedTail = false;
  let needsNewline = false;
  const intents = new Map<number, JournalIntent>();
  const resulted = new Set<number>();
  let lastSeq = 0;
  let header: JournalHeader | undefined;

  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const lineNo = i + 1;
    const text = buf.subarray(span.start, span.end).toString('utf8');
    if (text.trim() === '') {
      if (i < lastContent) throw corrupt(origin, lineNo, 'is empty');
      continue;
    }
    let value: unknown;
    let problem: string | null = null;
    try {
      value = JSON.parse(text);
      problem = validateJournalLine(value);
    } catch (e) {
      problem = `is not valid JSON (${(e as Error).message})`;
    }
    if (problem !== null) {
      if (i === lastContent) {
        droppedTail = true;
        break;
      }
      throw corrupt(origin, lineNo, problem);
    }
    const entry = value as JournalEntry;
    // Structure: header first, one plan, increasing seqs, each result answers one open intent.
    if (!header && entry.type !== 'header') throw corrupt(origin, lineNo, `is a "${entry.type}" line before the header`);
    switch (entry.type) {
      case 'header':
        if (header && header.plan_id !== entry.plan_id) throw corrupt(origin, lineNo, `is a header for plan ${entry.plan_id}, but the journal is for plan ${header.plan_id}`);
        header ??= entry;
        break;
      case 'intent':
        if (entry.seq <= lastSeq) throw corrupt(origin, lineNo, `has seq ${entry.seq}, not above the previous seq ${lastSeq}`);
        lastSeq = entry.seq;
        intents.set(entry.seq, entry);
        break;
      case 'result': {
        const intent = intents.get(entry.seq);
        if (!intent) throw corrupt(origin, lineNo, `is a result for seq ${entry.seq}, which has no intent before it`);
        if (resulted.has(entry.seq)) throw corrupt(origin, lineNo, `is a second result for seq ${entry.seq}`);
        if (intent.address !== entry.address || intent.action !== entry.action) {
          throw corrupt(origin, lineNo, `is a result for seq ${entry.seq} (${entry.action} ${entry.address}), but that intent is ${intent.action} ${intent.address}`);
        }
        resulted.add(entry.seq);
        break;
      }
      case 'end':
        break;
    }
    entries.push(entry);
    validBytes = span.terminated ? span.end + 1 : span.end;
    needsNewline = !span.terminated;
  }
  if (!header) {
    throw new MigrateError('PLAN_INVALID', `apply journal ${origin} has no header line (is it a calico-migrate apply journal?)`, {
      hint: 'Pass the journal file written by `calico-migrate apply` (see the apply output for its path).',
      details: { file: origin },
    });
  }
  return { entries, header, validBytes, droppedTail, needsNewline };
}

/** @throws MigrateError USAGE when the file cannot be read, PLAN_INVALID when it is damaged */
export function readJournal(file: string): JournalContents {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    throw new MigrateError('USAGE', `cannot read apply journal ${file}: ${(e as Error).message}`, {
      hint: 'pass the journal path printed by the apply that stopped',
      cause: e,
    });
  }
  return parseJournal(data, file);
}

/** Appends lines with group commit (see the module comment). Not safe for concurrent commits; the executor serialises them. */
export class JournalWriter {
  private buffer: string[] = [];
  private nextSeq: number;
  private closed = false;
  private stampMs = NaN;
  private stamp = '';

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    lastSeq: number,
    /** Byte offset the next commit writes at (the end of the accepted lines). */
    private position: number,
    private readonly clock: () => Date,
  ) {
    this.nextSeq = lastSeq + 1;
  }

  /**
   * Start a new journal; refuses to overwrite an existing file.
   * @throws MigrateError USAGE when the file exists or cannot be created
   */
  static async create(file: string, header: Omit<JournalHeader, 'type'>, clock: () => Date): Promise<JournalWriter> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'wx', 0o600);
    } catch (e) {
      const exists = (e as NodeJS.ErrnoException).code === 'EEXIST';
      throw new MigrateError('USAGE', exists ? `apply journal ${file} already exists` : `cannot create apply journal ${file}: ${(e as Error).message}`, {
        hint: exists ? 'continue that apply with `calico-migrate apply --resume <journal> <plan>`, or choose another journal path' : 'choose a writable journal path',
        cause: e,
      });
    }
    const w = new JournalWriter(file, fh, 0, 0, clock);
    w.append({ type: 'header', ...header });
    await w.commit();
    fsyncDir(path.dirname(path.resolve(file)));
    return w;
  }

  /** Continue an existing journal after `parseJournal`: drops a torn tail, then appends a new header. */
  static async reopen(file: string, contents: JournalContents, header: Omit<JournalHeader, 'type'>, clock: () => Date): Promise<JournalWriter> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r+');
      await fh.truncate(contents.validBytes);
    } catch (e) {
      throw new MigrateError('USAGE', `cannot open apply journal ${file} to continue it: ${(e as Error).message}`, {
        hint: 'the journal must be writable by the user running apply --resume',
        cause: e,
      });
    }
    const lastSeq = contents.entries.reduce((m, e) => (e.type === 'intent' ? Math.max(m, e.seq) : m), 0);
    const w = new JournalWriter(file, fh, lastSeq, contents.validBytes, clock);
    if (contents.needsNewline) w.buffer.push('\n');
    w.append({ type: 'header', ...header });
    await w.commit();
    return w;
  }

  /** Lines written within one millisecond share the text: a bulk apply stamps two lines per write. */
  private now(): string {
    const d = this.clock();
    const ms = d.getTime();
    if (ms !== this.stampMs) {
      this.stampMs = ms;
      this.stamp = d.toISOString();
    }
    return this.stamp;
  }

  private append(entry: JournalEntry): void {
    if (this.closed) throw new Error('journal is closed');
    this.buffer.push(JSON.stringify(entry) + '\n');
  }

  /** Buffer an intent; returns its seq. Durable only after `commit()`. */
  intent(address: string, action: JournalAction): number {
    const seq = this.nextSeq++;
    this.append({ type: 'intent', seq, address, action, at: this.now() });
    return seq;
  }

  result(seq: number, address: string, action: JournalAction, r: { status: 'ok' | 'error'; uid?: string | null; resource_version?: string | null; message?: string | null }): void {
    this.append({
      type: 'result',
      seq,
      address,
      action,
      status: r.status,
      uid: r.uid ?? null,
      resource_version: r.resource_version ?? null,
      message: r.message ?? null,
      at: this.now(),
    });
  }

  end(status: 'complete' | 'partial'): void {
    this.append({ type: 'end', status, at: this.now() });
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Write everything buffered with one write and one fdatasync. */
  async commit(): Promise<void> {
    if (this.buffer.length === 0) return;
    const data = Buffer.from(this.buffer.join(''), 'utf8');
    this.buffer = [];
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.fh.write(data, off, data.length - off, this.position);
      off += bytesWritten;
      this.position += bytesWritten;
    }
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.commit();
    this.closed = true;
    await this.fh.close();
  }
}
