import assert from 'node:assert/strict';
import { calicoValidation, contextFrom, listRules, RULES, validateObject, type ValidationContext } from '../../../src/checks/calico-validation/index.js';
import type { DesiredObject } from '../../../src/model/types.js';

// Case descriptions in quotes are the Entry names of libcalico-go lib/validator/v3/validator_test.go.

const CTX: ValidationContext = { bgpFilterNames: new Set(['export-pods-only']) };

interface Meta {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  v3Name?: string;
}

function obj(kind: string, name: string, spec: Record<string, unknown>, meta: Meta = {}): DesiredObject {
  const annotations = { ...(meta.annotations ?? {}), ...(meta.v3Name ? { 'projectcalico.org/metadata': JSON.stringify({ name: meta.v3Name }) } : {}) };
  return {
    apiVersion: 'crd.projectcalico.org/v1',
    kind,
    namespace: meta.namespace ?? null,
    name,
    body: { apiVersion: 'crd.projectcalico.org/v1', kind, metadata: { name, ...(meta.namespace ? { namespace: meta.namespace } : {}), labels: meta.labels, annotations }, spec },
    sources: [{ key: `/calico/resources/v3/projectcalico.org/x/${name}`, mod_revision: 1 }],
  };
}

function node(name: string, annotations: Record<string, string>): DesiredObject {
  const a = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`projectcalico.org/${k}`, v]));
  return { apiVersion: 'v1', kind: 'Node', namespace: null, name, body: { apiVersion: 'v1', kind: 'Node', metadata: { name, annotations: a } }, sources: [] };
}

function rulesHit(d: DesiredObject, ctx: ValidationContext = CTX): string[] {
  return [...new Set(validateObject(d, ctx).map((f) => f.rule))];
}

/** One table row: a description, the object, and the rule it must break (null: no finding at all). */
type Case = [string, DesiredObject, string | null];

function table(cases: Case[], ctx: ValidationContext = CTX): void {
  for (const [desc, d, rule] of cases) {
    it(rule ? `${desc} -> ${rule}` : `${desc} -> valid`, () => {
      const hit = rulesHit(d, ctx);
      if (rule) assert.ok(hit.includes(rule), `expected ${rule}, got ${JSON.stringify(validateObject(d, ctx))}`);
      else assert.deepEqual(validateObject(d, ctx), []);
    });
  }
}

const pool = (spec: Record<string, unknown>, name = 'pool.name') => obj('IPPool', name, spec);
const gnp = (spec: Record<string, unknown>, name = 'thing') => obj('GlobalNetworkPolicy', name, { selector: 'all()', ...spec }, { v3Name: name });
const np = (spec: Record<string, unknown>, name = 'thing') => obj('NetworkPolicy', name, spec, { namespace: 'ns', v3Name: name });
const ruleIn = (rule: Record<string, unknown>) => np({ ingress: [rule] });
const ruleOut = (rule: Record<string, unknown>) => np({ egress: [rule] });

describe('calico-validation: the rule table', () => {
  it('has unique ids, each with kinds, a description and a source', () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of listRules()) {
      assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(r.kinds.length > 0 && r.description.length > 10 && r.source.length > 3, r.id);
    }
  });

  it('knows nothing about kinds it has no rules for', () => {
    assert.deepEqual(validateObject(obj('IPAMHandle', 'h', { handleID: 'h' }), CTX), []);
  });

  it('reports object, path, rule and message', () => {
    const [f] = validateObject(pool({ cidr: '10.100.0.0/24', allowedUses: ['LoadBalancer'], nodeSelector: '!all()' }, 'loadbalancer-pool'), CTX);
    assert.deepEqual(f, {
      object: 'IPPool loadbalancer-pool',
      path: 'spec.nodeSelector',
      rule: 'ippool-loadbalancer-node-selector',
      message: 'a LoadBalancer pool must select all() nodes, not "!all()"',
    });
  });
});

describe('calico-validation: names', () => {
  const long = 'x'.repeat(254);
  table([
    ['GNP "allow valid name"', gnp({}, 'thing'), null],
    ['GNP "disallow name with dot"', gnp({}, 't.h.i.ng'), 'name-global-policy'],
    ['GNP "disallow name with mixed case characters"', gnp({}, 'tHiNg'), 'name-global-policy'],
    ['GNP "disallow k8s policy name"', gnp({}, 'knp.default.thing'), 'name-global-policy'],
    ['GNP tier-prefixed v3 name from the metadata annotation', obj('GlobalNetworkPolicy', 'security.block-ssh', { tier: 'security' }, { v3Name: 'security.block-ssh' }), null],
    ['NP "allow name with single dot - tier"', np({}, 'th.ing'), null],
    ['NP "disallow name with multiple dot"', np({}, 't.h.i.ng'), 'name-namespaced-policy'],
    ['NP "allow k8s policy name"', np({}, 'knp.default.thing'), null],
    ['NP "disallow a name of 254 chars"', np({}, long), 'name-namespaced-policy'],
    ['"Tier: valid name with dash"', obj('Tier', 'fo-o', { order: 100 }), null],
    ['"Tier: disallow dot in name"', obj('Tier', 'fo.o', { order: 100 }), 'name-tier'],
    ['"Tier: disallow a name of 64 chars"', obj('Tier', 'x'.repeat(64), { order: 100 }), 'name-tier'],
    [
      'HEP "should reject host endpoint with no prefix and dots at the start of the name" (profiles)',
      obj('HostEndpoint', 'h', { node: 'node01', interfaceName: 'eth0', profiles: ['.fun'] }),
      'reference-name-format',
    ],
    [
      'HEP "should accept host endpoint with prefixed profile name"',
      obj('HostEndpoint', 'h', { node: 'node01', interfaceName: 'eth0', profiles: ['knp.default.fun', 'knp.default.funner.11234-a'] }),
      null,
    ],
  ]);
});

describe('calico-validation: selectors', () => {
  table([
    ['IPPool "should allow a valid nodeSelector"', pool({ cidr: '1.2.3.0/26', nodeSelector: 'foo == "bar"' }), null],
    ['IPPool "should disallow a invalid nodeSelector"', pool({ cidr: '1.2.3.0/26', nodeSelector: 'this is not valid selector syntax' }), 'selector-syntax'],
    ['BGPPeer "should reject invalid BGPPeerSpec (selector)"', obj('BGPPeer', 'p', { nodeSelector: "kubernetes.io/hostname: == 'casey-crc-kadm-node-4'" }), 'selector-syntax'],
    ["rule \"should accept valid selector with 'has' and a '/'\"", ruleIn({ action: 'Allow', source: { selector: 'has(calico/k8s_ns)' } }), null],
    ['rule "should reject invalid selector"', ruleIn({ action: 'Allow', source: { selector: 'thing=hello &' } }), 'selector-syntax'],
    ['rule serviceAccounts.selector', ruleIn({ action: 'Allow', source: { serviceAccounts: { selector: 'a ==' } } }), 'selector-syntax'],
    ['"disallow global() in selector field" (GNP)', gnp({ selector: 'global()' }), 'policy-global-selector'],
    ['"disallow global() in namespaceSelector field" (GNP)', gnp({ namespaceSelector: 'global()' }), 'policy-global-selector'],
    ['"disallow global() in serviceAccountSelector field" (NP)', np({ serviceAccountSelector: 'global()' }), 'policy-global-selector'],
    ['"disallow global() in EntityRule selector field"', gnp({ ingress: [{ action: 'Allow', source: { selector: 'global()' } }] }), 'rule-global-selector'],
    [
      '"allow global() and projectcalico.org/name in EntityRule namespaceSelector field"',
      gnp({ ingress: [{ action: 'Allow', source: { namespaceSelector: 'global()' }, destination: { namespaceSelector: "projectcalico.org/name == 'test'" } }] }),
      null,
    ],
    [
      '"disallow global() in EntityRule namespaceSelector field AND\'d with other expressions"',
      ruleIn({ action: 'Allow', source: { namespaceSelector: ' global() && all()' } }),
      'rule-global-selector',
    ],
  ]);
});

