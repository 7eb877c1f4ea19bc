/** The plan core: pure functions over plan values. No network, no printing. */
export * from './types.js';
export { canonicalJson, prettyCanonicalJson, computePlanId, compareStrings, NonJsonValueError } from './canonical.js';
export { validatePlan, PLAN_SCHEMA_URL } from './schema.js';
export { serializePlan, parsePlan, SUPPORTED_FORMAT_VERSIONS } from './plan-file.js';
export { normalizeLive, normalizeLiveNode } from './normalize.js';
export { MANAGED_NODE_ANNOTATIONS, isManagedNodeAnnotation } from '../model/node-annotations.js';
export { changedPaths, jsonEqual } from './paths.js';
export { addressOf, compareChanges, sortChanges, displayName, stepOf } from './address.js';
export {
  diffObjects,
  missingNodes,
  desiredAddress,
  liveAddress,
  identityOf,
  isNeverPruned,
  PROTECTED_TIERS,
  type DiffInput,
  type LiveObject,
} from './diff.js';
export {
  clusterInformationChanges,
  deriveClusterGUID,
  LOCK_ADDRESS,
  IDENTITY_ADDRESS,
  type ClusterInformationInput,
} from './cluster-information.js';
export { summarize, isDestructive, isClusterInformationStep } from './summary.js';
export { evaluateGates, enforceGates, detailedExitCode, writes, isFailOn, FAIL_ON_VALUES, type FailOn } from './gates.js';
export { renderPlanText, type TextRenderOptions } from './render-text.js';
export { renderPlanMarkdown, GITHUB_COMMENT_MAX_BYTES, type MarkdownRenderOptions } from './render-markdown.js';
