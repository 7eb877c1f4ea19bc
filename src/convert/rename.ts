/**
 * Node renames (etcd name -> Kubernetes name) wherever a node name is embedded in another object.
 * calicoctl only renames per-node Felix/BGP configs and some IPAM fields; we also remap
 * BGPPeer/HostEndpoint `spec.node`, the IPv6 tunnel handles, and never touch `virtual:` affinities.
 */
import type { JsonRecord } from './json.js';

export type NodeMap = ReadonlyMap<string, string>;

/** Handle-ID prefixes of the per-node tunnel addresses (node/pkg/allocateip). */
export const TUNNEL_HANDLE_PREFIXES = ['ipip-tunnel-addr-', 'vxlan-tunnel-addr-', 'vxlan-v6-tunnel-addr-', 'wireguard-tunnel-addr-', 'wireguard-v6-tunnel-addr-'] as const;

export function renameNode(name: string, map: NodeMap): string {
  return map.get(name) ?? name;
}

/** `<prefix><etcdNode>` -> `<prefix><k8sNode>` for the tunnel prefixes; other IDs unchanged. */
export function renameHandleId(handleId: string, map: NodeMap): string {
  for (const prefix of TUNNEL_HANDLE_PREFIXES) {
    if (handleId.startsWith(prefix)) {
      const node = handleId.slice(prefix.length);
      const to = map.get(node);
      return to === undefined ? handleId : prefix + to;
    }
  }
  return handleId;
}

/** Block `affinity`: `host:<old>` -> `host:<new>`. `virtual:<x>` names a virtual owner, not a node. */
export function renameBlockAffinity(affinity: string, map: NodeMap): string {
  if (!affinity.startsWith('host:')) return affinity;
  const to = map.get(affinity.slice('host:'.length));
  return to === undefined ? affinity : `host:${to}`;
}

/** Per-node FelixConfiguration/BGPConfiguration: `node.<old>` -> `node.<new>`. */
export function renamePerNodeConfig(name: string, map: NodeMap): { name: string; node: string | null; known: boolean } {
  if (!name.startsWith('node.')) return { name, node: null, known: true };
  const node = name.slice('node.'.length);
  const to = map.get(node);
  return to === undefined ? { name, node, known: false } : { name: `node.${to}`, node, known: true };
}

/** BGPPeer / HostEndpoint `spec.node`. Returns the old value when it changed. */
export function renameSpecNode(spec: JsonRecord, map: NodeMap): string | null {
  const node = spec.node;
  if (typeof node !== 'string' || node === '') return null;
  const to = map.get(node);
  if (to === undefined || to === node) return null;
  spec.node = to;
  return node;
}

/** `node` in an attribute map (`secondary` / `alternateOwnerAttrs`), renamed in place. */
export function renameAttrNode(attrs: JsonRecord, map: NodeMap): void {
  const node = attrs.node;
  if (typeof node !== 'string') return;
  const to = map.get(node);
  if (to !== undefined) attrs.node = to;
}

/**
 * Quoted tokens in a selector that are renamed etcd node names, e.g. `kubernetes.io/hostname == 'old'`.
 * Selectors are not rewritten (their meaning depends on labels), only reported.
 */
export function selectorNodeMentions(selector: string, renamed: ReadonlySet<string>): string[] {
  if (renamed.size === 0) return [];
  const out = new Set<string>();
  for (const m of selector.matchAll(/'([^']*)'|"([^"]*)"/g)) {
    const token = m[1] ?? m[2] ?? '';
    if (renamed.has(token)) out.add(token);
  }
  return [...out].sort();
}