describe('calico-validation: rule actions, protocols and ports', () => {
  table([
    ['"should accept pass action"', ruleIn({ action: 'Pass' }), null],
    ['"should reject unknown action"', ruleIn({ action: 'allowfoo' }), 'rule-action'],
    ['"should reject rule with no action"', ruleIn({}), 'rule-action'],
    ['"should accept IP version 6"', ruleIn({ action: 'Allow', ipVersion: 6 }), null],
    ['"should reject IP version 0"', ruleIn({ action: 'Allow', ipVersion: 0 }), 'rule-ip-version'],
    ['"should accept protocol UDPLite"', ruleIn({ action: 'Allow', protocol: 'UDPLite' }), null],
    ['"should accept protocol 255 as string"', ruleIn({ action: 'Allow', protocol: '255' }), null],
    ['"should reject protocol 0 as int"', ruleIn({ action: 'Allow', protocol: 0 }), 'rule-protocol'],
    ['"should reject protocol 256 as string"', ruleIn({ action: 'Allow', protocol: '256' }), 'rule-protocol'],
    ['"should reject protocol tcp"', ruleIn({ action: 'Allow', protocol: 'tcp' }), 'rule-protocol'],
    ['notProtocol is checked too', ruleIn({ action: 'Allow', notProtocol: 'footcp' }), 'rule-protocol'],
    ['"should accept Rule with source ports and protocol type 6"', ruleIn({ action: 'Allow', protocol: 6, source: { ports: [1] } }), null],
    ['"should accept Rule with source named ports and protocol type tcp"', ruleIn({ action: 'Allow', protocol: 'TCP', source: { ports: ['foo'] } }), null],
    ['"should accept Rule with empty source ports and protocol type 7"', ruleIn({ action: 'Allow', protocol: 7, source: { ports: [] } }), null],
    ['"should accept Rule with source !ports and protocol type 17"', ruleIn({ action: 'Allow', protocol: 17, source: { notPorts: [1] } }), null],
    ['"should allow Rule with dest ports and protocol type sctp"', ruleIn({ action: 'Allow', protocol: 'SCTP', destination: { ports: [1] } }), null],
    ['"should reject Rule with dest ports and no protocol"', ruleIn({ action: 'Allow', destination: { ports: [1] } }), 'rule-ports-protocol'],
    ['"should reject Rule with source ports and protocol type 7"', ruleIn({ action: 'Allow', protocol: 7, source: { ports: [1] } }), 'rule-ports-protocol'],
    ['UDPLite has no ports in Calico (Protocol.SupportsPorts)', ruleIn({ action: 'Allow', protocol: 'UDPLite', destination: { ports: [53] } }), 'rule-ports-protocol'],
    ['"should reject Rule with invalid port (port 0)"', ruleIn({ action: 'Allow', protocol: 'TCP', destination: { notPorts: [0] } }), 'rule-ports'],
    ['"should reject Rule with invalid source ports and protocol type tcp" (range 200:100)', ruleIn({ action: 'Allow', protocol: 'TCP', source: { ports: ['200:100'] } }), 'rule-ports'],
    ['"should reject Rule with one invalid port in the port range (MinPort 0)"', ruleIn({ action: 'Allow', protocol: 'TCP', destination: { notPorts: ['0:100'] } }), 'rule-ports'],
    ['a port range 80:443', ruleIn({ action: 'Allow', protocol: 'TCP', destination: { ports: ['80:443', 8080, 'https'] } }), null],
    ['port 65536', ruleIn({ action: 'Allow', protocol: 'TCP', destination: { ports: [65536] } }), 'rule-ports'],
    ['a named port that is not an IANA name', ruleIn({ action: 'Allow', protocol: 'TCP', destination: { ports: ['Web_Port'] } }), 'rule-ports'],
  ]);

  it('points at the offending port', () => {
    const f = validateObject(ruleIn({ action: 'Allow', protocol: 'TCP', destination: { ports: [80, 0] } }), CTX);
    assert.deepEqual(
      f.map((x) => x.path),
      ['spec.ingress[0].destination.ports[1]'],
    );
  });
});

describe('calico-validation: ICMP', () => {
  table([
    ['"should accept ICMP with type with max value"', ruleIn({ action: 'Allow', protocol: 'ICMP', icmp: { type: 254 } }), null],
    ['"should accept ICMP with type and code with min value"', ruleIn({ action: 'Allow', protocol: 'ICMP', icmp: { type: 128, code: 255 } }), null],
    ['"should reject ICMP with code and no type"', ruleIn({ action: 'Allow', protocol: 'ICMP', icmp: { code: 0 } }), 'rule-icmp-fields'],
    ['"should reject ICMP with type too high"', ruleIn({ action: 'Allow', protocol: 'ICMP', icmp: { type: 255 } }), 'rule-icmp-fields'],
    ['"should reject ICMP with code too high"', ruleIn({ action: 'Allow', protocol: 'ICMP', icmp: { type: 128, code: 256 } }), 'rule-icmp-fields'],
    ['"should reject Rule with icmp fields and no protocol"', ruleIn({ action: 'Allow', ipVersion: 4, icmp: { type: 0 } }), 'rule-icmp-protocol'],
    ['"should not reject Rule with icmpv6 fields and no ipversion"', ruleIn({ action: 'Allow', protocol: 'ICMPv6', icmp: { type: 0 } }), null],
    ['"should reject Rule with mismatched ipversion for icmp"', ruleIn({ action: 'Allow', protocol: 'ICMP', ipVersion: 6 }), 'rule-icmp-ip-version'],
    ['"should reject rule with an IPv6 protocol and an IPVersion=4"', ruleIn({ action: 'Allow', protocol: 'ICMPv6', ipVersion: 4 }), 'rule-icmp-ip-version'],
    ['"should allow Rule with correct ipversion for icmpv6"', ruleIn({ action: 'Allow', protocol: 'ICMPv6', ipVersion: 6, icmp: { type: 0 } }), null],
  ]);
});

