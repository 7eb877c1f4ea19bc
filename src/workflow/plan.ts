/**
 * `plan`: read the source at one revision, convert it, read everything Calico in the target, diff,
 * dry-run every write on the server, run every check, and return a plan body. Writes nothing to
 * either datastore.
 */
import type { KubeTarget } from '../adapters/kube/target.js';
import { crdsEstablished } from '../checks/crds.js';
import { ipamConsistency } from '../checks/ipam.js';
import { namesValid } from '../checks/names.js';
import { describePermission, rbacCheck, readPermissions, requiredPermissions } from '../checks/rbac.js';
import { namespacesExist, nodesExist, tiersExist } from '../checks/references.js';
import { check } from '../checks/check.js';
import type { TargetFlags } from '../config/target.js';
import { convertSnapshot } from '../convert/index.js';
import { MigrateError } from '../errors.js';
import { makeFilter } from '../model/filters.js';
import { ALL_CRD_KINDS, CLUSTER_INFORMATION } from '../model/kinds.js';
import type { ConversionResult, Diagnostic, KubeObject, SourceSnapshot } from '../model/types.js';
import { clusterInformationChanges, deriveClusterGUID } from '../plan/cluster-information.js';
import { diffObjects, type LiveObject } from '../plan/diff.js';
import { sortChanges } from '../plan/address.js';
import { summarize } from '../plan/summary.js';
import { FORMAT_VERSION, type Check, type Plan, type PlanBody, type ResourceChange } from '../plan/types.js';
import { serializePlan } from '../plan/plan-file.js';
import { mapLimit } from '../util/concurrency.js';
import type { Context } from './context.js';
import { dryRunChanges } from './dry-run.js';
import { readNodeMap, readSource, type SourceOptions } from './source.js';
import { dataRevision, sourceDigest } from './source-digest.js';
import { backingApiGroup, openTarget } from './target.js';
import { withImpliedTiers } from './implied-tiers.js';

export interface PlanOptions {
  source: SourceOptions;
  target: TargetFlags;
  nodeMapFile?: string;
  calicoVersion?: string;
  skipUnknown: boolean;
  include: string[];
  exclude: string[];
  prune: boolean;
  /** Server-side dry run of every create and update (default on). */
  serverDryRun: boolean;
  parallelism: number;
}

export interface PlanOutcome {
  plan: Plan;
  text: string;
  diagnostics: Diagnostic[];
}

export interface TargetState {
  server: string;
  clusterUid: string;
  apiGroup: string;
  crds: any[];
  crdCheck: Check;
  live: KubeObject[];
  liveClusterInfo: KubeObject | null;
  nodes: KubeObject[];
  namespaces: string[];
}

/**
 * Everything Calico in the target: every established Calico kind, Nodes, namespaces. A caller
 * that already checked read access and read the cluster uid passes it as `known`.
 */
export async function readTarget(target: KubeTarget, parallelism: number, known?: { clusterUid: string }): Promise<TargetState> {
  if (!known) await assertCanRead(target);
  const [clusterUid, apiGroup] = [known?.clusterUid ?? (await target.clusterUid()), await backingApiGroup(target)];
  const crds = await target.calicoCrds();
  const crdCheck = crdsEstablished(crds);
  const established = new Set(
    crds.filter((c) => c.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True')).map((c) => c.spec.names.plural as string),
  );
  const kinds = ALL_CRD_KINDS.filter((k) => established.has(k.plural));
  const lists = await mapLimit(kinds, Math.min(parallelism, 8), (k) => target.listKind(k.kind));
  const all = lists.flat();
  const liveClusterInfo = all.find((o) => o.kind === CLUSTER_INFORMATION.kind && o.metadata.name === 'default') ?? null;
  const live = all.filter((o) => o.kind !== CLUSTER_INFORMATION.kind);
  const [nodes, namespaces] = await Promise.all([target.listNodes(), target.listNamespaces()]);
  return { server: target.server, clusterUid, apiGroup, crds, crdCheck, live, liveClusterInfo, nodes, namespaces };
}

/** Reading needs these permissions; name every missing one at once rather than failing on the first list. */
export async function assertCanRead(target: KubeTarget): Promise<void> {
  const results = await mapLimit(readPermissions(), 8, async (perm) => ({ perm, allowed: (await target.canI(perm)).allowed }));
  const denied = results.filter((r) => !r.allowed).map((r) => describePermission(r.perm));
  if (denied.length) {
    throw new MigrateError('TARGET_INVALID', `identity ${target.conn.userName} cannot read the target: missing ${denied.length} permission(s): ${denied.join(', ')}`, {
      hint: 'bind the identity to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml',
      details: { missing: denied },
    });
  }
}

export function liveTierNames(t: TargetState): Set<string> {
  return new Set(t.live.filter((o) => o.kind === 'Tier').map((o) => o.metadata.name));
}

export function conversionErrors(result: ConversionResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'schema');
}

