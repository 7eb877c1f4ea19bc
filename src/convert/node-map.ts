/**
 * etcd node name -> Kubernetes node name. Export uses the node's `k8s` orchestrator reference
 * (the last one wins); `--node-map` entries override it and cover nodes without one. Unlike
 * calicoctl we report a missing mapping per node instead of aborting, and we detect two etcd
 * nodes landing on one Kubernetes node (calicoctl silently lets the last write win).
 */
import type { DiagnosticSink } from './diagnostics.js';
import { isRecord, type JsonRecord } from './json.js';
import { dns1123SubdomainError } from './k8s-names.js';

export interface NodeSource {
  key: string;
  etcdName: string;
  /** The parsed v3 Node, or null when the value could not be parsed (already reported). */
  value: JsonRecord | null;
}

export interface NodeMapResult {
  /** Every node with a usable mapping, collisions included (they are errors, reported separately). */
  map: Map<string, string>;
  /** k8s names claimed by more than one etcd node. */
  collisions: Map<string, string[]>;
}

/** The nodeName of the last `orchestrator: k8s` orchRef, or null. */
export function k8sOrchRefName(node: JsonRecord): string | null {
  const spec = node.spec;
  if (!isRecord(spec) || !Array.isArray(spec.orchRefs)) return null;
  let found: string | null = null;
  for (const ref of spec.orchRefs) {
    if (isRecord(ref) && ref.orchestrator === 'k8s' && typeof ref.nodeName === 'string' && ref.nodeName !== '') {
      found = ref.nodeName;
    }
  }
  return found;
}

export function buildNodeMap(nodes: readonly NodeSource[], explicit: Readonly<Record<string, string>> | undefined, diag: DiagnosticSink): NodeMapResult {
  const map = new Map<string, string>();
  const byTarget = new Map<string, string[]>();
  const explicitMap = new Map(Object.entries(explicit ?? {}));
  const seen = new Set<string>();

  for (const n of nodes) {
    seen.add(n.etcdName);
    const fromRef = n.value ? k8sOrchRefName(n.value) : null;
    const override = explicitMap.get(n.etcdName);
    let target: string | null = null;
    if (override !== undefined) {
      target = override;
      if (fromRef !== null && fromRef !== override) {
        diag.info({
          code: 'node-map-override',
          key: n.key,
          message: `node ${n.etcdName}: --node-map maps it to ${override}, overriding its k8s orchRef ${fromRef}`,
        });
      }
    } else if (fromRef !== null) {
      target = fromRef;
    } else if (n.value) {
      diag.error({
        code: 'node-missing-k8s-ref',
        key: n.key,
        message: `node ${n.etcdName} has no 'k8s' orchestrator reference, so its Kubernetes node name is unknown`,
        hint: `Pass --node-map ${n.etcdName}=<kubernetes node name>, or delete the Calico node from etcd if it is gone.`,
      });
    }
    if (target === null) continue;
    const nameErr = dns1123SubdomainError(target);
    if (nameErr) {
      diag.error({
        code: 'invalid-node-name',
        key: n.key,
        message: `node ${n.etcdName} maps to Kubernetes node name "${target}", which ${nameErr}`,
        hint: 'Fix the orchRef in etcd or pass a correct --node-map entry.',
      });
      continue;
    }
    map.set(n.etcdName, target);
    const list = byTarget.get(target) ?? [];
    list.push(n.etcdName);
    byTarget.set(target, list);
  }

  const keyOf = new Map(nodes.map((n) => [n.etcdName, n.key]));
  const collisions = new Map<string, string[]>();
  for (const [target, sources] of byTarget) {
    if (sources.length < 2) continue;
    const sorted = [...sources].sort();
    collisions.set(target, sorted);
    diag.error({
      code: 'node-collision',
      key: keyOf.get(sorted[0] ?? ''),
      message: `etcd nodes ${sorted.join(', ')} all map to Kubernetes node ${target}; only one Calico node can live on it`,
      hint: 'Delete the stale Calico node(s) from etcd, or map each one to a distinct Kubernetes node with --node-map.',
    });
  }

  for (const name of explicitMap.keys()) {
    if (!seen.has(name)) {
      diag.warn({
        code: 'node-map-unused',
        message: `--node-map entry for ${name} matches no Calico node in etcd`,
        hint: 'Check the spelling of the etcd node name.',
      });
    }
  }
  return { map, collisions };
}
