/** Child process of the benchmark: read every key from etcd at one revision and convert it; print timing and memory as JSON. */
import { convertSnapshot, loadVendoredCrds } from '../../src/convert/index.js';
import { EtcdSource } from '../../src/adapters/etcd/source.js';

const endpoint = process.argv[2];
const t0 = performance.now();
const etcd = EtcdSource.connect({ endpoints: [endpoint] });
const snapshot = await etcd.readSnapshot();
etcd.close();
const t1 = performance.now();
const result = convertSnapshot(snapshot, { crds: loadVendoredCrds() });
const t2 = performance.now();
process.stdout.write(
  JSON.stringify({
    keys: snapshot.kvs.length,
    objects: result.objects.length,
    errors: result.diagnostics.filter((d) => d.severity === 'error').length,
    read_s: (t1 - t0) / 1000,
    convert_s: (t2 - t1) / 1000,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
