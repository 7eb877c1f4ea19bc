/**
 * The migration freeze: ClusterInformation `default` spec.datastoreReady=false, written with a
 * compare-and-swap (etcd mod_revision, Kubernetes resourceVersion) and stamped with who and when.
 * While the source is locked, Calico's CNI refuses new pods and Felix waits; that is the point.
 */
import { MigrateError } from '../errors.js';
import { CLUSTER_INFO_KEY } from '../model/keys.js';
import { CRD_API_VERSION } from '../model/kinds.js';
import type { KubeObject } from '../model/types.js';
import type { SourcePort } from '../ports/source.js';
import type { ObjectRef, TargetReader, TargetWriter } from '../ports/target.js';
import type { Context } from './context.js';

export const LOCKED_BY = 'calico-migrate/locked-by';
export const LOCKED_AT = 'calico-migrate/locked-at';

export type Datastore = 'etcd' | 'kubernetes';

export interface LockState {
  datastore: Datastore;
  exists: boolean;
  /** null = the field is absent (Calico treats that as ready, i.e. unlocked). */
  datastoreReady: boolean | null;
  locked: boolean;
  lockedBy: string | null;
  lockedAt: string | null;
  clusterGUID: string | null;
  calicoVersion: string | null;
}

export interface LockResult extends LockState {
  changed: boolean;
}

/** A ClusterInformation as stored in either datastore (v3 JSON in etcd, the CR in Kubernetes). */
interface ClusterInformationValue {
  kind?: string;
  apiVersion?: string;
  metadata: { name?: string; annotations?: Record<string, string>; resourceVersion?: string; [field: string]: unknown };
  spec?: { datastoreReady?: unknown; clusterGUID?: string; calicoVersion?: string; [field: string]: unknown };
  [field: string]: unknown;
}

const CLUSTER_INFO_REF: ObjectRef = { apiVersion: CRD_API_VERSION, kind: 'ClusterInformation', namespace: null, name: 'default' };

function stateOf(datastore: Datastore, obj: ClusterInformationValue | KubeObject | null): LockState {
  const spec = (obj?.spec ?? {}) as NonNullable<ClusterInformationValue['spec']>;
  const ann: Record<string, string> = obj?.metadata?.annotations ?? {};
  const ready = typeof spec.datastoreReady === 'boolean' ? spec.datastoreReady : null;
  return {
    datastore,
    exists: !!obj,
    datastoreReady: ready,
    locked: ready === false,
    lockedBy: ann[LOCKED_BY] ?? null,
    lockedAt: ann[LOCKED_AT] ?? null,
    clusterGUID: spec.clusterGUID ?? null,
    calicoVersion: spec.calicoVersion ?? null,
  };
}

function withLock<T extends ClusterInformationValue | KubeObject>(obj: T, locked: boolean, ctx: Pick<Context, 'who' | 'now'>): T {
  const annotations = { ...(obj.metadata?.annotations ?? {}) };
  if (locked) {
    annotations[LOCKED_BY] = ctx.who;
    annotations[LOCKED_AT] = ctx.now().toISOString();
  } else {
    delete annotations[LOCKED_BY];
    delete annotations[LOCKED_AT];
  }
  const { annotations: _previous, ...rest } = obj.metadata;
  // An object left with no annotations stores none, rather than an empty map.
  const metadata = Object.keys(annotations).length === 0 ? rest : { ...rest, annotations };
  return { ...obj, metadata, spec: { ...(obj.spec ?? {}), datastoreReady: !locked } };
}

function parseEtcdValue(value: string): ClusterInformationValue {
  try {
    const v: unknown = JSON.parse(value);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Partial<ClusterInformationValue>;
      return { ...o, metadata: o.metadata && typeof o.metadata === 'object' ? o.metadata : {} };
    }
  } catch {
    /* reported below */
  }
  throw new MigrateError('SOURCE_INVALID', `${CLUSTER_INFO_KEY} does not hold a JSON object`, {
    hint: 'repair the ClusterInformation in etcd (calicoctl get clusterinformation default -o yaml shows what Calico reads)',
  });
}

export async function readEtcdLock(etcd: Pick<SourcePort, 'get'>): Promise<LockState> {
  const kv = await etcd.get(CLUSTER_INFO_KEY);
  return stateOf('etcd', kv ? parseEtcdValue(kv.value) : null);
}

export async function setEtcdLock(etcd: Pick<SourcePort, 'get' | 'compareAndSwap'>, locked: boolean, ctx: Pick<Context, 'who' | 'now'>): Promise<LockResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const kv = await etcd.get(CLUSTER_INFO_KEY);
    const current = kv ? parseEtcdValue(kv.value) : null;
    const state = stateOf('etcd', current);
    if (state.locked === locked && (locked || state.datastoreReady !== null)) return { ...state, changed: false };
    if (!current && !locked) return { ...state, changed: false };
    // A missing ClusterInformation is created locked, as calicoctl's lock does (without its tiers).
    const base: ClusterInformationValue = current ?? { kind: 'ClusterInformation', apiVersion: 'projectcalico.org/v3', metadata: { name: 'default' }, spec: {} };
    const next = withLock(base, locked, ctx);
    delete next.metadata.resourceVersion;
    if (await etcd.compareAndSwap(CLUSTER_INFO_KEY, kv?.modRevision ?? 0, JSON.stringify(next))) {
      return { ...stateOf('etcd', next), changed: true };
    }
  }
  throw new MigrateError('ERROR', `${CLUSTER_INFO_KEY} kept changing while ${locked ? 'locking' : 'unlocking'} (3 compare-and-swap attempts lost)`, {
    hint: 'something else is writing the ClusterInformation; stop it and run the command again',
  });
}

