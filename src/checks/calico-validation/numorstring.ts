/**
 * projectcalico/api `lib/numorstring` as JSON decoding and the validator see it: ports, protocols
 * and AS numbers, each accepted as a number or a string.
 */
import { portNameError } from './names.js';

const DIGITS = /^[0-9]+$/;

/** Go `strconv.ParseUint(s, 10, bits)`: digits only (leading zeros allowed), within range. */
export function parseUint(s: string, bits: 8 | 16 | 32): number | null {
  if (!DIGITS.test(s)) return null;
  const n = Number(s);
  return n <= 2 ** bits - 1 ? n : null;
}

function jsonUint(v: number, bits: 8 | 16 | 32): number | null {
  return Number.isInteger(v) && v >= 0 && v <= 2 ** bits - 1 ? v : null;
}

export type Port = { min: number; max: number } | { name: string };

const PORT_RANGE = /^([0-9]+):([0-9]+)$/;
const PORT_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/** `Port.UnmarshalJSON` / `PortFromString`, then `validatePort` and the `portName` tag. */
export function portError(v: unknown): string | null {
  let p: Port;
  if (typeof v === 'number') {
    const n = jsonUint(v, 16);
    if (n === null) return `${v} is not a port number (0-65535)`;
    p = { min: n, max: n };
  } else if (typeof v === 'string') {
    const range = PORT_RANGE.exec(v);
    if (DIGITS.test(v)) {
      const n = parseUint(v, 16);
      if (n === null) return `invalid port format (${v})`;
      p = { min: n, max: n };
    } else if (range) {
      const min = parseUint(range[1] ?? '', 16);
      const max = parseUint(range[2] ?? '', 16);
      if (min === null || max === null) return `invalid port number in range (${v})`;
      if (min > max) return `minimum port number (${min}) is greater than maximum port number (${max}) in port range`;
      p = { min, max };
    } else if (PORT_NAME.test(v)) {
      p = { name: v };
    } else {
      return `invalid name for named port (${v})`;
    }
  } else {
    return 'a port must be a number, a "min:max" range or a port name';
  }
  if ('name' in p) {
    const e = portNameError(p.name);
    return e ? `named port ${JSON.stringify(p.name)} ${e}` : null;
  }
  if (p.min < 1 || p.max < 1) return 'port range invalid, port number must be between 1 and 65535';
  return null;
}

export function isNamedPort(v: unknown): boolean {
  return typeof v === 'string' && !DIGITS.test(v) && !PORT_RANGE.test(v);
}

export type Protocol = { num: number } | { name: string };

/** `Uint8OrString.UnmarshalJSON`: numbers and numeric strings become numbers. Null when it does not decode. */
export function decodeProtocol(v: unknown): Protocol | null {
  if (typeof v === 'number') {
    const n = jsonUint(v, 8);
    return n === null ? null : { num: n };
  }
  if (typeof v === 'string') {
    const n = parseUint(v, 8);
    return n === null ? { name: v } : { num: n };
  }
  return null;
}

const PROTOCOL_NAMES = /^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$/;

/** `validateProtocol`: 1-255 or one of the names, case-sensitive. */
export function protocolError(v: unknown): string | null {
  const p = decodeProtocol(v);
  if (!p) return `${JSON.stringify(v)} is not a protocol (a name or a number 1-255)`;
  if ('num' in p) return p.num === 0 ? 'protocol number invalid (must be 1-255)' : null;
  return PROTOCOL_NAMES.test(p.name) ? null : `protocol name ${JSON.stringify(p.name)} invalid (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255)`;
}

/** `Protocol.SupportsPorts`: TCP, UDP, SCTP or 6, 17, 132 (not UDPLite). */
export function supportsPorts(v: unknown): boolean {
  const p = decodeProtocol(v);
  if (!p) return false;
  if ('num' in p) return p.num === 6 || p.num === 17 || p.num === 132;
  return ['TCP', 'UDP', 'SCTP', 'tcp', 'udp', 'sctp'].includes(p.name);
}

/** Equality with `numorstring.ProtocolFromString(name)`: the string form only (`6` is not `TCP`). */
export function isProtocolName(v: unknown, name: string): boolean {
  const p = decodeProtocol(v);
  return p !== null && 'name' in p && p.name === name;
}

/** `ASNumber.UnmarshalJSON` / `ASNumberFromString`: the number, or null when it does not decode. */
export function decodeAsn(v: unknown): number | null {
  if (typeof v === 'number') return jsonUint(v, 32);
  if (typeof v !== 'string') return null;
  const whole = parseUint(v, 32);
  if (whole !== null) return whole;
  const parts = v.split('.');
  if (parts.length !== 2) return null;
  const hi = parseUint(parts[0] ?? '', 16);
  const lo = parseUint(parts[1] ?? '', 16);
  return hi === null || lo === null ? null : hi * 65536 + lo;
}
