/**
 * The etcd v3 source. Reads every key under /calico/ at one revision, in bounded pages, and
 * performs the compare-and-swap writes `lock`/`unlock` need. The only module that talks to etcd.
 */
import { Etcd3, type IOptions } from 'etcd3';
import type { EtcdSettings } from '../../config/source.js';
import { redactUrl } from '../../config/source.js';
import { MigrateError } from '../../errors.js';
import { CALICO_PREFIX, CLUSTER_INFO_KEY } from '../../model/keys.js';
import type { SourceKV, SourceSnapshot } from '../../model/types.js';
import type { SourceChanges, SourceHeader, SourcePort, SourceValue } from '../../ports/source.js';

export { CALICO_PREFIX };

export interface KeyRevision {
  key: string;
  modRevision: number;
}

/** The range end that covers every key starting with `prefix` (etcd's clientv3.GetPrefixRangeEnd). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  // Trailing 0xff bytes cannot be incremented: drop them and increment the byte before.
  let i = b.length - 1;
  while (i >= 0 && b[i] === 0xff) i--;
  if (i < 0) return Buffer.from([0]);
  const end = Buffer.from(b.subarray(0, i + 1));
  end[i] = (b[i] ?? 0) + 1;
  return end;
}

export interface EtcdSourceOptions {
  /** Keys per range request of a snapshot read (values included). Default 10,000; keys-only reads take 50,000. */
  pageSize?: number;
  /** How long one request may take, retries by the client included (--request-timeout). Default 15 s. */
  timeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 15000;

/**
 * grpc's 4 MB default receive limit is one page of 2,000 IPAM blocks of busy nodes. The limit is
 * raised, and pages after the first are sized from the bytes per key seen so far to stay near
 * PAGE_TARGET_BYTES, so large values (big blocks) never make one response huge.
 */
const MAX_RECEIVE_BYTES = 256 * 1024 * 1024;
const PAGE_TARGET_BYTES = 16 * 1024 * 1024;

export class EtcdSource implements SourcePort {
  readonly origin = 'etcd';

  private constructor(
    private readonly client: Etcd3,
    readonly endpoints: string[],
    private readonly pageSize: number,
    private readonly timeoutMs: number,
    private readonly secrets: string[],
  ) {}

