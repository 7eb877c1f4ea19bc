/** BENCHMARKS.md's freeze section, replaced on its own by `npm run bench -- --freeze-only`. */
import assert from 'node:assert/strict';
import { freezeSectionOf, renderFreezeSection, withFreezeSection, type FreezeFigures } from '../../../scripts/bench/report.js';

const figures: FreezeFigures = {
  cold: { seconds: 10, phases: { lock: 1, plan: 2, apply: 3, verify: 4 }, writes: 100 },
  precopy: { seconds: 1.5, phases: { plan: 0.5, apply: 0, verify: 1 }, writes: 0, catch_up_writes: 7, catch_up_seconds: 3, verified_objects: 7, source: 'unchanged', precopy_apply_seconds: 9 },
  churn: {},
  churn_keys: 8,
};

describe('bench report: the freeze section', () => {
  const section = renderFreezeSection([{ changes: 1000, freeze: figures }], 'Measured by a test.');

  it('renders a row per size with the cold and the pre-copy windows', () => {
    assert.equal(section[0], '## The migration freeze');
    assert.ok(section.includes('Measured by a test.'));
    assert.ok(section.some((l) => l.startsWith('| 1,000 | 8 | 10.0 | 1.0 / 2.0 / 3.0 / 4.0 | **1.5** | 0.5 / 0.0 / 1.0 | 0 | 7 | 7 (3.0) | 9.0 |')));
  });

  it('replaces the section in place and keeps the others, or adds it before the memory section', () => {
    const doc = '# Benchmarks\n\n## Results\n\nr\n\n## The migration freeze\n\nSTALE-FIGURES\n\n## Memory and plan file per object\n\nm\n';
    const out = withFreezeSection(doc, section);
    assert.ok(!out.includes('STALE-FIGURES') && out.includes('## Results\n\nr\n') && out.endsWith('## Memory and plan file per object\n\nm\n'));
    assert.equal(out.split('## The migration freeze').length, 2);
    const added = withFreezeSection('# Benchmarks\n\n## Memory and plan file per object\n\nm\n', section);
    assert.ok(added.indexOf('## The migration freeze') < added.indexOf('## Memory'));
    assert.equal(withFreezeSection(out, section), out, 'idempotent');
  });

  it('--no-freeze keeps the section an earlier run wrote, byte for byte', () => {
    const old = withFreezeSection('# Benchmarks\n\n## Results\n\nold\n\n## Memory and plan file per object\n\nm\n', section);
    const fresh = '# Benchmarks\n\n## Results\n\nnew\n\n## Memory and plan file per object\n\nn\n';
    const out = withFreezeSection(fresh, freezeSectionOf(old));
    assert.ok(out.includes('\nnew\n') && !out.includes('\nold\n'));
    assert.equal(freezeSectionOf(out).join('\n'), freezeSectionOf(old).join('\n'));
    assert.ok(out.includes('| **1.5** |') && out.includes('\n\n## Memory'));
    assert.deepEqual(freezeSectionOf(fresh), []);
  });
});
