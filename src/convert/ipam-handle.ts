/**
 * `/calico/ipam/v2/handle/<id>` (model.IPAMHandle) -> IPAMHandle CR named by the lower-cased ID,
 * with `spec.handleID` keeping the case (reference §3.4). Tunnel handles of renamed nodes are
 * renamed the same way as the block attributes that point at them.
 */
import type { DiagnosticSink } from './diagnostics.js';
import { isRecord, pointer, type JsonRecord } from './json.js';
import { ipamHandleName } from './names.js';
import { renameHandleId, type NodeMap } from './rename.js';
import type { StringPool } from './string-pool.js';

export interface HandleContext {
  key: string;
  diag: DiagnosticSink;
  nodeMap: NodeMap;
  strings: StringPool;
}

export function convertHandle(handleId: string, value: JsonRecord, ctx: HandleContext): { name: string; spec: JsonRecord } | null {
  // The blocks' attributes name the same handle; one string serves both.
  const id = ctx.strings.intern(renameHandleId(handleId, ctx.nodeMap));
  const block = value.block;
  if (block !== undefined && block !== null && !isRecord(block)) {
    ctx.diag.error({
      code: 'invalid-value',
      key: ctx.key,
      path: pointer('block'),
      message: 'handle block must be a map of CIDR to count',
      hint: 'Inspect the handle with etcdctl; repair IPAM (calicoctl ipam check) before migrating.',
    });
    return null;
  }
  const spec: JsonRecord = { handleID: id, block: isRecord(block) ? block : {}, deleted: value.deleted === true };
  return { name: ctx.strings.intern(ipamHandleName(id)), spec };
}