  static connect(settings: EtcdSettings, opts: EtcdSourceOptions = {}): EtcdSource {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const tls = settings.ca || settings.cert || settings.key || settings.endpoints.some((e) => e.startsWith('https://'));
    const options: IOptions = {
      hosts: settings.endpoints,
      ...(tls ? { credentials: { rootCertificate: settings.ca ?? Buffer.alloc(0), privateKey: settings.key, certChain: settings.cert } } : {}),
      ...(settings.username ? { auth: { username: settings.username, password: settings.password ?? '' } } : {}),
      dialTimeout: Math.min(5000, timeoutMs),
      defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + timeoutMs }),
      grpcOptions: { 'grpc.max_receive_message_length': MAX_RECEIVE_BYTES },
    };
    return new EtcdSource(new Etcd3(options), settings.endpoints.map(redactUrl), opts.pageSize ?? 10000, timeoutMs, settings.password ? [settings.password] : []);
  }

  close(): void {
    this.client.close();
  }

  /**
   * One request, bounded as a whole: the client's own retries (3 attempts) each get the grpc
   * deadline, so an etcd that accepts connections and never answers would otherwise hold a
   * command for minutes.
   */
  private timed<T>(run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs / 1000} s (--request-timeout)`)), this.timeoutMs);
    });
    return Promise.race([run(), limit]).finally(() => clearTimeout(timer));
  }

  private wrap(e: unknown, what: string): MigrateError {
    // grpc-js appends an empty "Resolution note:" to connection errors; it says nothing.
    const raw = ((e as Error)?.message ?? String(e)).replace(/\s*Resolution note:\s*$/, '');
    // Credentials never reach a message, whatever the client library put in its own.
    const msg = this.secrets.reduce((m, secret) => m.split(secret).join('***'), redactUrl(raw));
    const auth = /auth|permission|password|user name/i.test(msg);
    return new MigrateError('CONNECTION', `etcd ${this.endpoints.join(',')}: ${what} failed: ${msg}`, {
      hint: auth
        ? "check --etcd-username/--etcd-password (ETCD_USERNAME/ETCD_PASSWORD) and the user's read access to /calico/"
        : 'check --etcd-endpoints (ETCD_ENDPOINTS) and the TLS flags --etcd-ca-cert/--etcd-cert/--etcd-key',
      cause: e,
    });
  }

  /** Current revision and cluster id, from a one-key read. */
  async header(): Promise<SourceHeader> {
    try {
      const r = await this.timed(() => this.client.kv.range({ key: Buffer.from(CLUSTER_INFO_KEY), limit: 1, keys_only: true }));
      return { revision: Number(r.header.revision), clusterId: String(r.header.cluster_id) };
    } catch (e) {
      throw this.wrap(e, 'reading the cluster header');
    }
  }

  /**
   * Reads every key under `prefix` at a single revision, `pageSize` keys per request (default: the
   * source's page size). Pinning the revision makes the pages one consistent snapshot even while
   * etcd is written to.
   */
  async readSnapshot(opts: { pageSize?: number; prefix?: string; keysOnly?: boolean; onKeys?: (read: number) => void } = {}): Promise<SourceSnapshot> {
    const maxPage = opts.pageSize ?? (opts.keysOnly ? 50000 : this.pageSize);
    let pageSize = maxPage;
    let bytesRead = 0;
    const prefix = opts.prefix ?? CALICO_PREFIX;
    const end = prefixEnd(prefix);
    const kvs: SourceKV[] = [];
    let start = Buffer.from(prefix);
    let revision = 0;
    let clusterId = '';
    try {
      for (;;) {
        const r = await this.timed(() =>
          this.client.kv.range({
            key: start,
            range_end: end,
            limit: pageSize,
            keys_only: !!opts.keysOnly,
            ...(revision ? { revision } : {}),
          }),
        );
        if (!revision) {
          revision = Number(r.header.revision);
          clusterId = String(r.header.cluster_id);
        }
        for (const kv of r.kvs) {
          bytesRead += kv.key.length + kv.value.length;
          kvs.push({ key: kv.key.toString('utf8'), value: opts.keysOnly ? '' : kv.value.toString('utf8'), modRevision: Number(kv.mod_revision) });
        }
        opts.onKeys?.(kvs.length);
        const last = r.kvs[r.kvs.length - 1];
        if (!r.more || !last) break;
        start = Buffer.concat([last.key, Buffer.from([0])]);
        pageSize = Math.max(1, Math.min(maxPage, Math.floor(PAGE_TARGET_BYTES / Math.max(1, bytesRead / kvs.length))));
      }
    } catch (e) {
      if ((e as Error)?.message?.includes('compacted')) {
        throw new MigrateError('CONNECTION', `etcd ${this.endpoints.join(',')}: revision ${revision} was compacted during the read`, {
          hint: 'run the command again; if it repeats, lower the write rate or raise the compaction retention while migrating',
          cause: e,
        });
      }
      throw this.wrap(e, 'reading /calico/');
    }
    return { origin: 'etcd', endpoints: this.endpoints, clusterId, revision, kvs };
  }

  /**
   * Two filtered ranges and four counts, whatever the size of the data: etcd filters by
   * mod_revision server-side (applying the limit after the filter), and count_only at the old
   * revision says how many keys there were. A compacted revision gives null (read everything).
   */
  async changesSince(revision: number, ignore: readonly string[]): Promise<SourceChanges | null> {
    const ignored = (key: string) => ignore.some((p) => key.startsWith(p));
    const end = prefixEnd(CALICO_PREFIX);
    try {
      const written: SourceKV[] = [];
      let created = 0;
      let start = Buffer.from(CALICO_PREFIX);
      let now = 0;
      for (;;) {
        const r = await this.timed(() => this.client.kv.range({ key: start, range_end: end, min_mod_revision: revision + 1, limit: 2000, ...(now ? { revision: now } : {}) }));
        if (!now) now = Number(r.header.revision);
        for (const kv of r.kvs) {
          const key = kv.key.toString('utf8');
          if (ignored(key)) continue;
          written.push({ key, value: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision) });
          if (Number(kv.create_revision) > revision) created++;
        }
        const last = r.kvs[r.kvs.length - 1];
        if (!r.more || !last) break;
        start = Buffer.concat([last.key, Buffer.from([0])]);
      }
      const [before, after] = await Promise.all([this.countOutside(ignore, revision), this.countOutside(ignore, now)]);
      return { revision: now, written, deleted: Math.max(0, before + created - after) };
    } catch (e) {
      if ((e as Error)?.message?.includes('compacted')) return null;
      throw this.wrap(e, `reading the changes since revision ${revision}`);
    }
  }

  /** Keys under /calico/ outside the `ignore` prefixes at `revision`. */
  private async countOutside(ignore: readonly string[], revision: number): Promise<number> {
    const cuts = [...ignore].sort().map((p) => ({ from: Buffer.from(p), to: prefixEnd(p) }));
    const ranges: Array<{ key: Buffer<ArrayBufferLike>; range_end: Buffer<ArrayBufferLike> }> = [];
    let from: Buffer<ArrayBufferLike> = Buffer.from(CALICO_PREFIX);
    for (const c of cuts) {
      if (Buffer.compare(c.from, from) > 0) ranges.push({ key: from, range_end: c.from });
      if (Buffer.compare(c.to, from) > 0) from = c.to;
    }
    ranges.push({ key: from, range_end: prefixEnd(CALICO_PREFIX) });
    const counts = await Promise.all(ranges.map((r) => this.timed(() => this.client.kv.range({ ...r, count_only: true, revision }))));
    return counts.reduce((n, r) => n + Number(r.count), 0);
  }

  async get(key: string): Promise<SourceValue | null> {
    try {
      const r = await this.timed(() => this.client.kv.range({ key: Buffer.from(key) }));
      const kv = r.kvs[0];
      return kv ? { value: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision) } : null;
    } catch (e) {
      throw this.wrap(e, `reading ${key}`);
    }
  }

  /**
   * Writes `value` only if the key's mod_revision is still `expected` (0 = must not exist).
   * Returns false when someone else changed it first.
   */
  async compareAndSwap(key: string, expected: number, value: string): Promise<boolean> {
    try {
      const r = await this.timed(() =>
        this.client.kv.txn({
          compare: [{ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: expected }],
          success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(value) } }],
          failure: [],
        }),
      );
      return r.succeeded;
    } catch (e) {
      throw this.wrap(e, `writing ${key}`);
    }
  }

  /** Test and seeding helper: plain put. */
  async put(key: string, value: string): Promise<void> {
    try {
      await this.client.put(key).value(value);
    } catch (e) {
      throw this.wrap(e, `writing ${key}`);
    }
  }

  /** Test and seeding helper: delete everything under a prefix. */
  async deletePrefix(prefix: string): Promise<void> {
    try {
      await this.client.delete().prefix(prefix);
    } catch (e) {
      throw this.wrap(e, `deleting ${prefix}`);
    }
  }

  /** Bulk seeding in transactions of up to `batch` puts (etcd's default max-txn-ops is 128). */
  async putMany(entries: Array<{ key: string; value: string }>, batch = 128): Promise<void> {
    try {
      for (let i = 0; i < entries.length; i += batch) {
        await this.timed(() =>
          this.client.kv.txn({
            compare: [],
            success: entries.slice(i, i + batch).map((e) => ({ request_put: { key: Buffer.from(e.key), value: Buffer.from(e.value) } })),
            failure: [],
          }),
        );
      }
    } catch (e) {
      throw this.wrap(e, 'writing keys');
    }
  }
}
