/** HostEndpoint, GlobalNetworkSet/NetworkSet and IPReservation rules. */
import { join, list, nonEmpty, present, rec, show } from '../access.js';
import { cidrProblem, goIp } from '../net.js';
import { portNameError } from '../names.js';
import { protocolError, supportsPorts } from '../numorstring.js';
import type { Issue, Rule } from '../types.js';
import { inRange, issue } from './helpers.js';

const INTERFACE = /^[a-zA-Z0-9_.-]{1,15}$/;

function cidrList(v: unknown, path: string): Issue[] {
  return list(v).flatMap((n, i) => {
    const e = typeof n === 'string' ? cidrProblem(n) : 'is not a string';
    return e ? [issue(join(path, i), `${show(n)} ${e}`)] : [];
  });
}

function hepPorts(v: unknown): Issue[] {
  return list(v).flatMap((x, i) => {
    const port = rec(x);
    const p = join(join('spec', 'ports'), i);
    const out: Issue[] = [];
    const nameErr = typeof port.name === 'string' ? portNameError(port.name) : 'must be set';
    if (nameErr) out.push(issue(join(p, 'name'), `port name ${show(port.name ?? '')} ${nameErr}`));
    const protoErr = protocolError(port.protocol);
    if (protoErr) out.push(issue(join(p, 'protocol'), protoErr));
    else if (!supportsPorts(port.protocol)) out.push(issue(join(p, 'protocol'), `protocol ${show(port.protocol)} does not support ports (use TCP, UDP or SCTP)`));
    out.push(...(present(port.port) ? inRange(port.port, join(p, 'port'), 1, 65535) : [issue(join(p, 'port'), 'a port number (1-65535) is required')]));
    return out;
  });
}

export const ENDPOINT_RULES: readonly Rule[] = [
  {
    id: 'hostendpoint-node',
    kinds: ['HostEndpoint'],
    description: 'A host endpoint names its node',
    source: 'validator.go validateHostEndpointSpec',
    check: (s) => (nonEmpty(s.spec.node) ? [] : [issue('spec.node', 'no node has been specified')]),
  },
  {
    id: 'hostendpoint-interface-or-ips',
    kinds: ['HostEndpoint'],
    description: 'A host endpoint has an interfaceName or expectedIPs',
    source: 'validator.go validateHostEndpointSpec',
    check: (s) => (nonEmpty(s.spec.interfaceName) || list(s.spec.expectedIPs).length > 0 ? [] : [issue('spec.interfaceName', 'no interface or expected IPs have been specified')]),
  },
  {
    id: 'hostendpoint-interface-name',
    kinds: ['HostEndpoint'],
    description: 'interfaceName is "*" or an interface name of 1-15 [a-zA-Z0-9_.-]',
    source: 'validator.go validateInterface',
    check: (s) => {
      const v = s.spec.interfaceName;
      return !present(v) || v === '' || v === '*' || (typeof v === 'string' && INTERFACE.test(v)) ? [] : [issue('spec.interfaceName', `${show(v)} is not an interface name`)];
    },
  },
  {
    id: 'hostendpoint-expected-ips',
    kinds: ['HostEndpoint'],
    description: 'expectedIPs are IP addresses',
    source: 'struct tag validate:"omitempty,dive,ip"',
    check: (s) => list(s.spec.expectedIPs).flatMap((v, i) => (typeof v === 'string' && goIp(v) ? [] : [issue(join(join('spec', 'expectedIPs'), i), `${show(v)} is not an IP address`)])),
  },
  {
    id: 'hostendpoint-ports',
    kinds: ['HostEndpoint'],
    description: 'Named ports have an IANA port name, a protocol that supports ports (TCP, UDP, SCTP) and a port 1-65535',
    source: 'validator.go validateEndpointPort, EndpointPort struct tags',
    check: (s) => hepPorts(s.spec.ports),
  },
  {
    id: 'networkset-nets',
    kinds: ['GlobalNetworkSet', 'NetworkSet'],
    description: 'nets are CIDRs or IP addresses',
    source: 'struct tag validate:"omitempty,dive,cidr"',
    check: (s) => cidrList(s.spec.nets, 'spec.nets'),
  },
  {
    id: 'networkset-reserved-label',
    kinds: ['GlobalNetworkSet', 'NetworkSet'],
    description: 'A network set does not carry the reserved label projectcalico.org/namespace',
    source: 'validator.go validate(Global)NetworkSet',
    check: (s) =>
      'projectcalico.org/namespace' in s.labels ? [issue('metadata.labels["projectcalico.org/namespace"]', 'projectcalico.org/namespace is not a valid label name (it is reserved)')] : [],
  },
  {
    id: 'ipreservation-cidrs',
    kinds: ['IPReservation'],
    description: 'reservedCIDRs are CIDRs or IP addresses',
    source: 'struct tag validate:"omitempty,dive,cidr"',
    check: (s) => cidrList(s.spec.reservedCIDRs, 'spec.reservedCIDRs'),
  },
];
