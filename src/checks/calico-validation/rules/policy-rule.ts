/**
 * The checks on each ingress/egress rule of a policy (`validateRule`, `validateEntityRule`,
 * `validateICMPFields`, `validateHTTPRule`, `validateProtocol`, `validatePort`, `validateRuleMetadata`
 * and the Rule/EntityRule struct tags).
 */
import { qualifiedNameError } from '../names.js';
import { join, list, nonEmpty, present, rec, show } from '../access.js';
import { parseCidrOrIp } from '../net.js';
import { isProtocolName, portError, protocolError, supportsPorts } from '../numorstring.js';
import { namespaceGlobalError } from '../selector.js';
import type { Issue, Rule, Subject } from '../types.js';
import { inRange, issue, POLICY_KINDS, policyRules, SIDES, type RuleAt } from './helpers.js';

const ACTIONS = ['Allow', 'Deny', 'Log', 'Pass'];
const PORT_FIELDS = ['ports', 'notPorts'] as const;
const NET_FIELDS = ['nets', 'notNets'] as const;

/** Applies `f` to every rule of a (non-staged-delete) policy. */
function eachRule(f: (r: RuleAt, s: Subject) => Issue[]): (s: Subject) => Issue[] {
  return (s) => policyRules(s.spec).flatMap((r) => f(r, s));
}

function sidePath(r: RuleAt, side: string, field?: string): string {
  const p = join(r.path, side);
  return field ? join(p, field) : p;
}

function ruleAction(r: RuleAt): Issue[] {
  const a = r.rule.action;
  if (typeof a === 'string' && ACTIONS.includes(a)) return [];
  return [issue(join(r.path, 'action'), a === undefined || a === '' ? 'a rule needs an action (Allow, Deny, Log or Pass)' : `${show(a)} is not one of Allow, Deny, Log, Pass`)];
}

function ruleProtocol(r: RuleAt): Issue[] {
  return (['protocol', 'notProtocol'] as const).flatMap((k): Issue[] => {
    if (!present(r.rule[k])) return [];
    const e = protocolError(r.rule[k]);
    return e ? [issue(join(r.path, k), e)] : [];
  });
}

function rulePorts(r: RuleAt): Issue[] {
  return SIDES.flatMap((side) =>
    PORT_FIELDS.flatMap((k) =>
      list(rec(r.rule[side])[k]).flatMap((p, i): Issue[] => {
        const e = portError(p);
        return e ? [issue(join(sidePath(r, side, k), i), e)] : [];
      }),
    ),
  );
}

function rulePortsProtocol(r: RuleAt): Issue[] {
  if (present(r.rule.protocol) && supportsPorts(r.rule.protocol)) return [];
  return SIDES.flatMap((side) =>
    PORT_FIELDS.flatMap((k): Issue[] => (list(rec(r.rule[side])[k]).length > 0 ? [issue(sidePath(r, side, k), 'rules that specify ports must set protocol to TCP, UDP or SCTP (or 6, 17, 132)')] : [])),
  );
}

function icmpFields(r: RuleAt): Issue[] {
  return (['icmp', 'notICMP'] as const).flatMap((k): Issue[] => {
    if (!present(r.rule[k])) return [];
    const f = rec(r.rule[k]);
    const p = join(r.path, k);
    const out = [...inRange(f.type, join(p, 'type'), 0, 254), ...inRange(f.code, join(p, 'code'), 0, 255)];
    if (present(f.code) && !present(f.type)) out.push(issue(join(p, 'code'), 'ICMP code specified without an ICMP type'));
    return out;
  });
}

function icmpProtocol(r: RuleAt): Issue[] {
  if (!present(r.rule.icmp)) return [];
  if (isProtocolName(r.rule.protocol, 'ICMP') || isProtocolName(r.rule.protocol, 'ICMPv6')) return [];
  return [issue(join(r.path, 'icmp'), 'rules that specify ICMP fields must set protocol to ICMP or ICMPv6 (by name)')];
}

function icmpIpVersion(r: RuleAt): Issue[] {
  const v = r.rule.ipVersion;
  if (!present(v)) return [];
  const uses = (name: string) => isProtocolName(r.rule.protocol, name) || isProtocolName(r.rule.notProtocol, name);
  const out: Issue[] = [];
  if (uses('ICMP') && v !== 4) out.push(issue(join(r.path, 'ipVersion'), 'must set ipVersion to 4 with protocol ICMP'));
  if (uses('ICMPv6') && v !== 6) out.push(issue(join(r.path, 'ipVersion'), 'must set ipVersion to 6 with protocol ICMPv6'));
  return out;
}

