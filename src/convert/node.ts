/**
 * A Calico Node becomes annotations on the existing Kubernetes Node (libcalico-go
 * `mergeCalicoNodeIntoK8sNode`, reference §1.7). Only the Calico-managed annotations are part of the
 * desired body; apply merges them and removes managed keys that are absent here.
 */
import type { KubeObject } from '../model/types.js';
import type { DiagnosticSink } from './diagnostics.js';
import { GoMap, goJson, isRecord, pointer, type JsonRecord } from './json.js';

export const NODE_ANNOTATIONS = {
  ipv4Address: 'projectcalico.org/IPv4Address',
  ipv6Address: 'projectcalico.org/IPv6Address',
  ipv4IPIPTunnelAddr: 'projectcalico.org/IPv4IPIPTunnelAddr',
  asNumber: 'projectcalico.org/ASNumber',
  routeReflectorClusterID: 'projectcalico.org/RouteReflectorClusterID',
  ipv4VXLANTunnelAddr: 'projectcalico.org/IPv4VXLANTunnelAddr',
  vxlanTunnelMACAddr: 'projectcalico.org/VXLANTunnelMACAddr',
  ipv6VXLANTunnelAddr: 'projectcalico.org/IPv6VXLANTunnelAddr',
  vxlanTunnelMACAddrV6: 'projectcalico.org/VXLANTunnelMACAddrV6',
  wireguardIPv4: 'projectcalico.org/IPv4WireguardInterfaceAddr',
  wireguardIPv6: 'projectcalico.org/IPv6WireguardInterfaceAddr',
  wireguardPublicKey: 'projectcalico.org/WireguardPublicKey',
  wireguardPublicKeyV6: 'projectcalico.org/WireguardPublicKeyV6',
  interfaces: 'projectcalico.org/Interfaces',
  labels: 'projectcalico.org/labels',
  annotations: 'projectcalico.org/annotations',
} as const;

export { MANAGED_NODE_ANNOTATIONS } from '../model/node-annotations.js';

/** Bookkeeping annotation of the KDD node reader; never written by us. */
const KUBE_LABELS_ANNOTATION = 'projectcalico.org/kube-labels';

/** The five annotations that come from `spec.bgp`; all are removed when `spec.bgp` is nil. */
export const BGP_NODE_ANNOTATIONS: readonly string[] = [
  NODE_ANNOTATIONS.ipv4Address,
  NODE_ANNOTATIONS.ipv4IPIPTunnelAddr,
  NODE_ANNOTATIONS.ipv6Address,
  NODE_ANNOTATIONS.asNumber,
  NODE_ANNOTATIONS.routeReflectorClusterID,
];

export interface NodeContext {
  key: string;
  address: string;
  diag: DiagnosticSink;
}

/** numorstring.ASNumber: a number, or a string in plain or dotted (`high.low`) notation. */
export function asNumberString(v: unknown): string | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return String(v);
  if (typeof v !== 'string') return null;
  if (/^[0-9]+$/.test(v)) {
    const n = Number(v);
    return n <= 0xffffffff ? String(n) : null;
  }
  const m = /^([0-9]+)\.([0-9]+)$/.exec(v);
  if (!m) return null;
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  if (hi > 0xffff || lo > 0xffff) return null;
  return String(hi * 65536 + lo);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function stringRecord(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
}

/**
 * `restoreCalicoLabels`: when the node carries the KDD bookkeeping annotation, labels inherited from
 * the Kubernetes node are dropped. etcd nodes normally lack it, so all their labels are kept.
 */
function restoreCalicoLabels(labels: Record<string, string>, annotations: Record<string, string>): void {
  const raw = annotations[KUBE_LABELS_ANNOTATION];
  if (raw === undefined || raw === '') return;
  try {
    const k8sLabels: unknown = JSON.parse(raw);
    if (isRecord(k8sLabels)) for (const k of Object.keys(k8sLabels)) delete labels[k];
  } catch {
    // Calico fails the write here; keeping the labels is the safer choice for a migration.
  }
  delete annotations[KUBE_LABELS_ANNOTATION];
}

/**
 * Desired Kubernetes Node body for one Calico node: `{apiVersion: v1, kind: Node, metadata: {name, annotations}}`
 * with only the managed annotations that have a value.
 */
export function nodeToK8sNode(node: JsonRecord, k8sName: string, ctx: NodeContext): KubeObject {
  const meta = isRecord(node.metadata) ? node.metadata : {};
  const spec = isRecord(node.spec) ? node.spec : {};
  const status = isRecord(node.status) ? node.status : {};
  const out: Record<string, string> = {};
  const set = (key: string, value: string) => {
    if (value !== '') out[key] = value;
  };

  const labels = stringRecord(meta.labels);
  const annotations = stringRecord(meta.annotations);
  restoreCalicoLabels(labels, annotations);
  if (Object.keys(labels).length > 0) out[NODE_ANNOTATIONS.labels] = goJson(new GoMap(labels));
  if (Object.keys(annotations).length > 0) out[NODE_ANNOTATIONS.annotations] = goJson(new GoMap(annotations));

  set(NODE_ANNOTATIONS.ipv4VXLANTunnelAddr, str(spec.ipv4VXLANTunnelAddr));
  set(NODE_ANNOTATIONS.vxlanTunnelMACAddr, str(spec.vxlanTunnelMACAddr));
  set(NODE_ANNOTATIONS.ipv6VXLANTunnelAddr, str(spec.ipv6VXLANTunnelAddr));
  set(NODE_ANNOTATIONS.vxlanTunnelMACAddrV6, str(spec.vxlanTunnelMACAddrV6));

  // A nil spec.bgp deletes all five BGP annotations; absent keys here mean exactly that.
  if (isRecord(spec.bgp)) {
    const bgp = spec.bgp;
    set(NODE_ANNOTATIONS.ipv4Address, str(bgp.ipv4Address));
    set(NODE_ANNOTATIONS.ipv4IPIPTunnelAddr, str(bgp.ipv4IPIPTunnelAddr));
    set(NODE_ANNOTATIONS.ipv6Address, str(bgp.ipv6Address));
    if (bgp.asNumber !== undefined && bgp.asNumber !== null) {
      const asn = asNumberString(bgp.asNumber);
      if (asn === null) {
        ctx.diag.error({
          code: 'invalid-value',
          key: ctx.key,
          object: ctx.address,
          path: pointer('spec', 'bgp', 'asNumber'),
          message: `spec.bgp.asNumber ${JSON.stringify(bgp.asNumber)} is not a valid AS number`,
          hint: 'Fix the node in etcd (calicoctl patch node ...).',
        });
      } else {
        set(NODE_ANNOTATIONS.asNumber, asn);
      }
    }
    set(NODE_ANNOTATIONS.routeReflectorClusterID, str(bgp.routeReflectorClusterID));
  }

  if (isRecord(spec.wireguard)) {
    set(NODE_ANNOTATIONS.wireguardIPv4, str(spec.wireguard.interfaceIPv4Address));
    set(NODE_ANNOTATIONS.wireguardIPv6, str(spec.wireguard.interfaceIPv6Address));
  }
  set(NODE_ANNOTATIONS.wireguardPublicKey, str(status.wireguardPublicKey));
  set(NODE_ANNOTATIONS.wireguardPublicKeyV6, str(status.wireguardPublicKeyV6));

  if (Array.isArray(spec.interfaces) && spec.interfaces.length > 0) {
    out[NODE_ANNOTATIONS.interfaces] = goJson(spec.interfaces);
  }

  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: k8sName, annotations: sorted } };
}