export function sourceInvalidError(errors: Diagnostic[], origin: string): MigrateError {
  const shown = errors.slice(0, 20).map((d) => `  - ${d.key ?? d.object ?? ''}${d.path ? ` ${d.path}` : ''}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  if (errors.length > 20) shown.push(`  … and ${errors.length - 20} more (see --json)`);
  return new MigrateError('SOURCE_INVALID', `${errors.length} source entr${errors.length === 1 ? 'y' : 'ies'} in ${origin} cannot be converted:\n${shown.join('\n')}`, {
    hint: 'fix or remove these keys in etcd (or pass --skip-unknown for unknown keys), then plan again; nothing was written',
    details: errors,
  });
}

export async function makePlan(opts: PlanOptions, ctx: Context): Promise<PlanOutcome> {
  const filter = makeFilter(opts.include, opts.exclude);
  const nodeMap = readNodeMap(opts.nodeMapFile);
  const snapshot: SourceSnapshot = await readSource(opts.source, ctx);
  const target = await openTarget(opts.target, { maxSockets: opts.parallelism });
  try {
    ctx.io.say('info', `Reading the target ${target.server}`);
    const t = await readTarget(target, opts.parallelism);
    const result = convertSnapshot(snapshot, { calicoVersion: opts.calicoVersion, nodeMap, skipUnknown: opts.skipUnknown, crds: t.crds });
    const errors = conversionErrors(result);
    if (errors.length) throw sourceInvalidError(errors, snapshot.endpoints.join(','));
    result.objects = withImpliedTiers(result, liveTierNames(t), { crds: t.crds });

    const live: LiveObject[] = [...t.live, ...t.nodes].map((object) => ({ object }));
    const addrFilter = filter ? (kind: string, namespace: string | null, name: string) => filter({ kind, namespace, name }) : undefined;
    let changes = diffObjects({ desired: result.objects, live, prune: opts.prune, filter: addrFilter && wrapAddressFilter(addrFilter) });
    const ci = clusterInformationChanges({
      source: result.clusterInfo,
      live: t.liveClusterInfo,
      newClusterGUID: deriveClusterGUID(t.clusterUid, result.clusterInfo?.clusterGUID ?? ''),
    });
    // The lock step is never filtered out: a partial apply still writes into a locked target.
    changes = [ci[0], ...changes, ...(addrFilter && !addrFilter('ClusterInformation', null, 'default') ? [] : [ci[1]])];

    let dryRunCheck: Check;
    if (opts.serverDryRun) {
      ctx.io.say('info', `Server-side dry run of ${changes.filter(isWrite).length} write(s)`);
      const dr = await dryRunChanges(target, changes, opts.parallelism);
      dryRunCheck = dr.check;
      if (dr.results.size) {
        // Compare what the server would store (CRD defaults applied) with what it holds, so
        // defaulted fields are not an update on every plan.
        const rediff = diffObjects({ desired: result.objects, live, prune: opts.prune, filter: addrFilter && wrapAddressFilter(addrFilter), dryRunResults: dr.results });
        const byAddr = new Map(rediff.map((c) => [c.address, c]));
        changes = changes.map((c) => {
          const r = byAddr.get(c.address);
          return r ? { ...r, dry_run: c.dry_run } : c;
        });
      }
      changes = changes.map((c) => ({ ...c, dry_run: dr.status.get(c.address) ?? c.dry_run }));
    } else {
      dryRunCheck = { id: 'server-dry-run', status: 'warn', message: 'server-side dry run skipped (--no-server-dry-run); admission webhooks and CEL rules will first speak at apply time', items: [] };
    }
    changes = sortChanges(changes);

    const liveNodeNames = new Set(t.nodes.map((n) => n.metadata.name));
    const desired = filter ? result.objects.filter((d) => filter({ kind: d.kind, namespace: d.namespace, name: d.name })) : result.objects;
    const perms = requiredPermissions(changes);
    const rbacResults = await mapLimit(perms, 8, async (perm) => ({ perm, allowed: (await target.canI(perm)).allowed }));
    const locked = result.clusterInfo?.datastoreReady === false;
    const schemaDiags = result.diagnostics.filter((d) => d.code === 'schema');
    const checks: Check[] = [
      t.crdCheck,
      check('schema', schemaDiags.map(schemaItem), 'every object is valid against the CRD schemas installed in the target', (n) => `${n} object(s) violate the target's CRD schemas`),
      namesValid(desired),
      nodesExist(desired, liveNodeNames),
      namespacesExist(desired, new Set(t.namespaces)),
      tiersExist(desired, liveTierNames(t)),
      ipamConsistency(desired, t.live.filter((o) => o.kind === 'IPPool')),
      rbacCheck(rbacResults, target.conn.userName),
      locked
        ? { id: 'source-locked', status: 'pass', message: 'the source datastore is locked (datastoreReady=false)', items: [] }
        : { id: 'source-locked', status: 'warn', message: 'the source datastore is NOT locked: this plan is a preview; apply requires the lock (run `calico-migrate lock`, or apply --lock)', items: [] },
      dryRunCheck,
    ];
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.key ?? d.object ?? ''}: ${d.message}`);

    const body: PlanBody = {
      format_version: FORMAT_VERSION,
      kind: 'CalicoMigrationPlan',
      mode: 'migrate',
      tool: { name: 'calico-migrate', version: ctx.toolVersion },
      source: {
        type: snapshot.origin === 'etcd' ? 'etcdv3' : 'calicoctl-export',
        endpoints: snapshot.endpoints,
        cluster_id: snapshot.clusterId,
        revision: dataRevision(snapshot),
        digest: sourceDigest(snapshot),
        locked,
        cluster_guid: result.clusterInfo?.clusterGUID ?? null,
        calico_version: result.clusterInfo?.calicoVersion ?? null,
      },
      target: { type: 'kubernetes', server: t.server, cluster_uid: t.clusterUid, api_group: t.apiGroup },
      options: {
        include: opts.include,
        exclude: opts.exclude,
        prune: !!opts.prune,
        calico_version: opts.calicoVersion ?? null,
        node_map: nodeMap ?? {},
        skip_unknown: !!opts.skipUnknown,
      },
      reverses: null,
      summary: summarize(changes, checks),
      resource_changes: changes,
      skipped: result.skipped.map((s) => ({ key: s.key, category: s.category, reason: s.reason })),
      checks,
      warnings,
    };
    const { plan, text } = serializePlan(body);
    return { plan, text, diagnostics: result.diagnostics };
  } finally {
    target.close();
  }
}

/** `KEY: [PATH ]MESSAGE`; the validator's messages usually start with the path already. */
function schemaItem(d: Diagnostic): string {
  const path = d.path && !d.message.startsWith(d.path) ? `${d.path} ` : '';
  return `${d.key ?? d.object}: ${path}${d.message}`;
}

function isWrite(c: ResourceChange): boolean {
  const a = c.change.actions[0];
  return a === 'create' || a === 'update';
}

/** diffObjects filters by address; recover kind/namespace/name from the address form. */
function wrapAddressFilter(f: (kind: string, namespace: string | null, name: string) => boolean): (address: string) => boolean {
  return (address) => {
    const [base] = address.split('#');
    const parts = base.split('/');
    // crd.projectcalico.org/v1/Kind/[ns/]name  or  v1/Node/name
    const offset = parts[0] === 'v1' ? 1 : 2;
    const rest = parts.slice(offset);
    const kind = rest[0];
    return rest.length === 3 ? f(kind, rest[1], rest[2]) : f(kind, null, rest[1]);
  };
}
