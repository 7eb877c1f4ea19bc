/**
 * Go standard-library behaviour the validator leans on: `encoding/base64.StdEncoding` (for
 * WireGuard keys), `regexp.Compile` (RE2, approximated with JavaScript's engine), and
 * `time.ParseDuration` (the one convert/ already ports).
 */
export { parseGoDuration } from '../../convert/go-duration.js';

const B64 = /^[A-Za-z0-9+/]*$/;

/**
 * Bytes `base64.StdEncoding.DecodeString(s)` yields, or null on a decode error. Padding is
 * required; non-zero trailing bits are accepted (the encoding is not `Strict()`); CR and LF are
 * skipped, as Go does.
 */
export function base64StdDecodedLength(s: string): number | null {
  const t = s.replace(/[\r\n]/g, '');
  if (t.length % 4 !== 0) return null;
  const pad = t.endsWith('==') ? 2 : t.endsWith('=') ? 1 : 0;
  if (!B64.test(t.slice(0, t.length - pad))) return null;
  return (t.length / 4) * 3 - pad;
}

/** WireGuard's `wgtypes.ParseKey`: standard base64 of exactly 32 bytes. Null when valid. */
export function wireguardKeyError(s: string): string | null {
  const n = base64StdDecodedLength(s);
  if (n === null) return `is not standard (padded) base64 (${s.length} characters; a key is 44)`;
  if (n !== 32) return `decodes to ${n} bytes, not the 32 of a WireGuard key`;
  return null;
}

/** RE2 has no look-around or back-references; JavaScript would accept them. */
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]/;

/**
 * Does Go's `regexp.Compile` accept the pattern? Approximated: JavaScript must compile it after
 * RE2's `(?P<name>` and leading flag groups are rewritten, and it must not use look-around or
 * back-references.
 */
export function goRegexpError(pattern: string): string | null {
  if (NOT_RE2.test(pattern)) return 'uses look-around or a back-reference, which Go regular expressions (RE2) do not support';
  let p = pattern.replace(/\(\?P</g, '(?<');
  let flags = '';
  const m = /^\(\?([imsU]+)\)/.exec(p);
  if (m) {
    flags = (m[1] ?? '').replace(/U/g, '');
    p = p.slice(m[0].length);
  }
  try {
    new RegExp(p, flags);
    return null;
  } catch (e) {
    return `is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`;
  }
}
