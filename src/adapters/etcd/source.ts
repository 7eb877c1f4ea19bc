/**
 * The etcd v3 source. Reads every key under /calico/ at one revision, in bounded pages, and
 * performs the compare-and-swap writes `lock`/`unlock` need. The only module that talks to etcd.
 */
import { Etcd3 } from 'etcd3';
import type { EtcdSettings } from '../../config/source.js';
import { redactUrl } from '../../config/source.js';
import { MigrateError } from '../../errors.js';
import { CLUSTER_INFO_KEY } from '../../model/keys.js';
import type { SourceKV, SourceSnapshot } from '../../model/types.js';

export const CALICO_PREFIX = '/calico/';

export interface KeyRevision {
  key: string;
  modRevision: number;
}

export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}

export class EtcdSource {
  private constructor(
    private readonly client: Etcd3,
    readonly endpoints: string[],
  ) {}

  static connect(settings: EtcdSettings): EtcdSource {
    const tls = settings.ca || settings.cert || settings.key || settings.endpoints.some((e) => e.startsWith('https://'));
    const client = new Etcd3({
      hosts: settings.endpoints,
      ...(tls ? { credentials: { rootCertificate: settings.ca ?? Buffer.alloc(0), privateKey: settings.key, certChain: settings.cert } } : {}),
      ...(settings.username ? { auth: { username: settings.username, password: settings.password ?? '' } } : {}),
      dialTimeout: 5000,
      defaultCallOptions: () => ({ deadline: Date.now() + 30000 }),
    } as any);
    return new EtcdSource(client, settings.endpoints.map(redactUrl));
  }

  close(): void {
    this.client.close();
  }

  private wrap(e: unknown, what: string): MigrateError {
    // grpc-js appends an empty "Resolution note:" to connection errors; it says nothing.
    const msg = ((e as Error)?.message ?? String(e)).replace(/\s*Resolution note:\s*$/, '');
    const auth = /auth|permission|password|user name/i.test(msg);
    return new MigrateError('CONNECTION', `etcd ${this.endpoints.join(',')}: ${what} failed: ${msg}`, {
      hint: auth
        ? 'check --etcd-username/--etcd-password (ETCD_USERNAME/ETCD_PASSWORD) and the user\'s read access to /calico/'
        : 'check --etcd-endpoints (ETCD_ENDPOINTS) and the TLS flags --etcd-ca-cert/--etcd-cert/--etcd-key',
      cause: e,
    });
  }

  /** Current revision and cluster id, from a one-key read. */
  async header(): Promise<{ revision: number; clusterId: string }> {
    try {
      const r = await this.client.kv.range({ key: Buffer.from(CLUSTER_INFO_KEY), limit: 1, keys_only: true });
      return { revision: Number(r.header.revision), clusterId: String(r.header.cluster_id) };
    } catch (e) {
      throw this.wrap(e, 'reading the cluster header');
    }
  }

  /**
   * Reads every key under `prefix` at a single revision, `pageSize` keys per request.
   * Pinning the revision makes the pages one consistent snapshot even while etcd is written to.
   */
  async readSnapshot(opts: { pageSize?: number; prefix?: string; keysOnly?: boolean } = {}): Promise<SourceSnapshot> {
    const pageSize = opts.pageSize ?? 2000;
    const prefix = opts.prefix ?? CALICO_PREFIX;
    const end = prefixEnd(prefix);
    const kvs: SourceKV[] = [];
    let start = Buffer.from(prefix);
    let revision = 0;
    let clusterId = '';
    try {
      for (;;) {
        const r = await this.client.kv.range({
          key: start,
          range_end: end,
          limit: pageSize,
          keys_only: !!opts.keysOnly,
          ...(revision ? { revision } : {}),
        });
        if (!revision) {
          revision = Number(r.header.revision);
          clusterId = String(r.header.cluster_id);
        }
        for (const kv of r.kvs) {
          kvs.push({ key: kv.key.toString('utf8'), value: opts.keysOnly ? '' : kv.value.toString('utf8'), modRevision: Number(kv.mod_revision) });
        }
        if (!r.more || r.kvs.length === 0) break;
        start = Buffer.concat([r.kvs[r.kvs.length - 1].key, Buffer.from([0])]);
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

  async get(key: string): Promise<{ value: string; modRevision: number } | null> {
    try {
      const r = await this.client.kv.range({ key: Buffer.from(key) });
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
      const r = await this.client.kv.txn({
        compare: [{ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: expected }],
        success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(value) } }],
        failure: [],
      });
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
        await this.client.kv.txn({
          compare: [],
          success: entries.slice(i, i + batch).map((e) => ({ request_put: { key: Buffer.from(e.key), value: Buffer.from(e.value) } })),
          failure: [],
        });
      }
    } catch (e) {
      throw this.wrap(e, 'writing keys');
    }
  }
}
