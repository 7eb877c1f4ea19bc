/**
 * The pure conversion core: every key/value under `/calico/` at one etcd revision -> the objects
 * the Kubernetes datastore (crd.projectcalico.org/v1 + core Node annotations) must hold.
 *
 * Never throws. Every problem becomes a Diagnostic and conversion carries on, so a single run
 * lists everything the operator has to fix. Output is a pure function of the input.
 */
import { classifyKey, type ClassifiedKey } from '../model/keys.js';
import type { ConversionResult, ConvertOptions, DesiredObject, SkippedKey, SourceKV, SourceSnapshot } from '../model/types.js';
import { readClusterInfo } from './cluster-info.js';
import { DiagnosticSink, objectAddress } from './diagnostics.js';
import { parseObjectValue, readEnvelope } from './envelope.js';
import { checkPoolOverlaps, type PoolRef } from './ippool.js';
import { convertAffinityKV, convertBlockKV, convertConfigKV, convertHandleKV, type IpamConvertContext } from './ipam.js';
import { diffV3IpamConfig, readV2Config, type IpamConfigValues } from './ipam-config.js';
import { buildNodeMap, type NodeSource } from './node-map.js';
import { nodeToK8sNode } from './node.js';
import { dropDuplicates, sortObjects } from './order.js';
import { convertV3Resource, type ResourceContext, type ResourceKey } from './resource.js';
import { StringPool } from './string-pool.js';
import { DEFAULT_NAMING_VERSION, parseCalicoVersion, type CalicoVersion } from './version.js';

export { MANAGED_NODE_ANNOTATIONS } from './node.js';
export { impliedTiers, withImpliedTiers } from './implied-tiers.js';
export { blockAffinityName, hostnameHashLabel } from './names.js';
export { cidrToName } from '../model/cidr.js';

type Classified<T extends ClassifiedKey['type']> = { kv: SourceKV; c: Extract<ClassifiedKey, { type: T }> };

interface Buckets {
  nodes: Classified<'node'>[];
  clusterInfo: SourceKV[];
  resources: Classified<'resource'>[];
  blocks: Classified<'ipam-block'>[];
  affinities: Classified<'ipam-affinity'>[];
  handles: Classified<'ipam-handle'>[];
  config: SourceKV | null;
  v3Ipam: Classified<'v3-ipam'>[];
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Accepts only well-formed entries, sorted by key, so the output does not depend on input order. */
function normaliseInput(snapshot: SourceSnapshot, diag: DiagnosticSink): SourceKV[] {
  const raw: unknown = snapshot && typeof snapshot === 'object' ? (snapshot as { kvs?: unknown }).kvs : undefined;
  if (!Array.isArray(raw)) {
    diag.error({ code: 'invalid-snapshot', message: 'snapshot has no kvs list', hint: 'This is a bug in the reader; report it.' });
    return [];
  }
  const out: SourceKV[] = [];
  raw.forEach((e: unknown, i) => {
    const kv = e as Partial<SourceKV> | null;
    if (!kv || typeof kv !== 'object' || typeof kv.key !== 'string' || typeof kv.value !== 'string') {
      diag.error({ code: 'invalid-entry', message: `snapshot entry ${i} is not a {key, value} pair of strings`, hint: 'This is a bug in the reader; report it.' });
      return;
    }
    const modRevision = typeof kv.modRevision === 'number' && Number.isFinite(kv.modRevision) ? kv.modRevision : 0;
    out.push({ key: kv.key, value: kv.value, modRevision });
  });
  // etcd returns keys sorted; only another reader's list needs the sort.
  let sorted = true;
  for (let i = 1; i < out.length && sorted; i++) sorted = (out[i - 1] as SourceKV).key <= (out[i] as SourceKV).key;
  if (!sorted) out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const unique: SourceKV[] = [];
  for (const kv of out) {
    const last = unique[unique.length - 1];
    if (last && last.key === kv.key) {
      diag.error({ code: 'duplicate-key', key: kv.key, message: 'key appears more than once in the snapshot; the first is used', hint: 'This is a bug in the reader; report it.' });
      continue;
    }
    unique.push(kv);
  }
  return unique;
}

function classifyAll(kvs: SourceKV[], options: ConvertOptions, diag: DiagnosticSink, skipped: SkippedKey[]): Buckets {
  const b: Buckets = { nodes: [], clusterInfo: [], resources: [], blocks: [], affinities: [], handles: [], config: null, v3Ipam: [] };
  for (const kv of kvs) {
    const c = classifyKey(kv.key);
    switch (c.type) {
      case 'node':
        b.nodes.push({ kv, c });
        break;
      case 'clusterinformation':
        b.clusterInfo.push(kv);
        break;
      case 'resource':
        b.resources.push({ kv, c });
        break;
      case 'ipam-block':
        b.blocks.push({ kv, c });
        break;
      case 'ipam-affinity':
        b.affinities.push({ kv, c });
        break;
      case 'ipam-handle':
        b.handles.push({ kv, c });
        break;
      case 'ipam-config':
        b.config = kv;
        break;
      case 'v3-ipam':
        b.v3Ipam.push({ kv, c });
        skipped.push({ key: kv.key, category: c.skip.category, reason: c.skip.reason });
        break;
      case 'skipped':
        skipped.push({ key: kv.key, category: c.category, reason: c.reason });
        if (c.userProfile) {
          diag.warn({
            code: 'user-profile-dropped',
            key: kv.key,
            message: `${c.reason}; this profile will not exist after migration`,
            hint: 'Re-express the profile as a NetworkPolicy/GlobalNetworkPolicy (or namespace labels) before cut-over if workloads rely on it.',
          });
        }
        break;
      case 'invalid':
        diag.error({ code: c.code, key: kv.key, message: c.message, hint: c.hint });
        break;
      case 'unknown':
        if (options.skipUnknown) {
          skipped.push({ key: kv.key, category: 'unknown', reason: `${c.message} (skipped because of --skip-unknown)` });
          diag.warn({ code: c.code, key: kv.key, message: `${c.message}; skipped (--skip-unknown)` });
        } else {
          diag.error({ code: c.code, key: kv.key, message: c.message, hint: c.hint });
        }
        break;
    }
  }
  return b;
}

function resolveVersion(options: ConvertOptions, sourceVersion: string | null, diag: DiagnosticSink): CalicoVersion {
  const fallback = parseCalicoVersion(DEFAULT_NAMING_VERSION) as CalicoVersion;
  const wanted = options.calicoVersion ?? sourceVersion;
  if (wanted === null || wanted === undefined) {
    diag.warn({
      code: 'calico-version-unknown',
      message: `the source ClusterInformation has no calicoVersion; applying the naming rules of ${DEFAULT_NAMING_VERSION}`,
      hint: 'Pass --calico-version with the Calico version the target cluster runs.',
    });
    return fallback;
  }
  const v = parseCalicoVersion(wanted);
  if (!v) {
    diag.error({
      code: 'invalid-calico-version',
      message: `Calico version "${wanted}" ${options.calicoVersion !== undefined ? '(from --calico-version) ' : ''}is not of the form vMAJOR.MINOR.PATCH`,
      hint: 'Pass --calico-version with the Calico version the target cluster runs, e.g. v3.31.2.',
    });
    return fallback;
  }
  return v;
}

/** Runs one step, turning an unexpected exception into a diagnostic (conversion must never throw). */
function guarded<T>(diag: DiagnosticSink, key: string | undefined, fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    diag.error({ code: 'internal-error', key, message: `unexpected error while converting: ${errorMessage(e)}`, hint: 'This is a bug; please report it with the key.' });
    return null;
  }
}

