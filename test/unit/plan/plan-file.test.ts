import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MigrateError } from '../../../src/errors.js';
import { canonicalJson } from '../../../src/plan/canonical.js';
import { computePlanId, parsePlan, PlanEncoder, serializePlan } from '../../../src/plan/plan-file.js';
import { buildSamplePlan, buildSamplePlanBody } from './sample-plan.js';

const FILE = 'plans/migrate.plan.json';

/** Asserts a PLAN_INVALID error naming the file, whose message matches `pattern`. */
function refused(text: string, pattern: RegExp): MigrateError {
  let caught: unknown;
  try {
    parsePlan(text, FILE);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof MigrateError, `expected a MigrateError, got ${String(caught)}`);
  assert.equal(caught.exitName, 'PLAN_INVALID');
  assert.equal(caught.exitCode, 7);
  assert.ok(caught.message.includes(FILE), caught.message);
  assert.match(caught.message, pattern);
  assert.ok(caught.hint, 'has a hint');
  return caught;
}

const linesOf = (text: string) => text.split('\n').slice(0, -1);
const fromLines = (lines: string[]) => lines.join('\n') + '\n';

/** Edit one record and write it back canonically, keeping the rest (and the trailer) as it was. */
function editLine(index: number, mutate: (record: Record<string, unknown>) => void): string {
  const lines = linesOf(buildSamplePlan().text);
  const record = JSON.parse(lines[index]!) as Record<string, unknown>;
  mutate(record);
  lines[index] = canonicalJson(record);
  return fromLines(lines);
}

