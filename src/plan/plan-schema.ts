/**
 * The plan file's JSON Schema (draft-07), as a value. It is the published contract: CI gates and
 * policy tools validate plans too, so `npm run schema` writes it to schemas/plan.schema.json for
 * the package, and a unit test fails when that file is stale. Kept here as code so the validator
 * needs no file read, which a pure module may not do.
 */
export const PLAN_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/calico-migrate/calico-migrate/schemas/plan.schema.json',
  title: 'CalicoMigrationPlan',
  description:
    'A calico-migrate plan as one value (what `show --format json` prints), format_version 4. The TypeScript types of src/plan/types.ts are derived from this value, so the two cannot drift. The file itself is JSON Lines: see plan-file.schema.json.',
  type: 'object',
  additionalProperties: false,
  required: ['format_version', 'kind', 'plan_id', 'mode', 'tool', 'source', 'target', 'options', 'reverses', 'summary', 'resource_changes', 'skipped', 'checks', 'warnings'],
  properties: {
    format_version: { type: 'string', enum: ['4'] },
    kind: { type: 'string', enum: ['CalicoMigrationPlan'] },
    plan_id: { $ref: '#/definitions/planId' },
    mode: { type: 'string', enum: ['migrate', 'reverse'] },
    tool: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version'],
      properties: {
        name: { type: 'string', minLength: 1 },
        version: { type: 'string', minLength: 1 },
      },
    },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'endpoints', 'cluster_id', 'revision', 'digest', 'locked', 'cluster_guid', 'calico_version'],
      properties: {
        type: { type: 'string', enum: ['etcdv3', 'calicoctl-export'] },
        endpoints: { type: 'array', items: { type: 'string' } },
        cluster_id: { type: ['string', 'null'] },
        revision: { type: ['integer', 'null'], minimum: 0 },
        digest: { type: 'string', minLength: 1 },
        locked: { type: 'boolean' },
        cluster_guid: { type: ['string', 'null'] },
        calico_version: { type: ['string', 'null'] },
      },
    },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'server', 'cluster_uid', 'api_group'],
      properties: {
        type: { type: 'string', enum: ['kubernetes'] },
        server: { type: 'string' },
        cluster_uid: { type: 'string' },
        api_group: { type: 'string' },
      },
    },
    options: {
      type: 'object',
      additionalProperties: false,
      required: ['include', 'exclude', 'prune', 'calico_version', 'node_map', 'skip_unknown', 'precopy'],
      properties: {
        include: { type: 'array', items: { type: 'string' } },
        exclude: { type: 'array', items: { type: 'string' } },
        prune: { type: 'boolean' },
        calico_version: { type: ['string', 'null'] },
        node_map: { type: 'object', additionalProperties: { type: 'string' } },
        skip_unknown: { type: 'boolean' },
        precopy: {
          description:
            'Set when the plan is a delta on pre-copies (apply --precopy) into this target: objects the recorded runs created that the source no longer has are deleted (without --prune); every other target object the source lacks stays an extra.',
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['plan_ids', 'source_revision', 'owned'],
              properties: {
                plan_ids: { type: 'array', items: { $ref: '#/definitions/planId' } },
                source_revision: { type: ['integer', 'null'], minimum: 0 },
                owned: { $ref: '#/definitions/count' },
              },
            },
          ],
        },
      },
    },
    reverses: { oneOf: [{ $ref: '#/definitions/planId' }, { type: 'null' }] },
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['create', 'update', 'delete', 'no_op', 'extra', 'by_kind', 'destructive', 'checks'],
      properties: {
        create: { $ref: '#/definitions/count' },
        update: { $ref: '#/definitions/count' },
        delete: { $ref: '#/definitions/count' },
        no_op: { $ref: '#/definitions/count' },
        extra: { $ref: '#/definitions/count' },
        by_kind: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['create', 'update', 'delete', 'no_op', 'extra'],
            properties: {
              create: { $ref: '#/definitions/count' },
              update: { $ref: '#/definitions/count' },
              delete: { $ref: '#/definitions/count' },
              no_op: { $ref: '#/definitions/count' },
              extra: { $ref: '#/definitions/count' },
            },
          },
        },
        destructive: { type: 'boolean' },
        checks: {
          type: 'object',
          additionalProperties: false,
          required: ['pass', 'warn', 'fail'],
          properties: {
            pass: { $ref: '#/definitions/count' },
            warn: { $ref: '#/definitions/count' },
            fail: { $ref: '#/definitions/count' },
          },
        },
      },
    },
    resource_changes: { type: 'array', items: { $ref: '#/definitions/resourceChange' } },
    skipped: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'category', 'reason'],
        properties: {
          key: { type: 'string' },
          category: { type: 'string', minLength: 1 },
          reason: { type: 'string' },
        },
      },
    },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'status', 'message', 'items'],
        properties: {
          id: { type: 'string', minLength: 1 },
          status: { type: 'string', enum: ['pass', 'fail', 'warn'] },
          message: { type: 'string' },
          items: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    warnings: { type: 'array', items: { type: 'string' } },
  },
  definitions: {
    planId: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    count: { type: 'integer', minimum: 0 },
    kubeObject: {
      $comment: 'KubeObject',
      description: "A Kubernetes object as JSON. Open, like the API server's own schema; only the identity fields are required.",
      type: 'object',
      required: ['apiVersion', 'kind', 'metadata'],
      properties: {
        apiVersion: { type: 'string', minLength: 1 },
        kind: { type: 'string', minLength: 1 },
        metadata: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string', minLength: 1 },
            namespace: { type: 'string', minLength: 1 },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            annotations: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
    noPaths: { type: 'array', items: { type: 'string' }, maxItems: 0 },
    createChange: {
      type: 'object',
      additionalProperties: false,
      required: ['action', 'before', 'after', 'changed_paths'],
      properties: { action: { const: 'create' }, before: { type: 'null' }, after: { $ref: '#/definitions/kubeObject' }, changed_paths: { $ref: '#/definitions/noPaths' } },
    },
    updateChange: {
      type: 'object',
      additionalProperties: false,
      required: ['action', 'before', 'after', 'changed_paths'],
      properties: {
        action: { const: 'update' },
        before: { $ref: '#/definitions/kubeObject' },
        after: { $ref: '#/definitions/kubeObject' },
        changed_paths: { type: 'array', items: { type: 'string' } },
      },
    },
    deleteChange: {
      type: 'object',
      additionalProperties: false,
      required: ['action', 'before', 'after', 'changed_paths'],
      properties: { action: { const: 'delete' }, before: { $ref: '#/definitions/kubeObject' }, after: { type: 'null' }, changed_paths: { $ref: '#/definitions/noPaths' } },
    },
    noOpChange: {
      type: 'object',
      additionalProperties: false,
      required: ['action', 'before', 'after', 'changed_paths'],
      properties: { action: { const: 'no-op' }, before: { type: 'null' }, after: { type: 'null' }, changed_paths: { $ref: '#/definitions/noPaths' } },
    },
    extraChange: {
      type: 'object',
      additionalProperties: false,
      required: ['action', 'before', 'after', 'changed_paths'],
      properties: { action: { const: 'extra' }, before: { $ref: '#/definitions/kubeObject' }, after: { type: 'null' }, changed_paths: { $ref: '#/definitions/noPaths' } },
    },
    resourceChange: {
      type: 'object',
      additionalProperties: false,
      required: ['address', 'wave', 'api_version', 'kind', 'namespace', 'name', 'step', 'change', 'source_keys', 'target', 'dry_run'],
      properties: {
        address: { type: 'string', minLength: 1 },
        wave: { type: 'integer', minimum: 0 },
        api_version: { type: 'string', minLength: 1 },
        kind: { type: 'string', minLength: 1 },
        namespace: { type: ['string', 'null'] },
        name: { type: 'string', minLength: 1 },
        step: {
          description: 'For an object written in several steps (the ClusterInformation): which one; null for every other change.',
          type: ['string', 'null'],
          enum: ['lock', 'identity', null],
        },
        change: {
          description: 'What happens to the object, keyed by action: `after` is exactly what apply writes (create, update), `before` the live object as compared (update, delete, extra).',
          type: 'object',
          discriminator: { propertyName: 'action' },
          oneOf: [
            { $ref: '#/definitions/createChange' },
            { $ref: '#/definitions/updateChange' },
            { $ref: '#/definitions/deleteChange' },
            { $ref: '#/definitions/noOpChange' },
            { $ref: '#/definitions/extraChange' },
          ],
        },
        source_keys: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key', 'mod_revision'],
            properties: {
              key: { type: 'string', minLength: 1 },
              mod_revision: { type: 'integer', minimum: 0 },
            },
          },
        },
        target: {
          type: 'object',
          additionalProperties: false,
          required: ['uid', 'resource_version'],
          properties: {
            uid: { type: ['string', 'null'] },
            resource_version: { type: ['string', 'null'] },
          },
        },
        dry_run: {
          oneOf: [
            { type: 'null' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['status', 'message'],
              properties: {
                status: { type: 'string', enum: ['ok', 'error', 'skipped'] },
                message: { type: ['string', 'null'] },
              },
            },
          ],
        },
      },
    },
  },
} as const;

