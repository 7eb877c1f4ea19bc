/**
 * Reading a plan file from disk without holding it: the file is streamed once through the strict
 * checker (plan-file.ts), and each change is kept as a small stub (address, wave, kind, name,
 * actions, preconditions, source keys) plus where its line lies in the file. Its `before`, `after`
 * and `changed_paths` are read back from the file only when asked for, and the bytes must hash as
 * they did when checked, so a file edited while apply runs is refused, not
 * executed. A plan of 300,000 changes costs a few hundred bytes per change, not the plan's size.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { MigrateError } from '../errors.js';
import type { KubeObject } from '../model/types.js';
import { PlanLineChecker, type Footer, type Header } from '../plan/plan-file.js';
import type { Action, Plan, ResourceChange } from '../plan/types.js';

const READ_BYTES = 1 << 20;
const NEWLINE = 0x0a;
/** Parsed bodies kept for re-use: apply reads a change's `after` and then its `before`. */
const CACHE_SIZE = 512;
/** Blocks kept: the plan's steps are read in order, or (a reverse plan rewrite) in reverse order of steps. */
const BLOCK_CACHE = 4;

/** A plan read from a file; its changes read their bodies from the file on demand. */
export interface FilePlan extends Plan {
  /** Releases the file. Bodies cannot be read after this. */
  close(): void;
}

/** Hooks run on each fully parsed change while the file is read (e.g. apply's executability checks). */
export type ChangeVisitor = (c: ResourceChange, index: number) => void;

/**
 * @throws MigrateError USAGE when the file cannot be read or is not a regular file (a FIFO would
 *   block), PLAN_INVALID when it is not an unmodified plan this version can read.
 */
