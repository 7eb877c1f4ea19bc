/** BGPPeer, BGPConfiguration and BGPFilter rules, and the AS number format they share with Nodes. */
import { join, list, nonEmpty, present, rec, show, type JsonRecord } from '../access.js';
import { goIp, ipPortHost, netProblem, parseCidrOrIp } from '../net.js';
import { isName } from '../names.js';
import { decodeAsn, parseUint } from '../numorstring.js';
import type { Issue, Rule } from '../types.js';
import { issue, oneOf, strings } from './helpers.js';

const LOG_LEVELS = ['Trace', 'Debug', 'Info', 'Warning', 'Error', 'Fatal'];
const IGNORED_INTERFACE = /^[a-zA-Z0-9_.*-]{1,15}$/;
const FILTER_INTERFACE = /^[a-zA-Z0-9_.*-]{1,15}$/;
const STANDARD_COMMUNITY = /^(\d+):(\d+)$/;
const LARGE_COMMUNITY = /^(\d+):(\d+):(\d+)$/;

export function asnIssue(v: unknown, path: string): Issue[] {
  if (!present(v)) return [];
  return decodeAsn(v) === null ? [issue(path, `${show(v)} is not an AS number (an integer up to 4294967295, or dotted "a.b" with a and b 0-65535)`)] : [];
}

/** `isValidCommunity`: null when not in community format, else the problems with its numbers. */
function communityFormat(v: string): Issue[] | null {
  const std = STANDARD_COMMUNITY.test(v);
  if (!std && !LARGE_COMMUNITY.test(v)) return null;
  const bits = std ? 16 : 32;
  return v.split(':').some((n) => parseUint(n, bits) === null) ? [issue('', `invalid community value ${show(v)}, expected ${bits}-bit values`)] : [];
}

function at(path: string, issues: Issue[]): Issue[] {
  return issues.map((i) => ({ ...i, path }));
}

function communities(spec: JsonRecord): Issue[] {
  const out: Issue[] = [];
  const defined = list(spec.communities).map((c) => rec(c));
  defined.forEach((c, i) => {
    const p = join(join('spec', 'communities'), i);
    if (!nonEmpty(c.name)) out.push(issue(join(p, 'name'), 'a community needs a name'));
    else if (!isName(c.name)) out.push(issue(join(p, 'name'), `${show(c.name)} is not a valid name`));
    if (!nonEmpty(c.value)) out.push(issue(join(p, 'value'), 'a community needs a value'));
    else {
      const f = communityFormat(c.value);
      out.push(...(f === null ? [issue(join(p, 'value'), `${show(c.value)} is not a community value (aa:nn or aa:nn:mm)`)] : at(join(p, 'value'), f)));
    }
  });
  if (defined.length > 0 && list(spec.prefixAdvertisements).length === 0) out.push(issue('spec.communities', 'communities are defined but not used in spec.prefixAdvertisements'));
  return out;
}

function prefixAdvertisements(spec: JsonRecord): Issue[] {
  const names = new Set(list(spec.communities).map((c) => rec(c).name));
  return list(spec.prefixAdvertisements).flatMap((x, i) => {
    const pa = rec(x);
    const p = join(join('spec', 'prefixAdvertisements'), i);
    const out: Issue[] = [];
    if (!nonEmpty(pa.cidr)) out.push(issue(join(p, 'cidr'), 'a prefix advertisement needs a cidr'));
    else {
      const e = netProblem(pa.cidr);
      if (e) out.push(issue(join(p, 'cidr'), `${show(pa.cidr)} ${e}`));
    }
    if (!Array.isArray(pa.communities)) out.push(issue(join(p, 'communities'), 'a prefix advertisement needs a communities list'));
    for (const c of strings(pa.communities, join(p, 'communities'))) {
      const f = communityFormat(c.value);
      if (f === null && !names.has(c.value)) out.push(issue(c.path, `${show(c.value)} is neither a community value nor a community defined in spec.communities`));
      else if (f) out.push(...at(c.path, f));
    }
    return out;
  });
}

function serviceCidrs(spec: JsonRecord): Issue[] {
  return ['serviceClusterIPs', 'serviceExternalIPs', 'serviceLoadBalancerIPs'].flatMap((k) =>
    list(spec[k]).flatMap((b, i): Issue[] => {
      const cidr = rec(b).cidr;
      if (!present(cidr) || cidr === '') return [];
      const e = typeof cidr === 'string' ? netProblem(cidr) : 'is not a string';
      return e ? [issue(join(join(join('spec', k), i), 'cidr'), `${show(cidr)} ${e}`)] : [];
    }),
  );
}

