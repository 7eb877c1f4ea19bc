/**
 * Go's `time.ParseDuration` and `Duration.String`, for `metav1.Duration` fields. Calico's client
 * reads every such field into a Go duration and writes it back with `String()`, so what calicoctl's
 * import stores for `5m` is `5m0s`, and for `90s` is `1m30s`. Nanoseconds as bigint: hours of
 * nanoseconds do not fit a double exactly.
 */

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX = 2n ** 63n - 1n;
const TERM = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;

/** Nanoseconds, or null when Go would refuse the text (it then never reaches the datastore as is). */
export function parseGoDuration(text: string): bigint | null {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return null;
  let total = 0n;
  while (s !== '') {
    const m = TERM.exec(s);
    if (!m) return null;
    const [whole, int = '', frac, unitName = ''] = m;
    if (int === '' && (frac === undefined || frac === '')) return null;
    const unit = UNITS[unitName];
    if (unit === undefined) return null;
    let v = BigInt(int === '' ? '0' : int) * unit;
    if (frac) v += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += v;
    if (total > MAX) return null;
    s = s.slice(whole.length);
  }
  return negative ? -total : total;
}

/** Go's `Duration.String()`. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const negative = ns < 0n;
  const u = negative ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${fraction(u, 3)}µs`;
    else out = `${fraction(u, 6)}ms`;
  } else {
    const seconds = fraction(u % 60_000_000_000n, 9);
    const minutesTotal = u / 60_000_000_000n;
    const hours = minutesTotal / 60n;
    const minutes = minutesTotal % 60n;
    out = hours > 0n ? `${hours}h${minutes}m${seconds}s` : minutesTotal > 0n ? `${minutes}m${seconds}s` : `${seconds}s`;
  }
  return negative ? `-${out}` : out;
}

/** `v / 10^digits` in decimal without trailing zeros (Go's fmtFrac and fmtInt together). */
function fraction(v: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const int = v / scale;
  const frac = (v % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac === '' ? `${int}` : `${int}.${frac}`;
}

/** The text Calico's client would store for a duration field, or null when it is not a Go duration. */
export function normalizeGoDuration(text: string): string | null {
  const ns = parseGoDuration(text);
  return ns === null ? null : formatGoDuration(ns);
}
