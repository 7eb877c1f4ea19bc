/**
 * `/calico/ipam/v2/config` (model.IPAMConfig, snake_case, all omitempty) -> IPAMConfig CR `default`
 * (camelCase; `strictAffinity` and `autoAllocateBlocks` always present). Also compares a leftover
 * v3 IPAMConfiguration with it, since only the v2 key is what IPAM really used in etcd mode.
 */
import type { DiagnosticSink } from './diagnostics.js';
import { isRecord, pointer, type JsonRecord } from './json.js';

export interface IpamConfigValues {
  strictAffinity: boolean;
  autoAllocateBlocks: boolean;
  maxBlocksPerHost: number;
  kubeVirtVMAddressPersistence: string | null;
  ipCooldownSeconds: number;
}

const KNOWN_V2_FIELDS = new Set(['strict_affinity', 'auto_allocate_blocks', 'maxBlocksPerHost', 'kubeVirtVMAddressPersistence', 'ipCooldownSeconds']);

export function readV2Config(value: JsonRecord, key: string, diag: DiagnosticSink): IpamConfigValues {
  const bool = (field: string): boolean => {
    const v = value[field];
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    diag.error({ code: 'invalid-value', key, path: pointer(field), message: `${field} must be a boolean`, hint: 'Fix with calicoctl ipam configure.' });
    return false;
  };
  const int = (field: string): number => {
    const v = value[field];
    if (v === undefined || v === null) return 0;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    diag.error({ code: 'invalid-value', key, path: pointer(field), message: `${field} must be a non-negative integer`, hint: 'Fix with calicoctl ipam configure.' });
    return 0;
  };
  for (const f of Object.keys(value)) {
    if (!KNOWN_V2_FIELDS.has(f)) {
      diag.warn({ code: 'ignored-field', key, path: pointer(f), message: `IPAM config field "${f}" is unknown and not migrated` });
    }
  }
  const kv = value.kubeVirtVMAddressPersistence;
  return {
    strictAffinity: bool('strict_affinity'),
    autoAllocateBlocks: bool('auto_allocate_blocks'),
    maxBlocksPerHost: int('maxBlocksPerHost'),
    kubeVirtVMAddressPersistence: typeof kv === 'string' && kv !== '' ? kv : null,
    ipCooldownSeconds: int('ipCooldownSeconds'),
  };
}

/** IPAMConfigSpec field order; zero values of the omitempty fields are left out. */
export function ipamConfigSpec(c: IpamConfigValues): JsonRecord {
  const spec: JsonRecord = { strictAffinity: c.strictAffinity, autoAllocateBlocks: c.autoAllocateBlocks };
  if (c.maxBlocksPerHost !== 0) spec.maxBlocksPerHost = c.maxBlocksPerHost;
  if (c.kubeVirtVMAddressPersistence !== null) spec.kubeVirtVMAddressPersistence = c.kubeVirtVMAddressPersistence;
  if (c.ipCooldownSeconds !== 0) spec.ipCooldownSeconds = c.ipCooldownSeconds;
  return spec;
}

/** Differences between a v3 IPAMConfiguration spec and the effective v2 config (empty when equal). */
export function diffV3IpamConfig(v3spec: unknown, v2: IpamConfigValues | null): string[] {
  const s: JsonRecord = isRecord(v3spec) ? v3spec : {};
  const eff = v2 ?? { strictAffinity: false, autoAllocateBlocks: true, maxBlocksPerHost: 0, kubeVirtVMAddressPersistence: null, ipCooldownSeconds: 0 };
  const out: string[] = [];
  const cmp = (name: string, a: unknown, b: unknown) => {
    if (a !== b) out.push(`${name}: v3=${JSON.stringify(a)} v2=${JSON.stringify(b)}`);
  };
  cmp('strictAffinity', s.strictAffinity === true, eff.strictAffinity);
  cmp('autoAllocateBlocks', s.autoAllocateBlocks === true, eff.autoAllocateBlocks);
  cmp('maxBlocksPerHost', typeof s.maxBlocksPerHost === 'number' ? s.maxBlocksPerHost : 0, eff.maxBlocksPerHost);
  cmp(
    'kubeVirtVMAddressPersistence',
    typeof s.kubeVirtVMAddressPersistence === 'string' && s.kubeVirtVMAddressPersistence !== '' ? s.kubeVirtVMAddressPersistence : null,
    eff.kubeVirtVMAddressPersistence,
  );
  return out;
}