/**
 * Converts one key into at most one object. An object whose conversion reported an error is left
 * out: the plan refuses to run anyway, and a half-converted object must never look writable.
 */
function convertOne(diag: DiagnosticSink, key: string, fn: () => DesiredObject | null): DesiredObject | null {
  const before = diag.errorCount;
  const o = guarded(diag, key, fn);
  return diag.errorCount === before ? o : null;
}

export function convertSnapshot(snapshot: SourceSnapshot, options: ConvertOptions = {}): ConversionResult {
  return convert(snapshot, options, false);
}

/**
 * convertSnapshot for the one caller that owns the snapshot: `snapshot.kvs` is emptied once read, and
 * each value is dropped as soon as its object is made, so the raw text (~250 MB at 300,000 keys) and
 * the objects made from it are never all in memory at once. The result is the same.
 */
export function convertSnapshotConsuming(snapshot: SourceSnapshot, options: ConvertOptions = {}): ConversionResult {
  return convert(snapshot, options, true);
}

function convert(snapshot: SourceSnapshot, options: ConvertOptions, consume: boolean): ConversionResult {
  const diag = new DiagnosticSink();
  const skipped: SkippedKey[] = [];
  const result: ConversionResult = {
    objects: [],
    skipped,
    diagnostics: diag.list,
    nodeMap: {},
    clusterInfo: null,
    namingVersion: DEFAULT_NAMING_VERSION,
    datastoreCreatedAt: null,
  };
  const opts: ConvertOptions = options && typeof options === 'object' ? options : {};
  guarded(diag, undefined, () => run(snapshot, opts, diag, result, consume));
  result.skipped.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return result;
}

