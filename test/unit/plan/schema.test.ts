/**
 * The schema and src/plan/types.ts must describe the same envelope. The sample plan is typed as
 * Plan, so the compiler checks it has exactly the type's fields; these tests check that the
 * schema's properties and `required` lists name exactly the same fields, level by level.
 */
import assert from 'node:assert/strict';
import { PLAN_SCHEMA } from '../../../src/plan/plan-schema.js';
import { validatePlan } from '../../../src/plan/schema.js';
import type { Check, Plan, ResourceChange } from '../../../src/plan/types.js';
import { buildSamplePlan } from './sample-plan.js';

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  $ref?: string;
  oneOf?: SchemaNode[];
}
const schema = PLAN_SCHEMA as unknown as SchemaNode & { definitions: Record<string, SchemaNode> };

function resolve(node: SchemaNode): SchemaNode {
  if (node.$ref) return resolve(schema.definitions[node.$ref.replace('#/definitions/', '')]!);
  const objectBranch = node.oneOf?.map(resolve).find((n) => n.properties);
  return objectBranch ?? node;
}

/** A fully populated plan: every nullable field set, every list non-empty. */
function fullPlan(): Plan {
  const plan = structuredClone(buildSamplePlan().plan);
  plan.reverses = plan.plan_id;
  plan.options = {
    include: ['NetworkPolicy'],
    exclude: ['IPAMHandle'],
    prune: true,
    calico_version: 'v3.31.2',
    node_map: { 'etcd-name': 'k8s-name' },
    skip_unknown: true,
    precopy: { plan_ids: [], source_revision: 12, owned: 3 },
  };
  return plan;
}

