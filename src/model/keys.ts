/**
 * Classifies one etcd key of a Calico v3 datastore (reference §2). Pure and key-only: values are
 * looked at by the converters. Every key ends up as something we migrate, a skip with a stated
 * reason, or an invalid/unknown key that fails the conversion closed.
 */
import { canonicalCidr, cidrToName, parseCidr } from './cidr.js';
import { MIGRATED_KINDS, type KindInfo } from './kinds.js';

/** Every key of a Calico etcd datastore is under it. */
export const CALICO_PREFIX = '/calico/';
export const V3_PREFIX = '/calico/resources/v3/projectcalico.org/';
/** Where Calico keeps its ClusterInformation (the lock flag, GUID and version). */
export const CLUSTER_INFO_KEY = `${V3_PREFIX}clusterinformations/default`;
export const IPAM_PREFIX = '/calico/ipam/v2/';
export const IPAM_CONFIG_KEY = '/calico/ipam/v2/config';

export type SkipCategory =
  | 'kdd-derived-profile'
  | 'user-profile'
  | 'workload-endpoint'
  | 'live-migration'
  | 'calico-node-status'
  | 'kdd-derived-policy'
  | 'felix-status'
  | 'v1-syncer-model'
  | 'ipam-legacy-host-dir'
  | 'v3-ipam-resource'
  | 'cluster-information'
  | 'unknown';

export type ClassifiedKey =
  | { type: 'resource'; info: KindInfo; plural: string; namespace: string | null; name: string }
  | { type: 'node'; name: string }
  | { type: 'clusterinformation'; name: string }
  | { type: 'ipam-block'; ipVersion: 4 | 6; cidr: string; cidrName: string }
  | {
      type: 'ipam-affinity';
      affinityType: 'host' | 'virtual';
      host: string;
      ipVersion: 4 | 6;
      cidr: string;
      cidrName: string;
    }
  | { type: 'ipam-handle'; handleId: string }
  | { type: 'ipam-config' }
  /** A v3 IPAM resource path (`ipamconfigurations`, `ipamconfigs`, `blockaffinities`): skipped, maybe compared. */
  | { type: 'v3-ipam'; plural: string; name: string; skip: { category: SkipCategory; reason: string } }
  | { type: 'skipped'; category: SkipCategory; reason: string; userProfile?: boolean }
  | { type: 'invalid'; code: string; message: string; hint: string }
  | { type: 'unknown'; code: 'unknown-key' | 'unknown-kind'; message: string; hint: string };

/** v3 plurals that are never migrated as CRs; `namespaced` tells how many path segments to expect. */
const SKIPPED_PLURALS: Record<string, { namespaced: boolean; category: SkipCategory; reason: string }> = {
  workloadendpoints: {
    namespaced: true,
    category: 'workload-endpoint',
    reason: 'WorkloadEndpoints are derived from Pods in the Kubernetes datastore',
  },
  livemigrations: {
    namespaced: true,
    category: 'live-migration',
    reason: 'LiveMigrations are derived from KubeVirt VirtualMachineInstanceMigrations in the Kubernetes datastore',
  },
  caliconodestatuses: {
    namespaced: false,
    category: 'calico-node-status',
    reason: 'CalicoNodeStatus objects are on-demand status requests and are not migrated; recreate them if still needed',
  },
};

const V3_IPAM_PLURALS: Record<string, string> = {
  ipamconfigurations: 'v3 IPAMConfiguration is not read by IPAM in etcd mode; the IPAM config comes from /calico/ipam/v2/config',
  ipamconfigs: 'v3 IPAMConfig is not read by IPAM in etcd mode; the IPAM config comes from /calico/ipam/v2/config',
  blockaffinities: 'v3 BlockAffinity paths are not used in etcd mode; affinities come from /calico/ipam/v2/host|virtual/',
};

const MIGRATED_BY_PLURAL = new Map(MIGRATED_KINDS.map((k) => [k.plural, k]));

const PROFILE_DERIVED_REASON = 'profile is derived by the Kubernetes datastore (from Namespaces, ServiceAccounts or built in) and cannot be created';

