/**
 * FelixConfiguration: export's `ConvertIptablesFields` turns the legacy upper-case iptables
 * actions (`DROP`, `ACCEPT`, `RETURN`) into the v3 Title-case values the CRD enums expect.
 */
import type { JsonRecord } from './json.js';

export const IPTABLES_ACTION_FIELDS = ['defaultEndpointToHostAction', 'iptablesFilterAllowAction', 'iptablesMangleAllowAction', 'iptablesFilterDenyAction'] as const;

/** `DROP` -> `Drop`; empty stays empty. */
export function titleCaseAction(v: string): string {
  if (v.length === 0) return v;
  const lower = v.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** Returns the fields it changed. */
export function convertIptablesFields(spec: JsonRecord): string[] {
  const changed: string[] = [];
  for (const f of IPTABLES_ACTION_FIELDS) {
    const v = spec[f];
    if (typeof v !== 'string') continue;
    const t = titleCaseAction(v);
    if (t !== v) {
      spec[f] = t;
      changed.push(f);
    }
  }
  return changed;
}