/** Walk closed objects in the schema alongside the sample value; return mismatches. */
function compareShape(node: SchemaNode, value: unknown, path: string, out: string[]): void {
  const n = resolve(node);
  if (Array.isArray(value)) {
    if (n.items) value.forEach((v, i) => compareShape(n.items!, v, `${path}/${i}`, out));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (n.properties && n.additionalProperties === false) {
    const inSchema = Object.keys(n.properties).sort();
    const inValue = Object.keys(record).sort();
    if (inSchema.join() !== inValue.join()) out.push(`${path || '/'}: schema has [${inSchema}], type has [${inValue}]`);
    const required = [...(n.required ?? [])].sort();
    if (required.join() !== inSchema.join()) out.push(`${path || '/'}: schema requires [${required}] but defines [${inSchema}]`);
    for (const k of inValue) if (n.properties[k]) compareShape(n.properties[k], record[k], `${path}/${k}`, out);
  } else if (n.additionalProperties && typeof n.additionalProperties === 'object') {
    for (const [k, v] of Object.entries(record)) compareShape(n.additionalProperties, v, `${path}/${k}`, out);
  }
}

/**
 * Field lists checked against the types at compile time (`Exact` fails to type-check when a field
 * is added to or removed from the type, optional ones included), and against the schema below.
 */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const FIELDS = {
  plan: ['format_version', 'kind', 'plan_id', 'mode', 'tool', 'source', 'target', 'options', 'reverses', 'summary', 'resource_changes', 'skipped', 'checks', 'warnings'],
  source: ['type', 'endpoints', 'cluster_id', 'revision', 'digest', 'locked', 'cluster_guid', 'calico_version'],
  target: ['type', 'server', 'cluster_uid', 'api_group'],
  options: ['include', 'exclude', 'prune', 'calico_version', 'node_map', 'skip_unknown', 'precopy'],
  summary: ['create', 'update', 'delete', 'no_op', 'extra', 'by_kind', 'destructive', 'checks'],
  change: ['address', 'wave', 'api_version', 'kind', 'namespace', 'name', 'step', 'change', 'source_keys', 'target', 'dry_run'],
  changeBody: ['action', 'before', 'after', 'changed_paths'],
  check: ['id', 'status', 'message', 'items'],
} as const;
const exact: [
  Exact<(typeof FIELDS.plan)[number], keyof Plan>,
  Exact<(typeof FIELDS.source)[number], keyof Plan['source']>,
  Exact<(typeof FIELDS.target)[number], keyof Plan['target']>,
  Exact<(typeof FIELDS.options)[number], keyof Plan['options']>,
  Exact<(typeof FIELDS.summary)[number], keyof Plan['summary']>,
  Exact<(typeof FIELDS.change)[number], keyof ResourceChange>,
  Exact<(typeof FIELDS.changeBody)[number], keyof ResourceChange['change']>,
  Exact<(typeof FIELDS.check)[number], keyof Check>,
] = [true, true, true, true, true, true, true, true];

describe('plan schema', () => {
  it('defines and requires exactly the fields of each type', () => {
    assert.ok(exact.every(Boolean));
    const p = schema.properties!;
    const rc = resolve(schema.definitions.resourceChange!);
    const levels: Array<[readonly string[], SchemaNode]> = [
      [FIELDS.plan, schema],
      [FIELDS.source, p.source!],
      [FIELDS.target, p.target!],
      [FIELDS.options, p.options!],
      [FIELDS.summary, p.summary!],
      [FIELDS.change, rc],
      // One closed shape per action, each with the same four fields.
      ...(rc.properties!.change!.oneOf ?? []).map((branch): [readonly string[], SchemaNode] => [FIELDS.changeBody, resolve(branch)]),
      [FIELDS.check, p.checks!.items!],
    ];
    assert.equal(rc.properties!.change!.oneOf?.length, 5);
    for (const [fields, node] of levels) {
      assert.deepEqual(Object.keys(node.properties!).sort(), [...fields].sort());
      assert.deepEqual([...node.required!].sort(), [...fields].sort());
      assert.equal(node.additionalProperties, false);
    }
  });

  it('accepts a fully populated plan', () => {
    assert.deepEqual(validatePlan(fullPlan()), []);
  });

  it('agrees with the TypeScript types at every closed level (every field of the type is required)', () => {
    const out: string[] = [];
    compareShape(schema, fullPlan(), '', out);
    assert.deepEqual(out, []);
  });

  it('covers every action, check status and change shape in the sample', () => {
    const plan = fullPlan();
    const actions = new Set(plan.resource_changes.map((c) => c.change.action));
    for (const a of ['create', 'update', 'no-op', 'extra']) assert.ok(actions.has(a as never), a);
    assert.deepEqual(new Set(plan.checks.map((c) => c.status)), new Set(['pass', 'fail', 'warn']));
  });

  for (const field of schema.required ?? []) {
    it(`refuses a plan without "${field}"`, () => {
      const plan = fullPlan() as unknown as Record<string, unknown>;
      delete plan[field];
      assert.ok(validatePlan(plan).includes(`/ is missing required field "${field}"`));
    });
  }

  it('refuses unknown fields at any level of the envelope, with the instance path', () => {
    const plan = fullPlan() as unknown as { resource_changes: Array<{ change: Record<string, unknown> }> } & Record<string, unknown>;
    plan.resource_changes[1]!.change.before_sensitive = {};
    plan.created_at = 'now';
    const errors = validatePlan(plan);
    assert.ok(errors.includes('/resource_changes/1/change has unknown field "before_sensitive"'), errors.join('\n'));
    assert.ok(errors.includes('/ has unknown field "created_at"'));
  });

  it('keeps Kubernetes object bodies open but requires their identity', () => {
    const plan = fullPlan();
    const create = plan.resource_changes.find((c) => c.change.action === 'create')!;
    create.change.after = { ...create.change.after!, anyField: { nested: true } };
    assert.deepEqual(validatePlan(plan), []);
    (create.change.after.metadata as Record<string, unknown>).name = undefined;
    delete (create.change.after.metadata as Record<string, unknown>).name;
    assert.ok(validatePlan(plan).some((e) => e.includes('/change/after/metadata is missing required field "name"')));
  });

  it('requires `after` where apply writes it and `before` where it is compared, per action', () => {
    const plan = fullPlan();
    const create = plan.resource_changes.find((c) => c.change.action === 'create')!;
    (create.change as { after: unknown }).after = null;
    const update = plan.resource_changes.find((c) => c.change.action === 'update')!;
    (update.change as { before: unknown }).before = null;
    const errors = validatePlan(plan);
    const at = (c: unknown) => `/resource_changes/${plan.resource_changes.indexOf(c as never)}/change`;
    assert.ok(errors.includes(`${at(create)}/after must be object`), errors.join('\n'));
    assert.ok(errors.includes(`${at(update)}/before must be object`), errors.join('\n'));
  });

  it('refuses wrong values with their path', () => {
    const plan = fullPlan();
    (plan.resource_changes[0]!.change as { action: string }).action = 'replace';
    plan.resource_changes[0]!.wave = -1;
    const errors = validatePlan(plan);
    assert.ok(errors.includes('/resource_changes/0/change has action "replace", which is not one of "create", "update", "delete", "no-op", "extra"'), errors.join('\n'));
    assert.ok(errors.includes('/resource_changes/0/wave must be >= 0'));
  });
});
