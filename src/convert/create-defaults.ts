/**
 * What Calico's client adds when calicoctl's import creates an object, so the target holds what
 * calicoctl would have written:
 *
 * - FelixConfiguration: clientv3 `felixconfig.go` `setDefaults` (floatingIPs, the BPF connect-time
 *   load-balancing pair, with the deprecated `bpfConnectTimeLoadBalancingEnabled` deciding both
 *   when set), plus `bpfLogLevel: ""`, which Go always marshals (its field has no omitempty).
 * - KubeControllersConfiguration: clientv3 `kubecontrollersconfig.go` `validateAndFillDefaults`
 *   (prometheusMetricsPort 9094, the node controller's leakGracePeriod 15m, the load-balancer
 *   controller's assignIPs). Its template nodeSelector "default" is set on a loop copy in Go and
 *   never stored, so it is not applied here either.
 * - Every `metav1.Duration` field of these kinds and of BGPConfiguration and BGPPeer is re-read
 *   and re-written by Go, so `5m` is stored as `5m0s`.
 *
 * A value that is present is never replaced (except by the deprecated field, as Calico does).
 */
import { normalizeGoDuration } from './go-duration.js';
import { isRecord, type JsonRecord } from './json.js';

/** The `metav1.Duration` fields per kind, as paths below `spec` (`[]` marks every item of a list). */
export const DURATION_FIELDS: Readonly<Record<string, readonly string[]>> = {
  FelixConfiguration: [
    'bpfKubeProxyMinSyncPeriod',
    'dataplaneWatchdogTimeout',
    'debugSimulateCalcGraphHangAfter',
    'debugSimulateDataplaneApplyDelay',
    'debugSimulateDataplaneHangAfter',
    'endpointReportingDelay',
    'flowLogsFlushInterval',
    'healthTimeoutOverrides[].timeout',
    'interfaceRefreshInterval',
    'ipsetsRefreshInterval',
    'iptablesLockProbeInterval',
    'iptablesPostWriteCheckInterval',
    'iptablesRefreshInterval',
    'liveMigrationRouteConvergenceTime',
    'netlinkTimeout',
    'nftablesRefreshInterval',
    'reportingInterval',
    'reportingTTL',
    'routeRefreshInterval',
    'usageReportingInitialDelay',
    'usageReportingInterval',
    'wireguardKeepAlive',
    'xdpRefreshInterval',
  ],
  KubeControllersConfiguration: [
    'etcdV3CompactionPeriod',
    'controllers.node.reconcilerPeriod',
    'controllers.node.leakGracePeriod',
    'controllers.policy.reconcilerPeriod',
    'controllers.workloadEndpoint.reconcilerPeriod',
    'controllers.serviceAccount.reconcilerPeriod',
    'controllers.namespace.reconcilerPeriod',
  ],
  BGPConfiguration: ['nodeMeshMaxRestartTime'],
  BGPPeer: ['keepaliveTime', 'maxRestartTime'],
};

const absent = (v: unknown) => v === undefined || v === null;

/** Sets `field` when absent; records it as `spec.<path>`. */
function fill(obj: JsonRecord, field: string, value: unknown, path: string, changed: string[]): void {
  if (!absent(obj[field])) return;
  obj[field] = value;
  changed.push(`spec.${path}`);
}

function felixDefaults(spec: JsonRecord, changed: string[]): void {
  fill(spec, 'floatingIPs', 'Disabled', 'floatingIPs', changed);
  fill(spec, 'bpfConnectTimeLoadBalancing', 'TCP', 'bpfConnectTimeLoadBalancing', changed);
  fill(spec, 'bpfHostNetworkedNATWithoutCTLB', 'Enabled', 'bpfHostNetworkedNATWithoutCTLB', changed);
  const legacy = spec.bpfConnectTimeLoadBalancingEnabled;
  if (typeof legacy === 'boolean') {
    const ctlb = legacy ? 'Enabled' : 'Disabled';
    if (spec.bpfHostNetworkedNATWithoutCTLB !== 'Disabled') changed.push('spec.bpfHostNetworkedNATWithoutCTLB');
    if (spec.bpfConnectTimeLoadBalancing !== ctlb) changed.push('spec.bpfConnectTimeLoadBalancing');
    spec.bpfHostNetworkedNATWithoutCTLB = 'Disabled';
    spec.bpfConnectTimeLoadBalancing = ctlb;
  }
  fill(spec, 'bpfLogLevel', '', 'bpfLogLevel', changed);
}

function kubeControllersDefaults(spec: JsonRecord, changed: string[]): void {
  fill(spec, 'prometheusMetricsPort', 9094, 'prometheusMetricsPort', changed);
  const controllers = spec.controllers;
  if (!isRecord(controllers)) return;
  if (isRecord(controllers.node)) fill(controllers.node, 'leakGracePeriod', '15m0s', 'controllers.node.leakGracePeriod', changed);
  const lb = controllers.loadBalancer;
  if (isRecord(lb) && (absent(lb.assignIPs) || lb.assignIPs === '')) {
    lb.assignIPs = 'AllServices';
    changed.push('spec.controllers.loadBalancer.assignIPs');
  }
}

/** Rewrites the duration at `path` (below `spec`) in Go's form; a text Go cannot parse is left for validation to report. */
function normalizeAt(node: unknown, parts: readonly string[], path: string, changed: string[]): void {
  if (!isRecord(node) || parts.length === 0) return;
  const [head = '', ...rest] = parts;
  const list = head.endsWith('[]');
  const field = list ? head.slice(0, -2) : head;
  const v = node[field];
  if (list) {
    if (Array.isArray(v)) v.forEach((item, i) => normalizeAt(item, rest, `${path}${field}[${i}].`, changed));
    return;
  }
  if (rest.length > 0) return normalizeAt(v, rest, `${path}${field}.`, changed);
  if (typeof v !== 'string') return;
  const normal = normalizeGoDuration(v);
  if (normal !== null && normal !== v) {
    node[field] = normal;
    changed.push(`spec.${path}${field}`);
  }
}

/** Applies the create-time defaults and duration forms of `kind` to `spec` in place; returns the paths it changed. */
export function applyCreateDefaults(kind: string, spec: JsonRecord): string[] {
  const changed: string[] = [];
  for (const f of DURATION_FIELDS[kind] ?? []) normalizeAt(spec, f.split('.'), '', changed);
  if (kind === 'FelixConfiguration') felixDefaults(spec, changed);
  if (kind === 'KubeControllersConfiguration') kubeControllersDefaults(spec, changed);
  return [...new Set(changed)];
}
