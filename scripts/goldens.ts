/**
 * Every golden file of the unit tests and the code that produces it, in one list, so that
 * `npm run golden:update` (scripts/golden-update.ts) regenerates all of them the same way the tests
 * compare them:
 *   - conversion datasets: test/fixtures/datasets/<name>/expected.* from etcd.json (+ options.json),
 *     rendered by test/tools/datasets.ts's `render` (checked by test/unit/convert/golden.test.ts);
 *   - plan renderings: test/fixtures/plans/sample.* from the sample plan of
 *     test/unit/plan/sample-plan.ts, and large.* (the concise renderings of a generated plan of
 *     5,000 creates) from test/unit/plan/large-plan.ts (checked by test/unit/plan/render.test.ts).
 * A new golden is added here and compared in its test; golden-update reports fixture files that
 * nothing here produces, so a golden that only the test knows about does not go unnoticed.
 */
import { fileURLToPath } from 'node:url';
import { convertSnapshot } from '../src/convert/index.js';
import { renderPlanMarkdown } from '../src/plan/render-markdown.js';
import { renderPlanText } from '../src/plan/render-text.js';
import { datasetNames, DATASETS_DIR, loadDataset, render } from '../test/tools/datasets.js';
import { buildLargePlan } from '../test/unit/plan/large-plan.js';
import { buildSamplePlan } from '../test/unit/plan/sample-plan.js';

export interface GoldenFile {
  /** Absolute path of the committed file. */
  path: string;
  text: string;
}

export interface GoldenSet {
  name: string;
  /** The folder holding this set's files (every file in it should be produced here). */
  dir: string;
  /** What was made, one line, for the person reviewing the update (counts, not contents). */
  note: string;
  files: GoldenFile[];
}

export const PLANS_DIR = fileURLToPath(new URL('../test/fixtures/plans/', import.meta.url));

/** Byte budget of the truncated Markdown golden; render.test.ts asserts the rendering keeps to it. */
export const SMALL_MD_BYTES = 3000;
/** Character cap of the large plan's cut Markdown golden: too small for every diff to review. */
export const LARGE_SMALL_MD_CHARS = 12_000;

export function datasetGoldens(): GoldenSet[] {
  return datasetNames().map((name) => {
    const ds = loadDataset(name);
    const result = convertSnapshot(ds.snapshot, ds.options);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    return {
      name: `dataset ${name}`,
      dir: ds.dir,
      note: `${result.objects.length} objects, ${result.skipped.length} skipped, ${result.diagnostics.length} diagnostics (${errors} errors)`,
      // The inputs live beside the expected files; they are read, never written.
      files: Object.entries(render(result)).map(([file, text]) => ({ path: `${ds.dir}${file}`, text })),
    };
  });
}

export function planGoldens(): GoldenSet {
  const { plan, text } = buildSamplePlan();
  const files: Record<string, string> = {
    'sample.plan.json': text,
    'sample.txt': renderPlanText(plan),
    'sample.verbose.txt': renderPlanText(plan, { verbose: true }),
    'sample.md': renderPlanMarkdown(plan),
    'sample.small.md': renderPlanMarkdown(plan, { maxBytes: SMALL_MD_BYTES }),
  };
  const large = buildLargePlan().plan;
  files['large.txt'] = renderPlanText(large, { planFile: 'large.plan.json' });
  files['large.md'] = renderPlanMarkdown(large, { planFile: 'large.plan.json' });
  files['large.small.md'] = renderPlanMarkdown(large, { planFile: 'large.plan.json', maxChars: LARGE_SMALL_MD_CHARS });
  return {
    name: 'plan renderings',
    dir: PLANS_DIR,
    note: `sample plan ${plan.plan_id}: ${plan.resource_changes.length} changes; large plan ${large.plan_id}: ${large.resource_changes.length} changes`,
    files: Object.entries(files).map(([file, t]) => ({ path: `${PLANS_DIR}${file}`, text: t })),
  };
}

export function allGoldens(): GoldenSet[] {
  return [...datasetGoldens(), planGoldens()];
}

/** Inputs that sit beside goldens in the fixture folders and are not generated. */
export const GOLDEN_INPUTS = new Set(['etcd.json', 'options.json']);

export { DATASETS_DIR };