describe('calico-validation: rule nets and IP versions', () => {
  table([
    ['masked CIDRs', ruleIn({ action: 'Allow', source: { nets: ['10.0.0.0/8'] }, destination: { notNets: ['10.1.0.0/16'] } }), null],
    [
      '"should reject rule mixed IPv4 (src) and IPv6 (dest)"',
      ruleIn({ action: 'Allow', protocol: 'TCP', source: { nets: ['1.2.3.0/26'] }, destination: { nets: ['aabb:aabb::0000/122'] } }),
      'rule-nets-ip-version',
    ],
    ['"should reject rule mixed IPVersion and Source Net IP version"', ruleIn({ action: 'Allow', protocol: 'TCP', ipVersion: 6, source: { nets: ['1.2.3.4/32'] } }), 'rule-nets-ip-version'],
    [
      '"net list: should reject rule mixed IPv6 version and IPv4 Net" (notNets)',
      ruleIn({ action: 'Allow', ipVersion: 6, source: { nets: ['1.0.0.0/10'] }, destination: { notNets: ['1.2.0.0/32'] } }),
      'rule-nets-ip-version',
    ],
    ['a CIDR with host bits', ruleIn({ action: 'Allow', source: { nets: ['10.0.0.1/8'] } }), 'rule-nets'],
    ['a bare IP (cnet.ParseCIDR wants a prefix length)', ruleIn({ action: 'Allow', source: { nets: ['10.0.0.1'] } }), 'rule-nets'],
    ['garbage', ruleIn({ action: 'Allow', source: { nets: ['garbage'] } }), 'rule-nets'],
  ]);
});

describe('calico-validation: HTTP, services and rule metadata', () => {
  table([
    ['"should accept Allow rule with HTTP clause"', ruleIn({ action: 'Allow', http: { methods: ['GET'] } }), null],
    ['"should reject Deny rule with HTTP clause"', ruleIn({ action: 'Deny', http: { methods: ['GET'] } }), 'rule-http'],
    ['"should reject non-TCP protocol with HTTP clause"', ruleIn({ action: 'Allow', protocol: 'UDP', http: { methods: ['GET'] } }), 'rule-http'],
    ['"disallow HTTP in egress rule"', ruleOut({ action: 'Allow', http: { methods: ['GET'] } }), 'rule-http'],
    ['"allow HTTP Path with permitted match clauses"', ruleIn({ action: 'Allow', http: { paths: [{ exact: '/foo' }, { prefix: '/bar' }] } }), null],
    ['"disallow HTTP Path with invalid match clauses" (both)', ruleIn({ action: 'Allow', http: { paths: [{ exact: '/foo', prefix: '/bar' }] } }), 'rule-http'],
    ['"disallow HTTP Path with invalid match clauses" (/fo?o)', ruleIn({ action: 'Allow', http: { paths: [{ exact: '/fo?o' }] } }), 'rule-http'],
    ['"disallow HTTP Method with duplicate match clause"', ruleIn({ action: 'Allow', http: { methods: ['GET', 'GET', 'Foo'] } }), 'rule-http'],
    ['"allow a Service match in an egress rule destination"', ruleOut({ action: 'Allow', destination: { services: { name: 'service1', namespace: 'default' } } }), null],
    ['"disallow a Service match in an egress rule source"', ruleOut({ action: 'Allow', source: { services: { name: 'service1', namespace: 'default' } } }), 'rule-services'],
    [
      '"disallow a Service match AND a ServiceAccount match"',
      ruleIn({ action: 'Allow', destination: { serviceAccounts: { names: ['sa'] }, services: { name: 'service1', namespace: 'default' } } }),
      'rule-services',
    ],
    [
      '"disallow a Service match AND a Ports match on an egress destination rule"',
      ruleOut({ action: 'Allow', destination: { ports: [80], services: { name: 'service1', namespace: 'default' } } }),
      'rule-services',
    ],
    [
      '"allow a Service match AND a Ports match specified on the source on an ingress source rule"',
      ruleIn({ action: 'Allow', protocol: 'TCP', source: { ports: [80], services: { name: 'service1', namespace: 'default' } } }),
      null,
    ],
    ['"disallow a Service match without a namespace on a GNP"', gnp({ egress: [{ action: 'Allow', destination: { services: { name: 'service1' } } }] }), 'rule-services'],
    ['"should accept Rule with valid annotations"', ruleIn({ action: 'Allow', metadata: { annotations: { foo: 'bar' } } }), null],
    ['"should reject Rule with invalid annotations"', ruleIn({ action: 'Allow', metadata: { annotations: { '...': 'bar' } } }), 'rule-metadata-annotations'],
  ]);
});

describe('calico-validation: policy specs', () => {
  table([
    ['"allow ingress+egress Types"', gnp({ types: ['Ingress', 'Egress'] }), null],
    ['"disallow repeated egress Types"', gnp({ types: ['Egress', 'Egress'] }), 'policy-types'],
    ['"disallow unexpected value"', np({ types: ['unexpected'] }), 'policy-types'],
    ['"allow Types without ingress when Ingress present" (Calico allows it)', np({ ingress: [{ action: 'Allow' }], types: ['Egress'] }), null],
    ['"should reject GlobalNetworkPolicy with both PreDNAT and DoNotTrack"', gnp({ preDNAT: true, doNotTrack: true, applyOnForward: true }), 'gnp-prednat-donottrack'],
    ['"should accept GlobalNetworkPolicy PreDNAT but not DoNotTrack"', gnp({ preDNAT: true, applyOnForward: true }), null],
    ['"should reject pre-DNAT GlobalNetworkPolicy egress rules"', gnp({ preDNAT: true, applyOnForward: true, egress: [{ action: 'Allow' }] }), 'gnp-prednat-egress'],
    ['"disallow egress Types with pre-DNAT (gnp)"', gnp({ preDNAT: true, applyOnForward: true, types: ['Egress'] }), 'gnp-prednat-egress'],
    ['"should reject GlobalNetworkPolicy DoNotTrack but not ApplyOnForward"', gnp({ doNotTrack: true }), 'gnp-apply-on-forward'],
    ['"should accept GlobalNetworkPolicy no ApplyOnForward DoNotTrack PreDNAT"', gnp({ applyOnForward: false }), null],
    ['"NetworkPolicy: disallow junk in PerformanceHints field"', np({ performanceHints: ['junk'] }), 'policy-performance-hints'],
    ['"NetworkPolicy: disallow dupes in PerformanceHints field"', np({ performanceHints: ['AssumeNeededOnEveryNode', 'AssumeNeededOnEveryNode'] }), 'policy-performance-hints'],
    ['an order that is not a number', gnp({ order: '10' }), 'policy-order'],
    ['"should accept a valid StagedAction value \'Delete\'"', obj('StagedNetworkPolicy', 'eng.thing', { stagedAction: 'Delete', tier: 'eng' }, { namespace: 'ns', v3Name: 'eng.thing' }), null],
    [
      '"should reject a valid StagedAction value \'Delete\' if any other Spec field is set"',
      obj('StagedGlobalNetworkPolicy', 'thing', { stagedAction: 'Delete', selector: 'foo == "bar"' }, { v3Name: 'thing' }),
      'staged-delete-empty',
    ],
    ['"should reject a StagedAction value \'Warning\'"', obj('StagedGlobalNetworkPolicy', 'thing', { stagedAction: 'Warning', selector: 'foo == "bar"' }, { v3Name: 'thing' }), 'staged-action'],
    ['a staged Kubernetes policy with a bad stagedAction', obj('StagedKubernetesNetworkPolicy', 'k', { stagedAction: 'Remove' }, { namespace: 'ns' }), 'staged-action'],
  ]);
});

