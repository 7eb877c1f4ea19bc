/**
 * The library entry (package.json `main`/`types`: dist/index.js): the workflows the CLI runs, the
 * plan file's read and write, the converter, and the ports a caller implements or is given. A
 * workflow takes a Context (src/workflow/context.ts) whose openSource()/openTarget() return the
 * ports; the CLI builds it over etcd and Kubernetes (src/cli/), a test over fakes.
 */
export type { Context } from './workflow/context.js';
export { makePlan } from './workflow/plan.js';
export { runApply } from './workflow/apply.js';
export { runCutover } from './workflow/cutover.js';
export { writeCompositeRollback, writeRollbackPlan } from './workflow/rollback.js';
export { verifyMigration } from './workflow/verify.js';
export { exportSource } from './workflow/export.js';
export { migrationStatus } from './workflow/status.js';
export { lockDatastore } from './workflow/lock.js';

export { parsePlan, serializePlan } from './plan/plan-file.js';
export type { Plan, PlanBody } from './plan/types.js';

export { convertSnapshot } from './convert/index.js';
export type { ConversionResult, ConvertOptions, SourceSnapshot } from './model/types.js';

export type * from './ports/source.js';
export type * from './ports/target.js';
export { refOf } from './ports/target.js';

export { EXIT_CODES, MigrateError } from './errors.js';
