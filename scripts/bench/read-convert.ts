/** Child process of the benchmark: read every key from etcd at one revision and convert it; print timing and memory as JSON. */
import { validateObjects } from '../../src/checks/schema.js';
import { convertSnapshot } from '../../src/convert/index.js';
import { EtcdSource } from '../../src/adapters/etcd/source.js';
import { loadVendoredCrds } from '../../src/adapters/vendored-crds.js';

const endpoint = process.argv[2];
if (!endpoint) throw new Error("usage: read-convert.ts ETCD_ENDPOINT (bench.ts passes the local cluster's)");
const t0 = performance.now();
const etcd = EtcdSource.connect({ endpoints: [endpoint] });
const snapshot = await etcd.readSnapshot();
etcd.close();
const t1 = performance.now();
// Conversion and the schema check, as plan runs them (plan validates against the target's CRDs).
const crds = loadVendoredCrds();
const result = convertSnapshot(snapshot);
const schema = validateObjects(crds, result.objects);
const t2 = performance.now();
process.stdout.write(
  JSON.stringify({
    keys: snapshot.kvs.length,
    objects: result.objects.length,
    errors: result.diagnostics.filter((d) => d.severity === 'error').length + schema.errors.length,
    read_s: (t1 - t0) / 1000,
    convert_s: (t2 - t1) / 1000,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