describe('calico-validation: tiers', () => {
  table([
    ['"Tier: allow a tier with a valid order"', obj('Tier', 'platform', { order: 100 }), null],
    ['"Tier: disallow default tier with an invalid order"', obj('Tier', 'default', { order: 10, defaultAction: 'Deny' }), 'tier-protected-order'],
    ['"Tier: allow default tier with the predefined order"', obj('Tier', 'default', { order: 1000000, defaultAction: 'Deny' }), null],
    ['"Tier: disallow adminnetworkpolicy tier with an invalid order" (kube-admin)', obj('Tier', 'kube-admin', { order: 10, defaultAction: 'Pass' }), 'tier-protected-order'],
    ['"Tier: allow baselineadminnetworkpolicy tier with the predefined order" (kube-baseline)', obj('Tier', 'kube-baseline', { order: 10000000, defaultAction: 'Pass' }), null],
    ['defaultAction Allow', obj('Tier', 'platform', { order: 100, defaultAction: 'Allow' }), 'tier-default-action'],
    ['kube-admin without defaultAction (defaults to Deny)', obj('Tier', 'kube-admin', { order: 1000 }), 'tier-protected-default-action'],
  ]);
});

describe('calico-validation: IP pools', () => {
  table([
    ['"should accept IP pool with IPv4 CIDR /26"', pool({ cidr: '1.2.3.0/26' }), null],
    ['"should accept IP pool with IPv6 CIDR /122"', pool({ cidr: 'aabb:aabb::0000/122', ipipMode: 'Never', vxlanMode: 'Never' }), null],
    ['"should accept a disabled IP pool with IPv4 CIDR /27"', pool({ cidr: '1.2.3.0/27', disabled: true }), null],
    ['"should reject IP pool with IPv4 CIDR /27"', pool({ cidr: '1.2.3.0/27' }), 'ippool-size-vs-block'],
    ['"should reject IP pool with IPv6 CIDR /128"', pool({ cidr: 'aabb:aabb::ffff/128' }), 'ippool-size-vs-block'],
    ['"should reject IP pool with IPv4 CIDR /33"', pool({ cidr: '1.2.3.4/33' }), 'ippool-cidr'],
    ['a pool CIDR with host bits', pool({ cidr: '10.0.0.1/16' }), 'ippool-cidr-masked'],
    ['blockSize 19', pool({ cidr: '10.0.0.0/16', blockSize: 19 }), 'ippool-block-size'],
    ['blockSize 115 on IPv6', pool({ cidr: 'fd00::/48', blockSize: 115 }), 'ippool-block-size'],
    ['"should reject IPIPMode \'Always\' for IPv6 pool"', pool({ cidr: 'aabb:aabb::/64', ipipMode: 'Always', vxlanMode: 'Never' }), 'ippool-ipip-ipv6'],
    ['"should reject IPv4 pool with a CIDR range overlapping with Link Local range"', pool({ cidr: '169.254.5.0/24' }), 'ippool-link-local'],
    ['"should reject IPv6 pool with a CIDR range overlapping with Link Local range"', pool({ cidr: 'fe80::/120' }), 'ippool-link-local'],
    ['"should reject IPIP mode never (lower case)"', pool({ cidr: '1.2.3.0/24', ipipMode: 'never' }), 'ippool-encap-mode'],
    ['"should accept VXLAN mode CrossSubnet"', pool({ cidr: '1.2.3.0/24', vxlanMode: 'CrossSubnet' }), null],
    ['"should reject IPIP mode and VXLAN mode"', pool({ cidr: '1.2.3.0/24', ipipMode: 'Always', vxlanMode: 'Always' }), 'ippool-ipip-vxlan-exclusive'],
    ['"should accept IP pool with valid allowed uses"', pool({ cidr: '1.0.0.0/10', allowedUses: ['Workload', 'Tunnel'] }), null],
    ['"should reject IP pool with invalid allowed uses"', pool({ cidr: '1.0.0.0/10', allowedUses: ['Garbage'] }), 'ippool-allowed-uses'],
    ['"should reject IP pool with invalid allowed uses combination"', pool({ cidr: '1.0.0.0/10', allowedUses: ['LoadBalancer', 'Tunnel'] }), 'ippool-loadbalancer-exclusive'],
    ['"should reject IP pool with LoadBlancer and disableBGPExport true"', pool({ cidr: '1.0.0.0/10', allowedUses: ['LoadBalancer'], disableBGPExport: true }), 'ippool-loadbalancer-bgp-export'],
    ['"should reject IP pool with LoadBlancer and VXLAN mode enabled"', pool({ cidr: '1.0.0.0/10', allowedUses: ['LoadBalancer'], vxlanMode: 'Always' }), 'ippool-loadbalancer-encap'],
    [
      '"should reject IP pool with LoadBlancer and nodeSelector other than all()"',
      pool({ cidr: '1.0.0.0/10', allowedUses: ['LoadBalancer'], nodeSelector: '!all()' }),
      'ippool-loadbalancer-node-selector',
    ],
    ['a LoadBalancer pool without nodeSelector (defaults to all())', pool({ cidr: '1.0.0.0/10', allowedUses: ['LoadBalancer'], assignmentMode: 'Manual' }), null],
    ['"should reject IP pool with invalid assignment mode"', pool({ cidr: '1.0.0.0/10', assignmentMode: 'Sometimes' }), 'ippool-assignment-mode'],
    ['"should reject a non-nil IPIP field"', pool({ cidr: '1.2.3.0/24', ipipMode: 'Never', ipip: { enabled: true, mode: 'always' } }), 'ippool-legacy-fields'],
    ['"should reject NATOutgoingV1 field set to true"', pool({ cidr: '1.2.3.0/24', 'nat-outgoing': true }), 'ippool-legacy-fields'],
  ]);

  it('flags pools that overlap another pool of the context', () => {
    const a = pool({ cidr: '10.0.0.0/16' }, 'a');
    const b = pool({ cidr: '10.0.128.0/17' }, 'b');
    const ctx = { ...CTX, ...contextFrom([a, b]) };
    assert.ok(rulesHit(a, ctx).includes('ippool-overlap'));
    assert.ok(!rulesHit(pool({ cidr: '10.1.0.0/16' }, 'c'), ctx).includes('ippool-overlap'));
  });
});

