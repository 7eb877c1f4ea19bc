/**
 * A file written in pieces that appears only whole: the text goes to a temp file beside it, which
 * is fsynced and renamed over the name on commit. A crash, a failed guard or an error leaves the
 * old file (or none), never half a plan. Written 0600: plans and reverse plans hold cluster data.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { MigrateError } from '../errors.js';

/** Pieces are gathered to about this size before a write(2), so a plan of any size costs few syscalls. */
const CHUNK_BYTES = 1 << 20;

export class AtomicFile {
  private fd: number | null;
  private readonly tmp: string;
  private pending: string[] = [];
  private pendingBytes = 0;

  /**
   * Opens the temp file now, so a missing or unwritable directory is reported before any work.
   * @throws MigrateError USAGE naming `label` and the file
   */
  constructor(
    readonly file: string,
    private readonly label: string,
  ) {
    this.tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      this.fd = openSync(this.tmp, 'wx', 0o600);
    } catch (e) {
      throw this.cannotWrite(e);
    }
  }

  write(text: string): void {
    if (this.fd === null) throw new Error(`AtomicFile ${this.file}: write after commit or abort`);
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= CHUNK_BYTES) this.flush();
  }

  /** Makes the file durable under its name. */
  commit(): void {
    if (this.fd === null) throw new Error(`AtomicFile ${this.file}: commit after commit or abort`);
    try {
      this.flush();
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tmp, this.file);
      fsyncDir(path.dirname(path.resolve(this.file)));
    } catch (e) {
      this.abort();
      throw this.cannotWrite(e);
    }
  }

  /** Drops the temp file; a no-op after commit. */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already unusable; the unlink below is what matters.
      }
      this.fd = null;
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      // Committed (renamed away) or never created.
    }
  }

  private flush(): void {
    if (this.fd === null || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    try {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      this.abort();
      throw this.cannotWrite(e);
    }
  }

  private cannotWrite(e: unknown): MigrateError {
    return new MigrateError('USAGE', `${this.label} ${this.file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: `pass a ${this.label} path in an existing directory you can write to`,
    });
  }
}

/** fsync a directory so a created or renamed entry in it survives a crash. Some filesystems refuse; the entry stands regardless. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here (e.g. some network filesystems); the file data itself is synced.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
