/**
 * One handler per plan action. Each sends at most one write (the connection layer already retries
 * 429/5xx/timeouts) and never throws for a per-object problem: it returns an Outcome.
 *
 * Preconditions: creates are create-only (POST); updates carry the planned resourceVersion;
 * deletes carry uid and, when known, resourceVersion; Node changes are JSON merge patches of the
 * managed annotations carrying the planned resourceVersion. A Node is never created or deleted.
 *
 * When a write's outcome is uncertain (the connection failed, a 5xx after retries, or a 409 that
 * a retried request whose first response was lost would also give), the handler reads the object
 * back and `resolveWrite` decides: the object is in the planned state (adopt it as ours), the write
 * did not happen, the object changed under us (stale), or it cannot tell (unknown).
 */
import type { WriteOutcome } from '../adapters/kube/target.js';
import type { KubeObject } from '../model/types.js';
import { displayName } from '../plan/address.js';
import type { Action, ChangeBody, ResourceChange } from '../plan/types.js';
import { nodeAnnotationPatch } from '../model/node-annotations.js';
import { isNode, resourceVersionOf, sameContent, uidOf } from './content.js';
import { canCreateText, type FailureReason, type TargetWriter } from './types.js';

/** The preconditions a write carries, after the chain rule (see executor) has been applied. */
export interface Preconditions {
  uid: string | null;
  resourceVersion: string | null;
}

export type Outcome =
  | { status: 'ok'; how: 'created' | 'updated' | 'deleted' | 'adopted'; uid: string | null; resourceVersion: string | null; message: string | null }
  /** The write definitely did not change the object. */
  | { status: 'error'; reason: Exclude<FailureReason, 'UNKNOWN'>; message: string }
  /** The write may have happened; the journal keeps the intent open for resume. */
  | { status: 'unknown'; reason: 'UNKNOWN'; message: string };

/** A change whose body is the one of action `A`. */
export type ChangeOf<A extends Action> = ResourceChange & { change: Extract<ChangeBody, { action: A }> };
/** How a change is sent: `restoring` for a reverse plan (a rollback). */
export interface SendOptions {
  restoring: boolean;
  /** A create's `after` as JSON text already (see executor ownerlessCreateText), for a target that sends text. */
  createdText?: string;
}

export type Handler<A extends Action = Action> = (target: TargetWriter, change: ChangeOf<A>, pre: Preconditions, opts: SendOptions) => Promise<Outcome>;

/** A rollback of a Node's Calico annotations finds the Node gone (it left the cluster): nothing of the migration is left on it. */
function nodeGone(change: ChangeOf<'update'>, opts: SendOptions): Outcome | null {
  return opts.restoring && isNode(change.change.after) ? ok('adopted', null, 'the Node no longer exists: nothing of the migration is left on it', null) : null;
}

export type Resolution =
  { state: 'applied'; object: KubeObject | null } | { state: 'not-applied'; live: KubeObject | null } | { state: 'stale'; message: string } | { state: 'unknown'; message: string };

const refOfChange = (c: ResourceChange) => ({ apiVersion: c.api_version, kind: c.kind, namespace: c.namespace, name: c.name });

function ok(how: 'created' | 'updated' | 'deleted' | 'adopted', obj: KubeObject | null, message: string | null = null, uid?: string | null): Outcome {
  return { status: 'ok', how, uid: uid ?? uidOf(obj), resourceVersion: how === 'deleted' ? null : resourceVersionOf(obj), message };
}

function stale(change: ResourceChange, why: string): Outcome {
  return { status: 'error', reason: 'STALE', message: `${displayName(change)}: ${why}; the plan is stale, make a new plan` };
}

function rejected(change: ResourceChange, out: Extract<WriteOutcome, { ok: false }>): Outcome {
  return { status: 'error', reason: 'REJECTED', message: `${displayName(change)}: the API server refused the ${actionName(change)}: ${out.message}` };
}