describe('calico-validation: BGP peers', () => {
  const peer = (spec: Record<string, unknown>) => obj('BGPPeer', 'p', spec);
  table([
    ['"should accept valid BGPPeerSpec"', peer({ peerIP: '1.2.3.4' }), null],
    ['"should reject invalid BGPPeerSpec (IPv4)"', peer({ peerIP: '999.999.999.999' }), 'bgppeer-peer-ip'],
    ['"should accept BGPPeerSpec with port in PeerIP (IPv6)"', peer({ peerIP: '[9000::]:500' }), null],
    ['"should reject BGPPeerSpec with invalid port in PeerIP (IPv4)" (65536)', peer({ peerIP: '192.168.0.0:65536' }), 'bgppeer-peer-ip'],
    ['"should reject BGPPeerSpec with invalid port in PeerIP (IPv6)" (0)', peer({ peerIP: '[9000::]:0' }), 'bgppeer-peer-ip'],
    ['"should reject invalid BGPPeerSpec when port is set with empty IP in PeerIP (IPv6)"', peer({ peerIP: '[]:8552' }), 'bgppeer-peer-ip'],
    ['"should reject BGPPeerSpec with both Node and NodeSelector"', peer({ node: 'my-node', nodeSelector: 'has(mylabel)' }), 'bgppeer-node-exclusive'],
    ['"should reject BGPPeerSpec with both PeerIP and PeerSelector"', peer({ peerIP: '1.2.3.4', peerSelector: 'has(mylabel)' }), 'bgppeer-peer-selector-exclusive'],
    ['"should reject BGPPeerSpec with both ASNumber and PeerSelector"', peer({ asNumber: 61234, peerSelector: 'has(mylabel)' }), 'bgppeer-peer-selector-exclusive'],
    ['"should accept BGPPeerSpec with NodeSelector and PeerSelector"', peer({ nodeSelector: 'has(mylabel)', peerSelector: 'has(mylabel)' }), null],
    ['"should reject BGPPeerSpec with LocalWorkloadSelector and empty ASNumber"', peer({ localWorkloadSelector: 'has(labelone)' }), 'bgppeer-local-workload-selector'],
    ['"should reject BGPPeer with ReachableBy but without PeerIP"', peer({ reachableBy: '100.200.0.0' }), 'bgppeer-reachable-by'],
    ['"should accept BGPPeer with ReachableBy and PeerIP"', peer({ peerIP: '9.9.9.9:4444', reachableBy: '1.2.3.4' }), null],
    ['"should reject BGPPeer with mismatched family address of ReachableBy and PeerIP:Port (IPv6)"', peer({ peerIP: '[aabb::ffff]:4444', reachableBy: '1.2.3.4' }), 'bgppeer-reachable-by'],
    ['"BGPPeer with invalid SourceAddress"', peer({ sourceAddress: 'rubbish' }), 'bgppeer-source-address'],
    ['keepOriginalNextHop with nextHopMode', peer({ keepOriginalNextHop: true, nextHopMode: 'Self' }), 'bgppeer-next-hop-mode'],
    ['a dotted AS number', peer({ peerIP: '1.2.3.4', asNumber: '1.10' }), null],
    ['an AS number out of range', peer({ peerIP: '1.2.3.4', asNumber: 4294967296 }), 'asn-format'],
    ['an AS number with a 17-bit half', peer({ peerIP: '1.2.3.4', asNumber: '65536.1' }), 'asn-format'],
    ['a filter that exists', peer({ peerIP: '1.2.3.4', filters: ['export-pods-only'] }), null],
    ['a filter that does not exist', peer({ peerIP: '1.2.3.4', filters: ['missing'] }), 'bgppeer-filters-exist'],
  ]);
});

describe('calico-validation: BGP configuration', () => {
  const cfg = (spec: Record<string, unknown>) => obj('BGPConfiguration', 'default', spec);
  const pa = [{ cidr: '192.168.10.0/28', communities: ['100:100'] }];
  table([
    ['"should accept a valid BGP logging level: Info"', cfg({ logSeverityScreen: 'Info' }), null],
    ['"should reject an invalid BGP logging level: info"', cfg({ logSeverityScreen: 'info' }), 'bgpconfig-log-severity'],
    ['"should accept a valid BGP clusterIPs: 1.2.3.4"', cfg({ serviceClusterIPs: [{ cidr: '1.2.3.4' }] }), null],
    ['"should reject invalid BGP clusterIPs: x.x.x.x"', cfg({ serviceClusterIPs: [{ cidr: 'x.x.x.x' }] }), 'bgpconfig-service-cidrs'],
    ['a service CIDR with host bits', cfg({ serviceLoadBalancerIPs: [{ cidr: '10.0.0.1/24' }] }), 'bgpconfig-service-cidrs'],
    [
      '"should reject a node mesh BGP password if node to node mesh is disabled"',
      cfg({ nodeToNodeMeshEnabled: false, nodeMeshPassword: { secretKeyRef: { name: 's', key: 'k' } } }),
      'bgpconfig-node-mesh',
    ],
    ['"should accept a node mesh max restart time if node to node mesh is enabled"', cfg({ nodeToNodeMeshEnabled: true, nodeMeshMaxRestartTime: '3m20s' }), null],
    ['"should reject invalid interface name"', cfg({ ignoredInterfaces: ['*'] }), 'bgpconfig-ignored-interfaces'],
    ['"should accept valid interface names"', cfg({ ignoredInterfaces: ['valid_iface*', 'interface_name'] }), null],
    ['"should not accept community when PrefixAdvertisement is empty"', cfg({ communities: [{ name: 'community-test', value: '101:5695' }] }), 'bgpconfig-communities'],
    ['"should not accept communities with value and without name"', cfg({ communities: [{ value: '536:785' }], prefixAdvertisements: pa }), 'bgpconfig-communities'],
    ['"should accept communities with name and large BGP community value"', cfg({ communities: [{ name: 'community-test', value: '100:520:56' }], prefixAdvertisements: pa }), null],
    [
      '"should not accept communities with name and invalid standard community value(> 16 bit)"',
      cfg({ communities: [{ name: 'community-test', value: '65536:999999' }], prefixAdvertisements: pa }),
      'bgpconfig-communities',
    ],
    ['"should not accept CIDR without communities in PrefixAdvertisement"', cfg({ prefixAdvertisements: [{ cidr: '192.168.10.0/28' }] }), 'bgpconfig-prefix-advertisements'],
    ['"should not accept communities without CIDR in PrefixAdvertisement"', cfg({ prefixAdvertisements: [{ communities: ['100:5964'] }] }), 'bgpconfig-prefix-advertisements'],
    [
      '"should not accept community name that is not defined"',
      cfg({ prefixAdvertisements: [{ cidr: '2001:4860::/128', communities: ['non-existent-community'] }] }),
      'bgpconfig-prefix-advertisements',
    ],
    [
      '"should accept community name whose values are defined"',
      cfg({ communities: [{ name: 'community-test', value: '101:5695' }], prefixAdvertisements: [{ cidr: '2001:4860::/128', communities: ['community-test', '8988:202'] }] }),
      null,
    ],
    [
      '"should not accept invalid large community value(> 32 bit) in PrefixAdvertisement"',
      cfg({ prefixAdvertisements: [{ cidr: '2001:4860::/128', communities: ['100:100:5147483647'] }] }),
      'bgpconfig-prefix-advertisements',
    ],
    ['an AS number that does not decode', cfg({ asNumber: -1 }), 'asn-format'],
    ['a nodeMeshMaxRestartTime that is not a Go duration', cfg({ nodeMeshMaxRestartTime: '5 minutes' }), 'duration-format'],
  ]);
});

