/**
 * One copy of each repeated string in the converted objects. JSON.parse makes a new string for
 * every value it reads, so the node name, pod timestamp and handle ID that an IPAM block repeats
 * per allocation (and every handle repeats once more) would each be held tens of times: about a
 * fifth of the converted data at 300,000 objects. A pool lives for one conversion.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  intern(s: string): string {
    const held = this.strings.get(s);
    if (held !== undefined) return held;
    this.strings.set(s, s);
    return s;
  }

  /** Interns every string value of a flat record, in place. */
  internValues(record: Record<string, unknown>): void {
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (typeof v === 'string') record[k] = this.intern(v);
    }
  }
}
