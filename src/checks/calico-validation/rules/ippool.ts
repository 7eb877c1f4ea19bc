/** IPPool rules: `validateIPPoolSpec` and clientv3 `ipPools.validateAndSetDefaults` (ported from v3.32-era libcalico-go). */
import { cidrsOverlap, parseCidr, type Cidr } from '../../../model/cidr.js';
import { join, list, present, show, type JsonRecord } from '../access.js';
import { linkLocalOverlap } from '../net.js';
import type { Issue, Rule, Subject, ValidationContext } from '../types.js';
import { issue, oneOf } from './helpers.js';

const MODES = ['Always', 'CrossSubnet', 'Never'];

function cidrOf(spec: JsonRecord): Cidr | null {
  return typeof spec.cidr === 'string' ? parseCidr(spec.cidr) : null;
}

function enabled(mode: unknown): boolean {
  return mode === 'Always' || mode === 'CrossSubnet';
}

function isLoadBalancer(spec: JsonRecord): boolean {
  return list(spec.allowedUses).includes('LoadBalancer');
}

/** The block size clientv3 stores: 26 (IPv4) or 122 (IPv6) when unset. */
function blockSize(spec: JsonRecord, c: Cidr): unknown {
  return spec.blockSize === undefined || spec.blockSize === null || spec.blockSize === 0 ? (c.version === 4 ? 26 : 122) : spec.blockSize;
}

/** A rule that only applies once the pool CIDR parses (`ippool-cidr` reports it otherwise). */
function withCidr(f: (spec: JsonRecord, c: Cidr, s: Subject, ctx: ValidationContext) => Issue[]): (s: Subject, ctx: ValidationContext) => Issue[] {
  return (s, ctx) => {
    const c = cidrOf(s.spec);
    return c ? f(s.spec, c, s, ctx) : [];
  };
}

function pool(id: string, description: string, source: string, check: Rule['check']): Rule {
  return { id, kinds: ['IPPool'], description, source, check };
}