describe('calico-validation: BGP filters', () => {
  const filter = (rule: Record<string, unknown>, family: 'V4' | 'V6' = 'V4') => obj('BGPFilter', 'f', { [`export${family}`]: [rule] });
  table([
    ['"should accept BGPFilter rule with valid IPv4 CIDR"', filter({ cidr: '192.168.0.0/26', matchOperator: 'In', action: 'Accept' }), null],
    ['"should reject BGPFilter rule with invalid IPv4 CIDR - 2"', filter({ cidr: 'ffee::/64', matchOperator: 'In', action: 'Accept' }), 'bgpfilter-cidr'],
    ['"should reject BGPFilter rule with invalid IPv6 CIDR - 2"', filter({ cidr: '10.0.10.0/32', matchOperator: 'In', action: 'Accept' }, 'V6'), 'bgpfilter-cidr'],
    ['"should reject BGPFilter rule with invalid operator - 1"', filter({ cidr: '10.0.10.0/32', matchOperator: 'fancyOperator', action: 'Accept' }), 'bgpfilter-match-operator'],
    ['"should reject BGPFilter rule with no CIDR when MatchOperator is set - 1"', filter({ matchOperator: 'NotEqual', action: 'Reject' }), 'bgpfilter-match-operator'],
    ['"should reject BGPFilter rule with no MatchOperator when CIDR is set - 2"', filter({ cidr: 'ffff::/128', action: 'Reject' }, 'V6'), 'bgpfilter-match-operator'],
    ['"should reject BGPFilter rule with invalid Action - 1"', filter({ cidr: '10.0.10.0/32', matchOperator: 'NotEqual', action: 'ActionX' }), 'bgpfilter-action'],
    ['"should reject BGPFilter rule with no action - 1"', filter({ matchOperator: 'NotEqual', cidr: '10.0.10.0/32' }), 'bgpfilter-action'],
    ['"should accept BGPFilter rule with just an action - 1"', filter({ action: 'Reject' }), null],
    [
      '"should reject BGPFilterV4 rule with PrefixLength Max is out-of-bounds"',
      filter({ cidr: '10.0.10.0/24', matchOperator: 'In', action: 'Reject', prefixLength: { max: 64 } }),
      'bgpfilter-prefix-length',
    ],
    ['"should reject BGPFilterV4 rule with PrefixLength populated and CIDR missing"', filter({ interface: 'ethx.', action: 'Reject', prefixLength: { min: 16 } }), 'bgpfilter-prefix-length'],
    ['"should accept BGPFilterV6 rule with PrefixLength Min set"', filter({ cidr: 'ffff::/128', matchOperator: 'In', action: 'Reject', prefixLength: { min: 65 } }, 'V6'), null],
    ['"should reject invalid BGPFilter rule-v4 interface - 1"', filter({ interface: 'eth&', action: 'Reject' }), 'bgpfilter-interface'],
    ['"should accept valid BGPFilter rule-v4 interface - 2"', filter({ interface: '*.calico', cidr: '192.168.0.0/26', matchOperator: 'In', action: 'Accept' }), null],
    ['"should reject invalid BGPFilter rule-v4 source"', filter({ source: 'xyz', action: 'Reject' }), 'bgpfilter-source'],
  ]);
});

describe('calico-validation: host endpoints, network sets, reservations', () => {
  const hep = (spec: Record<string, unknown>) => obj('HostEndpoint', 'h', spec);
  table([
    ['"should accept HostEndpointSpec with a port (m)"', hep({ interfaceName: 'eth0', node: 'node01', ports: [{ name: 'a-valid-port', protocol: 'TCP', port: 1234 }] }), null],
    ['"should reject HostEndpointSpec with an unnamed port (m)"', hep({ interfaceName: 'eth0', node: 'node01', ports: [{ protocol: 'TCP', port: 1234 }] }), 'hostendpoint-ports'],
    ['"should reject EndpointPort with numeric protocol" (123 has no ports)', hep({ interfaceName: 'eth0', node: 'node01', ports: [{ name: 'p', protocol: 123, port: 1234 }] }), 'hostendpoint-ports'],
    ['"should reject HostEndpointSpec with a missing node"', hep({ interfaceName: 'eth0' }), 'hostendpoint-node'],
    ['"should accept HostEndpointSpec with interfaceName *"', hep({ interfaceName: '*', node: 'node01' }), null],
    ['"should accept host endpoint with expected IPs"', hep({ expectedIPs: ['1.2.3.4', 'aabb:aabb::ffff'], node: 'node01' }), null],
    ['"should reject host endpoint with blank interface an no IPs"', hep({ interfaceName: '', expectedIPs: [], node: 'node01' }), 'hostendpoint-interface-or-ips'],
    ['"should reject an interface that is too long"', hep({ interfaceName: 'interfaceTooLong', node: 'node01' }), 'hostendpoint-interface-name'],
    ['an expected IP that is a CIDR', hep({ expectedIPs: ['10.0.0.0/24'], node: 'node01' }), 'hostendpoint-expected-ips'],
    ['"should accept GlobalNetworkSetSpec with CIDRs and IPs"', obj('GlobalNetworkSet', 'testset', { nets: ['10.0.0.1', '11.0.0.0/8', 'dead:beef::', 'dead:beef::/96'] }), null],
    ['"should reject NetworkSetSpec with bad CIDR"', obj('NetworkSet', 'testset', { nets: ['garbage'] }, { namespace: 'ns' }), 'networkset-nets'],
    [
      '"should reject GlobalNetworkSet with reserved labels"',
      obj('GlobalNetworkSet', 'testset', { nets: ['10.0.0.1'] }, { labels: { 'projectcalico.org/namespace': 'foo' } }),
      'networkset-reserved-label',
    ],
    ['"should accept IPReservation with an IPv6"', obj('IPReservation', 'r', { reservedCIDRs: ['10.0.0.1', 'cafe::1', 'cafe:f00d::/96'] }), null],
    ['"should reject IPReservation with too-long CIDR"', obj('IPReservation', 'r', { reservedCIDRs: ['10.0.1.0/33'] }), 'ipreservation-cidrs'],
  ]);
});

