/** FelixConfiguration rules: `validateFelixConfigSpec` and the FelixConfigurationSpec struct tags. */
import { join, list, present, rec, show, type JsonRecord } from '../access.js';
import { goRegexpError } from '../go.js';
import { cidrProblem, goIp, parseCidrOrIp } from '../net.js';
import { isNamedPort, portError } from '../numorstring.js';
import type { Issue, Rule } from '../types.js';
import { inRange, issue, oneOf, strings } from './helpers.js';

const LOG_LEVELS = ['Trace', 'Debug', 'Info', 'Warning', 'Error', 'Fatal'];
const INTERFACE = /^[a-zA-Z0-9_.-]{1,15}$/;
const IFACE_FILTER = /^[a-zA-Z0-9:._+-]{1,15}$/;
const PROMETHEUS_HOST = /^[a-zA-Z0-9:._+-]{1,64}$/;
const KEY_VALUE = /^\s*(\w+)=(.*)$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HEALTH_NAME = /^[a-zA-Z0-9_ -]+$/;

/** Field -> allowed values, for the enum-like tags (`logLevel`, `dropAcceptReturn`, `oneof=...`, ...). */
const ENUMS: Record<string, readonly string[]> = {
  logSeverityScreen: LOG_LEVELS,
  logSeverityFile: LOG_LEVELS,
  logSeveritySys: LOG_LEVELS,
  bpfLogLevel: ['Debug', 'Info', 'Off'],
  bpfExternalServiceMode: ['Tunnel', 'DSR'],
  bpfConnectTimeLoadBalancing: ['Disabled', 'Enabled', 'TCP'],
  bpfHostNetworkedNATWithoutCTLB: ['Disabled', 'Enabled'],
  defaultEndpointToHostAction: ['Drop', 'Accept', 'Return'],
  iptablesFilterAllowAction: ['Accept', 'Return'],
  iptablesMangleAllowAction: ['Accept', 'Return'],
  iptablesFilterDenyAction: ['Drop', 'Reject'],
  nftablesFilterAllowAction: ['Accept', 'Return'],
  nftablesMangleAllowAction: ['Accept', 'Return'],
  nftablesFilterDenyAction: ['Drop', 'Reject'],
  iptablesBackend: ['Auto', 'NFT', 'Legacy'],
  serviceLoopPrevention: ['Drop', 'Reject', 'Disabled'],
  awsSrcDstCheck: ['DoNothing', 'Enable', 'Disable'],
};

const REGEXP_FIELDS = ['bpfDataIfacePattern', 'bpfL3IfacePattern', 'mtuIfacePattern', 'logDebugFilenameRegex'];
const INTERFACE_FIELDS = ['wireguardInterfaceName', 'wireguardInterfaceNameV6'];

function felix(id: string, description: string, source: string, check: (spec: JsonRecord) => Issue[]): Rule {
  return { id, kinds: ['FelixConfiguration'], description, source, check: (s) => check(s.spec) };
}

function routeTables(spec: JsonRecord): Issue[] {
  const out: Issue[] = [];
  if (present(spec.routeTableRange) && present(spec.routeTableRanges)) out.push(issue('spec.routeTableRange', 'routeTableRange cannot be set when routeTableRanges is also set'));
  if (present(spec.routeTableRange)) {
    const r = rec(spec.routeTableRange);
    const ok = typeof r.min === 'number' && typeof r.max === 'number' && r.min >= 1 && r.max >= r.min && r.max <= 250;
    if (!ok) out.push(issue('spec.routeTableRange', `${show(spec.routeTableRange)} must be a range of route table indices within 1..250`));
  }
  let total = 0;
  list(spec.routeTableRanges).forEach((x, i) => {
    const r = rec(x);
    const p = join(join('spec', 'routeTableRanges'), i);
    const min = typeof r.min === 'number' ? r.min : 0;
    const max = typeof r.max === 'number' ? r.max : 0;
    if (min > max) out.push(issue(p, 'min cannot be greater than max'));
    if (min <= 0) out.push(issue(p, 'cannot target indices < 1'));
    if (max > 0xffffffff) out.push(issue(p, 'max index too high (at most 4294967295)'));
    if (min <= max) total += max - min + 1;
  });
  if (total > 0xffff) out.push(issue('spec.routeTableRanges', `target ${total} tables, more than 65535`));
  return out;
}

