/**
 * `/calico/ipam/v2/assignment/ipv<4|6>/block/<cidr>` (model.AllocationBlock) -> IPAMBlock CR
 * (libcalico-go ipamBlockClient.toV3, reference §3.4). The CR keeps the etcd snake_case attribute
 * keys; `hostAffinity` and per-attribute `releasedAt` are not carried (Calico drops them too);
 * `strictAffinity` is always written as false, as the deprecated field is never set by toV3.
 */
import type { DiagnosticSink } from './diagnostics.js';
import { canonicalCidr, parseCidr } from '../model/cidr.js';
import { isRecord, pointer, type JsonRecord } from './json.js';
import { renameAttrNode, renameBlockAffinity, renameHandleId, type NodeMap } from './rename.js';
import type { StringPool } from './string-pool.js';

export interface IpamContext {
  key: string;
  address: string;
  diag: DiagnosticSink;
  nodeMap: NodeMap;
  strings: StringPool;
}

const HINT = 'Inspect the block with etcdctl; a corrupt block must be repaired (calicoctl ipam check) before migrating.';

function bad(ctx: IpamContext, path: string, message: string): void {
  ctx.diag.error({ code: 'invalid-value', key: ctx.key, object: ctx.address, path, message, hint: HINT });
}

function convertAttribute(a: unknown, i: number, ctx: IpamContext): JsonRecord {
  if (!isRecord(a)) {
    bad(ctx, pointer('attributes', i), 'attribute must be an object');
    return {};
  }
  const out: JsonRecord = {};
  if (typeof a.handle_id === 'string') out.handle_id = ctx.strings.intern(renameHandleId(a.handle_id, ctx.nodeMap));
  else if (a.handle_id !== undefined && a.handle_id !== null) bad(ctx, pointer('attributes', i, 'handle_id'), 'handle_id must be a string');
  for (const field of ['secondary', 'alternateOwnerAttrs'] as const) {
    const v = a[field];
    if (v === undefined || v === null) continue;
    if (!isRecord(v)) {
      bad(ctx, pointer('attributes', i, field), `${field} must be a map of strings`);
      continue;
    }
    // Go omits empty maps (omitempty).
    if (Object.keys(v).length === 0) continue;
    const copy = { ...v };
    renameAttrNode(copy, ctx.nodeMap);
    ctx.strings.internValues(copy);
    out[field] = copy;
  }
  return out;
}

/** Returns the CR spec, or null when the block cannot be converted. */
export function convertBlockSpec(value: JsonRecord, keyCidr: string, ctx: IpamContext): JsonRecord | null {
  const cidrText = value.cidr;
  const parsed = typeof cidrText === 'string' ? parseCidr(cidrText) : null;
  if (!parsed) {
    ctx.diag.error({
      code: 'invalid-cidr',
      key: ctx.key,
      object: ctx.address,
      path: pointer('cidr'),
      message: `block cidr ${JSON.stringify(cidrText ?? null)} is not a valid CIDR`,
      hint: HINT,
    });
    return null;
  }
  if (canonicalCidr(parsed) !== keyCidr) {
    ctx.diag.error({
      code: 'cidr-mismatch',
      key: ctx.key,
      object: ctx.address,
      path: pointer('cidr'),
      message: `block cidr ${String(cidrText)} does not match the CIDR in its key (${keyCidr})`,
      hint: HINT,
    });
    return null;
  }

  const spec: JsonRecord = { cidr: keyCidr };
  if (typeof value.affinity === 'string') spec.affinity = renameBlockAffinity(value.affinity, ctx.nodeMap);
  else if (value.affinity !== undefined && value.affinity !== null) bad(ctx, pointer('affinity'), 'affinity must be a string or null');
  if (value.affinity_claim_time !== undefined && value.affinity_claim_time !== null) {
    // model.AllocationBlock stores it as `affinity_claim_time`; the CR field is `affinityClaimTime`.
    spec.affinityClaimTime = value.affinity_claim_time;
  } else if (value.affinityClaimTime !== undefined && value.affinityClaimTime !== null) {
    spec.affinityClaimTime = value.affinityClaimTime;
  }

  // Required by the CRD; Go writes nil slices as null, which the API server would prune.
  for (const field of ['allocations', 'unallocated'] as const) {
    const v = value[field];
    if (v === undefined || v === null) spec[field] = [];
    else if (Array.isArray(v)) spec[field] = v;
    else {
      bad(ctx, pointer(field), `${field} must be a list`);
      return null;
    }
  }
  const attrs = value.attributes;
  if (attrs !== undefined && attrs !== null && !Array.isArray(attrs)) {
    bad(ctx, pointer('attributes'), 'attributes must be a list');
    return null;
  }
  spec.attributes = (Array.isArray(attrs) ? attrs : []).map((a, i) => convertAttribute(a, i, ctx));

  spec.sequenceNumber = value.sequenceNumber ?? 0;
  if (value.sequenceNumberForAllocation !== undefined && value.sequenceNumberForAllocation !== null) {
    spec.sequenceNumberForAllocation = value.sequenceNumberForAllocation;
  }
  spec.deleted = value.deleted ?? false;
  spec.strictAffinity = false;
  return spec;
}
