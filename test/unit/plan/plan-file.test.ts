import assert from 'node:assert/strict';
import { MigrateError } from '../../../src/errors.js';
import { prettyCanonicalJson } from '../../../src/plan/canonical.js';
import { parsePlan, serializePlan } from '../../../src/plan/plan-file.js';
import type { Plan } from '../../../src/plan/types.js';
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

/** Re-serialise an edited plan canonically, so only the edit (not the layout) differs. */
function edit(mutate: (plan: Plan) => void): string {
  const plan = JSON.parse(buildSamplePlan().text) as Plan;
  mutate(plan);
  return prettyCanonicalJson(plan);
}

describe('plan file', () => {
  it('round-trips: parsePlan(serializePlan(body).text) equals the plan', () => {
    const { plan, text } = buildSamplePlan();
    assert.deepEqual(parsePlan(text, FILE), plan);
    assert.equal(text, prettyCanonicalJson(plan));
    assert.ok(text.endsWith('}\n'));
  });

  it('writes byte-identical files for the same plan built twice', () => {
    assert.equal(buildSamplePlan().text, buildSamplePlan().text);
  });

  it('refuses to write a plan that breaks its own schema, as an internal error', () => {
    const body = buildSamplePlanBody();
    (body as unknown as Record<string, unknown>).mode = 'sideways';
    assert.throws(
      () => serializePlan(body),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'ERROR' && /\/mode/.test(e.message),
    );
  });

  it('refuses to write undefined values instead of dropping them', () => {
    const body = buildSamplePlanBody();
    (body.resource_changes[0]!.change.after as Record<string, unknown> | null) = { ...body.resource_changes[0]!.change.after!, spec: undefined };
    assert.throws(
      () => serializePlan(body),
      (e: unknown) => e instanceof MigrateError && e.exitName === 'ERROR' && /resource_changes\[0\]\.change\.after\.spec is undefined/.test(e.message),
    );
  });

  it('refuses a value changed by hand (plan_id no longer matches)', () => {
    const text = edit((p) => {
      p.resource_changes.find((c) => c.change.actions[0] === 'create')!.change.after!.spec = { order: 1 };
    });
    refused(text, /was modified after it was written \(plan_id does not match its content\); make a new plan/);
  });

  it('refuses a plan whose plan_id was changed', () => {
    refused(
      edit((p) => (p.plan_id = 'sha256:' + '0'.repeat(64))),
      /plan_id does not match/,
    );
  });

  it('refuses a re-indented or reformatted file even though the content is the same', () => {
    const { plan, text } = buildSamplePlan();
    refused(JSON.stringify(plan, null, 4) + '\n', /its bytes differ from the form calico-migrate writes, first at line 2/);
    refused(JSON.stringify(plan), /bytes differ/);
    refused(text.trimEnd(), /bytes differ/);
    const crlf = refused(text.replace(/\n/g, '\r\n'), /bytes differ/);
    assert.match(crlf.hint ?? '', /CRLF/);
  });

  it('refuses a file with a field dropped, listing the instance path', () => {
    const err = refused(
      edit((p) => delete (p.resource_changes[2] as Partial<(typeof p.resource_changes)[2]>).target),
      /does not match the plan schema/,
    );
    assert.match(err.message, /\/resource_changes\/2 is missing required field "target"/);
  });

  it('refuses foreign JSON and non-JSON', () => {
    refused('{"format_version":"1.2","terraform_version":"1.9.0"}', /is not a calico-migrate plan \(found no kind CalicoMigrationPlan\)/);
    refused('{"kind":"ConfigMap"}', /found kind "ConfigMap"/);
    refused('[1,2]', /is not a calico-migrate plan/);
    refused('not json', /is not valid JSON/);
    refused('', /is not valid JSON/);
  });

  it('refuses another format_version and says which it reads', () => {
    const err = refused(
      edit((p) => ((p as { format_version: string }).format_version = '2')),
      /format_version "2" \(written by calico-migrate 0\.1\.0\); this calico-migrate reads format_version 1/,
    );
    assert.match(err.hint ?? '', /calico-migrate version that wrote/);
  });

  it('names stdin when the origin is "-"', () => {
    assert.throws(() => parsePlan('nope', '-'), /plan file \(stdin\) is not valid JSON/);
  });
});