export function readPlanFile(file: string, opts: { label?: string; hint?: string; visit?: ChangeVisitor } = {}): FilePlan {
  const label = opts.label ?? 'plan file';
  const hint = opts.hint ?? 'pass the path of a plan file written by `calico-migrate plan`';
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat could refuse it.
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    throw new MigrateError('USAGE', `${label} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { hint });
  }
  try {
    if (!fstatSync(fd).isFile()) throw new MigrateError('USAGE', `${label} ${file} is not a regular file`, { hint });
    const body = new PlanBodies(fd, file);
    const plan = scan(fd, file, body, opts.visit);
    return plan;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function scan(fd: number, file: string, bodies: PlanBodies, visit: ChangeVisitor | undefined): FilePlan {
  const checker = new PlanLineChecker(file);
  const changes: ResourceChange[] = [];
  let header: Header | undefined;
  let footer: Footer | undefined;
  let planId = '';
  let index = 0;
  let fileOffset = 0;
  let carry: Buffer = Buffer.alloc(0);
  const chunk = Buffer.allocUnsafe(READ_BYTES);
  let sawAny = false;

  const onLine = (bytes: Buffer, start: number): void => {
    const line = bytes.toString('utf8');
    if (index === 0 && !firstIsJson(line)) throw checker.firstLineNotJson(line + readRest(fd, start + bytes.length + 1));
    const r = checker.accept(line, index);
    switch (r.name) {
      case 'header':
        header = r.fields;
        break;
      case 'change': {
        visit?.(r.fields, changes.length);
        changes.push(bodies.stub(r.fields, changes.length, start, bytes));
        break;
      }
      case 'footer':
        footer = r.fields;
        break;
      case 'trailer':
        planId = r.planId;
        break;
      default: {
        const never: never = r;
        throw new Error(`unknown plan record ${String(never)}`);
      }
    }
    index++;
  };

  for (;;) {
    const n = readFully(fd, chunk, READ_BYTES, fileOffset);
    if (n === 0) break;
    sawAny = true;
    const data = chunk.subarray(0, n);
    bodies.block(data);
    let from = 0;
    // Only a line that straddles two reads is copied (carry + its head); the others are read in
    // place. Joining each read to the carry cost a new megabyte per read, freed late (malloc).
    if (carry.length) {
      const nl = data.indexOf(NEWLINE);
      if (nl < 0) {
        carry = Buffer.concat([carry, data]);
        fileOffset += n;
        continue;
      }
      onLine(Buffer.concat([carry, data.subarray(0, nl)]), fileOffset - carry.length);
      from = nl + 1;
    }
    for (let nl = data.indexOf(NEWLINE, from); nl >= 0; nl = data.indexOf(NEWLINE, from)) {
      onLine(data.subarray(from, nl), fileOffset + from);
      from = nl + 1;
    }
    // Copied: `chunk` is overwritten by the next read.
    carry = Buffer.from(data.subarray(from));
    fileOffset += n;
  }
  if (!sawAny) throw new MigrateError('PLAN_INVALID', `plan file ${file} is empty`, { hint: 'Pass the file written by `calico-migrate plan --out`.', details: { file } });
  if (carry.length) {
    onLine(carry, fileOffset - carry.length);
    checker.finish(index, false);
  }
  checker.finish(index, true);
  if (!header || !footer) throw new MigrateError('PLAN_INVALID', `plan file ${file} is incomplete`, { details: { file } });
  const { changes: _count, ...rest } = footer;
  const plan: FilePlan = { ...header, plan_id: planId, ...rest, resource_changes: changes, close: () => bodies.close() };
  // Not part of the plan's JSON form (show --json prints the plan).
  Object.defineProperty(plan, 'close', { enumerable: false });
  return plan;
}

/** Reads up to `len` bytes at `offset`; fewer only at the end of the file. */
function readFully(fd: number, buf: Buffer, len: number, offset: number): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

function firstIsJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** The rest of a file whose first line is not JSON, for the message about what it is (e.g. a format-1 plan). */
function readRest(fd: number, offset: number): string {
  const size = fstatSync(fd).size;
  const max = Math.min(Math.max(0, size - offset), 64 << 20);
  const buf = Buffer.alloc(max);
  if (max > 0) readSync(fd, buf, 0, max, offset);
  return '\n' + buf.toString('utf8');
}

/** Shared, frozen values many changes have, so stubs do not each carry a copy. */
const NO_TARGET: ResourceChange['target'] = Object.freeze({ uid: null, resource_version: null });
const DRY_RUN_OK: NonNullable<ResourceChange['dry_run']> = Object.freeze({ status: 'ok', message: null });

/**
 * Where the changes' lines are, and a hash of every aligned READ_BYTES block of the file as it was
 * checked. A body is read back through a small cache of blocks, re-hashed when loaded, so reading
 * the changes in plan order (apply, a reverse plan rewrite) costs a few reads per megabyte, not
 * one per change, and any byte changed since the check is refused.
 */
class PlanBodies {
  private offsets: number[] = [];
  private lengths: number[] = [];
  private readonly blockHashes: Buffer[] = [];
  private readonly blocks = new Map<number, Buffer>();
  private readonly cache = new Map<number, ResourceChange['change']>();
  private readonly strings = new Map<string, string>();
  /** Changes whose `before` or `after` is not the change's own object (see bodiesNameChange). */
  private readonly misnamed = new Set<number>();
  private open = true;

  constructor(
    private readonly fd: number,
    private readonly file: string,
  ) {}

  /** The next block of the file, as the scan read it. */
  block(bytes: Buffer): void {
    this.blockHashes.push(createHash('sha256').update(bytes).digest());
  }

  stub(c: ResourceChange, index: number, offset: number, bytes: Buffer): ResourceChange {
    this.offsets.push(offset);
    this.lengths.push(bytes.length);
    if (!namesItself(c)) this.misnamed.add(index);
    const body = new LazyChangeBody(this, index, c.change.action) as unknown as ResourceChange['change'];
    const t = c.target.uid === null && c.target.resource_version === null ? NO_TARGET : c.target;
    const dry = c.dry_run && c.dry_run.status === 'ok' && c.dry_run.message === null ? DRY_RUN_OK : c.dry_run;
    return new LazyChange(c.address, c.wave, this.intern(c.api_version), this.intern(c.kind), c.namespace === null ? null : this.intern(c.namespace), c.name, c.step, body, c.source_keys, t, dry);
  }

  namesItself(index: number): boolean {
    return !this.misnamed.has(index);
  }

  /** The change's `change` member, read back from the file. */
  read(index: number): ResourceChange['change'] {
    const hit = this.cache.get(index);
    if (hit) return hit;
    const record = JSON.parse(this.lineText(index)) as { change: ResourceChange['change'] };
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(index, record.change);
    return record.change;
  }

  /** The change's line as it is in the file (checked canonical when the file was read). */
  lineText(index: number): string {
    if (!this.open) throw new Error(`plan file ${this.file}: read after close`);
    const offset = this.offsets[index]!;
    const len = this.lengths[index]!;
    const first = Math.floor(offset / READ_BYTES);
    const last = Math.floor((offset + len - 1) / READ_BYTES);
    let text: string;
    if (first === last) {
      const start = offset - first * READ_BYTES;
      text = this.loadBlock(first, index).toString('utf8', start, start + len);
    } else {
      // Each block's piece is copied out as it is loaded: loading the next may recycle its buffer.
      const line = Buffer.allocUnsafe(len);
      for (let b = first, at = 0; b <= last; b++) {
        const block = this.loadBlock(b, index);
        const from = b === first ? offset - first * READ_BYTES : 0;
        const to = Math.min(block.length, offset + len - b * READ_BYTES);
        at += block.copy(line, at, from, to);
      }
      text = line.toString('utf8');
    }
    return text;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.cache.clear();
    this.blocks.clear();
    closeSync(this.fd);
  }

  private loadBlock(b: number, index: number): Buffer {
    const cached = this.blocks.get(b);
    if (cached) return cached;
    // The evicted block's buffer is read into: a new megabyte per block (a 300,000-change plan is
    // ~450 of them, read once by apply and again for its reverse plan) was freed only by a full
    // GC, and its malloc'd memory stayed with the process.
    let buf: Buffer;
    if (this.blocks.size >= BLOCK_CACHE) {
      const oldest = this.blocks.keys().next().value as number;
      const evicted = this.blocks.get(oldest)!;
      this.blocks.delete(oldest);
      buf = Buffer.from(evicted.buffer, evicted.byteOffset, READ_BYTES);
    } else {
      buf = Buffer.allocUnsafe(READ_BYTES);
    }
    const n = readFully(this.fd, buf, READ_BYTES, b * READ_BYTES);
    const bytes = buf.subarray(0, n);
    const expected = this.blockHashes[b];
    if (!expected || !createHash('sha256').update(bytes).digest().equals(expected)) {
      throw new MigrateError('PLAN_INVALID', `plan file ${this.file} was modified while it was in use (change ${index + 1} lies in bytes that differ from what was checked)`, {
        hint: 'Do not edit or replace a plan file in place while apply runs; run apply again (with --resume if it had started writing).',
        details: { file: this.file },
      });
    }
    this.blocks.set(b, bytes);
    return bytes;
  }

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size < 10000) this.strings.set(s, s);
    return s;
  }
}

/** Where a create's `after` lies in its canonical line: keys are sorted, so these are fixed. */
const CREATE_AFTER_START = '"change":{"action":"create","after":';
const CREATE_AFTER_END = ',"before":null,"changed_paths":[]},"dry_run":';

/**
 * The canonical JSON text of a create's `after`, cut from the plan file line it was checked in,
 * when `c` is a change of a plan read by readPlanFile; otherwise null. In the line, the `after`
 * object comes right after the first marker (address and api_version, before it, are JSON strings
 * and cannot hold an unescaped quote) and ends at the last occurrence of the second (every field
 * after it is a string, null, a number or a list of source keys).
 */
export function createdBodyText(c: ResourceChange): (() => string) | null {
  if (!(c instanceof LazyChange) || c.change.action !== 'create') return null;
  const body = c.change as unknown as LazyChangeBody;
  return () => {
    const line = body.lineText();
    const start = line.indexOf(CREATE_AFTER_START);
    const end = line.lastIndexOf(CREATE_AFTER_END);
    if (start < 0 || end < start) throw new Error(`plan line of ${c.address} is not a canonical create`);
    return line.slice(start + CREATE_AFTER_START.length, end);
  };
}

/** Whether the change's `before` and `after` are the object the change names (apiVersion, kind, namespace, name). */
function namesItself(c: ResourceChange): boolean {
  for (const obj of [c.change.before, c.change.after]) {
    if (!obj) continue;
    if (obj.apiVersion !== c.api_version || obj.kind !== c.kind || obj.metadata.name !== c.name || (obj.metadata.namespace ?? null) !== c.namespace) return false;
  }
  return true;
}

/**
 * For a change of a plan read by readPlanFile: whether its `before` and `after` are the object
 * the change names, as found while the file was read (so asking reads no body back); for any
 * other change, undefined.
 */
export function bodiesNameChange(c: ResourceChange): boolean | undefined {
  if (!(c instanceof LazyChange)) return undefined;
  return (c.change as unknown as LazyChangeBody).namesItself();
}

class LazyChangeBody {
  constructor(
    private readonly bodies: PlanBodies,
    private readonly index: number,
    readonly action: Action,
  ) {}

  get before(): KubeObject | null {
    return this.bodies.read(this.index).before;
  }

  get after(): KubeObject | null {
    return this.bodies.read(this.index).after;
  }

  get changed_paths(): string[] {
    return this.bodies.read(this.index).changed_paths;
  }

  toJSON(): ResourceChange['change'] {
    return this.bodies.read(this.index);
  }

  lineText(): string {
    return this.bodies.lineText(this.index);
  }

  namesItself(): boolean {
    return this.bodies.namesItself(this.index);
  }
}

class LazyChange implements ResourceChange {
  constructor(
    readonly address: string,
    readonly wave: number,
    readonly api_version: string,
    readonly kind: string,
    readonly namespace: string | null,
    readonly name: string,
    readonly step: ResourceChange['step'],
    readonly change: ResourceChange['change'],
    readonly source_keys: ResourceChange['source_keys'],
    readonly target: ResourceChange['target'],
    readonly dry_run: ResourceChange['dry_run'],
  ) {}
}
