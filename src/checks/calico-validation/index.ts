/**
 * The plan check `calico-validation`: every converted object against Calico v3.32.1's own
 * semantic validation (rules.ts), before anything is written. Writing CRs directly bypasses
 * calicoctl and the Calico API server, so without this an object Calico would refuse is stored
 * anyway and then ignored, mis-programmed or rejected on its next update.
 */
import type { DesiredObject } from '../../model/types.js';
import type { Check } from '../../plan/types.js';
import { check } from '../check.js';
import { rec } from './access.js';
import { RULES } from './rules.js';
import { objectLabel, subjectOf } from './subject.js';
import type { Rule, ValidationContext, ValidationFinding } from './types.js';

export { RULES };
export type { Issue, Rule, Subject, ValidationContext, ValidationFinding } from './types.js';
export { selectorError } from './selector.js';

const byKind = new Map<string, Rule[]>();
for (const r of RULES) for (const k of r.kinds) byKind.set(k, [...(byKind.get(k) ?? []), r]);

export function validateObject(obj: DesiredObject, ctx: ValidationContext): ValidationFinding[] {
  const rules = byKind.get(obj.kind);
  if (!rules) return [];
  const subject = subjectOf(obj);
  const object = objectLabel(obj);
  return rules.flatMap((r) => r.check(subject, ctx).map((i) => ({ object, path: i.path, rule: r.id, message: i.message })));
}

/** Rule ids, kinds, descriptions and sources, in table order (for the README). */
export function listRules(): { id: string; kinds: readonly string[]; description: string; source: string }[] {
  return RULES.map(({ id, kinds, description, source }) => ({ id, kinds, description, source }));
}

/** The context as the desired objects alone give it (union live target objects in as needed). */
export function contextFrom(objects: readonly DesiredObject[]): ValidationContext {
  return {
    bgpFilterNames: new Set(objects.filter((o) => o.kind === 'BGPFilter').map((o) => o.name)),
    ipPools: objects.flatMap((o) => {
      const cidr = rec(o.body.spec).cidr;
      return o.kind === 'IPPool' && typeof cidr === 'string' ? [{ name: o.name, cidr }] : [];
    }),
  };
}

export function formatFinding(f: ValidationFinding): string {
  return `${f.object}: ${f.path}: ${f.message} [${f.rule}]`;
}

/**
 * Fails with every finding on objects not `accepted`; findings on accepted objects (from
 * `--accept-invalid`) follow, marked, and alone make it a warning.
 */
export function calicoValidation(desired: readonly DesiredObject[], ctx: ValidationContext, accepted: (d: DesiredObject) => boolean): Check {
  const failing: string[] = [];
  const allowed: string[] = [];
  let failingObjects = 0;
  let allowedObjects = 0;
  for (const d of desired) {
    const findings = validateObject(d, ctx);
    if (findings.length === 0) continue;
    if (accepted(d)) {
      allowedObjects++;
      allowed.push(...findings.map((f) => `accepted with --accept-invalid: ${formatFinding(f)}`));
    } else {
      failingObjects++;
      failing.push(...findings.map(formatFinding));
    }
  }
  const pass = `every object passes Calico v3.32.1's validation (${RULES.length} rules)`;
  if (failing.length === 0) {
    return check('calico-validation', allowed, pass, () => `${allowedObjects} object(s) break Calico's validation rules and are migrated as they are (--accept-invalid)`, 'warn');
  }
  const acceptedNote = allowedObjects > 0 ? `; ${allowedObjects} more are accepted with --accept-invalid` : '';
  return check(
    'calico-validation',
    [...failing, ...allowed],
    pass,
    () =>
      `${failingObjects} object(s) break Calico v3.32.1's validation rules (${failing.length} finding(s))${acceptedNote}: Calico would refuse or misread them. Fix them in etcd (e.g. with calicoctl apply) and plan again, or pass --accept-invalid <Kind/name> (Kind/namespace/name for namespaced kinds) to migrate them as they are`,
  );
}