function run(snapshot: SourceSnapshot, options: ConvertOptions, diag: DiagnosticSink, result: ConversionResult, consume: boolean): void {
  const kvs = normaliseInput(snapshot, diag);
  if (consume && Array.isArray(snapshot.kvs)) snapshot.kvs.length = 0;
  const b = classifyAll(kvs, options, diag, result.skipped);
  kvs.length = 0;

  for (const kv of b.clusterInfo) result.clusterInfo = guarded(diag, kv.key, () => readClusterInfo(kv, diag)) ?? null;
  const version = resolveVersion(options, result.clusterInfo?.calicoVersion ?? null, diag);
  result.namingVersion = version.text;

  // Nodes first: every other kind may embed node names.
  const nodeValues = new Map<string, ReturnType<typeof readEnvelope>>();
  const nodeSources: NodeSource[] = b.nodes.map(({ kv, c }) => {
    const env = guarded(diag, kv.key, () => readEnvelope({ key: kv.key, value: kv.value, kind: 'Node', namespace: null, name: c.name }, diag));
    nodeValues.set(kv.key, env ?? null);
    return { key: kv.key, etcdName: c.name, value: env ? env.obj : null };
  });
  const { map: nodeMap, collisions } = buildNodeMap(nodeSources, options.nodeMap, diag);
  result.nodeMap = Object.fromEntries([...nodeMap.entries()].sort(([a], [b2]) => (a < b2 ? -1 : a > b2 ? 1 : 0)));
  const renamedNodes = new Set([...nodeMap].filter(([from, to]) => from !== to).map(([from]) => from));
  const collided = new Set([...collisions.values()].flat());

  const objects: DesiredObject[] = [];
  const push = (o: DesiredObject | null) => {
    if (o) objects.push(o);
  };

  for (const { kv, c } of b.nodes) {
    const env = nodeValues.get(kv.key);
    const k8sName = nodeMap.get(c.name);
    if (!env || k8sName === undefined || collided.has(c.name)) continue;
    const address = objectAddress('v1', 'Node', null, k8sName);
    push(
      convertOne(diag, kv.key, () => ({
        apiVersion: 'v1',
        kind: 'Node',
        namespace: null,
        name: k8sName,
        body: nodeToK8sNode(env.obj, k8sName, { key: kv.key, address, diag }),
        sources: [{ key: kv.key, mod_revision: kv.modRevision }],
      })),
    );
  }

  const pools: PoolRef[] = [];
  const rctx: ResourceContext = { diag, nodeMap, renamedNodes, version, pools, earliestCreation: null };
  for (const { kv, c } of b.resources) {
    const rk: ResourceKey = { info: c.info, namespace: c.namespace, name: c.name };
    push(convertOne(diag, kv.key, () => convertV3Resource(kv, rk, rctx)));
    release(kv);
  }
  checkPoolOverlaps(pools, diag);
  result.datastoreCreatedAt = result.clusterInfo?.creationTimestamp ?? rctx.earliestCreation;

  const ictx: IpamConvertContext = { diag, nodeMap, version, strings: new StringPool() };
  let v2Config: IpamConfigValues | null = null;
  const configKv = b.config;
  if (configKv) {
    const errorsBefore = diag.errorCount;
    v2Config = guarded(diag, configKv.key, () => {
      const value = parseObjectValue(configKv.key, configKv.value, diag, 'IPAM config');
      return value ? readV2Config(value, configKv.key, diag) : null;
    });
    if (v2Config && diag.errorCount === errorsBefore) {
      const cfg = v2Config;
      push(convertOne(diag, configKv.key, () => convertConfigKV(configKv, cfg, ictx)));
    }
  }
  for (const { kv, c } of b.blocks) {
    push(convertOne(diag, kv.key, () => convertBlockKV(kv, c.cidr, c.cidrName, ictx)));
    release(kv);
  }
  for (const { kv, c } of b.affinities) {
    push(convertOne(diag, kv.key, () => convertAffinityKV(kv, c, ictx)));
    release(kv);
  }
  for (const { kv, c } of b.handles) {
    push(convertOne(diag, kv.key, () => convertHandleKV(kv, c.handleId, ictx)));
    release(kv);
  }

  for (const { kv, c } of b.v3Ipam) {
    if (c.plural !== 'ipamconfigurations' && c.plural !== 'ipamconfigs') continue;
    guarded(diag, kv.key, () => compareV3IpamConfig(kv, v2Config, configKv !== null, diag));
  }

  result.objects = dropDuplicates(sortObjects(objects), diag);
}

/** Drops a converted value: the entries are this module's own copies (normaliseInput), never the caller's. */
function release(kv: SourceKV): void {
  kv.value = '';
}

function compareV3IpamConfig(kv: SourceKV, v2: IpamConfigValues | null, hasV2: boolean, diag: DiagnosticSink): void {
  const value = parseObjectValue(kv.key, kv.value, diag, 'v3 IPAM configuration');
  if (!value) return;
  const diffs = diffV3IpamConfig(value.spec, v2);
  if (diffs.length === 0) return;
  diag.warn({
    code: 'ipam-config-mismatch',
    key: kv.key,
    message: `this v3 IPAM configuration differs from ${hasV2 ? '/calico/ipam/v2/config' : 'the IPAM defaults (/calico/ipam/v2/config is absent)'}, which is what IPAM used and what is migrated: ${diffs.join('; ')}`,
    hint: 'If the v3 values are the intended ones, set them with `calicoctl ipam configure` before migrating, or adjust the IPAMConfig after migration.',
  });
}