function skipped(category: SkipCategory, reason: string): ClassifiedKey {
  return { type: 'skipped', category, reason };
}

function invalid(message: string, hint: string, code = 'invalid-key'): ClassifiedKey {
  return { type: 'invalid', code, message, hint };
}

const UNKNOWN_HINT = 'Check what wrote this key. Remove it from etcd if it is not needed, or re-run with --skip-unknown to migrate without it.';

function parseV3(key: string, rest: string): ClassifiedKey {
  const parts = rest.split('/');
  const plural = parts[0] ?? '';
  const segs = parts.slice(1);
  const expect = (namespaced: boolean): { namespace: string | null; name: string } | null => {
    const want = namespaced ? 2 : 1;
    if (segs.length !== want || segs.some((s) => s.length === 0)) return null;
    return namespaced ? { namespace: segs[0] ?? '', name: segs[1] ?? '' } : { namespace: null, name: segs[0] ?? '' };
  };
  const badShape = (namespaced: boolean): ClassifiedKey =>
    invalid(`key ${key} does not have the form ${V3_PREFIX}${plural}/${namespaced ? '<namespace>/' : ''}<name>`, 'Inspect the key with etcdctl; remove it if it is garbage, it cannot be converted.');

  if (plural === 'nodes') {
    const p = expect(false);
    return p ? { type: 'node', name: p.name } : badShape(false);
  }
  if (plural === 'clusterinformations') {
    const p = expect(false);
    if (!p) return badShape(false);
    if (p.name !== 'default') {
      return skipped('cluster-information', 'only ClusterInformation "default" is used by Calico');
    }
    return { type: 'clusterinformation', name: p.name };
  }
  if (plural === 'profiles') {
    const p = expect(false);
    if (!p) return badShape(false);
    if (p.name.startsWith('kns.') || p.name.startsWith('ksa.') || p.name === 'projectcalico-default-allow') {
      return skipped('kdd-derived-profile', PROFILE_DERIVED_REASON);
    }
    return {
      type: 'skipped',
      category: 'user-profile',
      reason: 'user-created profiles cannot be stored in the Kubernetes datastore (profiles are derived from Namespaces and ServiceAccounts there)',
      userProfile: true,
    };
  }
  const skip = SKIPPED_PLURALS[plural];
  if (skip) {
    return expect(skip.namespaced) ? skipped(skip.category, skip.reason) : badShape(skip.namespaced);
  }
  const ipamReason = V3_IPAM_PLURALS[plural];
  if (ipamReason !== undefined) {
    const p = expect(false);
    if (!p) return badShape(false);
    return { type: 'v3-ipam', plural, name: p.name, skip: { category: 'v3-ipam-resource', reason: ipamReason } };
  }
  const info = MIGRATED_BY_PLURAL.get(plural);
  if (!info) {
    return {
      type: 'unknown',
      code: 'unknown-kind',
      message: `key ${key} is of resource type "${plural}", which this tool does not know how to migrate`,
      hint: UNKNOWN_HINT,
    };
  }
  const p = expect(info.namespaced);
  if (!p) return badShape(info.namespaced);
  if (plural === 'networkpolicies' && p.name.startsWith('knp.default.')) {
    return skipped('kdd-derived-policy', 'knp.default.* policies mirror Kubernetes NetworkPolicies; the Kubernetes datastore derives them from the NetworkPolicy objects');
  }
  return { type: 'resource', info, plural, namespace: p.namespace, name: p.name };
}

