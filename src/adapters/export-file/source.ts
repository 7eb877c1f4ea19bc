/**
 * A calicoctl export file as the source (`--from-export`): the same snapshot a live etcd read
 * gives, for planning and exporting without access to etcd. A file has no revision and no one to
 * race with, so it cannot be locked or checked for changes: those operations refuse with USAGE.
 */
import { MigrateError } from '../../errors.js';
import type { SourceSnapshot } from '../../model/types.js';
import type { SourceHeader, SourcePort, SourceValue } from '../../ports/source.js';
import { readUserFile } from '../../util/user-file.js';
import { parseCalicoctlExport } from './calicoctl-format.js';

/** Reads and parses a calicoctl export file; an unreadable file is a USAGE error naming it. */
export function readCalicoctlExport(file: string): SourceSnapshot {
  const text = readUserFile({ label: '--from-export', path: file, hint: 'pass the path of a file written by `calicoctl datastore migrate export`' });
  return parseCalicoctlExport(text, file);
}

export class ExportFileSource implements SourcePort {
  readonly origin = 'export-file';
  readonly endpoints: readonly string[];

  constructor(readonly file: string) {
    this.endpoints = [file];
  }

  /** A file has no history: callers read it whole. */
  async changesSince(): Promise<null> {
    return null;
  }

  async readSnapshot(opts: { keysOnly?: boolean } = {}): Promise<SourceSnapshot> {
    const snap = readCalicoctlExport(this.file);
    return opts.keysOnly ? { ...snap, kvs: snap.kvs.map((kv) => ({ ...kv, value: '' })) } : snap;
  }

  header(): Promise<SourceHeader> {
    return Promise.reject(this.cannot('read the datastore revision'));
  }

  get(key: string): Promise<SourceValue | null> {
    return Promise.reject(this.cannot(`read ${key}`));
  }

  compareAndSwap(key: string): Promise<boolean> {
    return Promise.reject(this.cannot(`write ${key}`));
  }

  close(): void {
    /* nothing is held open: the file is read whole by readSnapshot */
  }

  private cannot(what: string): MigrateError {
    return new MigrateError('USAGE', `--from-export ${this.file}: cannot ${what}: an export file cannot be locked or checked for changes`, {
      hint: 'pass --etcd-endpoints (the live etcd) instead of --from-export: locking and change checks need the datastore itself',
    });
  }
}
