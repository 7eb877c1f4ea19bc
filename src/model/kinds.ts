/**
 * Every Calico kind the tool knows, with where it lives in etcd and in the Kubernetes datastore,
 * and the dependency wave apply writes it in. Waves: lower first for creates/updates; deletes run
 * in descending order. ClusterInformation is written twice: locked first, identity (GUID/version) last.
 */
export const CRD_GROUP = 'crd.projectcalico.org';
export const CRD_API_VERSION = 'crd.projectcalico.org/v1';

export interface KindInfo {
  kind: string;
  /** Plural used in etcd (`/calico/resources/v3/projectcalico.org/<plural>/`) and as the CRD resource. */
  plural: string;
  namespaced: boolean;
  wave: number;
  /** The four kinds whose CR name follows the tiered-policy naming rules. */
  tieredPolicy?: boolean;
}

export const WAVES = {
  clusterLock: 0,
  tiers: 1,
  config: 2,
  policies: 3,
  nodes: 4,
  nodeConfig: 5,
  affinities: 6,
  blocks: 7,
  handles: 8,
  ipamConfig: 9,
  /** Objects whose Calico owner this plan creates, after every kind (owner-references.ts); one wave per level. */
  owned: 10,
  ownedLast: 14,
  clusterIdentity: 15,
} as const;

/** v3 kinds migrated as `crd.projectcalico.org/v1` custom resources. */
export const MIGRATED_KINDS: readonly KindInfo[] = [
  { kind: 'Tier', plural: 'tiers', namespaced: false, wave: WAVES.tiers },
  { kind: 'IPPool', plural: 'ippools', namespaced: false, wave: WAVES.config },
  { kind: 'IPReservation', plural: 'ipreservations', namespaced: false, wave: WAVES.config },
  { kind: 'BGPFilter', plural: 'bgpfilters', namespaced: false, wave: WAVES.config },
  { kind: 'BGPConfiguration', plural: 'bgpconfigurations', namespaced: false, wave: WAVES.config },
  { kind: 'FelixConfiguration', plural: 'felixconfigurations', namespaced: false, wave: WAVES.config },
  { kind: 'KubeControllersConfiguration', plural: 'kubecontrollersconfigurations', namespaced: false, wave: WAVES.config },
  { kind: 'GlobalNetworkSet', plural: 'globalnetworksets', namespaced: false, wave: WAVES.config },
  { kind: 'NetworkSet', plural: 'networksets', namespaced: true, wave: WAVES.config },
  { kind: 'GlobalNetworkPolicy', plural: 'globalnetworkpolicies', namespaced: false, wave: WAVES.policies, tieredPolicy: true },
  { kind: 'StagedGlobalNetworkPolicy', plural: 'stagedglobalnetworkpolicies', namespaced: false, wave: WAVES.policies, tieredPolicy: true },
  { kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, wave: WAVES.policies, tieredPolicy: true },
  { kind: 'StagedNetworkPolicy', plural: 'stagednetworkpolicies', namespaced: true, wave: WAVES.policies, tieredPolicy: true },
  { kind: 'StagedKubernetesNetworkPolicy', plural: 'stagedkubernetesnetworkpolicies', namespaced: true, wave: WAVES.policies },
  { kind: 'BGPPeer', plural: 'bgppeers', namespaced: false, wave: WAVES.policies },
  { kind: 'HostEndpoint', plural: 'hostendpoints', namespaced: false, wave: WAVES.policies },
];

/** IPAM kinds, produced from `/calico/ipam/v2/...` keys. */
export const IPAM_KINDS: readonly KindInfo[] = [
  { kind: 'BlockAffinity', plural: 'blockaffinities', namespaced: false, wave: WAVES.affinities },
  { kind: 'IPAMBlock', plural: 'ipamblocks', namespaced: false, wave: WAVES.blocks },
  { kind: 'IPAMHandle', plural: 'ipamhandles', namespaced: false, wave: WAVES.handles },
  { kind: 'IPAMConfig', plural: 'ipamconfigs', namespaced: false, wave: WAVES.ipamConfig },
];

export const CLUSTER_INFORMATION: KindInfo = {
  kind: 'ClusterInformation',
  plural: 'clusterinformations',
  namespaced: false,
  wave: WAVES.clusterLock,
};

/** Kinds the target may hold that the tool lists to find extras and checks CRDs for, but never migrates. */
export const UNMIGRATED_CRD_KINDS: readonly KindInfo[] = [{ kind: 'CalicoNodeStatus', plural: 'caliconodestatuses', namespaced: false, wave: WAVES.config }];

/** Every `crd.projectcalico.org` kind whose CRD must be installed and Established in the target (22). */
export const ALL_CRD_KINDS: readonly KindInfo[] = [...MIGRATED_KINDS, ...IPAM_KINDS, CLUSTER_INFORMATION, ...UNMIGRATED_CRD_KINDS];

const byKind = new Map(ALL_CRD_KINDS.map((k) => [k.kind, k]));
const byPlural = new Map(ALL_CRD_KINDS.map((k) => [k.plural, k]));

export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

export function kindByPlural(plural: string): KindInfo | undefined {
  return byPlural.get(plural);
}

/** Node updates (annotations on core v1 Nodes) run after pools and policies, before per-node config. */
export const NODE_WAVE = WAVES.nodes;

/** Waves for per-node FelixConfiguration / BGPConfiguration (`node.<name>`). */
export function waveFor(kind: string, name: string): number {
  if (kind === 'Node') return WAVES.nodes;
  if ((kind === 'FelixConfiguration' || kind === 'BGPConfiguration') && name.startsWith('node.')) return WAVES.nodeConfig;
  const info = byKind.get(kind);
  if (!info) throw new Error(`no wave for kind ${kind}`);
  return info.wave;
}

/** The order calicoctl writes kinds in (`allV3Resources` in export.go). */
export const CALICOCTL_KIND_ORDER = [
  'IPPool',
  'BGPPeer',
  'Tier',
  'GlobalNetworkPolicy',
  'StagedGlobalNetworkPolicy',
  'GlobalNetworkSet',
  'HostEndpoint',
  'KubeControllersConfiguration',
  'NetworkPolicy',
  'StagedNetworkPolicy',
  'StagedKubernetesNetworkPolicy',
  'NetworkSet',
  'Node',
  'BGPConfiguration',
  'FelixConfiguration',
  'IPReservation',
  'BGPFilter',
] as const;
