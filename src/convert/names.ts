/**
 * Names Calico derives for IPAM objects in the Kubernetes datastore (libcalico-go
 * `blockAffinityClientV1.parseKey`, `model.EnsureBlockAffinityLabels`). `names.CIDRToName` is in
 * model/cidr.ts, since key classification needs it too.
 */
import { createHash } from 'node:crypto';

export const MAX_NAME_LENGTH = 253;

/**
 * BlockAffinity CR name: `<host>-<cidrname>`, shortened and hashed once it reaches 253 bytes
 * (`host[:252-len(cidrname)-13] + "-" + cidrname + "-" + sha256(host+"+"+cidrname)[:11]`).
 * The affinity type is deliberately not part of the name (Calico does the same).
 */
export function blockAffinityName(host: string, cidrName: string): string {
  const name = `${host}-${cidrName}`;
  if (Buffer.byteLength(name) < MAX_NAME_LENGTH) return name;
  // Go slices bytes, not characters.
  const keep = Math.max(0, MAX_NAME_LENGTH - 1 - cidrName.length - 13);
  const hostPart = Buffer.from(host, 'utf8').subarray(0, keep).toString('utf8');
  const hash = createHash('sha256').update(`${host}+${cidrName}`).digest('hex').slice(0, 11);
  return `${hostPart}-${cidrName}-${hash}`;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, standard alphabet, no padding (Go `base32.StdEncoding.WithPadding(NoPadding)`). */
export function base32NoPad(data: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Value of the `projectcalico.org/hostname-hash` label: base32(SHA3-256(hostname)), 52 chars. */
export function hostnameHashLabel(hostname: string): string {
  return base32NoPad(createHash('sha3-256').update(hostname, 'utf8').digest());
}

/** IPAMHandle CR name: the handle ID lower-cased (`spec.handleID` keeps the original case). */
export function ipamHandleName(handleId: string): string {
  return handleId.toLowerCase();
}