describe('calico-validation: Felix configuration', () => {
  const felix = (spec: Record<string, unknown>) => obj('FelixConfiguration', 'default', spec);
  table([
    ['"should accept a valid DefaultEndpointToHostAction value"', felix({ defaultEndpointToHostAction: 'Drop' }), null],
    ['"should reject an invalid DefaultEndpointToHostAction value \'drop\' (lower case)"', felix({ defaultEndpointToHostAction: 'drop' }), 'felix-enums'],
    ['"should reject an invalid IptablesMangleAllowAction value \'Drop\'"', felix({ iptablesMangleAllowAction: 'Drop' }), 'felix-enums'],
    ['"should reject an invalid LogSeveritySys value \'Critical\'"', felix({ logSeveritySys: 'Critical' }), 'felix-enums'],
    ['"should accept a valid LogSeverityScreen value \'Warning\'"', felix({ logSeverityScreen: 'Warning' }), null],
    ['"should reject an invalid BPFLogLevel value \'badVal\'"', felix({ bpfLogLevel: 'badVal' }), 'felix-enums'],
    ['"should reject an invalid IptablesBackend value \'badVal\'"', felix({ iptablesBackend: 'badVal' }), 'felix-enums'],
    ['"should reject ServiceLoopPrevention Wibbly"', felix({ serviceLoopPrevention: 'Wibbly' }), 'felix-enums'],
    ['"should reject an invalid AWSSrcDstCheck value \'enable\'"', felix({ awsSrcDstCheck: 'enable' }), 'felix-enums'],
    ['"should accept a valid BPFConnectTimeLoadBalancing value \'TCP\'"', felix({ bpfConnectTimeLoadBalancing: 'TCP' }), null],
    ['"should reject a valid listening port" (99999)', felix({ wireguardListeningPort: 99999 }), 'felix-ports'],
    ['"should accept a valid routing rule priority"', felix({ wireguardRoutingRulePriority: 12345 }), null],
    ['"should reject a valid routing rule priority" (99999)', felix({ wireguardRoutingRulePriority: 99999 }), 'felix-ports'],
    ['"should reject a gte 32bit BPFExtToServiceConnmark value"', felix({ bpfExtToServiceConnmark: 0x100000000 }), 'felix-bpf-ext-to-service-connmark'],
    ['"should reject valid Wireguard interface" (wg&0)', felix({ wireguardInterfaceName: 'wg&0' }), 'felix-interface-names'],
    ['"should reject an invalid IptablesNATOutgoingInterfaceFilter value \'cali@123\'"', felix({ iptablesNATOutgoingInterfaceFilter: 'cali@123' }), 'felix-interface-names'],
    ['"should reject an invalid BPFDataIfacePattern value \'*\'"', felix({ bpfDataIfacePattern: '*' }), 'felix-regexps'],
    ['"should accept a valid MTUIfacePattern value \'eth.*\'"', felix({ mtuIfacePattern: 'eth.*' }), null],
    ['"should reject an invalid prometheusMetricsHost value \'localhost#\'"', felix({ prometheusMetricsHost: 'localhost#' }), 'felix-prometheus-host'],
    ['"should accept a valid prometheusMetricsHost value \'fe80::ea7a:70fa:cf74:25d5\'"', felix({ prometheusMetricsHost: 'fe80::ea7a:70fa:cf74:25d5' }), null],
    [
      '"should reject a too-long KubeNodePortRanges value"',
      felix({ kubeNodePortRanges: ['3000:4000', '5000:6000', '7000:8000', '8000:9000', '10000:11000', '12000:13000', '14000:15000', '16000:17000'] }),
      'felix-kube-node-port-ranges',
    ],
    ['"should reject a named port KubeNodePortRanges value"', felix({ kubeNodePortRanges: ['testport'] }), 'felix-kube-node-port-ranges'],
    ['"should accept a valid KubeNodePortRanges value"', felix({ kubeNodePortRanges: ['3000:4000', '5000:6000', '7000:8000', '8000:9000', '10000:11000', '12000:13000', 15000] }), null],
    ['"should reject an invalid list of ExternalNodesCIDRList"', felix({ externalNodesList: ['foobar', '1.1.1.1'] }), 'felix-external-nodes'],
    ['"should reject IPv6 list of ExternalNodesCIDRList"', felix({ externalNodesList: ['abcd::1', 'abef::2/128'] }), 'felix-external-nodes'],
    ['"should reject an invalid OpenStackRegion"', felix({ openstackRegion: 'FOO' }), 'felix-openstack-region'],
    ['"should reject an overlong OpenStackRegion"', felix({ openstackRegion: 'my-region-has-a-very-long-and-extremely-interesting-name' }), 'felix-openstack-region'],
    ['"should not accept a masked IP" (natOutgoingAddress)', felix({ natOutgoingAddress: '1.2.3.4/32' }), 'felix-addresses'],
    ['"should not accept a valid IPv4 address" (deviceRouteSourceAddressIPv6)', felix({ deviceRouteSourceAddressIPv6: '1.2.3.4' }), 'felix-addresses'],
    ['"should accept valid route table range"', felix({ routeTableRange: { min: 1, max: 250 } }), null],
    ['"should reject route table range max too large"', felix({ routeTableRange: { min: 1, max: 253 } }), 'felix-route-tables'],
    ['"should reject single route table ranges targeting too many tables"', felix({ routeTableRanges: [{ min: 1, max: 0x10000 }] }), 'felix-route-tables'],
    ['"should reject route table ranges min too small"', felix({ routeTableRanges: [{ min: 0, max: 250 }] }), 'felix-route-tables'],
    ['"should reject spec with both RouteTableRanges and RouteTableRange set"', felix({ routeTableRanges: [{ min: 1, max: 250 }], routeTableRange: { min: 1, max: 250 } }), 'felix-route-tables'],
    ['"should reject HealthTimeoutOverride with bad name"', felix({ healthTimeoutOverrides: [{ name: '%', timeout: '10ns' }] }), 'felix-health-timeout-overrides'],
    ['"should reject HealthTimeoutOverride -1"', felix({ healthTimeoutOverrides: [{ name: 'Valid', timeout: '-1ns' }] }), 'felix-health-timeout-overrides'],
    ['"should reject random ProtoPort.Protocol"', felix({ failsafeInboundHostPorts: [{ protocol: 'jolly-UDP', port: 0 }] }), 'felix-failsafe-ports'],
    ['"should accept ProtoPort.Protocol: SCTP"', felix({ failsafeOutboundHostPorts: [{ protocol: 'SCTP', port: 20 }] }), null],
    ['featureGates that are not key=value', felix({ featureGates: 'BPFConnectTimeLoadBalancingWorkaround' }), 'felix-key-value-lists'],
    ['a duration Go cannot parse', felix({ routeRefreshInterval: '90 seconds' }), 'duration-format'],
    ['a Go duration', felix({ routeRefreshInterval: '1m30s', iptablesLockProbeInterval: '50ms' }), null],
    ['a nodeSelector that does not parse', felix({ nodeSelector: 'role ==' }), 'selector-syntax'],
  ]);
});