describe('plan file (format 4: canonical JSON Lines)', () => {
  it('round-trips: parsePlan(serializePlan(body).text) equals the plan', () => {
    const { plan, text } = buildSamplePlan();
    assert.deepEqual(parsePlan(text, FILE), plan);
  });

  it('is a header, one line per change, a footer and a trailer whose plan_id hashes every byte before it', () => {
    const { plan, text } = buildSamplePlan();
    const lines = linesOf(text);
    assert.equal(lines.length, plan.resource_changes.length + 3);
    const records = lines.map((l) => JSON.parse(l) as { record: string; plan_id?: string });
    assert.deepEqual([...new Set(records.map((r) => r.record))], ['header', 'change', 'footer', 'trailer']);
    for (const l of lines) assert.equal(canonicalJson(JSON.parse(l)), l, 'every line is canonical');
    const before = fromLines(lines.slice(0, -1));
    assert.equal(records.at(-1)?.plan_id, `sha256:${createHash('sha256').update(before).digest('hex')}`);
    assert.equal(plan.plan_id, records.at(-1)?.plan_id);
    assert.equal(computePlanId(buildSamplePlanBody()), plan.plan_id);
  });

  it('encodes record by record: the streaming encoder gives the same bytes and id', () => {
    const body = buildSamplePlanBody();
    const enc = new PlanEncoder();
    let text = enc.header(body);
    for (const c of body.resource_changes) text += enc.change(c);
    text += enc.footer({ changes: body.resource_changes.length, summary: body.summary, skipped: body.skipped, checks: body.checks, warnings: body.warnings });
    assert.equal(enc.size, Buffer.byteLength(text));
    text += enc.trailer();
    assert.equal(text, serializePlan(body).text);
  });

  it('writes byte-identical files for the same plan built twice', () => {
    assert.equal(buildSamplePlan().text, buildSamplePlan().text);
  });

  it('refuses to write a plan that breaks its own schema, as an internal error', () => {
    const body = buildSamplePlanBody();
    (body as unknown as Record<string, unknown>).mode = 'sideways';
    assert.throws(
      () => serializePlan(body),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'ERROR' && /header record .*\/mode/.test(e.message),
    );
  });

  it('refuses to write undefined values instead of dropping them', () => {
    const body = buildSamplePlanBody();
    (body.resource_changes[0]!.change.after as Record<string, unknown> | null) = { ...body.resource_changes[0]!.change.after!, spec: undefined };
    assert.throws(
      () => serializePlan(body),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'ERROR' && /\$\.change\.after\.spec is undefined/.test(e.message),
    );
  });

  it('refuses a value changed by hand (plan_id no longer matches)', () => {
    const text = editLine(1, (r) => ((r.change as { after: { spec: unknown } }).after.spec = { order: 1 }));
    refused(text, /was modified after it was written \(plan_id does not match its content\); make a new plan/);
  });

  it('refuses a plan whose plan_id was changed', () => {
    const n = linesOf(buildSamplePlan().text).length;
    refused(
      editLine(n - 1, (r) => (r.plan_id = 'sha256:' + '0'.repeat(64))),
      /plan_id does not match/,
    );
  });

  it('refuses a reformatted line, a truncated file, CRLF line ends and a format-1 style document', () => {
    const { plan, text } = buildSamplePlan();
    const lines = linesOf(text);
    const spaced = [...lines];
    spaced[2] = JSON.stringify(JSON.parse(lines[2]!), null, 1).replace(/\n/g, ' ');
    refused(fromLines(spaced), /its bytes differ from the form calico-migrate writes, first at line 3/);
    refused(text.trimEnd(), /bytes differ/);
    refused(fromLines(lines.slice(0, -1)), /ends without its trailer line/);
    refused(text + '\n', /bytes differ/);
    const crlf = refused(text.replace(/\n/g, '\r\n'), /bytes differ/);
    assert.match(crlf.hint ?? '', /CRLF/);
    refused(JSON.stringify(plan, null, 2) + '\n', /bytes differ from the form calico-migrate writes, first at line 1/);
  });

  it('refuses records out of order, and a footer that does not count the changes', () => {
    const lines = linesOf(buildSamplePlan().text);
    const afterFooter = [...lines.slice(0, -1), lines[1]!, lines.at(-1)!];
    refused(fromLines(afterFooter), new RegExp(`line ${lines.length} is a change record where the plan has a trailer record`));
    refused(fromLines([lines[0]!, lines[0]!, ...lines.slice(1)]), /line 2 is a header record where the plan has a change record or a footer record/);
    const dropped = fromLines([lines[0]!, ...lines.slice(2)]);
    refused(dropped, /it holds \d+ changes, its footer says \d+/);
  });

  it('refuses a record with a field dropped, naming the line and the instance path', () => {
    const err = refused(
      editLine(3, (r) => delete r.target),
      /line 4 does not match the plan schema/,
    );
    assert.match(err.message, /\/ is missing required field "target"/);
  });

  it('refuses foreign JSON and non-JSON', () => {
    refused('{"format_version":"1.2","terraform_version":"1.9.0"}', /is not a calico-migrate plan \(found no kind CalicoMigrationPlan\)/);
    refused('{"kind":"ConfigMap"}', /found kind "ConfigMap"/);
    refused('[1,2]', /is not a calico-migrate plan/);
    refused('not json', /is not valid JSON/);
    refused('', /is not valid JSON/);
  });

  it('refuses a plan of formats 1–3 and another format_version, saying which it reads and what to do', () => {
    const v1 = JSON.stringify({ format_version: '1', kind: 'CalicoMigrationPlan', tool: { name: 'calico-migrate', version: '0.1.0' } }, null, 2);
    const err = refused(v1, /format_version "1" \(written by calico-migrate 0\.1\.0\); this calico-migrate reads format_version 4/);
    assert.match(err.hint ?? '', /make a new plan with this version/);
    for (const version of ['2', '3', '5']) {
      refused(
        editLine(0, (r) => (r.format_version = version)),
        new RegExp(`format_version "${version}" \\(written by calico-migrate 0\\.1\\.0\\); this calico-migrate reads format_version 4`),
      );
    }
  });

  it('names stdin when the origin is "-"', () => {
    assert.throws(() => parsePlan('nope', '-'), /plan file \(stdin\) is not valid JSON/);
  });
});
