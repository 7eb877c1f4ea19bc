/** What the apply of a plan needs to be allowed to do, checked with SelfSubjectAccessReviews at plan time. */
import { LEASE_NAMESPACE } from '../model/apply-lease.js';
import { STATUS_RECORD_LABEL, STATUS_RECORD_NAME, STATUS_RECORD_NAMESPACE } from '../model/status-record.js';
import { ALL_CRD_KINDS, CRD_GROUP, kindInfo } from '../model/kinds.js';
import type { Check, ResourceChange } from '../plan/types.js';
import { check } from './check.js';

export interface Permission {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/** What reading the target (plan, verify, apply's guards) needs. */
export function readPermissions(): Permission[] {
  return [
    ...ALL_CRD_KINDS.flatMap((k) => [
      { verb: 'list', group: CRD_GROUP, resource: k.plural },
      { verb: 'get', group: CRD_GROUP, resource: k.plural },
    ]),
    { verb: 'list', group: '', resource: 'nodes' },
    { verb: 'list', group: '', resource: 'namespaces' },
    { verb: 'get', group: '', resource: 'namespaces' },
    { verb: 'list', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
  ];
}

export function describePermission(p: Permission): string {
  return `${p.verb} ${p.group ? p.group + '/' : ''}${p.resource}${p.name ? ` ${p.name}` : ''}${p.namespace ? ` in namespace ${p.namespace}` : ''}`;
}

/**
 * What writing the run record (model/status-record.ts) needs: the Role calico-migrate-status.
 * Apply works without it (the record is best-effort), so lacking only these is a warning.
 */
export function statusRecordPermissions(): Permission[] {
  return [
    { verb: 'get', group: '', resource: 'configmaps', namespace: STATUS_RECORD_NAMESPACE, name: STATUS_RECORD_NAME },
    { verb: 'update', group: '', resource: 'configmaps', namespace: STATUS_RECORD_NAMESPACE, name: STATUS_RECORD_NAME },
    { verb: 'create', group: '', resource: 'configmaps', namespace: STATUS_RECORD_NAMESPACE },
  ];
}

function isStatusRecordPermission(p: Permission): boolean {
  return p.group === '' && p.resource === 'configmaps' && p.namespace === STATUS_RECORD_NAMESPACE;
}

export function requiredPermissions(changes: readonly ResourceChange[]): Permission[] {
  const perms = new Map<string, Permission>();
  const add = (p: Permission) => perms.set(`${p.verb} ${p.group}/${p.resource} ${p.namespace ?? ''} ${p.name ?? ''}`, p);
  for (const p of readPermissions()) add(p);
  for (const verb of ['get', 'create', 'update', 'delete']) add({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace: LEASE_NAMESPACE });
  for (const p of statusRecordPermissions()) add(p);
  for (const c of changes) {
    const action = c.change.action;
    if (action === 'no-op' || action === 'extra') continue;
    if (c.kind === 'Node') {
      add({ verb: 'patch', group: '', resource: 'nodes' });
      continue;
    }
    const info = kindInfo(c.kind);
    if (!info) continue;
    // Rollback deletes what apply creates, so a create also needs delete to be reversible.
    const verbs = action === 'create' ? ['create', 'delete'] : action === 'update' ? ['update'] : ['delete', 'create'];
    for (const verb of verbs) add({ verb, group: CRD_GROUP, resource: info.plural, namespace: undefined });
  }
  return [...perms.values()].sort((a, b) => `${a.group}/${a.resource} ${a.verb}`.localeCompare(`${b.group}/${b.resource} ${b.verb}`));
}

export function rbacCheck(results: Array<{ perm: Permission; allowed: boolean }>, identity: string): Check {
  const deniedPerms = results.filter((r) => !r.allowed).map(({ perm }) => perm);
  const denied = deniedPerms.map(describePermission);
  if (denied.length && deniedPerms.every(isStatusRecordPermission)) {
    return check(
      'rbac',
      denied,
      '',
      (n) =>
        `identity ${identity} may do everything apply and rollback need, but lacks ${n} permission(s) for the run record ${STATUS_RECORD_LABEL}: apply works and warns, and \`status\` elsewhere will not see its runs; bind it to the Role calico-migrate-status in examples/rbac/calico-migrate-rbac.yaml`,
      'warn',
    );
  }
  return check(
    'rbac',
    denied,
    `identity ${identity} may do everything apply and rollback need (${results.length} permissions checked)`,
    (n) => `identity ${identity} lacks ${n} permission(s) apply needs; bind it to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml`,
  );
}
