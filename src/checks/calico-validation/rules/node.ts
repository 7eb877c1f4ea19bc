/**
 * Node rules. In the Kubernetes datastore the Calico Node is the core Node's annotations; these
 * are the libcalico-go NodeSpec/NodeStatus struct tags applied to the annotation each field is
 * stored in (k8s/resources/node.go).
 */
import { join, show } from '../access.js';
import { wireguardKeyError } from '../go.js';
import { goIp, isMac, parseCidrOrIp } from '../net.js';
import type { Issue, Rule, Subject } from '../types.js';
import { asnIssue } from './bgp.js';
import { issue } from './helpers.js';

const P = 'projectcalico.org/';

function annotation(s: Subject, key: string): { value: string; path: string } | null {
  const value = s.annotations[P + key];
  return value === undefined || value === '' ? null : { value, path: join('metadata.annotations', P + key) };
}

function each(s: Subject, keys: readonly string[], f: (value: string, path: string, key: string) => Issue[]): Issue[] {
  return keys.flatMap((k) => {
    const a = annotation(s, k);
    return a ? f(a.value, a.path, k) : [];
  });
}

function node(id: string, description: string, source: string, check: (s: Subject) => Issue[]): Rule {
  return { id, kinds: ['Node'], description, source, check };
}

const CIDR_ADDRESSES: Record<string, 4 | 6> = { IPv4Address: 4, IPv6Address: 6 };
const IP_ADDRESSES: Record<string, 4 | 6> = {
  IPv4IPIPTunnelAddr: 4,
  IPv4VXLANTunnelAddr: 4,
  IPv6VXLANTunnelAddr: 6,
  IPv4WireguardInterfaceAddr: 4,
  IPv6WireguardInterfaceAddr: 6,
  RouteReflectorClusterID: 4,
};

export const NODE_RULES: readonly Rule[] = [
  node(
    'node-wireguard-public-key',
    'WireguardPublicKey(V6) are WireGuard keys: 44 characters of standard base64 decoding to 32 bytes',
    'validator.go validateWireguardPublicKey (wgtypes.ParseKey)',
    (s) =>
      each(s, ['WireguardPublicKey', 'WireguardPublicKeyV6'], (v, path) => {
        const e = wireguardKeyError(v);
        return e ? [issue(path, `WireGuard public key ${show(v)} ${e}`)] : [];
      }),
  ),
  node('node-bgp-addresses', 'IPv4Address/IPv6Address are an address (with optional prefix length) of the right family', 'NodeBGPSpec struct tags cidrv4 / cidrv6', (s) =>
    each(s, Object.keys(CIDR_ADDRESSES), (v, path, key) => {
      const n = parseCidrOrIp(v);
      const want = CIDR_ADDRESSES[key];
      return n?.version === want ? [] : [issue(path, `${show(v)} is not an IPv${want} address or CIDR`)];
    }),
  ),
  node(
    'node-tunnel-addresses',
    'Tunnel and WireGuard interface addresses and the route reflector cluster ID are plain IP addresses of the right family',
    'NodeSpec/NodeBGPSpec/NodeWireguardSpec struct tags ipv4 / ipv6',
    (s) =>
      each(s, Object.keys(IP_ADDRESSES), (v, path, key) => {
        const want = IP_ADDRESSES[key];
        return goIp(v)?.version === want ? [] : [issue(path, `${show(v)} is not an IPv${want} address`)];
      }),
  ),
  node('node-vxlan-mac', 'VXLANTunnelMACAddr(V6) are MAC addresses', 'NodeSpec struct tag mac (net.ParseMAC)', (s) =>
    each(s, ['VXLANTunnelMACAddr', 'VXLANTunnelMACAddrV6'], (v, path) => (isMac(v) ? [] : [issue(path, `${show(v)} is not a MAC address`)])),
  ),
  node('node-as-number', 'ASNumber is an AS number (decimal up to 4294967295, or dotted "a.b")', 'numorstring.ASNumberFromString (k8s node conversion)', (s) =>
    each(s, ['ASNumber'], (v, path) => asnIssue(v, path)),
  ),
];