export const IPPOOL_RULES: readonly Rule[] = [
  pool('ippool-cidr', 'The pool CIDR is set and is a valid CIDR', 'validator.go validateIPPoolSpec, clientv3 validateAndSetDefaults', (s) => {
    if (s.spec.cidr === undefined || s.spec.cidr === '') return [issue('spec.cidr', 'an IP pool CIDR must be specified')];
    return cidrOf(s.spec) ? [] : [issue('spec.cidr', `${show(s.spec.cidr)} is not a valid CIDR`)];
  }),
  pool(
    'ippool-cidr-masked',
    'The pool CIDR is strictly masked (no host bits)',
    'validator.go validateIPPoolSpec',
    withCidr((spec, c) => (c.masked ? [] : [issue('spec.cidr', `${show(spec.cidr)} is not strictly masked (host bits are set)`)])),
  ),
  pool(
    'ippool-block-size',
    'blockSize is 20-32 for an IPv4 pool and 116-128 for an IPv6 pool (unset means 26 or 122)',
    'clientv3 ipPools.validateAndSetDefaults',
    withCidr((spec, c) => {
      const b = blockSize(spec, c);
      const [min, max] = c.version === 4 ? [20, 32] : [116, 128];
      if (typeof b === 'number' && Number.isInteger(b) && b >= min && b <= max) return [];
      return [issue('spec.blockSize', `${show(b)}: IPv${c.version} block size must be between ${min} and ${max}`)];
    }),
  ),
  pool(
    'ippool-size-vs-block',
    'An enabled pool is at least one block large (pool prefix length <= blockSize)',
    'validator.go validateIPPoolSpec, clientv3 validateAndSetDefaults',
    withCidr((spec, c) => {
      const b = blockSize(spec, c);
      if (spec.disabled === true || typeof b !== 'number' || c.prefix <= b) return [];
      return [issue('spec.cidr', `a /${c.prefix} pool is smaller than its /${b} blocks; it must be equal to or larger than the block size`)];
    }),
  ),
  pool(
    'ippool-link-local',
    'The pool does not overlap the link-local ranges 169.254.0.0/16 and fe80::/10',
    'validator.go validateIPPoolSpec',
    withCidr((spec, c) => {
      const range = linkLocalOverlap(c);
      return range ? [issue('spec.cidr', `${show(spec.cidr)} overlaps the link-local range ${range}`)] : [];
    }),
  ),
  pool('ippool-encap-mode', 'ipipMode and vxlanMode are Always, CrossSubnet or Never', 'validator.go validateIPIPMode, validateVXLANMode', (s) => [
    ...oneOf(s.spec.ipipMode, 'spec.ipipMode', MODES),
    ...oneOf(s.spec.vxlanMode, 'spec.vxlanMode', MODES),
  ]),
  pool('ippool-ipip-vxlan-exclusive', 'IPIP and VXLAN are not both enabled on one pool', 'validator.go validateIPPoolSpec, clientv3 validateAndSetDefaults', (s) =>
    enabled(s.spec.ipipMode) && enabled(s.spec.vxlanMode) ? [issue('spec.vxlanMode', 'cannot enable both VXLAN and IPIP on the same IP pool')] : [],
  ),
  pool(
    'ippool-ipip-ipv6',
    'IPIP is not enabled on an IPv6 pool',
    'validator.go validateIPPoolSpec',
    withCidr((spec, c) =>
      c.version === 6 && present(spec.ipipMode) && spec.ipipMode !== '' && spec.ipipMode !== 'Never'
        ? [issue('spec.ipipMode', 'IPIP is not supported on an IPv6 IP pool; ipipMode must be Never')]
        : [],
    ),
  ),
  pool('ippool-allowed-uses', 'allowedUses holds only Workload, Tunnel and LoadBalancer', 'validator.go validateIPPoolSpec', (s) =>
    list(s.spec.allowedUses).flatMap((u, i) => oneOf(u, join(join('spec', 'allowedUses'), i), ['Workload', 'Tunnel', 'LoadBalancer'])),
  ),
  pool('ippool-loadbalancer-exclusive', 'A LoadBalancer pool is not also a Workload or Tunnel pool', 'validator.go validateIPPoolSpec', (s) =>
    isLoadBalancer(s.spec)
      ? list(s.spec.allowedUses).flatMap((u, i) => (u === 'Workload' || u === 'Tunnel' ? [issue(join(join('spec', 'allowedUses'), i), `LoadBalancer cannot be used at the same time as ${u}`)] : []))
      : [],
  ),
  pool('ippool-loadbalancer-encap', 'A LoadBalancer pool has neither IPIP nor VXLAN enabled', 'validator.go validateIPPoolSpec', (s) =>
    isLoadBalancer(s.spec) && (enabled(s.spec.ipipMode) || enabled(s.spec.vxlanMode)) ? [issue('spec.ipipMode', 'neither ipipMode nor vxlanMode can be enabled on a LoadBalancer IP pool')] : [],
  ),
  pool('ippool-loadbalancer-bgp-export', 'A LoadBalancer pool does not set disableBGPExport (its addresses must be advertised)', 'validator.go validateIPPoolSpec', (s) =>
    isLoadBalancer(s.spec) && s.spec.disableBGPExport === true ? [issue('spec.disableBGPExport', 'a LoadBalancer IP pool cannot disable BGP export')] : [],
  ),
  pool('ippool-loadbalancer-node-selector', 'A LoadBalancer pool selects all() nodes (unset means all())', 'validator.go validateIPPoolSpec', (s) => {
    const sel = s.spec.nodeSelector === undefined || s.spec.nodeSelector === '' ? 'all()' : s.spec.nodeSelector;
    return isLoadBalancer(s.spec) && sel !== 'all()' ? [issue('spec.nodeSelector', `a LoadBalancer pool must select all() nodes, not ${show(sel)}`)] : [];
  }),
  pool('ippool-assignment-mode', 'assignmentMode is Automatic or Manual', 'validator.go validateAssignmentMode', (s) => oneOf(s.spec.assignmentMode, 'spec.assignmentMode', ['Automatic', 'Manual'])),
  pool('ippool-legacy-fields', 'The APIv1 compatibility fields ipip and nat-outgoing are not set', 'struct tags validate:"mustBeNil" / "mustBeFalse"', (s) => [
    ...(present(s.spec.ipip) ? [issue('spec.ipip', 'the APIv1 field ipip must not be set; use ipipMode')] : []),
    ...(s.spec['nat-outgoing'] === true ? [issue('spec["nat-outgoing"]', 'the APIv1 field nat-outgoing must not be set; use natOutgoing')] : []),
  ]),
  pool(
    'ippool-overlap',
    'The pool CIDR overlaps no other pool (from the validation context)',
    'clientv3 ipPools.validateAndSetDefaults',
    withCidr((spec, c, s, ctx) =>
      (ctx.ipPools ?? []).flatMap((other) => {
        if (other.name === s.object.name) return [];
        const o = parseCidr(other.cidr);
        return o && cidrsOverlap(c, o) ? [issue('spec.cidr', `${show(spec.cidr)} overlaps IPPool ${other.name} (${other.cidr})`)] : [];
      }),
    ),
  ),
];