const P = PLAN_SCHEMA.properties;
const RECORD = (name: string) => ({ type: 'string', enum: [name] }) as const;

/**
 * One line of a plan file (format_version 4): the file is a header record, one change record per
 * change in execution order, a footer record, and a trailer whose plan_id is the sha256 of every
 * byte before it. Each line is validated against its record's schema as it is read or written.
 */
export const PLAN_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/calico-migrate/calico-migrate/schemas/plan-file.schema.json',
  title: 'CalicoMigrationPlan file line',
  description:
    'A calico-migrate plan file is JSON Lines, each line the canonical JSON (sorted keys, no whitespace) of one record: header, then one change per line, then footer, then trailer. The trailer plan_id is sha256 over every byte before the trailer line.',
  oneOf: [{ $ref: '#/definitions/header' }, { $ref: '#/definitions/change' }, { $ref: '#/definitions/footer' }, { $ref: '#/definitions/trailer' }],
  definitions: {
    ...PLAN_SCHEMA.definitions,
    header: {
      type: 'object',
      additionalProperties: false,
      required: ['record', 'format_version', 'kind', 'mode', 'tool', 'source', 'target', 'options', 'reverses'],
      properties: {
        record: RECORD('header'),
        format_version: P.format_version,
        kind: P.kind,
        mode: P.mode,
        tool: P.tool,
        source: P.source,
        target: P.target,
        options: P.options,
        reverses: P.reverses,
      },
    },
    change: {
      ...PLAN_SCHEMA.definitions.resourceChange,
      required: ['record', ...PLAN_SCHEMA.definitions.resourceChange.required],
      properties: { record: RECORD('change'), ...PLAN_SCHEMA.definitions.resourceChange.properties },
    },
    footer: {
      type: 'object',
      additionalProperties: false,
      required: ['record', 'changes', 'summary', 'skipped', 'checks', 'warnings'],
      properties: {
        record: RECORD('footer'),
        changes: { $ref: '#/definitions/count' },
        summary: P.summary,
        skipped: P.skipped,
        checks: P.checks,
        warnings: P.warnings,
      },
    },
    trailer: {
      type: 'object',
      additionalProperties: false,
      required: ['record', 'plan_id'],
      properties: { record: RECORD('trailer'), plan_id: P.plan_id },
    },
  },
} as const;
