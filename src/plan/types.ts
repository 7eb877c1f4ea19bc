/**
 * The plan, format version 4: a pure value, written record by record as canonical JSON Lines and
 * validated against the plan schema on every read and write (plan-file.ts). The types are derived
 * from the schema value (src/plan/plan-schema.ts) with json-schema-to-ts, so what the compiler
 * checks and what ajv enforces are one definition; `npm run schema` publishes it to schemas/, and a
 * unit test fails when that file is stale. A change of meaning bumps FORMAT_VERSION.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { KubeObject } from '../model/types.js';
import type { PLAN_SCHEMA } from './plan-schema.js';

export const FORMAT_VERSION = '4';

type Schema = typeof PLAN_SCHEMA;
type Definitions = Schema['definitions'];
/** Objects the schema marks `$comment: KubeObject` are the tool's KubeObject (the schema is open in the same way). */
type Options = { deserialize: [{ pattern: { $comment: 'KubeObject' }; output: KubeObject }] };
/** A sub-schema of the plan schema, with its `#/definitions/…` references resolvable. */
type Part<S> = FromSchema<S & { definitions: Definitions }, Options>;

export type CreateChange = Part<Definitions['createChange']>;
export type UpdateChange = Part<Definitions['updateChange']>;
export type DeleteChange = Part<Definitions['deleteChange']>;
export type NoOpChange = Part<Definitions['noOpChange']>;
export type ExtraChange = Part<Definitions['extraChange']>;

/** What happens to one object, keyed by its action (`after` exists exactly where apply writes it). */
export type ChangeBody = CreateChange | UpdateChange | DeleteChange | NoOpChange | ExtraChange;
export type Action = ChangeBody['action'];

export type ResourceChange = Omit<Part<Definitions['resourceChange']>, 'change'> & { change: ChangeBody };
/** The ClusterInformation is written in two steps; every other object in one (`step: null`). */
export type Step = NonNullable<ResourceChange['step']>;

export type Plan = Omit<FromSchema<Schema, Options>, 'resource_changes'> & { resource_changes: ResourceChange[] };
export type Check = Plan['checks'][number];
export type CheckStatus = Check['status'];
export type PlanSummary = Plan['summary'];

/** A plan before its id is computed. */
export type PlanBody = Omit<Plan, 'plan_id'>;