function nodeMesh(spec: JsonRecord): Issue[] {
  if (spec.nodeToNodeMeshEnabled !== false) return [];
  return (['nodeMeshPassword', 'nodeMeshMaxRestartTime'] as const).flatMap((k) => (present(spec[k]) ? [issue(join('spec', k), `${k} cannot be set when nodeToNodeMeshEnabled is false`)] : []));
}

/** `validateReachableBy`. */
function reachableBy(spec: JsonRecord): Issue[] {
  const rb = spec.reachableBy;
  if (!nonEmpty(rb)) return [];
  const peerIP = spec.peerIP;
  if (!nonEmpty(peerIP)) return [issue('spec.reachableBy', 'reachableBy must be empty when peerIP is empty')];
  const gw = goIp(rb);
  if (!gw) return [issue('spec.reachableBy', `${show(rb)} is not a valid IP address`)];
  const host = ipPortHost(peerIP);
  const peer = host === null ? null : goIp(host);
  if (!peer) return [issue('spec.peerIP', `${show(peerIP)} is not a valid peer address`)];
  return peer.version !== gw.version ? [issue('spec.reachableBy', 'reachableBy and peerIP address families differ')] : [];
}

type FilterFamily = 4 | 6;

function filterRules(spec: JsonRecord): { rule: JsonRecord; path: string; family: FilterFamily }[] {
  return (['exportV4', 'importV4', 'exportV6', 'importV6'] as const).flatMap((k) => {
    const family: FilterFamily = k.endsWith('V4') ? 4 : 6;
    return list(spec[k]).map((r, i) => ({ rule: rec(r), path: join(join('spec', k), i), family }));
  });
}

function filterCidr(rule: JsonRecord, path: string, family: FilterFamily): Issue[] {
  if (!present(rule.cidr) || rule.cidr === '') return [];
  const n = typeof rule.cidr === 'string' ? parseCidrOrIp(rule.cidr) : null;
  if (!n || n.version !== family) return [issue(join(path, 'cidr'), `${show(rule.cidr)} is not an IPv${family} CIDR`)];
  return n.masked ? [] : [issue(join(path, 'cidr'), `${show(rule.cidr)} is not strictly masked (host bits are set)`)];
}

function filterPrefixLength(rule: JsonRecord, path: string, family: FilterFamily): Issue[] {
  if (!present(rule.prefixLength)) return [];
  const p = join(path, 'prefixLength');
  const out: Issue[] = [];
  if (!nonEmpty(rule.cidr)) out.push(issue(p, 'cidr cannot be empty when prefixLength is set'));
  const max = family === 4 ? 32 : 128;
  for (const k of ['min', 'max'] as const) {
    const v = rec(rule.prefixLength)[k];
    if (present(v) && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max)) out.push(issue(join(p, k), `${show(v)} is not a prefix length (0-${max})`));
  }
  return out;
}

function bgp(id: string, kinds: string[], description: string, source: string, check: Rule['check']): Rule {
  return { id, kinds, description, source, check };
}

