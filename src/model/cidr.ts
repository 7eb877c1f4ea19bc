/**
 * IP and CIDR parsing/formatting with Go's `net` semantics, and the object names Calico derives
 * from CIDRs. Calico derives object names from `IPNet.String()` (e.g. `fd00::40/122` ->
 * `fd00--40-122`), so the canonical text form must match Go exactly: lower-case hex, the longest
 * run (>= 2 groups) of zero groups compressed, masked network. Here in model/ because key
 * classification (model/keys.ts) needs it as much as the converters do.
 */

export interface IpAddr {
  version: 4 | 6;
  bytes: Uint8Array;
}

export interface Cidr {
  version: 4 | 6;
  /** The address as written (may have host bits set). */
  ip: Uint8Array;
  /** The masked network address. */
  network: Uint8Array;
  prefix: number;
  /** True when `ip` has no host bits set. */
  masked: boolean;
}

const DEC_OCTET = /^(0|[1-9][0-9]{0,2})$/;

function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    // Go >= 1.17 rejects leading zeros (ambiguous octal).
    if (!DEC_OCTET.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | null {
  if (s.length === 0 || s.includes('%')) return null;
  let tail: Uint8Array | null = null;
  let body = s;
  // An embedded dotted IPv4 tail, e.g. ::ffff:10.0.0.1
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    tail = parseIPv4(s.slice(lastColon + 1));
    if (!tail) return null;
    body = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const dbl = body.indexOf('::');
  if (dbl !== body.lastIndexOf('::')) return null;
  const groups: number[] = [];
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const res: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      res.push(parseInt(g, 16));
    }
    return res;
  };
  if (dbl >= 0) {
    const head = parseGroups(body.slice(0, dbl));
    const rest = parseGroups(body.slice(dbl + 2));
    if (!head || !rest) return null;
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return null;
    groups.push(...head, ...new Array<number>(fill).fill(0), ...rest);
  } else {
    const all = parseGroups(body);
    if (!all || all.length !== 8) return null;
    groups.push(...all);
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

export function parseIp(s: string): IpAddr | null {
  if (typeof s !== 'string') return null;
  if (s.includes(':')) {
    const b = parseIPv6(s);
    return b ? { version: 6, bytes: b } : null;
  }
  const b = parseIPv4(s);
  return b ? { version: 4, bytes: b } : null;
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  // Go prints IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) in dotted form.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return Array.from(bytes.slice(12)).join('.');
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // Longest run of zero groups, leftmost on a tie; only compressed when at least two groups long.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export function parseCidr(s: string): Cidr | null {
  if (typeof s !== 'string') return null;
  const slash = s.indexOf('/');
  if (slash < 0 || slash !== s.lastIndexOf('/')) return null;
  const addr = parseIp(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (!addr || !/^[0-9]{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  const bits = addr.version === 4 ? 32 : 128;
  if (prefix > bits) return null;
  const network = new Uint8Array(addr.bytes);
  for (let bit = prefix; bit < bits; bit++) {
    const idx = bit >> 3;
    network[idx] = (network[idx] ?? 0) & ~(0x80 >> (bit & 7));
  }
  const masked = network.every((b, i) => b === addr.bytes[i]);
  return { version: addr.version, ip: addr.bytes, network, prefix, masked };
}

/** `IPNet.String()` of the masked network, e.g. `fd00::40/122`. */
export function canonicalCidr(c: Cidr): string {
  return `${formatIp(c.network)}/${c.prefix}`;
}

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** First and last address of a CIDR as integers, for overlap checks. */
export function cidrRange(c: Cidr): { start: bigint; end: bigint } {
  const bits = BigInt(c.version === 4 ? 32 : 128);
  const start = toBigInt(c.network);
  const size = 1n << (bits - BigInt(c.prefix));
  return { start, end: start + size - 1n };
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.version !== b.version) return false;
  const ra = cidrRange(a);
  const rb = cidrRange(b);
  return ra.start <= rb.end && rb.start <= ra.end;
}

function replaceN(s: string, from: string, to: string, n: number): string {
  let out = s;
  let count = 0;
  let idx = out.indexOf(from);
  while (idx >= 0 && count < n) {
    out = out.slice(0, idx) + to + out.slice(idx + from.length);
    count++;
    idx = out.indexOf(from, idx + to.length);
  }
  return out;
}

/**
 * `names.CIDRToName`: the first 3 `.`, up to 7 `:` and one `/` become `-`.
 * Takes the canonical (masked, Go-formatted) CIDR text: `10.0.0.0/26` -> `10-0-0-0-26`,
 * `fd00::40/122` -> `fd00--40-122`.
 */
export function cidrToName(canonicalCidr: string): string {
  let name = replaceN(canonicalCidr, '.', '-', 3);
  name = replaceN(name, ':', '-', 7);
  return replaceN(name, '/', '-', 1);
}
