/**
 * The physical limit, for comparison with apply: the same writes a plan asks for, sent by the
 * simplest client that is still fair to the API server: one keep-alive HTTPS pool, the same
 * parallelism, bodies serialised before the clock starts, no journal, no ordering (one pool over
 * the whole plan, no waves), no lease, no retries, no read-back. Creates are POSTs of each
 * change's `after`; Node changes are merge patches of its annotations; a later step of an object
 * already written (ClusterInformation's identity step) is a merge patch of its spec.
 *
 * Child process of bench.ts:
 *   node --import tsx minimal-client.ts PLAN_FILE --parallelism N --modes dry-run,write
 * with BENCH_SERVER, BENCH_CA_FILE and BENCH_TOKEN in the environment. Prints one JSON line per
 * mode: { mode, requests, ok, failed, first_error, skipped, seconds, rate_per_s }.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { planChanges } from './plan-reader.js';

interface Write {
  method: 'POST' | 'PATCH';
  path: string;
  body: Buffer;
  contentType: string;
  /** A later step of an object created earlier in the plan: it cannot be dry-run before the object exists. */
  followUp: boolean;
}

const argv = process.argv.slice(2);
const planFile = argv[0];
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? dflt) : dflt;
};
const parallelism = Number(opt('parallelism', '16'));
const modes = opt('modes', 'dry-run,write').split(',');
const server = process.env.BENCH_SERVER;
const caFile = process.env.BENCH_CA_FILE;
const token = process.env.BENCH_TOKEN;
if (!planFile || !server || !caFile || !token || !(parallelism > 0)) {
  throw new Error('usage: BENCH_SERVER=… BENCH_CA_FILE=… BENCH_TOKEN=… minimal-client.ts PLAN_FILE --parallelism N [--modes dry-run,write]');
}
const url = new URL(server);
const agent = new https.Agent({ keepAlive: true, maxSockets: parallelism, ca: readFileSync(caFile) });

function request(method: string, path: string, body?: Buffer, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': contentType, 'content-length': body.length } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.setTimeout(60000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.end(body);
  });
}

/** kind -> plural and scope, per apiVersion, from the server's discovery (as any client would). */
const discovered = new Map<string, Map<string, { plural: string; namespaced: boolean }>>();
async function resourceOf(apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean }> {
  let kinds = discovered.get(apiVersion);
  if (!kinds) {
    const r = await request('GET', apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`);
    if (r.status !== 200) throw new Error(`discovery of ${apiVersion}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    kinds = new Map();
    for (const res of JSON.parse(r.text).resources ?? []) if (!res.name.includes('/')) kinds.set(res.kind, { plural: res.name, namespaced: !!res.namespaced });
    discovered.set(apiVersion, kinds);
  }
  const found = kinds.get(kind);
  if (!found) throw new Error(`the server serves no ${kind} in ${apiVersion}`);
  return found;
}

const writes: Write[] = [];
const written = new Set<string>();
let skipped = 0;
for await (const c of planChanges(planFile)) {
  const obj = c.after;
  if (!obj || (c.action !== 'create' && c.action !== 'update')) {
    if (c.action !== 'no-op') skipped++;
    continue;
  }
  const apiVersion: string = obj.apiVersion;
  const r = await resourceOf(apiVersion, obj.kind);
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata.namespace)}` : '';
  const base = `${apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`}${ns}/${r.plural}`;
  const item = `${base}/${encodeURIComponent(obj.metadata.name)}`;
  if (obj.kind === 'Node') {
    writes.push({
      method: 'PATCH',
      path: item,
      body: Buffer.from(JSON.stringify({ metadata: { annotations: obj.metadata.annotations ?? {} } })),
      contentType: 'application/merge-patch+json',
      followUp: false,
    });
  } else if (written.has(item)) {
    writes.push({ method: 'PATCH', path: item, body: Buffer.from(JSON.stringify({ spec: obj.spec })), contentType: 'application/merge-patch+json', followUp: true });
  } else if (c.action === 'create') {
    writes.push({ method: 'POST', path: base, body: Buffer.from(JSON.stringify(obj)), contentType: 'application/json', followUp: false });
    written.add(item);
  } else {
    skipped++; // an update of an object the fresh target already holds: not part of a migration into an empty target
  }
}

/**
 * Before the clock starts, list every resource the plan writes once (as plan and apply read the
 * target before writing), so neither side pays the fresh API server's first-request costs alone.
 */
async function warmUp(): Promise<void> {
  for (const [apiVersion, kinds] of discovered) {
    for (const { plural } of kinds.values()) await request('GET', `${apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`}/${plural}?limit=1`);
  }
}

async function run(mode: string): Promise<void> {
  const todo = mode === 'dry-run' ? writes.filter((w) => !w.followUp) : writes;
  const query = mode === 'dry-run' ? '?dryRun=All' : '';
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  const worker = async () => {
    while (next < todo.length) {
      const w = todo[next++]!;
      try {
        const r = await request(w.method, w.path + query, w.body, w.contentType);
        if (r.status >= 200 && r.status < 300) ok++;
        else {
          failed++;
          firstError ??= `${w.method} ${w.path}: HTTP ${r.status} ${r.text.slice(0, 300)}`;
        }
      } catch (e) {
        failed++;
        firstError ??= `${w.method} ${w.path}: ${(e as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, Math.max(1, todo.length)) }, worker));
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ mode, requests: todo.length, ok, failed, first_error: firstError, skipped, seconds, rate_per_s: todo.length / seconds }) + '\n');
}

await warmUp();
for (const mode of modes) await run(mode);
agent.destroy();