describe('calico-validation: kube-controllers configuration', () => {
  const kcc = (spec: Record<string, unknown>) => obj('KubeControllersConfiguration', 'default', spec);
  table([
    ['"should not accept invalid HealthChecks"', kcc({ healthChecks: 'invalid' }), 'kcc-enums'],
    ['"should accept valid log severity"', kcc({ logSeverityScreen: 'Error' }), null],
    ['"should not accept invalid log severity"', kcc({ logSeverityScreen: 'invalid' }), 'kcc-enums'],
    ['"should not accept invalid sync labels"', kcc({ controllers: { node: { syncLabels: 'yes' } } }), 'kcc-enums'],
    ['"should not accept invalid host endpoint auto create"', kcc({ controllers: { node: { hostEndpoint: { autoCreate: 'Totally' } } } }), 'kcc-enums'],
    ['"should accept valid reconciliation period on node"', kcc({ controllers: { node: { reconcilerPeriod: '5m0s' } } }), null],
    ['a reconcilerPeriod that is not a duration', kcc({ controllers: { policy: { reconcilerPeriod: 300 } } }), 'duration-format'],
    ['a metrics port out of range', kcc({ prometheusMetricsPort: 70000 }), 'kcc-ports'],
    ['a template with a bad CIDR and pattern', kcc({ controllers: { node: { hostEndpoint: { templates: [{ interfaceCIDRs: ['x'], interfacePattern: '(' }] } } } }), 'kcc-host-endpoint-templates'],
  ]);
});

describe('calico-validation: Node annotations', () => {
  table([
    ['"should allow valid Wireguard public-key"', node('n', { WireguardPublicKey: 'jlkVyQYooZYzI2wFfNhSZez5eWh44yfq1wKVjLvSXgY=' }), null],
    ['"should reject invalid Wireguard public-key"', node('n', { WireguardPublicKey: 'foobar' }), 'node-wireguard-public-key'],
    ['a 43-character key', node('n', { WireguardPublicKeyV6: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcd=' }), 'node-wireguard-public-key'],
    ['a key of 33 bytes', node('n', { WireguardPublicKey: 'jlkVyQYooZYzI2wFfNhSZez5eWh44yfq1wKVjLvSXgYA' }), 'node-wireguard-public-key'],
    ['"should accept node with IPv4 BGP"', node('n', { IPv4Address: '1.2.3.4/32' }), null],
    ['"should reject node with IPv6 address in IPv4 field"', node('n', { IPv4Address: 'aabb:aabb::ffff/128' }), 'node-bgp-addresses'],
    ['"should reject node with bad RR cluster ID #2"', node('n', { RouteReflectorClusterID: '300.34.3.1' }), 'node-tunnel-addresses'],
    ['"should accept node with good RR cluster ID"', node('n', { RouteReflectorClusterID: '245.0.0.1' }), null],
    ['"should reject invalid IP address on Wireguard config"', node('n', { IPv4WireguardInterfaceAddr: 'foo.bar' }), 'node-tunnel-addresses'],
    ['a VXLAN MAC address', node('n', { VXLANTunnelMACAddr: '66:1f:9a:3c:20:01', VXLANTunnelMACAddrV6: '0000.5e00.5301' }), null],
    ['a bad VXLAN MAC address', node('n', { VXLANTunnelMACAddr: '66:1f:9a:3c:20' }), 'node-vxlan-mac'],
    ['an AS number annotation', node('n', { ASNumber: '65546' }), null],
    ['a bad AS number annotation', node('n', { ASNumber: 'AS64512' }), 'node-as-number'],
  ]);
});

describe('calico-validation: IPAM', () => {
  table([
    ['IPAMConfig with maxBlocksPerHost 4', obj('IPAMConfig', 'default', { strictAffinity: true, maxBlocksPerHost: 4 }), null],
    ['IPAMConfig with a negative maxBlocksPerHost', obj('IPAMConfig', 'default', { maxBlocksPerHost: -1 }), 'ipamconfig-max-blocks'],
    ['"should accept non-deleted block affinities"', obj('BlockAffinity', 'a', { deleted: 'false', state: 'confirmed', cidr: '10.0.0.0/24', node: 'node-1' }), null],
    ['"should not accept delted block affinities"', obj('BlockAffinity', 'a', { deleted: 'true', state: 'confirmed', cidr: '10.0.0.0/24', node: 'node-1' }), 'blockaffinity-deleted'],
  ]);
});

describe('calico-validation: the plan check', () => {
  const bad = pool({ cidr: '10.100.0.0/24', allowedUses: ['LoadBalancer'], nodeSelector: '!all()' }, 'loadbalancer-pool');
  const good = pool({ cidr: '10.0.0.0/16' }, 'ok');
  const badNode = node('n1', { WireguardPublicKey: 'foobar' });

  it('passes with no findings', () => {
    const c = calicoValidation([good], CTX, () => false);
    assert.equal(c.status, 'pass');
    assert.deepEqual(c.items, []);
  });

  it('fails with every finding, naming object, path and rule, and says what to do', () => {
    const c = calicoValidation([good, bad, badNode], CTX, () => false);
    assert.equal(c.id, 'calico-validation');
    assert.equal(c.status, 'fail');
    assert.ok(c.items.includes('IPPool loadbalancer-pool: spec.nodeSelector: a LoadBalancer pool must select all() nodes, not "!all()" [ippool-loadbalancer-node-selector]'));
    assert.ok(c.items.some((i) => i.startsWith('Node n1: metadata.annotations["projectcalico.org/WireguardPublicKey"]:')));
    assert.match(c.message, /2 object\(s\)/);
    assert.match(c.message, /calicoctl/);
    assert.match(c.message, /--accept-invalid/);
  });

  it('warns when every failing object is accepted', () => {
    const c = calicoValidation([good, bad], CTX, (d) => d.name === 'loadbalancer-pool');
    assert.equal(c.status, 'warn');
    assert.equal(c.items.length, 1);
    assert.match(c.items[0] ?? '', /^accepted with --accept-invalid: IPPool loadbalancer-pool/);
  });

  it('still fails on the objects not accepted, listing the accepted ones after them', () => {
    const c = calicoValidation([bad, badNode], CTX, (d) => d.kind === 'Node');
    assert.equal(c.status, 'fail');
    assert.match(c.items[0] ?? '', /^IPPool loadbalancer-pool/);
    assert.match(c.items[c.items.length - 1] ?? '', /^accepted with --accept-invalid: Node n1/);
    assert.match(c.message, /1 more are accepted/);
  });

  it('contextFrom collects BGPFilter names and pool CIDRs', () => {
    const ctx = contextFrom([obj('BGPFilter', 'f1', {}), good]);
    assert.deepEqual([...ctx.bgpFilterNames], ['f1']);
    assert.deepEqual(ctx.ipPools, [{ name: 'ok', cidr: '10.0.0.0/16' }]);
  });
});
