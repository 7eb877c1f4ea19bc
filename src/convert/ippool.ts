/**
 * IPPool defaulting and validation as clientv3 `validateAndSetDefaults` does on create, so the
 * desired object equals what `calicoctl apply` would have stored and invalid pools are reported
 * at plan time rather than rejected during apply.
 */
import { canonicalCidr, cidrRange, parseCidr, type Cidr } from '../model/cidr.js';
import type { DiagnosticSink } from './diagnostics.js';
import { pointer, type JsonRecord } from './json.js';

export interface PoolContext {
  key: string;
  address: string;
  diag: DiagnosticSink;
}

const FIX_HINT = 'Fix the IPPool in etcd (calicoctl apply with a corrected spec), then plan again.';

/** Applies defaults in place; returns the parsed CIDR for overlap checks, or null when invalid. */
export function defaultAndValidateIPPool(spec: JsonRecord, ctx: PoolContext): Cidr | null {
  const err = (path: string, message: string) => ctx.diag.error({ code: 'invalid-ippool', key: ctx.key, object: ctx.address, path, message, hint: FIX_HINT });

  const cidrText = spec.cidr;
  const cidr = typeof cidrText === 'string' ? parseCidr(cidrText) : null;
  if (!cidr) {
    ctx.diag.error({
      code: 'invalid-cidr',
      key: ctx.key,
      object: ctx.address,
      path: pointer('spec', 'cidr'),
      message: `IPPool CIDR ${JSON.stringify(cidrText ?? null)} is not a valid subnet`,
      hint: FIX_HINT,
    });
    return null;
  }
  if (!cidr.masked) err(pointer('spec', 'cidr'), `IPPool CIDR ${String(cidrText)} is not strictly masked`);
  // clientv3 normalises the CIDR text before storing it.
  spec.cidr = canonicalCidr(cidr);

  if (typeof spec.nodeSelector !== 'string' || spec.nodeSelector === '') spec.nodeSelector = 'all()';
  if (spec.blockSize === undefined || spec.blockSize === null || spec.blockSize === 0) {
    spec.blockSize = cidr.version === 4 ? 26 : 122;
  }
  if (!Array.isArray(spec.allowedUses) || spec.allowedUses.length === 0) spec.allowedUses = ['Workload', 'Tunnel'];
  if (typeof spec.ipipMode !== 'string' || spec.ipipMode === '') spec.ipipMode = 'Never';
  if (typeof spec.vxlanMode !== 'string' || spec.vxlanMode === '') spec.vxlanMode = 'Never';
  if (spec.assignmentMode === undefined || spec.assignmentMode === null || spec.assignmentMode === '') {
    spec.assignmentMode = 'Automatic';
  }

  const bs = spec.blockSize;
  if (typeof bs !== 'number' || !Number.isInteger(bs)) {
    err(pointer('spec', 'blockSize'), 'IPPool blockSize must be an integer');
  } else if (cidr.version === 4 && (bs < 20 || bs > 32)) {
    err(pointer('spec', 'blockSize'), `IPv4 block size must be between 20 and 32 (is ${bs})`);
  } else if (cidr.version === 6 && (bs < 116 || bs > 128)) {
    err(pointer('spec', 'blockSize'), `IPv6 block size must be between 116 and 128 (is ${bs})`);
  } else if (spec.disabled !== true && cidr.prefix > bs) {
    err(pointer('spec', 'cidr'), `IP pool /${cidr.prefix} is smaller than its block size /${bs}`);
  }
  if (spec.vxlanMode !== 'Never' && spec.ipipMode !== 'Never') {
    err(pointer('spec', 'vxlanMode'), 'cannot enable both VXLAN and IPIP on the same IPPool');
  }
  if (cidr.version === 6 && spec.ipipMode !== 'Never') err(pointer('spec', 'ipipMode'), 'IPIP is not supported on an IPv6 IP pool');
  const linkLocal = parseCidr(cidr.version === 4 ? '169.254.0.0/16' : 'fe80::/10');
  if (linkLocal) {
    const a = cidrRange(cidr);
    const b = cidrRange(linkLocal);
    if (a.start <= b.end && b.start <= a.end) {
      err(pointer('spec', 'cidr'), `IPPool CIDR overlaps with the link-local range ${canonicalCidr(linkLocal)}`);
    }
  }
  return cidr;
}

export interface PoolRef {
  key: string;
  address: string;
  name: string;
  cidr: Cidr;
}

/** Pools must not overlap (clientv3 refuses the create). Sort-and-sweep, so O(n log n). */
export function checkPoolOverlaps(pools: PoolRef[], diag: DiagnosticSink): void {
  for (const version of [4, 6] as const) {
    const sorted = pools
      .filter((p) => p.cidr.version === version)
      .map((p) => ({ p, r: cidrRange(p.cidr) }))
      .sort((a, b) => (a.r.start < b.r.start ? -1 : a.r.start > b.r.start ? 1 : a.p.name.localeCompare(b.p.name)));
    let widest: { p: PoolRef; end: bigint } | null = null;
    for (const cur of sorted) {
      if (widest && cur.r.start <= widest.end) {
        diag.error({
          code: 'ippool-overlap',
          key: cur.p.key,
          object: cur.p.address,
          path: pointer('spec', 'cidr'),
          message: `IPPool ${cur.p.name} (${canonicalCidr(cur.p.cidr)}) overlaps IPPool ${widest.p.name} (${canonicalCidr(widest.p.cidr)})`,
          hint: 'Calico refuses overlapping pools on create; delete or shrink one of them in etcd first.',
        });
      }
      if (!widest || cur.r.end > widest.end) widest = { p: cur.p, end: cur.r.end };
    }
  }
}