export const BGP_RULES: readonly Rule[] = [
  bgp('asn-format', ['BGPPeer', 'BGPConfiguration'], 'AS numbers decode as numorstring.ASNumber: 0-4294967295 or dotted "a.b" (16 bits each)', 'numorstring.ASNumber UnmarshalJSON', (s) => [
    ...asnIssue(s.spec.asNumber, 'spec.asNumber'),
    ...(s.kind === 'BGPPeer' ? asnIssue(s.spec.localASNumber, 'spec.localASNumber') : []),
  ]),
  bgp('bgppeer-peer-ip', ['BGPPeer'], 'peerIP is an IP, <IPv4>:<port> or [<IPv6>]:<port> with a port 1-65535', 'validator.go validateIPPort', (s) =>
    present(s.spec.peerIP) && s.spec.peerIP !== '' && (typeof s.spec.peerIP !== 'string' || ipPortHost(s.spec.peerIP) === null)
      ? [issue('spec.peerIP', `${show(s.spec.peerIP)} is not "<IP>", "<IPv4>:<port>" or "[<IPv6>]:<port>"`)]
      : [],
  ),
  bgp('bgppeer-node-exclusive', ['BGPPeer'], 'node and nodeSelector are not both set', 'validator.go validateBGPPeerSpec', (s) =>
    nonEmpty(s.spec.node) && nonEmpty(s.spec.nodeSelector) ? [issue('spec.node', 'node must be empty when nodeSelector is specified')] : [],
  ),
  bgp('bgppeer-peer-selector-exclusive', ['BGPPeer'], 'With a peerSelector, peerIP and asNumber are empty', 'validator.go validateBGPPeerSpec', (s) => {
    if (!nonEmpty(s.spec.peerSelector)) return [];
    const out: Issue[] = [];
    if (nonEmpty(s.spec.peerIP)) out.push(issue('spec.peerIP', 'peerIP must be empty when peerSelector is specified'));
    if (present(s.spec.asNumber) && decodeAsn(s.spec.asNumber) !== 0) out.push(issue('spec.asNumber', 'asNumber must be empty when peerSelector is specified'));
    return out;
  }),
  bgp('bgppeer-local-workload-selector', ['BGPPeer'], 'A localWorkloadSelector peering has an asNumber and no peerIP or peerSelector', 'validator.go validateBGPPeerSpec', (s) => {
    if (!nonEmpty(s.spec.localWorkloadSelector)) return [];
    const out: Issue[] = [];
    const asn = present(s.spec.asNumber) ? decodeAsn(s.spec.asNumber) : 0;
    if (asn === 0) out.push(issue('spec.asNumber', 'asNumber must be set when localWorkloadSelector is specified'));
    if (nonEmpty(s.spec.peerIP)) out.push(issue('spec.peerIP', 'peerIP must be empty when localWorkloadSelector is specified'));
    if (nonEmpty(s.spec.peerSelector)) out.push(issue('spec.peerSelector', 'peerSelector must be empty when localWorkloadSelector is specified'));
    return out;
  }),
  bgp('bgppeer-reachable-by', ['BGPPeer'], 'reachableBy is an IP of the same family as peerIP, and needs a peerIP', 'validator.go validateReachableBy', (s) => reachableBy(s.spec)),
  bgp('bgppeer-next-hop-mode', ['BGPPeer'], 'The deprecated keepOriginalNextHop is not true when nextHopMode is set', 'validator.go validateBGPPeerSpec', (s) =>
    s.spec.keepOriginalNextHop === true && present(s.spec.nextHopMode) ? [issue('spec.keepOriginalNextHop', 'keepOriginalNextHop is deprecated and must not be true when nextHopMode is set')] : [],
  ),
  bgp('bgppeer-source-address', ['BGPPeer'], 'sourceAddress is UseNodeIP or None', 'validator.go sourceAddress (SourceAddressRegex)', (s) =>
    oneOf(s.spec.sourceAddress, 'spec.sourceAddress', ['UseNodeIP', 'None']),
  ),
  bgp('bgppeer-filters-exist', ['BGPPeer'], 'Every filters entry names a BGPFilter that exists after the migration', 'calico-migrate (confd silently ignores a missing filter)', (s, ctx) =>
    strings(s.spec.filters, 'spec.filters').flatMap((f) => (ctx.bgpFilterNames.has(f.value) ? [] : [issue(f.path, `BGPFilter ${show(f.value)} does not exist`)])),
  ),
  bgp('bgpconfig-log-severity', ['BGPConfiguration'], 'logSeverityScreen is Trace, Debug, Info, Warning, Error or Fatal (case-sensitive)', 'validator.go validateLogLevel', (s) =>
    oneOf(s.spec.logSeverityScreen, 'spec.logSeverityScreen', LOG_LEVELS),
  ),
  bgp(
    'bgpconfig-service-cidrs',
    ['BGPConfiguration'],
    'serviceClusterIPs, serviceExternalIPs and serviceLoadBalancerIPs are strictly masked CIDRs or IPs',
    'struct tag validate:"omitempty,net"',
    (s) => serviceCidrs(s.spec),
  ),
  bgp(
    'bgpconfig-communities',
    ['BGPConfiguration'],
    'Communities have a name and an aa:nn (16-bit) or aa:nn:mm (32-bit) value, and are used by a prefix advertisement',
    'validator.go validateBGPConfigurationSpec',
    (s) => communities(s.spec),
  ),
  bgp(
    'bgpconfig-prefix-advertisements',
    ['BGPConfiguration'],
    'Prefix advertisements have a strictly masked cidr and communities that are values or defined names',
    'validator.go validateBGPConfigurationSpec',
    (s) => prefixAdvertisements(s.spec),
  ),
  bgp('bgpconfig-node-mesh', ['BGPConfiguration'], 'nodeMeshPassword and nodeMeshMaxRestartTime are not set when nodeToNodeMeshEnabled is false', 'validator.go validateBGPConfigurationSpec', (s) =>
    nodeMesh(s.spec),
  ),
  bgp('bgpconfig-ignored-interfaces', ['BGPConfiguration'], 'ignoredInterfaces are interface names or globs of at most 15 characters, not "*"', 'validator.go validateIgnoredInterface', (s) =>
    strings(s.spec.ignoredInterfaces, 'spec.ignoredInterfaces').flatMap((f) =>
      f.value !== '*' && IGNORED_INTERFACE.test(f.value) ? [] : [issue(f.path, `${show(f.value)} is not an interface name or glob ([a-zA-Z0-9_.*-], 1-15 characters, not "*")`)],
    ),
  ),
  bgp('bgpconfig-listen-port', ['BGPConfiguration'], 'listenPort is 1-65535', 'struct tag validate:"omitempty,gt=0" (uint16)', (s) => {
    const v = s.spec.listenPort;
    return present(v) && v !== 0 && !(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) ? [issue('spec.listenPort', `${show(v)} is not a port (1-65535)`)] : [];
  }),
  bgp('bgpfilter-cidr', ['BGPFilter'], 'Filter rule CIDRs are strictly masked and of the rule family (IPv4 in *V4, IPv6 in *V6)', 'struct tags validate:"netv4" / "netv6"', (s) =>
    filterRules(s.spec).flatMap((r) => filterCidr(r.rule, r.path, r.family)),
  ),
  bgp('bgpfilter-match-operator', ['BGPFilter'], 'matchOperator is Equal, NotEqual, In or NotIn, and is set exactly when cidr is', 'validator.go validateBGPFilterRule, matchOperatorRegex', (s) =>
    filterRules(s.spec).flatMap((r) => {
      const out = oneOf(r.rule.matchOperator, join(r.path, 'matchOperator'), ['Equal', 'NotEqual', 'In', 'NotIn']);
      if (nonEmpty(r.rule.cidr) && !nonEmpty(r.rule.matchOperator)) out.push(issue(join(r.path, 'matchOperator'), 'matchOperator cannot be empty when cidr is set'));
      if (!nonEmpty(r.rule.cidr) && nonEmpty(r.rule.matchOperator)) out.push(issue(join(r.path, 'cidr'), 'cidr cannot be empty when matchOperator is set'));
      return out;
    }),
  ),
  bgp('bgpfilter-action', ['BGPFilter'], 'Every filter rule has action Accept or Reject', 'struct tag validate:"required,filterAction"', (s) =>
    filterRules(s.spec).flatMap((r) =>
      nonEmpty(r.rule.action) ? oneOf(r.rule.action, join(r.path, 'action'), ['Accept', 'Reject']) : [issue(join(r.path, 'action'), 'a filter rule needs an action (Accept or Reject)')],
    ),
  ),
  bgp('bgpfilter-prefix-length', ['BGPFilter'], 'prefixLength min/max are 0-32 (V4) or 0-128 (V6) and need a cidr', 'validator.go validateBGPFilterRule, bgpFilterPrefixLengthV4/V6', (s) =>
    filterRules(s.spec).flatMap((r) => filterPrefixLength(r.rule, r.path, r.family)),
  ),
  bgp('bgpfilter-interface', ['BGPFilter'], 'interface is an interface name or glob of at most 15 characters', 'validator.go validateBGPFilterInterface', (s) =>
    filterRules(s.spec).flatMap((r) => {
      const v = r.rule.interface;
      if (!present(v) || v === '') return [];
      return typeof v === 'string' && (v === '*' || FILTER_INTERFACE.test(v))
        ? []
        : [issue(join(r.path, 'interface'), `${show(v)} is not an interface name or glob ([a-zA-Z0-9_.*-], 1-15 characters)`)];
    }),
  ),
  bgp('bgpfilter-source', ['BGPFilter'], 'source is RemotePeers when set', 'struct tag validate:"omitempty,oneof=RemotePeers"', (s) =>
    filterRules(s.spec).flatMap((r) => oneOf(r.rule.source, join(r.path, 'source'), ['RemotePeers'])),
  ),
];