function ipVersion(r: RuleAt): Issue[] {
  const v = r.rule.ipVersion;
  return present(v) && v !== 4 && v !== 6 ? [issue(join(r.path, 'ipVersion'), `${show(v)} is not an IP version (4 or 6)`)] : [];
}

function ruleNets(r: RuleAt): Issue[] {
  return SIDES.flatMap((side) =>
    NET_FIELDS.flatMap((k) =>
      list(rec(r.rule[side])[k]).flatMap((n, i): Issue[] => {
        const path = join(sidePath(r, side, k), i);
        const parsed = typeof n === 'string' ? parseCidrOrIp(n) : null;
        if (!parsed || !parsed.hasPrefix) return [issue(path, `${show(n)} is not a CIDR (a prefix length is required, e.g. 10.0.0.1/32)`)];
        if (!parsed.masked) return [issue(path, `${show(n)} is not strictly masked (host bits are set)`)];
        return [];
      }),
    ),
  );
}

/** `scanNets`: the rule's CIDRs agree with its ipVersion and with each other. */
function netsIpVersion(r: RuleAt): Issue[] {
  const out: Issue[] = [];
  const want = r.rule.ipVersion;
  let seen4 = false;
  let seen6 = false;
  for (const side of SIDES) {
    for (const k of NET_FIELDS) {
      let v4 = false;
      let v6 = false;
      for (const n of list(rec(r.rule[side])[k])) {
        const parsed = typeof n === 'string' ? parseCidrOrIp(n) : null;
        if (!parsed?.hasPrefix) continue;
        v4 ||= parsed.version === 4;
        v6 ||= parsed.version === 6;
      }
      const path = sidePath(r, side, k);
      if ((want === 4 || want === 6) && ((v4 && want !== 4) || (v6 && want !== 6))) out.push(issue(path, `rule IP version ${want} doesn't match CIDR version`));
      if ((v4 && seen6) || (v6 && seen4) || (v4 && v6)) out.push(issue(path, 'rule contains both IPv4 and IPv6 CIDRs'));
      seen4 ||= v4;
      seen6 ||= v6;
    }
  }
  return out;
}