function failsafePorts(spec: JsonRecord): Issue[] {
  return (['failsafeInboundHostPorts', 'failsafeOutboundHostPorts'] as const).flatMap((k) =>
    list(spec[k]).flatMap((x, i) => {
      const pp = rec(x);
      const p = join(join('spec', k), i);
      const out: Issue[] = [];
      if (pp.protocol !== 'TCP' && pp.protocol !== 'UDP' && pp.protocol !== 'SCTP') out.push(issue(join(p, 'protocol'), `${show(pp.protocol ?? null)}: protocol must be 'TCP', 'UDP' or 'SCTP'`));
      out.push(...inRange(pp.port, join(p, 'port'), 0, 65535));
      if (typeof pp.net === 'string' && pp.net !== '') {
        const e = cidrProblem(pp.net);
        if (e) out.push(issue(join(p, 'net'), `${show(pp.net)} ${e}`));
      }
      return out;
    }),
  );
}

function kubeNodePortRanges(spec: JsonRecord): Issue[] {
  if (!present(spec.kubeNodePortRanges)) return [];
  const ranges = list(spec.kubeNodePortRanges);
  const out: Issue[] = [];
  if (ranges.length > 7) out.push(issue('spec.kubeNodePortRanges', `${ranges.length} node port ranges, more than 7 (iptables multiport takes at most 15 ports)`));
  ranges.forEach((r, i) => {
    const p = join(join('spec', 'kubeNodePortRanges'), i);
    if (isNamedPort(r)) out.push(issue(p, 'node port ranges must be numeric, not named ports'));
    else {
      const e = portError(r);
      if (e) out.push(issue(p, e));
    }
  });
  return out;
}

function ipOf(spec: JsonRecord, field: string, version: 4 | 6): Issue[] {
  const v = spec[field];
  if (!present(v) || v === '') return [];
  const ip = typeof v === 'string' ? goIp(v) : null;
  return ip?.version === version ? [] : [issue(join('spec', field), `${show(v)} is not a valid IPv${version} address`)];
}

