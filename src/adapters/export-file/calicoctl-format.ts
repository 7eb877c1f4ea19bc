/**
 * calicoctl's `datastore migrate export` file: YAML lists of v3 resources, `===`, the
 * ClusterInformation as JSON, `===`, the IPAM data as JSON. Parsing one gives the same
 * SourceSnapshot shape a live etcd read gives, so everything downstream is shared. This module
 * only parses text (source.ts reads the file); `calico-migrate export` writes the same format
 * with CALICOCTL_KIND_ORDER.
 */
import YAML from 'yaml';
import { MigrateError } from '../../errors.js';
import { CLUSTER_INFO_KEY, V3_PREFIX } from '../../model/keys.js';
import { MIGRATED_KINDS } from '../../model/kinds.js';
import type { SourceKV, SourceSnapshot } from '../../model/types.js';

/** v3 kind -> etcd plural, for every kind an export file may hold. */
const PLURALS = new Map<string, { plural: string; namespaced: boolean; tieredPolicy: boolean }>([
  ...MIGRATED_KINDS.map((k) => [k.kind, { plural: k.plural, namespaced: k.namespaced, tieredPolicy: !!k.tieredPolicy }] as const),
  ['Node', { plural: 'nodes', namespaced: false, tieredPolicy: false }],
]);

/** calicoctl's IPAM section: etcd key/value pairs, checked entry by entry below. */
interface IpamEntry {
  Key?: unknown;
  Value?: unknown;
}
type IpamSection = Partial<Record<'block_affinities' | 'blocks' | 'handles', Array<IpamEntry | null>>> & { config?: IpamEntry };

function invalid(file: string, what: string): MigrateError {
  return new MigrateError('SOURCE_INVALID', `export file ${file} ${what}`, {
    hint: 'recreate it with `calicoctl datastore migrate export` or `calico-migrate export -o calicoctl`',
  });
}

export function parseCalicoctlExport(text: string, file: string): SourceSnapshot {
  const parts = text.split('===\n');
  if (parts.length !== 3) throw invalid(file, `is improperly formatted: expected 3 sections separated by '===' lines, found ${parts.length}`);
  const [resourceText = '', clusterSection = '', ipamSection = ''] = parts;
  const kvs: SourceKV[] = [];
  const add = (key: string, value: unknown) => kvs.push({ key, value: typeof value === 'string' ? value : JSON.stringify(value), modRevision: 0 });

  let docs: YAML.Document.Parsed[];
  try {
    docs = YAML.parseAllDocuments(resourceText) as YAML.Document.Parsed[];
  } catch (e) {
    throw invalid(file, `has unreadable YAML in its resource section: ${(e as Error).message}`);
  }
  docs.forEach((doc, i) => {
    if (doc.errors.length) throw invalid(file, `has invalid YAML in resource document ${i + 1}: ${doc.errors[0]?.message}`);
    const value = doc.toJSON();
    if (value === null || value === undefined) return;
    // calicoctl prints a one-element result unwrapped, a list otherwise.
    const items: unknown[] = typeof value.kind === 'string' && value.kind.endsWith('List') ? (value.items ?? []) : [value];
    for (const item of items) {
      const obj = item as { kind?: string; metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> } };
      const info = obj?.kind ? PLURALS.get(obj.kind) : undefined;
      if (!info || !obj.metadata?.name) {
        throw invalid(file, `has a resource the tool cannot place (document ${i + 1}, kind ${JSON.stringify(obj?.kind)}, name ${JSON.stringify(obj?.metadata?.name)})`);
      }
      const ns = info.namespaced ? `${obj.metadata.namespace ?? 'default'}/` : '';
      let stored: unknown = obj;
      if (info.tieredPolicy) {
        // An export holds the decoded v3 name; record it the way >=v3.30 writers do so decoding gives it back exactly.
        const annotations = { ...(obj.metadata.annotations ?? {}), 'projectcalico.org/metadata': JSON.stringify({ name: obj.metadata.name }) };
        stored = { ...obj, metadata: { ...obj.metadata, annotations } };
      }
      add(`${V3_PREFIX}${info.plural}/${ns}${obj.metadata.name}`, stored);
    }
  });

  const clusterText = clusterSection.trim();
  if (clusterText) {
    let ci: unknown;
    try {
      ci = JSON.parse(clusterText);
    } catch (e) {
      throw invalid(file, `has invalid JSON in its ClusterInformation section: ${(e as Error).message}`);
    }
    add(CLUSTER_INFO_KEY, ci);
  }

  const ipamText = ipamSection.trim();
  if (ipamText) {
    let ipam: IpamSection;
    try {
      ipam = JSON.parse(ipamText) as IpamSection;
    } catch (e) {
      throw invalid(file, `has invalid JSON in its IPAM section: ${(e as Error).message}`);
    }
    for (const section of ['block_affinities', 'blocks', 'handles'] as const) {
      for (const [j, entry] of (ipam[section] ?? []).entries()) {
        if (typeof entry?.Key !== 'string') throw invalid(file, `has an IPAM ${section} entry without a Key (index ${j})`);
        add(entry.Key, entry.Value ?? '');
      }
    }
    if (ipam.config) {
      if (typeof ipam.config.Key !== 'string') throw invalid(file, 'has an IPAM config entry without a Key');
      add(ipam.config.Key, ipam.config.Value ?? {});
    }
  }

  kvs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  kvs.forEach((kv, i) => {
    if (i > 0 && kv.key === kvs[i - 1]?.key) throw invalid(file, `holds ${kv.key} twice`);
  });
  return { origin: 'export-file', endpoints: [file], clusterId: null, revision: null, kvs };
}
