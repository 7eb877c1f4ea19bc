/**
 * Tiered policy naming and defaulting (reference §2.3 `determinePolicyName`, §3.2 create path,
 * §3.6 naming table) for NetworkPolicy, GlobalNetworkPolicy and their staged variants.
 */
import { isRecord, parseJson, type JsonRecord } from './json.js';
import { METADATA_ANNOTATION } from './metadata.js';
import { allowsUnprefixedTierPolicies, usesBarePolicyNames, type CalicoVersion } from './version.js';

export const TIER_LABEL = 'projectcalico.org/tier';
export const DEFAULT_TIER = 'default';

/** Prefixes of names that are already "formatted" and pass through the tier-prefixing rules. */
const FORMATTED_PREFIXES = ['knp.default.', 'kcnp.kube-admin.', 'kcnp.kube-baseline.', 'ossg.'];

function isFormatted(name: string): boolean {
  return FORMATTED_PREFIXES.some((p) => name.startsWith(p));
}

export function tierOf(spec: JsonRecord): string {
  return typeof spec.tier === 'string' && spec.tier.length > 0 ? spec.tier : DEFAULT_TIER;
}

export interface ReadName {
  v3Name: string;
  /** How the name was found, for diagnostics and tests. */
  source: 'annotation' | 'stripped-default-prefix' | 'stored';
  /** The annotations without the `projectcalico.org/metadata` entry (the reader deletes it). */
  annotations: Record<string, string>;
  /** Set when the annotation was present but unusable. */
  annotationProblem?: string;
}

/**
 * Read side (`determinePolicyName`): the v3 name comes from the `projectcalico.org/metadata`
 * annotation when it has one; otherwise, in tier default (or no tier), a `default.` prefix is
 * stripped. Either way the annotation is removed.
 */
export function readPolicyName(storedName: string, tier: string, annotations: Record<string, string>): ReadName {
  const rest = Object.fromEntries(Object.entries(annotations).filter(([k]) => k !== METADATA_ANNOTATION));
  const raw = annotations[METADATA_ANNOTATION];
  let annotationProblem: string | undefined;
  if (raw !== undefined) {
    const parsed = parseJson(raw);
    if (parsed.ok && isRecord(parsed.value) && typeof parsed.value.name === 'string' && parsed.value.name.length > 0) {
      return { v3Name: parsed.value.name, source: 'annotation', annotations: rest };
    }
    if (!parsed.ok || !isRecord(parsed.value)) annotationProblem = `${METADATA_ANNOTATION} annotation is not a JSON object`;
  }
  if (tier === DEFAULT_TIER && storedName.startsWith('default.')) {
    return { v3Name: storedName.slice('default.'.length), source: 'stripped-default-prefix', annotations: rest, annotationProblem };
  }
  return { v3Name: storedName, source: 'stored', annotations: rest, annotationProblem };
}

/** `names.TieredPolicyName`: prefix `default.` when the name has no tier prefix. */
export function tieredPolicyName(name: string): string {
  if (name === '' || isFormatted(name)) return name;
  return name.includes('.') ? name : `default.${name}`;
}

export type WriteName = { ok: true; crName: string; keepNameInAnnotation: boolean } | { ok: false; reason: string; hint: string };

/**
 * Write side, by the target's Calico version (§3.6):
 * - < v3.30: CR name `default.<name>` in tier default, `<tier>.<name>` otherwise (the v3 name
 *   already carries the tier prefix there); the v3 name is derived by stripping on read.
 * - v3.30–v3.31: CR name = v3 name, stored in the metadata annotation; non-default tiers still
 *   require the `<tier>.` prefix.
 * - ≥ v3.32: CR name = v3 name, no prefix requirement.
 */
export function writePolicyName(v3Name: string, tier: string, version: CalicoVersion): WriteName {
  if (v3Name === '') return { ok: false, reason: 'policy name is empty', hint: 'Fix the policy in etcd.' };
  const prefixProblem = (): WriteName | null => {
    if (allowsUnprefixedTierPolicies(version) || isFormatted(v3Name)) return null;
    if (tier === DEFAULT_TIER) {
      if (!v3Name.includes('.') || v3Name.startsWith('default.')) return null;
      return {
        ok: false,
        reason: `policy name "${v3Name}" in tier default contains "." but does not start with "default."; Calico ${version.text} rejects it`,
        hint: 'Rename the policy in etcd (e.g. recreate it without the dot), or target Calico v3.32 or later.',
      };
    }
    if (v3Name.startsWith(`${tier}.`)) return null;
    return {
      ok: false,
      reason: `policy name "${v3Name}" in tier "${tier}" must start with "${tier}." for Calico ${version.text}`,
      hint: `Rename the policy to "${tier}.${v3Name}" in etcd, or target Calico v3.32 or later.`,
    };
  };
  const problem = prefixProblem();
  if (problem) return problem;
  if (usesBarePolicyNames(version)) return { ok: true, crName: v3Name, keepNameInAnnotation: true };
  return { ok: true, crName: tieredPolicyName(v3Name), keepNameInAnnotation: false };
}

/**
 * clientv3 defaulting on create: `spec.tier` defaults to `default`, the tier label is set, and
 * `spec.types` is derived from the rules when absent: Ingress when there are ingress rules or no
 * egress rules, Egress when there are egress rules.
 */
export function defaultPolicy(spec: JsonRecord, labels: Record<string, string>): void {
  const tier = tierOf(spec);
  spec.tier = tier;
  Object.defineProperty(labels, TIER_LABEL, { value: tier, enumerable: true, writable: true, configurable: true });
  const types = spec.types;
  if (types === undefined || types === null || (Array.isArray(types) && types.length === 0)) {
    const has = (v: unknown) => Array.isArray(v) && v.length > 0;
    const out: string[] = [];
    if (has(spec.ingress) || !has(spec.egress)) out.push('Ingress');
    if (has(spec.egress)) out.push('Egress');
    spec.types = out;
  }
}