function http(r: RuleAt): Issue[] {
  if (!present(r.rule.http)) return [];
  const h = rec(r.rule.http);
  const p = join(r.path, 'http');
  const out: Issue[] = [];
  if (r.rule.action !== 'Allow') out.push(issue(p, 'HTTP match is only valid for Allow rules'));
  if (present(r.rule.protocol) && !isProtocolName(r.rule.protocol, 'TCP')) out.push(issue(join(r.path, 'protocol'), 'rules that specify HTTP fields must set protocol to TCP or leave it empty'));
  if (r.direction === 'egress') out.push(issue(p, 'HTTP match is not allowed in egress rules'));
  const methods = list(h.methods);
  if (new Set(methods).size !== methods.length) out.push(issue(join(p, 'methods'), `methods list a method more than once: ${show(methods)}`));
  list(h.paths).forEach((x, i) => {
    const path = rec(x);
    const where = join(join(p, 'paths'), i);
    const exact = typeof path.exact === 'string' ? path.exact : '';
    const prefix = typeof path.prefix === 'string' ? path.prefix : '';
    if (exact !== '' && prefix !== '') out.push(issue(where, "both 'exact' and 'prefix' are set"));
    const v = exact || prefix;
    if (v === '') out.push(issue(where, "either 'exact' or 'prefix' must be set"));
    else if (!v.startsWith('/') || /[? #]/.test(v)) out.push(issue(where, `path ${show(v)} must start with '/' and not contain '?', '#' or a space`));
  });
  return out;
}

function services(r: RuleAt, s: Subject): Issue[] {
  const out: Issue[] = [];
  for (const side of SIDES) {
    const e = rec(r.rule[side]);
    if (!present(e.services)) continue;
    const svc = rec(e.services);
    const p = sidePath(r, side, 'services');
    if (!nonEmpty(svc.name)) out.push(issue(p, 'must specify a service name'));
    if (nonEmpty(e.namespaceSelector)) out.push(issue(p, 'cannot specify namespaceSelector and services on the same rule'));
    if (nonEmpty(e.selector) || nonEmpty(e.notSelector)) out.push(issue(p, 'cannot specify selector/notSelector and services on the same rule'));
    if (present(e.serviceAccounts)) out.push(issue(p, 'cannot specify serviceAccounts and services on the same rule'));
    if (list(e.nets).length > 0 || list(e.notNets).length > 0) out.push(issue(p, 'cannot specify nets/notNets and services on the same rule'));
    if (side === 'destination' && (list(e.ports).length > 0 || list(e.notPorts).length > 0))
      out.push(issue(p, "cannot specify ports or notPorts with a destination service (the endpoints' ports are used)"));
    if (r.direction === 'egress' && side === 'source') out.push(issue(p, 'services are not allowed in an egress rule source'));
    if (r.direction === 'ingress' && side === 'destination') out.push(issue(p, 'services are not allowed in an ingress rule destination'));
    const gnp = s.kind === 'GlobalNetworkPolicy' || s.kind === 'StagedGlobalNetworkPolicy';
    const matchedSide = r.direction === 'egress' ? 'destination' : 'source';
    if (gnp && side === matchedSide && !nonEmpty(svc.namespace)) out.push(issue(join(p, 'namespace'), 'a global policy must name the service namespace'));
  }
  return out;
}

function entityGlobal(r: RuleAt): Issue[] {
  return SIDES.flatMap((side): Issue[] => {
    const e = rec(r.rule[side]);
    const out: Issue[] = [];
    if (typeof e.selector === 'string' && e.selector.includes('global()')) out.push(issue(sidePath(r, side, 'selector'), 'global() can only be used in an EntityRule namespaceSelector'));
    if (typeof e.namespaceSelector === 'string') {
      const err = namespaceGlobalError(e.namespaceSelector);
      if (err) out.push(issue(sidePath(r, side, 'namespaceSelector'), err));
    }
    return out;
  });
}

function metadata(r: RuleAt): Issue[] {
  const ann = rec(rec(r.rule.metadata).annotations);
  const p = join(join(r.path, 'metadata'), 'annotations');
  const out: Issue[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(ann)) {
    const e = qualifiedNameError(k.toLowerCase());
    if (e) out.push(issue(join(p, k), `annotation key ${e}`));
    size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > 256 * 1024) out.push(issue(p, `total size of annotations is too large by ${size - 256 * 1024} bytes`));
  return out;
}

function ruleRule(id: string, description: string, source: string, f: (r: RuleAt, s: Subject) => Issue[]): Rule {
  return { id, kinds: POLICY_KINDS, description, source, check: eachRule(f) };
}

export const POLICY_RULE_RULES: readonly Rule[] = [
  ruleRule('rule-action', 'Every rule has an action: Allow, Deny, Log or Pass', 'validator.go validateAction', ruleAction),
  ruleRule('rule-ip-version', 'A rule ipVersion is 4 or 6', 'validator.go validateIPVersion', ipVersion),
  ruleRule('rule-protocol', 'protocol/notProtocol are TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite (case-sensitive) or a number 1-255', 'validator.go validateProtocol', ruleProtocol),
  ruleRule('rule-ports', 'Ports are numbers 1-65535, "min:max" ranges with min <= max, or IANA port names', 'validator.go validatePort, numorstring.PortFromString', rulePorts),
  ruleRule(
    'rule-ports-protocol',
    'Rules with ports or notPorts set protocol TCP, UDP or SCTP (6, 17, 132); UDPLite has no ports in Calico',
    'validator.go validateRule (Protocol.SupportsPorts)',
    rulePortsProtocol,
  ),
  ruleRule('rule-icmp-fields', 'icmp/notICMP type is 0-254, code is 0-255, and a code needs a type', 'validator.go validateICMPFields, ICMPFields struct tags', icmpFields),
  ruleRule('rule-icmp-protocol', 'icmp is only set with protocol ICMP or ICMPv6', 'validator.go validateRule', icmpProtocol),
  ruleRule('rule-icmp-ip-version', 'Protocol ICMP goes with ipVersion 4 and ICMPv6 with 6', 'validator.go validateRule', icmpIpVersion),
  ruleRule('rule-nets', 'nets/notNets are strictly masked CIDRs with a prefix length', 'EntityRule tag validate:"net", validator.go validateRule (cnet.ParseCIDR)', ruleNets),
  ruleRule('rule-nets-ip-version', "A rule's CIDRs match its ipVersion and are all IPv4 or all IPv6", 'validator.go validateRule (scanNets)', netsIpVersion),
  ruleRule(
    'rule-http',
    'HTTP matches: Allow rules only, protocol TCP or unset, ingress only, unique methods, exact xor prefix paths starting with /',
    'validator.go validateRule, validateHTTPRule, validateNetworkPolicySpec',
    http,
  ),
  ruleRule(
    'rule-services',
    'Service matches name a service, stand alone (no selectors, nets, service accounts, destination ports), sit on the matched side, and name a namespace in global policies',
    'validator.go validateEntityRule, validateRule, validate(Global)NetworkPolicySpec',
    services,
  ),
  ruleRule('rule-global-selector', 'global() appears only in a rule namespaceSelector, and there on its own', 'validator.go validateEntityRule', entityGlobal),
  ruleRule('rule-metadata-annotations', 'Rule metadata annotation keys are qualified names, 256 KiB in total at most', 'validator.go validateRuleMetadata', metadata),
];