export const FELIX_RULES: readonly Rule[] = [
  felix(
    'felix-enums',
    'Log levels, BPF modes, iptables/nftables actions, iptablesBackend, serviceLoopPrevention and awsSrcDstCheck take their exact (case-sensitive) values',
    'validator.go logLevel, bpfLogLevel, dropAcceptReturn, acceptReturn, dropReject, iptablesBackend, bpf* validators; oneof tags',
    (spec) => Object.entries(ENUMS).flatMap(([k, allowed]) => oneOf(spec[k], join('spec', k), allowed)),
  ),
  felix('felix-ports', 'wireguardListeningPort(V6) are 1-65535 and wireguardRoutingRulePriority is 1-32765', 'struct tags gt=0,lte=65535 / gt=0,lt=32766', (spec) => [
    ...inRange(spec.wireguardListeningPort, 'spec.wireguardListeningPort', 1, 65535),
    ...inRange(spec.wireguardListeningPortV6, 'spec.wireguardListeningPortV6', 1, 65535),
    ...inRange(spec.wireguardRoutingRulePriority, 'spec.wireguardRoutingRulePriority', 1, 32765),
  ]),
  felix('felix-bpf-ext-to-service-connmark', 'bpfExtToServiceConnmark is a 32-bit mark (0-4294967295)', 'struct tag gte=0,lte=4294967295', (spec) =>
    inRange(spec.bpfExtToServiceConnmark, 'spec.bpfExtToServiceConnmark', 0, 0xffffffff),
  ),
  felix(
    'felix-interface-names',
    'wireguardInterfaceName(V6) are interface names (1-15 of [a-zA-Z0-9_.-]); iptablesNATOutgoingInterfaceFilter and bpfForceTrackPacketsFromIfaces are interface filters',
    'validator.go validateInterface, validateIfaceFilter(Slice)',
    (spec) => [
      ...INTERFACE_FIELDS.flatMap((k) => {
        const v = spec[k];
        return !present(v) || v === '' || (typeof v === 'string' && INTERFACE.test(v)) ? [] : [issue(join('spec', k), `${show(v)} is not an interface name`)];
      }),
      ...(present(spec.iptablesNATOutgoingInterfaceFilter) &&
      spec.iptablesNATOutgoingInterfaceFilter !== '' &&
      !(typeof spec.iptablesNATOutgoingInterfaceFilter === 'string' && IFACE_FILTER.test(spec.iptablesNATOutgoingInterfaceFilter))
        ? [issue('spec.iptablesNATOutgoingInterfaceFilter', `${show(spec.iptablesNATOutgoingInterfaceFilter)} is not an interface filter ([a-zA-Z0-9:._+-], 1-15 characters)`)]
        : []),
      ...strings(spec.bpfForceTrackPacketsFromIfaces, 'spec.bpfForceTrackPacketsFromIfaces').flatMap((f) =>
        IFACE_FILTER.test(f.value) ? [] : [issue(f.path, `${show(f.value)} is not an interface filter`)],
      ),
    ],
  ),
  felix('felix-regexps', 'bpfDataIfacePattern, bpfL3IfacePattern, mtuIfacePattern and logDebugFilenameRegex compile as Go (RE2) regular expressions', 'validator.go validateRegexp', (spec) =>
    REGEXP_FIELDS.flatMap((k) => {
      const v = spec[k];
      if (typeof v !== 'string' || v === '') return [];
      const e = goRegexpError(v);
      return e ? [issue(join('spec', k), `${show(v)} ${e}`)] : [];
    }),
  ),
  felix('felix-bpf-log-filters', 'bpfLogFilters keys are interface names (or "all")', 'validator.go validateBPFLogFilters', (spec) =>
    Object.keys(rec(spec.bpfLogFilters)).flatMap((k) => (INTERFACE.test(k) ? [] : [issue(join('spec.bpfLogFilters', k), `${show(k)} is not an interface name`)])),
  ),
  felix('felix-prometheus-host', 'prometheusMetricsHost is a host name or IP (1-64 of [a-zA-Z0-9:._+-])', 'validator.go validatePrometheusHost', (spec) => {
    const v = spec.prometheusMetricsHost;
    return !present(v) || v === '' || (typeof v === 'string' && PROMETHEUS_HOST.test(v)) ? [] : [issue('spec.prometheusMetricsHost', `${show(v)} is not a host name or IP`)];
  }),
  felix('felix-key-value-lists', 'featureDetectOverride and featureGates are comma-separated key=value lists', 'validator.go validateKeyValueList', (spec) =>
    (['featureDetectOverride', 'featureGates'] as const).flatMap((k) => {
      const v = spec[k];
      if (typeof v !== 'string' || v.trim() === '') return [];
      const bad = v.split(',').filter((item) => item !== '' && !KEY_VALUE.test(item));
      return bad.length ? [issue(join('spec', k), `${show(bad[0])} is not key=value`)] : [];
    }),
  ),
  felix('felix-kube-node-port-ranges', 'kubeNodePortRanges holds at most 7 numeric ports or ranges', 'validator.go validateFelixConfigSpec', kubeNodePortRanges),
  felix('felix-port-ranges', 'natPortRange and bpfPSNATPorts are valid ports or min:max ranges', 'validator.go validatePort', (spec) =>
    (['natPortRange', 'bpfPSNATPorts'] as const).flatMap((k) => {
      if (!present(spec[k])) return [];
      const e = portError(spec[k]);
      return e ? [issue(join('spec', k), e)] : [];
    }),
  ),
  felix('felix-external-nodes', 'externalNodesList holds IPv4 CIDRs or addresses', 'validator.go validateFelixConfigSpec', (spec) =>
    list(spec.externalNodesList).flatMap((v, i) => {
      const n = typeof v === 'string' ? parseCidrOrIp(v) : null;
      const p = join(join('spec', 'externalNodesList'), i);
      if (!n) return [issue(p, `${show(v)} is not a valid CIDR`)];
      return n.version === 4 ? [] : [issue(p, `${show(v)} is IPv6; externalNodesList takes IPv4 CIDRs only`)];
    }),
  ),
  felix('felix-cidr-lists', 'bpfExcludeCIDRsFromNAT and bpfDSROptoutCIDRs hold CIDRs or addresses', 'struct tag validate:"cidrs"', (spec) =>
    (['bpfExcludeCIDRsFromNAT', 'bpfDSROptoutCIDRs'] as const).flatMap((k) =>
      list(spec[k]).flatMap((v, i) => {
        const e = typeof v === 'string' ? cidrProblem(v) : 'is not a string';
        return e ? [issue(join(join('spec', k), i), `${show(v)} ${e}`)] : [];
      }),
    ),
  ),
  felix('felix-openstack-region', 'openstackRegion is a DNS label of at most 46 characters (it becomes namespace openstack-region-<region>)', 'validator.go validateFelixConfigSpec', (spec) => {
    const v = spec.openstackRegion;
    if (typeof v !== 'string' || v === '') return [];
    if (v.length > 63 - 'openstack-region-'.length) return [issue('spec.openstackRegion', `${show(v)} is too long (at most 46 characters)`)];
    return DNS_LABEL.test(v) ? [] : [issue('spec.openstackRegion', `${show(v)} must be a valid DNS label`)];
  }),
  felix('felix-addresses', 'natOutgoingAddress and deviceRouteSourceAddress are IPv4 addresses, deviceRouteSourceAddressIPv6 an IPv6 address', 'validator.go validateFelixConfigSpec', (spec) => [
    ...ipOf(spec, 'natOutgoingAddress', 4),
    ...ipOf(spec, 'deviceRouteSourceAddress', 4),
    ...ipOf(spec, 'deviceRouteSourceAddressIPv6', 6),
  ]),
  felix(
    'felix-route-tables',
    'routeTableRange is within 1-250; routeTableRanges are min<=max within 1-4294967295 and 65535 tables in total; not both set',
    'validator.go validateRouteTableRange, validateRouteTableIDRange, validateFelixConfigSpec',
    routeTables,
  ),
  felix('felix-failsafe-ports', "failsafeInbound/OutboundHostPorts entries have protocol 'TCP', 'UDP' or 'SCTP', a port 0-65535 and a valid net", 'validator.go validateProtoPort', failsafePorts),
  felix('felix-health-timeout-overrides', 'healthTimeoutOverrides have a name of [a-zA-Z0-9_ -] and a non-negative timeout', 'validator.go validateHealthTimeoutOverride', (spec) =>
    list(spec.healthTimeoutOverrides).flatMap((x, i) => {
      const o = rec(x);
      const p = join(join('spec', 'healthTimeoutOverrides'), i);
      const out: Issue[] = [];
      if (!(typeof o.name === 'string' && HEALTH_NAME.test(o.name))) out.push(issue(join(p, 'name'), `${show(o.name ?? '')} does not match ^[a-zA-Z0-9_ -]+$`));
      if (typeof o.timeout === 'string' && o.timeout.trim().startsWith('-')) out.push(issue(join(p, 'timeout'), 'timeout must not be negative'));
      return out;
    }),
  ),
];
