/**
 * Regenerates the expected files of the golden datasets:
 *   UPDATE_GOLDEN=1 npx tsx test/tools/update-golden.ts [dataset ...]
 * Review every diff by hand against docs/migrate-reference: a golden is only worth what was checked.
 */
import { writeFileSync } from 'node:fs';
import { convertSnapshot } from '../../src/convert/index.js';
import { datasetNames, loadDataset, render } from './datasets.js';

if (process.env.UPDATE_GOLDEN !== '1') {
  process.stderr.write('refusing to overwrite goldens without UPDATE_GOLDEN=1\n');
  process.exit(2);
}
const wanted = process.argv.slice(2);
for (const name of wanted.length > 0 ? wanted : datasetNames()) {
  const ds = loadDataset(name);
  const result = convertSnapshot(ds.snapshot, ds.options);
  for (const [file, text] of Object.entries(render(result))) writeFileSync(`${ds.dir}${file}`, text);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  process.stdout.write(`${name}: ${result.objects.length} objects, ${result.skipped.length} skipped, ${result.diagnostics.length} diagnostics (${errors} errors)\n`);
}
