/**
 * Golden renderings of the sample plan, produced by scripts/goldens.ts (the same code
 * `npm run golden:update` writes them with); review the diff by eye before keeping an update.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { renderPlanMarkdown } from '../../../src/plan/render-markdown.js';
import { outLines, RecordingIo } from '../../../src/io.js';
import { planTextLines, renderPlanHeading, renderPlanText } from '../../../src/plan/render-text.js';
import { summarize } from '../../../src/plan/summary.js';
import type { Plan } from '../../../src/plan/types.js';
import { buildSamplePlan } from './sample-plan.js';
import { PLANS_DIR, SMALL_MD_BYTES } from '../../../scripts/goldens.js';

function golden(name: string, actual: string): void {
  const file = path.join(PLANS_DIR, name);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from the golden; if the change is intended run \`npm run golden:update -- plan\` and review the diff`);
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('plan renderings', () => {
  const { plan, text } = buildSamplePlan();

  it('sample.plan.json is the serialised sample plan', () => golden('sample.plan.json', text));
  it('sample.txt', () => golden('sample.txt', renderPlanText(plan)));
  it('sample.verbose.txt', () => golden('sample.verbose.txt', renderPlanText(plan, { verbose: true })));
  it('sample.md', () => golden('sample.md', renderPlanMarkdown(plan)));
  it('written in pieces of about 64 KB, the text is the same; the heading is what precedes the changes', () => {
    const many = { ...plan, resource_changes: Array.from({ length: 600 }, () => plan.resource_changes).flat() };
    const io = new RecordingIo();
    outLines(io, planTextLines(many, { verbose: true }));
    assert.ok(io.outputs.length > 1, 'more than one piece');
    for (const piece of io.outputs) assert.ok(piece.endsWith('\n') && piece.length < 65536 + 4096, `a piece of ${piece.length} characters`);
    assert.equal(io.outputs.join(''), renderPlanText(many, { verbose: true }));
    assert.equal(renderPlanHeading(plan) + '\n\nChanges:', renderPlanText(plan).split('\nChanges:')[0] + '\nChanges:');
  });
  it(`sample.small.md (maxBytes ${SMALL_MD_BYTES})`, () => {
    const md = renderPlanMarkdown(plan, { maxBytes: SMALL_MD_BYTES });
    assert.ok(bytes(md) <= SMALL_MD_BYTES);
    assert.match(md, /Not shown, to keep this comment within 3,000 bytes: .*To see all: `calico-migrate show PLAN --verbose`/);
    assert.ok(md.includes(plan.plan_id) && md.includes('#### Checks'), 'keeps the summary and checks');
    golden('sample.small.md', md);
  });

  it('is deterministic: the same plan built twice renders byte-identically', () => {
    const again = buildSamplePlan().plan;
    assert.equal(renderPlanText(again, { verbose: true }), renderPlanText(plan, { verbose: true }));
    assert.equal(renderPlanMarkdown(again), renderPlanMarkdown(plan));
  });

  it('puts the summary, the failed checks and the targeting banner before the changes', () => {
    const out = renderPlanText(plan);
    const at = (s: string) => out.indexOf(s);
    assert.ok(at('Plan: ') >= 0 && at('✗ 1 check failed') > at('Plan: ') && at('Changes:') > at('✗ nodes-exist'));
    assert.ok(at('Targeting in effect: everything except IPReservation — the plan is partial.') < at('Changes:'));
  });

  it('colours only when asked', () => {
    assert.ok(!renderPlanText(plan).includes('\u001b['));
    assert.ok(renderPlanText(plan, { color: true }).includes('\u001b[32m  + create Tier security\u001b[0m'));
  });

  it('says so when there is nothing to do, and marks an unlocked source as a preview', () => {
    const empty: Plan = structuredClone(plan);
    empty.resource_changes = empty.resource_changes.filter((c) => c.change.action === 'no-op');
    empty.summary = summarize(empty.resource_changes, empty.checks);
    empty.source.locked = false;
    const out = renderPlanText(empty);
    assert.match(out, /No changes: the target already matches the source\./);
    assert.match(out, /source was not locked .* preview/);
    assert.match(renderPlanMarkdown(empty), /No changes: the target already matches the source\./);
  });

  it('never exceeds maxBytes, keeping whole change blocks', () => {
    const full = renderPlanMarkdown(plan);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: bytes(full) + 100 }), (max) => {
        const md = renderPlanMarkdown(plan, { maxBytes: max });
        assert.ok(bytes(md) <= max, `${bytes(md)} > ${max}`);
        assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
        if (max >= bytes(full)) assert.equal(md, full);
      }),
      { numRuns: 200 },
    );
  });

  it('escapes markdown and HTML in names and messages', () => {
    const tricky: Plan = structuredClone(plan);
    tricky.checks = [{ id: 'x', status: 'fail', message: 'a | b <script>', items: ['`tick` | pipe'] }];
    tricky.warnings = ['<b>bold</b>'];
    const md = renderPlanMarkdown(tricky);
    assert.ok(
      md.includes('| ❌ | x | a \\| b &lt;script&gt;<br>`` `tick` \\| pipe `` |'),
      md.split('\n').find((l) => l.includes('❌')),
    );
    assert.ok(md.includes('- &lt;b&gt;bold&lt;/b&gt;'));
  });
});