/** Parses `<ip>-<prefixlen>` as used in IPAM keys. */
function parseKeyCidr(key: string, text: string, ipv: string): { ok: true; version: 4 | 6; cidr: string; cidrName: string } | { ok: false; result: ClassifiedKey } {
  const dash = text.lastIndexOf('-');
  const parsed = dash > 0 ? parseCidr(`${text.slice(0, dash)}/${text.slice(dash + 1)}`) : null;
  if (!parsed) {
    return {
      ok: false,
      result: invalid(`key ${key} has an invalid block CIDR "${text}"`, 'Inspect and remove the key; IPAM cannot use it.', 'invalid-cidr'),
    };
  }
  const version = ipv === 'ipv4' ? 4 : 6;
  if (parsed.version !== version) {
    return {
      ok: false,
      result: invalid(`key ${key} is under ${ipv} but "${text}" is an IPv${parsed.version} CIDR`, 'Inspect and remove the key; IPAM cannot use it.', 'invalid-cidr'),
    };
  }
  if (!parsed.masked) {
    return {
      ok: false,
      result: invalid(`key ${key} has block CIDR "${text}" with host bits set`, 'Inspect and remove the key; IPAM only writes masked block CIDRs.', 'invalid-cidr'),
    };
  }
  const cidr = canonicalCidr(parsed);
  return { ok: true, version, cidr, cidrName: cidrToName(cidr) };
}

function parseIpam(key: string, rest: string): ClassifiedKey {
  if (key === IPAM_CONFIG_KEY) return { type: 'ipam-config' };
  const parts = rest.split('/');
  const head = parts[0];
  if (head === 'assignment') {
    // assignment/ipv4/block/<cidr>
    if (parts.length === 4 && (parts[1] === 'ipv4' || parts[1] === 'ipv6') && parts[2] === 'block') {
      const c = parseKeyCidr(key, parts[3] ?? '', parts[1]);
      if (!c.ok) return c.result;
      return { type: 'ipam-block', ipVersion: c.version, cidr: c.cidr, cidrName: c.cidrName };
    }
    return invalid(`key ${key} is not an IPAM block key (/calico/ipam/v2/assignment/ipv<4|6>/block/<cidr>)`, 'Inspect and remove the key.');
  }
  if (head === 'host' || head === 'virtual') {
    const host = parts[1] ?? '';
    if (head === 'host' && parts.length === 2 && host.length > 0) {
      return skipped('ipam-legacy-host-dir', 'legacy IPAM host directory marker; it carries no data');
    }
    if (parts.length === 5 && host.length > 0 && (parts[2] === 'ipv4' || parts[2] === 'ipv6') && parts[3] === 'block') {
      const c = parseKeyCidr(key, parts[4] ?? '', parts[2]);
      if (!c.ok) return c.result;
      return { type: 'ipam-affinity', affinityType: head, host, ipVersion: c.version, cidr: c.cidr, cidrName: c.cidrName };
    }
    return invalid(`key ${key} is not an IPAM affinity key (/calico/ipam/v2/${head}/<host>/ipv<4|6>/block/<cidr>)`, 'Inspect and remove the key.');
  }
  if (head === 'handle') {
    // Handle IDs are stored unescaped, so everything after `handle/` is the ID.
    const handleId = rest.slice('handle/'.length);
    if (handleId.length === 0) return invalid(`key ${key} has an empty IPAM handle ID`, 'Inspect and remove the key.');
    return { type: 'ipam-handle', handleId };
  }
  return { type: 'unknown', code: 'unknown-key', message: `key ${key} is not a known Calico IPAM key`, hint: UNKNOWN_HINT };
}

export function classifyKey(key: string): ClassifiedKey {
  if (typeof key !== 'string') {
    return { type: 'unknown', code: 'unknown-key', message: 'key is not a string', hint: UNKNOWN_HINT };
  }
  if (key.startsWith(V3_PREFIX)) return parseV3(key, key.slice(V3_PREFIX.length));
  if (key.startsWith(IPAM_PREFIX)) return parseIpam(key, key.slice(IPAM_PREFIX.length));
  if (key.startsWith('/calico/felix/')) {
    return skipped('felix-status', 'Felix status report written with a TTL; Felix rewrites it in the new datastore');
  }
  if (key.startsWith('/calico/v1/') || key.startsWith('/calico/bgp/v1/')) {
    return skipped('v1-syncer-model', 'v1 syncer-model key; an etcdv3 datastore does not use it (leftover from an older Calico or another tool)');
  }
  return {
    type: 'unknown',
    code: 'unknown-key',
    message: `key ${key} is not a known Calico v3 datastore key`,
    hint: UNKNOWN_HINT,
  };
}
