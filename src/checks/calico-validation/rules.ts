/**
 * The rule table: Calico v3.32.1's own semantic validation, ported from libcalico-go
 * `lib/validator/v3/validator.go`, the `validate:"..."` struct tags of projectcalico/api
 * `pkg/apis/projectcalico/v3/*.go`, clientv3 `ippool.go` (block size, overlap) and a few CEL
 * rules of the v3.32.1 CRDs the schema check does not run. The upstream files read were the
 * stored 2024-2026 revisions; only rules stable across recent releases are kept.
 */
import { BGP_RULES } from './rules/bgp.js';
import { COMMON_RULES } from './rules/common.js';
import { ENDPOINT_RULES } from './rules/endpoints.js';
import { FELIX_RULES } from './rules/felix.js';
import { IPAM_RULES } from './rules/ipam.js';
import { IPPOOL_RULES } from './rules/ippool.js';
import { KUBE_CONTROLLERS_RULES } from './rules/kube-controllers.js';
import { NODE_RULES } from './rules/node.js';
import { POLICY_RULE_RULES } from './rules/policy-rule.js';
import { POLICY_RULES } from './rules/policy.js';
import { TIER_RULES } from './rules/tier.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  ...COMMON_RULES,
  ...TIER_RULES,
  ...POLICY_RULES,
  ...POLICY_RULE_RULES,
  ...IPPOOL_RULES,
  ...BGP_RULES,
  ...NODE_RULES,
  ...ENDPOINT_RULES,
  ...FELIX_RULES,
  ...KUBE_CONTROLLERS_RULES,
  ...IPAM_RULES,
];
