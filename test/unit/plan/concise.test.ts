/**
 * The concise renderings of a large plan (issue 13): goldens of a generated plan of 5,000 creates
 * (test/unit/plan/large-plan.ts, written by `npm run golden:update -- plan`), and properties over
 * random mixes and caps: the Markdown never exceeds its cap, in characters or in bytes, with
 * multi-byte names; what a reviewer must see is there whenever it fits, and creates are only ever
 * shown once everything to review is shown in full.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { LARGE_SMALL_MD_CHARS, PLANS_DIR } from '../../../scripts/goldens.js';
import { displayName } from '../../../src/plan/address.js';
import { renderPlanMarkdown } from '../../../src/plan/render-markdown.js';
import { renderPlanText } from '../../../src/plan/render-text.js';
import { reviewOf } from '../../../src/plan/review.js';
import type { Plan } from '../../../src/plan/types.js';
import { buildLargePlan, LARGE_PLAN, type LargePlanShape } from './large-plan.js';

function golden(name: string, actual: string): void {
  const file = path.join(PLANS_DIR, name);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from the golden; if the change is intended run \`npm run golden:update -- plan\` and review the diff`);
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const escapeHtml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('concise renderings of a large plan', function () {
  this.timeout(120_000);
  const { plan } = buildLargePlan();
  const opts = { planFile: 'large.plan.json' };

  it('large.txt: every update, delete, extra and Node overwrite in full; creates and plain Node updates beyond 20 folded', () => {
    const text = renderPlanText(plan, opts);
    golden('large.txt', text);
    const lines = text.split('\n');
    assert.equal(lines.filter((l) => /^ {2}~ update GlobalNetworkPolicy /.test(l)).length, LARGE_PLAN.updates);
    assert.equal(lines.filter((l) => /^ {2}- delete /.test(l)).length, LARGE_PLAN.deletes);
    assert.equal(lines.filter((l) => /^ {2}\? extra /.test(l)).length, LARGE_PLAN.extras);
    assert.equal(lines.filter((l) => /^ {2}~ update Node moved-\d+ \(overwrites 1 annotation the Node has: projectcalico.org\/IPv4Address\)/.test(l)).length, LARGE_PLAN.overwrites);
    assert.equal(lines.filter((l) => /^ {2}\+ create NetworkPolicy /.test(l)).length, LARGE_PLAN.policies, 'a kind of 15 creates is listed one by one');
    assert.ok(lines.includes('  + 3,000 IPAMHandle creates (first: k8s-pod-network.00000, k8s-pod-network.00001, k8s-pod-network.00002 …; `calico-migrate show large.plan.json --verbose` lists all)'));
    assert.ok(lines.some((l) => l.startsWith('  ~ 300 Node annotation updates that overwrite nothing (first: worker-00000')));
    assert.ok(!lines.some((l) => l.startsWith('  + create IPAMHandle')));
    assert.ok(lines.length < 500, `${lines.length} lines`);
  });

  it('--verbose lists every change, as before', () => {
    const text = renderPlanText(plan, { ...opts, verbose: true });
    const heads = new Set(
      text
        .split('\n')
        .filter((l) => /^ {2}[-+~?=] [a-z-]+ /.test(l))
        .map((l) => l.split(' ').slice(4, 6).join(' ').replace(/:$/, '')),
    );
    for (const c of plan.resource_changes) assert.ok(heads.has(displayName(c)), displayName(c));
    assert.ok(!text.includes('lists all)'));
  });

  it('large.md: under the default cap, every change to review in full and the creates folded', () => {
    const md = renderPlanMarkdown(plan, opts);
    golden('large.md', md);
    assert.ok(md.length <= 65_536);
    assert.ok(!md.includes('Not shown'));
    for (const c of plan.resource_changes.filter((x) => reviewOf(x) === 'review')) assert.ok(md.includes(`</code> ${escapeHtml(displayName(c))}`), displayName(c));
  });

  it(`large.small.md (maxChars ${LARGE_SMALL_MD_CHARS}): every change to review still named, diffs cut from the end, creates cut first, a note on how to see all`, () => {
    const md = renderPlanMarkdown(plan, { ...opts, maxChars: LARGE_SMALL_MD_CHARS });
    golden('large.small.md', md);
    assert.ok(md.length <= LARGE_SMALL_MD_CHARS);
    for (const c of plan.resource_changes.filter((x) => reviewOf(x) === 'review')) assert.ok(md.includes(`</code> ${escapeHtml(displayName(c))}`), displayName(c));
    assert.ok(!md.includes('IPAMHandle creates'), 'creates are cut before anything to review');
    assert.match(md, /> \[!WARNING\]\n> Not shown, to keep this comment within 12,000 characters: the diffs of \*\*\d+ of 48 changes to review\*\*/);
    assert.ok(md.includes('`calico-migrate show large.plan.json --verbose`, `calico-migrate show large.plan.json -o markdown --max-chars 0`, or the plan file itself.'));
  });
});

describe('the Markdown cap, over random plans and caps', function () {
  this.timeout(300_000);
  const small = fc.integer({ min: 0, max: 25 });
  const shapes = fc.record<LargePlanShape>({
    handles: fc.integer({ min: 0, max: 60 }),
    blocks: small,
    affinities: small,
    policies: fc.integer({ min: 0, max: 20 }),
    updates: fc.integer({ min: 0, max: 12 }),
    deletes: fc.integer({ min: 0, max: 4 }),
    extras: fc.integer({ min: 0, max: 3 }),
    overwrites: fc.integer({ min: 0, max: 6 }),
    plainNodeUpdates: small,
    // Multi-byte names: a character cap and a byte cap differ.
    suffix: fc.constantFrom('', '-é', '-日本', '-𝔘'),
  });

  it('never exceeds the cap; what must be seen is there when it fits; creates only after every change to review', () => {
    fc.assert(
      fc.property(shapes, fc.integer({ min: 200, max: 40_000 }), fc.boolean(), (shape, max, inBytes) => {
        const { plan } = buildLargePlan(shape);
        const size = inBytes ? bytes : (s: string) => s.length;
        const md = renderPlanMarkdown(plan, inBytes ? { maxBytes: max } : { maxChars: max });
        assert.ok(size(md) <= max, `${size(md)} > ${max}`);
        assert.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length);
        const full = renderPlanMarkdown(plan, { maxChars: 0 });
        if (size(full) <= max) assert.equal(md, full);
        else assert.match(md, /To see all: `calico-migrate show PLAN --verbose`|This comment was cut/);
        checkMustKeep(plan, md, full, max, size);
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * The changes to review are listed (at least by name) whenever the summary and their one-line
 * form fit with room for the note; and a create or plain Node update is only shown once every
 * change to review is shown in full.
 */
function checkMustKeep(plan: Plan, md: string, full: string, max: number, size: (s: string) => number): void {
  const review = plan.resource_changes.filter((c) => reviewOf(c) === 'review');
  const head = full.split('#### Changes to review')[0]!.split('#### Creates and Node')[0]!;
  const names = review.map((c) => `</code> ${escapeHtml(displayName(c))}`);
  const oneLineEach = names.reduce((n, name) => n + size(name) + 120, 0);
  if (size(head) + oneLineEach + 600 <= max) for (const name of names) assert.ok(md.includes(name), `${name} missing under a cap of ${max}`);
  if (md.includes('#### Creates and Node annotation updates')) {
    for (const name of names) assert.ok(md.includes(name), `${name} missing while creates are shown`);
    assert.doesNotMatch(md, /^- <code>\S+ \S+<\/code>/m, 'a change to review without its diff while creates are shown');
  }
}
