/**
 * Go `net` / libcalico-go `lib/net` parsing as the validator uses it, on top of model/cidr.ts.
 * Versions follow Go's `To4()`: an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts as IPv4.
 */
import { cidrsOverlap, parseCidr, parseIp, type Cidr, type IpAddr } from '../../model/cidr.js';

function isV4Mapped(b: Uint8Array): boolean {
  return b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** `net.ParseIP(s)` and the version `To4()` gives it, or null. */
export function goIp(s: string): { version: 4 | 6; addr: IpAddr } | null {
  const addr = parseIp(s);
  if (!addr) return null;
  return { version: addr.version === 4 || isV4Mapped(addr.bytes) ? 4 : 6, addr };
}

export interface GoNet {
  /** Version of the address as written. */
  version: 4 | 6;
  /** No host bits set (`ipn.IP.String() == ipa.String()` in the validator). */
  masked: boolean;
  /** False when it was a bare IP (a full-length network). */
  hasPrefix: boolean;
  cidr: Cidr | null;
}

/** `cnet.ParseCIDROrIP`: a CIDR, or an IP taken as a /32 or /128. */
export function parseCidrOrIp(s: string): GoNet | null {
  if (s.includes('/')) {
    const c = parseCidr(s);
    if (!c) return null;
    return { version: c.version === 4 || isV4Mapped(c.ip) ? 4 : 6, masked: c.masked, hasPrefix: true, cidr: c };
  }
  const ip = goIp(s);
  return ip ? { version: ip.version, masked: true, hasPrefix: false, cidr: null } : null;
}

/** The validator's `net` tag: a CIDR or IP, strictly masked. */
export function netProblem(s: string): string | null {
  const n = parseCidrOrIp(s);
  if (!n) return 'is not a valid CIDR or IP address';
  if (!n.masked) return 'is not a strictly masked CIDR (host bits are set)';
  return null;
}

/** The validator's `cidr` tag: a CIDR (host bits allowed) or IP. */
export function cidrProblem(s: string): string | null {
  return parseCidrOrIp(s) ? null : 'is not a valid CIDR or IP address';
}

const IPV4_PORT = /^(\d+).(\d+).(\d+).(\d+):(\d+)$/;
const IPV6_PORT = /^\[[0-9a-fA-F:.]+\]:(\d+)$/;
const UINT = /^[0-9]+$/;

/** The validator's `processIPPort`: `<IP>`, `<IPv4>:<port>` or `[<IPv6>]:<port>`; the host part, or null. */
export function ipPortHost(s: string): string | null {
  if (s === '') return null;
  let host = s;
  if (IPV4_PORT.test(s) || IPV6_PORT.test(s)) {
    let port: string;
    if (s.startsWith('[')) {
      const close = s.indexOf(']');
      host = s.slice(1, close);
      port = s.slice(close + 2);
    } else {
      const colon = s.lastIndexOf(':');
      host = s.slice(0, colon);
      port = s.slice(colon + 1);
    }
    // Go's ParseUint(port, 10, 16) and a port of at least 1.
    if (!UINT.test(port) || Number(port) > 65535 || Number(port) < 1) return null;
  }
  return goIp(host) ? host : null;
}

const HEX2 = /^[0-9a-fA-F]{2}$/;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Go `net.ParseMAC`: EUI-48, EUI-64 or 20-octet IPoIB, with `:`, `-` or `.` separators. */
export function isMac(s: string): boolean {
  if (s.length < 14) return false;
  const sizes = [6, 8, 20];
  if (s[2] === ':' || s[2] === '-') {
    if ((s.length + 1) % 3 !== 0) return false;
    const n = (s.length + 1) / 3;
    if (!sizes.includes(n)) return false;
    const sep = s[2];
    for (let i = 0; i < n; i++) {
      const x = i * 3;
      if (!HEX2.test(s.slice(x, x + 2))) return false;
      if (i < n - 1 && s[x + 2] !== sep) return false;
    }
    return true;
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0) return false;
    const n = (2 * (s.length + 1)) / 5;
    if (!sizes.includes(n)) return false;
    for (let i = 0; i < n / 2; i++) {
      const x = i * 5;
      if (!HEX4.test(s.slice(x, x + 4))) return false;
      if (i < n / 2 - 1 && s[x + 4] !== '.') return false;
    }
    return true;
  }
  return false;
}

const LINK_LOCAL_V4 = parseCidr('169.254.0.0/16');
const LINK_LOCAL_V6 = parseCidr('fe80::/10');

/** The link-local range a pool CIDR overlaps, or null. */
export function linkLocalOverlap(c: Cidr): string | null {
  if (c.version === 4 && LINK_LOCAL_V4 && cidrsOverlap(c, LINK_LOCAL_V4)) return '169.254.0.0/16';
  if (c.version === 6 && LINK_LOCAL_V6 && cidrsOverlap(c, LINK_LOCAL_V6)) return 'fe80::/10';
  return null;
}
