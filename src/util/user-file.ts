/**
 * Reading a file the operator named on the command line. Every such read fails the same way: a
 * USAGE error naming the flag (or role) and the file, the system's reason, and what to pass
 * instead, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { MigrateError } from '../errors.js';

export interface UserFile {
  /** How the operator named it, e.g. `--node-map` or `plan file`. */
  label: string;
  path: string;
  /** What to pass instead, shown as the next step. */
  hint: string;
}

export function readUserFile(f: UserFile): string;
export function readUserFile(f: UserFile, encoding: 'binary'): Buffer;
export function readUserFile(f: UserFile, encoding?: 'binary'): string | Buffer {
  try {
    return encoding === 'binary' ? readFileSync(f.path) : readFileSync(f.path, 'utf8');
  } catch (e) {
    throw new MigrateError('USAGE', `${f.label} ${f.path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { hint: f.hint });
  }
}