function actionName(change: ResourceChange): string {
  return change.change.action;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A failure the write itself cannot settle: no response, or a server error after the connection layer's retries. */
function isUncertain(out: Extract<WriteOutcome, { ok: false }>): boolean {
  return out.status >= 500 || out.status === 429 || out.status === 0;
}

/**
 * Did `change`'s write happen? Reads the object and compares it with the plan:
 * - create: exists with the planned content → applied; absent → not applied; else stale.
 * - update: has the planned content → applied; still at the precondition resourceVersion → not applied; else stale.
 * - delete: gone → applied; same uid and (unknown or same) resourceVersion → not applied; else stale.
 * A read that fails → unknown.
 */
export async function resolveWrite(target: TargetWriter, change: ResourceChange, pre: Preconditions): Promise<Resolution> {
  let live: KubeObject | null;
  try {
    live = await target.get(refOfChange(change));
  } catch (e) {
    return { state: 'unknown', message: `could not read ${displayName(change)} back: ${errorText(e)}` };
  }
  const body = change.change;
  switch (body.action) {
    case 'delete':
      if (!live) return { state: 'applied', object: null };
      if (pre.uid && uidOf(live) !== pre.uid) return { state: 'stale', message: 'it was deleted and created again by someone else (different uid)' };
      if (pre.resourceVersion && resourceVersionOf(live) !== pre.resourceVersion) return { state: 'stale', message: 'it was changed since the plan was made' };
      return { state: 'not-applied', live };
    case 'create':
      if (!live) return { state: 'not-applied', live: null };
      if (await sameContent(target, live, body.after)) return { state: 'applied', object: live };
      return { state: 'stale', message: 'it already exists in the target with different content (created by someone else after the plan was made)' };
    case 'update': {
      const { before, after } = body;
      if (!live) return { state: 'stale', message: isNode(after) ? 'the Node no longer exists (apply never creates Nodes)' : 'it was deleted since the plan was made' };
      if (await sameContent(target, live, after)) return { state: 'applied', object: live };
      if (pre.resourceVersion && resourceVersionOf(live) === pre.resourceVersion) return { state: 'not-applied', live };
      // A Node's resourceVersion also moves with kubelet status updates; apply owns only the Calico
      // annotations, so a Node whose managed annotations are still the planned `before` is unchanged.
      if (isNode(after) && (await sameContent(target, live, before))) return { state: 'not-applied', live };
      return { state: 'stale', message: 'it was changed since the plan was made' };
    }
    case 'no-op':
    case 'extra':
      return { state: 'unknown', message: `${displayName(change)} is a ${body.action}, not a write` };
    default: {
      const never: never = body;
      throw new Error(`resolveWrite: unknown action ${String((never as { action?: unknown }).action)}`);
    }
  }
}

/** Turn a read-back into the outcome of a write whose own answer was uncertain or a 409. */
async function settle(target: TargetWriter, change: ResourceChange, pre: Preconditions, what: string, conflict = false): Promise<Outcome> {
  const r = await resolveWrite(target, change, pre);
  // After a 409 the object is not where the precondition says: "not applied" means stale.
  if (conflict && r.state === 'not-applied') return stale(change, what);
  switch (r.state) {
    case 'applied':
      return ok(change.change.action === 'delete' ? 'deleted' : 'adopted', r.object, `${what}; read back: already in the planned state`, pre.uid);
    case 'not-applied':
      return { status: 'error', reason: 'ERROR', message: `${displayName(change)}: ${what}; read back: the ${actionName(change)} did not happen` };
    case 'stale':
      return stale(change, `${what}; ${r.message}`);
    case 'unknown':
      return { status: 'unknown', reason: 'UNKNOWN', message: `${displayName(change)}: ${what}; ${r.message}. Resume with --resume to settle it` };
  }
}

async function send(write: () => Promise<WriteOutcome>): Promise<WriteOutcome | { thrown: unknown }> {
  try {
    return await write();
  } catch (e) {
    return { thrown: e };
  }
}

const create: Handler<'create'> = async (target, change, pre, opts) => {
  const text = opts.createdText;
  const out = await send(() => (text !== undefined && canCreateText(target) ? target.createText(refOfChange(change), text) : target.create(change.change.after)));
  if ('thrown' in out) return settle(target, change, pre, `create failed (${errorText(out.thrown)})`);
  if (out.ok) return ok('created', out.object);
  // 409 AlreadyExists is stale unless the object is exactly what we meant to create: a create
  // retried by the connection layer after a lost response lands here too.
  if (out.status === 409) return settle(target, change, pre, `create answered ${out.message}`, true);
  if (isUncertain(out)) return settle(target, change, pre, `create failed (${out.message})`);
  return rejected(change, out);
};

/** Fill in an update's missing resourceVersion (reverse plans written before the forward write answered). */
async function unguardedUpdate(target: TargetWriter, change: ChangeOf<'update'>, opts: SendOptions): Promise<{ rv: string } | Outcome> {
  let live: KubeObject | null;
  try {
    live = await target.get(refOfChange(change));
  } catch (e) {
    return { status: 'error', reason: 'ERROR', message: `${displayName(change)}: could not read it to check its content: ${errorText(e)}` };
  }
  if (!live) return nodeGone(change, opts) ?? stale(change, 'it does not exist');
  if (await sameContent(target, live, change.change.after)) return ok('adopted', live, 'already in the planned state');
  if (await sameContent(target, live, change.change.before)) return { rv: resourceVersionOf(live)! };
  return stale(change, 'it is neither in the state the plan expects nor in the planned state');
}

const update: Handler<'update'> = async (target, change, pre, opts) => {
  const { before, after } = change.change;
  let rv = pre.resourceVersion;
  if (!rv) {
    const g = await unguardedUpdate(target, change, opts);
    if ('status' in g) return g;
    rv = g.rv;
  }
  const write = (version: string) => send(() => (isNode(after) ? target.patchNodeAnnotations(change.name, nodeAnnotationPatch(before, after), version) : target.replace(after, version)));
  let guarded: Preconditions = { ...pre, resourceVersion: rv };
  let out = await write(rv);
  if (isNode(after) && !('thrown' in out) && !out.ok && out.status === 409) {
    // Node resourceVersions move with kubelet status updates. If the Calico annotations are still
    // exactly the planned `before`, only parts apply does not own changed: send the same patch
    // once more against the current resourceVersion. Anything else is settled below.
    const r = await resolveWrite(target, change, guarded);
    const liveRv = r.state === 'not-applied' ? resourceVersionOf(r.live) : null;
    if (liveRv && liveRv !== rv) {
      guarded = { ...pre, resourceVersion: liveRv };
      out = await write(liveRv);
    }
  }
  if ('thrown' in out) return settle(target, change, guarded, `update failed (${errorText(out.thrown)})`);
  if (out.ok) return ok('updated', out.object);
  if (out.status === 404) return nodeGone(change, opts) ?? stale(change, isNode(after) ? 'the Node no longer exists (apply never creates Nodes)' : 'it was deleted since the plan was made');
  // A 409 is stale, unless a retried request whose first response was lost already wrote it.
  if (out.status === 409) return settle(target, change, guarded, `update answered ${out.message}`, true);
  if (isUncertain(out)) return settle(target, change, guarded, `update failed (${out.message})`);
  return rejected(change, out);
};

const del: Handler<'delete'> = async (target, change, pre) => {
  let { uid, resourceVersion } = pre;
  if (!uid) {
    // Only reverse plans written before the forward create answered have no uid: delete the
    // object only if it is exactly what that create wrote.
    let live: KubeObject | null;
    try {
      live = await target.get(refOfChange(change));
    } catch (e) {
      return { status: 'error', reason: 'ERROR', message: `${displayName(change)}: could not read it to check its content: ${errorText(e)}` };
    }
    if (!live) return ok('deleted', null, 'already gone');
    if (!(await sameContent(target, live, change.change.before))) return stale(change, 'its content is not what the plan expects to delete');
    uid = uidOf(live);
    resourceVersion = resourceVersionOf(live);
  }
  const guarded = { uid, resourceVersion };
  const out = await send(() => target.delete(refOfChange(change), guarded));
  if ('thrown' in out) return settle(target, change, guarded, `delete failed (${errorText(out.thrown)})`);
  if (out.ok) return ok('deleted', null, null, uid);
  if (out.status === 404) return ok('deleted', null, 'already gone', uid);
  if (out.status === 409) return stale(change, `the delete precondition failed (${out.message})`);
  if (isUncertain(out)) return settle(target, change, guarded, `delete failed (${out.message})`);
  return rejected(change, out);
};

const notAWrite: Handler<'no-op' | 'extra'> = async (_t, change) => ({
  status: 'error',
  reason: 'ERROR',
  message: `${displayName(change)}: ${actionName(change)} is not a write (internal error: it should not have been scheduled)`,
});

/** Sends one change by its action. Exhaustive: a new action fails compilation here until it has a handler. */
export function sendChange(target: TargetWriter, change: ResourceChange, pre: Preconditions, opts: SendOptions = { restoring: false }): Promise<Outcome> {
  const body = change.change;
  switch (body.action) {
    case 'create':
      return create(target, { ...change, change: body }, pre, opts);
    case 'update':
      return update(target, { ...change, change: body }, pre, opts);
    case 'delete':
      return del(target, { ...change, change: body }, pre, opts);
    case 'no-op':
    case 'extra':
      return notAWrite(target, { ...change, change: body }, pre, opts);
    default: {
      const never: never = body;
      throw new Error(`sendChange: unknown action ${String((never as { action?: unknown }).action)}`);
    }
  }
}