const CI_PATH = `/apis/${CRD_API_VERSION}/clusterinformations`;

export async function readKubeLock(target: Pick<TargetReader, 'get'>): Promise<LockState> {
  const obj = await target.get(CLUSTER_INFO_REF);
  return stateOf('kubernetes', obj);
}

export async function setKubeLock(target: Pick<TargetWriter, 'get' | 'create' | 'replace'>, locked: boolean, ctx: Pick<Context, 'who' | 'now'>): Promise<LockResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await target.get(CLUSTER_INFO_REF);
    const state = stateOf('kubernetes', current);
    if (state.locked === locked && (locked || state.datastoreReady !== null)) return { ...state, changed: false };
    if (!current && !locked) return { ...state, changed: false };
    let outcome;
    if (!current) {
      const fresh: KubeObject = { apiVersion: CRD_API_VERSION, kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { clusterType: 'kdd' } };
      outcome = await target.create(withLock(fresh, locked, ctx));
    } else {
      const { resourceVersion, ...meta } = current.metadata;
      outcome = await target.replace(withLock({ ...current, metadata: meta }, locked, ctx), typeof resourceVersion === 'string' ? resourceVersion : '');
    }
    if (outcome.ok) return { ...stateOf('kubernetes', outcome.object), changed: true };
    if (outcome.status !== 409) {
      throw new MigrateError(outcome.status === 403 ? 'TARGET_INVALID' : 'ERROR', `writing ${CI_PATH}/default failed: ${outcome.message}`, {
        hint: outcome.status === 403 ? 'bind the identity to the ClusterRole in examples/rbac/calico-migrate-rbac.yaml' : 'check the API server and retry',
      });
    }
  }
  throw new MigrateError('ERROR', `ClusterInformation default in the target kept changing while ${locked ? 'locking' : 'unlocking'}`, {
    hint: 'something else is writing it; stop that and run the command again',
  });
}

export function describeLock(s: LockState): string {
  const where = s.datastore === 'etcd' ? 'source (etcd)' : 'target (Kubernetes)';
  if (!s.exists) return `${where}: no ClusterInformation (unlocked)`;
  if (s.locked) return `${where}: locked${s.lockedBy ? ` by ${s.lockedBy}` : ''}${s.lockedAt ? ` at ${s.lockedAt}` : ''}`;
  return `${where}: unlocked${s.datastoreReady === null ? ' (datastoreReady not set; Calico treats that as ready)' : ''}`;
}

export interface LockOptions {
  /** Lock without asking (scripts); without it a terminal must be there to ask on. */
  autoApprove: boolean;
}

/**
 * `calico-migrate lock`: freeze one datastore, and say what that means. Locking the source stops
 * every new pod of the cluster (and a live target, the same), so it is confirmed the way apply
 * and cutover are: asked on a terminal, refused (ABORTED, nothing locked) without one unless
 * --auto-approve. A datastore already locked changes nothing and is not asked about.
 */
export async function lockDatastore(datastore: Datastore, ctx: Context, opts: LockOptions): Promise<LockResult> {
  if (!opts.autoApprove && !ctx.io.canConfirm()) {
    const effect = datastore === 'etcd' ? 'stops new pods from starting while it lasts' : 'stops new pods from starting if Calico runs from the target';
    throw new MigrateError('ABORTED', `lock --datastore ${datastore} ${effect} and needs confirmation; there is no terminal to ask on. Nothing was locked`, {
      hint: 'pass --auto-approve',
    });
  }
  const result = await lockOne(datastore, ctx, opts);
  ctx.io.say('info', `${result.changed ? 'Locked' : 'Already locked'}: ${describeLock(result)}`);
  if (datastore === 'etcd' && result.changed) ctx.io.say('warn', 'new pods cannot start on this cluster until it is unlocked or migrated (Calico CNI refuses them while the datastore is locked)');
  return result;
}

/** Asks (unless approved) before a lock that changes something; a "no" leaves the datastore as it was. */
async function approved(question: string, ctx: Context, opts: LockOptions): Promise<void> {
  if (opts.autoApprove) return;
  if (!(await ctx.io.confirm(question))) throw new MigrateError('ABORTED', 'lock cancelled; nothing was locked', { hint: 'run it again and answer yes, or pass --auto-approve' });
}

async function lockOne(datastore: Datastore, ctx: Context, opts: LockOptions): Promise<LockResult> {
  switch (datastore) {
    case 'etcd': {
      const etcd = await ctx.openSource();
      if (!(await readEtcdLock(etcd)).locked) {
        await approved(`Lock the source datastore (etcd ${etcd.endpoints.join(',')})? Calico's CNI refuses every new pod of the cluster until it is unlocked or migrated.`, ctx, opts);
      }
      return setEtcdLock(etcd, true, ctx);
    }
    case 'kubernetes': {
      const target = await ctx.openTarget();
      if (!(await readKubeLock(target)).locked) {
        await approved(`Lock the target datastore (${target.server})? If Calico runs from it, no new pod can start until it is unlocked.`, ctx, opts);
      }
      return setKubeLock(target, true, ctx);
    }
    default: {
      const never: never = datastore;
      throw new MigrateError('USAGE', `unknown datastore ${String(never)}`, { hint: 'pass --datastore etcd or --datastore kubernetes' });
    }
  }
}
